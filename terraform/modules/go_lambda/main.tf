# One Go task Lambda: the bootstrap zip from `make package`, its own role with
# only what the task calls, a log group with retention, and X-Ray tracing.

locals {
  zip = "${var.package_dir}/${var.task}.zip"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Runs the ${var.task} task (logiwaflow)."
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # X-Ray accepts no resource narrower than "*" for these two actions.
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  description      = "logiwaflow ${var.task} task"
  role             = aws_iam_role.this.arn
  filename         = local.zip
  source_code_hash = filebase64sha256(local.zip)
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  timeout          = var.timeout_seconds
  memory_size      = var.memory_size

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }

  # The log group must exist with its retention before the first invocation
  # creates one without, and the role must be able to write to it.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

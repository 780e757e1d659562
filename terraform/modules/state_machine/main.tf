# One Standard state machine from statemachines/<definition>.asl.json. The
# definition's ${...} placeholders are filled by templatefile with the same
# names the local runtime substitutes, so both run the same file.

data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  # Step Functions' vended-logs prefix keeps the log resource policy small.
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-sfn"
  description        = "Runs the ${var.definition} state machine (logiwaflow)."
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "InvokeTasks"
    actions   = ["lambda:InvokeFunction"]
    resources = concat(var.lambda_function_arns, [for arn in var.lambda_function_arns : "${arn}:*"])
  }

  dynamic "statement" {
    for_each = length(var.send_queue_arns) > 0 ? [1] : []
    content {
      sid       = "SendToGate"
      actions   = ["sqs:SendMessage"]
      resources = var.send_queue_arns
    }
  }

  # CloudWatch Logs delivery for Step Functions: AWS documents these actions
  # as supporting no resource narrower than "*".
  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  # X-Ray accepts no resource narrower than "*" for these actions.
  statement {
    sid = "Tracing"
    actions = [
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  type       = "STANDARD"
  role_arn   = aws_iam_role.this.arn
  definition = templatefile("${var.statemachines_dir}/${var.definition}.asl.json", var.placeholders)

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.this]
}

# Every mistake the checks must catch, one per resource.

variable "package_dir" {
  type    = string
  default = "/dist"
}

variable "every_hour" {
  type    = string
  default = "rate(1 hour)"
}

resource "aws_sqs_queue" "lonely" {
  name                       = "lonely"
  visibility_timeout_seconds = 30
}

resource "aws_dynamodb_table" "plain" {
  name         = "plain"
  billing_mode = "PROVISIONED"
  hash_key     = "pk"
}

resource "aws_s3_bucket" "open" {
  bucket = "open"
}

data "aws_iam_policy_document" "greedy" {
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::open/*"]
  }

  statement {
    actions   = ["s3:GetObject", "xray:PutTraceSegments"]
    resources = ["*"]
  }

  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "shared" {
  name               = "shared"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "inline" {
  role   = aws_iam_role.shared.id
  policy = jsonencode({ Statement = [] })
}

resource "aws_lambda_function" "park" {
  function_name = "park"
  filename      = "${var.package_dir}/park.zip"
  handler       = "main"
  runtime       = "go1.x"
  role          = aws_iam_role.shared.arn
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "lonely" {
  event_source_arn = aws_sqs_queue.lonely.arn
  function_name    = aws_lambda_function.park.arn

  lifecycle {
    precondition {
      condition     = aws_sqs_queue.lonely.visibility_timeout_seconds >= 6 * aws_lambda_function.park.timeout
      error_message = "Too short."
    }
  }
}

resource "aws_sfn_state_machine" "inline" {
  name       = "inline"
  role_arn   = aws_iam_role.shared.arn
  definition = "{}"
}

resource "aws_sfn_state_machine" "demo" {
  name       = "demo"
  role_arn   = aws_iam_role.shared.arn
  definition = templatefile("${path.module}/../defs/demo.asl.json", { other = "x" })
}

resource "aws_scheduler_schedule" "hourly" {
  name                = "hourly"
  schedule_expression = var.every_hour

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.demo.arn
    role_arn = aws_iam_role.shared.arn
    input    = "{\"x\": 1}"
  }
}

module "child" {
  source = "./child"
  typo   = 1
}

variable "workers" {
  description = "A default that fails its own validation."
  type        = number
  default     = 1

  validation {
    condition     = var.workers >= 2
    error_message = "At least 2."
  }
}

variable "prefix" {
  description = "Checked with can(regex())."
  type        = string
  default     = "ok"

  validation {
    condition     = can(regex("^[a-z]+$", var.prefix))
    error_message = "Lower case."
  }
}

locals {
  loop_a = local.loop_b
  loop_b = local.loop_a
}

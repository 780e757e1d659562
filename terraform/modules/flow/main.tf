# One inbound flow (inventory, orders or refunds), deployable on its own: the
# inbound queue with its DLQ, the start-execution trigger that turns each
# message into one execution, and the flow's state machine.

locals {
  name = "${var.name_prefix}-${var.flow}"
}

module "state_machine" {
  source = "../state_machine"

  name                   = local.name
  definition             = var.flow
  statemachines_dir      = var.statemachines_dir
  placeholders           = var.placeholders
  lambda_function_arns   = var.task_function_arns
  send_queue_arns        = [var.gate_queue_arn]
  log_level              = var.sfn_log_level
  include_execution_data = var.sfn_include_execution_data
  log_retention_days     = var.log_retention_days
}

module "queue" {
  source = "../queue"

  name                       = local.name
  visibility_timeout_seconds = 6 * var.trigger_timeout_seconds
  max_receive_count          = var.max_receive_count
}

module "trigger" {
  source = "../go_lambda"

  name               = "${local.name}-start-execution"
  task               = "start-execution"
  package_dir        = var.package_dir
  timeout_seconds    = var.trigger_timeout_seconds
  log_retention_days = var.log_retention_days

  environment = {
    FLOW              = var.flow
    STATE_MACHINE_ARN = module.state_machine.arn
    PARKED_BUCKET     = var.parked_bucket_name
  }

  policy_statements = [
    {
      sid       = "StartFlowExecutions"
      actions   = ["states:StartExecution"]
      resources = [module.state_machine.arn]
    },
    {
      sid       = "KeepOversizedMessages"
      actions   = ["s3:PutObject"]
      resources = ["${var.parked_bucket_arn}/oversized/${var.flow}/*"]
    },
    {
      sid       = "ConsumeInboundQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [module.queue.arn]
    },
  ]
}

resource "aws_lambda_event_source_mapping" "trigger" {
  event_source_arn                   = module.queue.arn
  function_name                      = module.trigger.function_arn
  batch_size                         = var.trigger_batch_size
  maximum_batching_window_in_seconds = var.trigger_batch_size > 10 ? 1 : 0
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.trigger_max_concurrency
  }

  lifecycle {
    precondition {
      condition     = module.queue.visibility_timeout_seconds >= 6 * module.trigger.timeout_seconds
      error_message = "The inbound queue's visibility timeout must be at least 6 times the trigger's timeout."
    }
  }
}

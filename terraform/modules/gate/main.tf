# The Logiwa gate: one queue carries every Logiwa request in the system, and
# the call-logiwa worker consumes it with at most max_concurrency invocations
# at once. Each second is cut into rate_limit slots and each invocation sends
# in one slot out of every max_concurrency (see gate.Pacer), so together they
# stay within the account's limit in every second. A burst waits in the queue.

locals {
  name = "${var.name_prefix}-gate"
}

module "queue" {
  source = "../queue"

  name                       = local.name
  visibility_timeout_seconds = 6 * var.timeout_seconds
  max_receive_count          = var.max_receive_count
}

module "worker" {
  source = "../go_lambda"

  name               = "${var.name_prefix}-call-logiwa"
  task               = "call-logiwa"
  package_dir        = var.package_dir
  timeout_seconds    = var.timeout_seconds
  log_retention_days = var.log_retention_days

  environment = {
    LOGIWA_BASE_URL      = var.logiwa_base_url
    LOGIWA_SECRET_ARN    = var.logiwa_secret_arn
    LOGIWA_CLIENT_ID     = var.logiwa_client_id
    LOGIWA_WAREHOUSE_ID  = var.logiwa_warehouse_id
    LOGIWA_ORDER_TYPE    = var.logiwa_order_type
    LOGIWA_RATE_LIMIT    = tostring(var.rate_limit)
    GATE_MAX_CONCURRENCY = tostring(var.max_concurrency)
    JOBS_TABLE           = var.jobs_table_name
  }

  policy_statements = [
    {
      sid       = "ConsumeGateQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [module.queue.arn]
    },
    {
      # The task token answers go to the executions of these machines only.
      sid       = "AnswerWaitingExecutions"
      actions   = ["states:SendTaskSuccess", "states:SendTaskFailure"]
      resources = var.state_machine_arns
    },
    {
      sid       = "ClaimLogiwaWrites"
      actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources = [var.jobs_table_arn]
    },
    {
      sid       = "ReadLogiwaCredentials"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [var.logiwa_secret_arn]
    },
  ]
}

resource "aws_lambda_event_source_mapping" "worker" {
  event_source_arn                   = module.queue.arn
  function_name                      = module.worker.function_arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrency
  }

  lifecycle {
    precondition {
      condition     = module.queue.visibility_timeout_seconds >= 6 * module.worker.timeout_seconds
      error_message = "The gate queue's visibility timeout must be at least 6 times the worker's timeout."
    }

    # An instance cannot know which of the max_concurrency it is, so it
    # takes its slots at random; instances sharing slots stay within the
    # limit only when max_concurrency divides it (the worker refuses to
    # start otherwise).
    precondition {
      condition     = floor(var.rate_limit) % var.max_concurrency == 0
      error_message = "max_concurrency must divide rate_limit (Basic 2: 2; Premium 6: 2, 3 or 6)."
    }

    # One invocation works through its batch at rate_limit / max_concurrency
    # calls per second; it must finish well inside its timeout.
    precondition {
      condition     = var.batch_size * var.max_concurrency / var.rate_limit + 30 <= var.timeout_seconds
      error_message = "timeout_seconds is too short for batch_size paced calls at rate_limit / max_concurrency per second (plus 30 s for Logiwa to answer)."
    }
  }
}

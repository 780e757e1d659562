variable "flow" {
  description = "The flow: its definition is statemachines/<flow>.asl.json and its messages pkg/message/schemas/<flow>."
  type        = string

  validation {
    condition     = contains(["inventory", "orders", "refunds"], var.flow)
    error_message = "flow is inventory, orders or refunds."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
}

variable "package_dir" {
  description = "Directory holding the zips `make package` builds."
  type        = string
}

variable "statemachines_dir" {
  description = "Directory holding the definitions."
  type        = string
}

variable "placeholders" {
  description = "Values of the definition's placeholders, by name."
  type        = map(string)
}

variable "task_function_arns" {
  description = "The task functions the flow's state machine invokes (validate, update-db, park)."
  type        = list(string)
}

variable "parked_bucket_name" {
  description = "Bucket where the trigger keeps a message too large for an execution input (under oversized/), so the workflow can park it as invalid without losing it."
  type        = string
}

variable "parked_bucket_arn" {
  description = "ARN of that bucket."
  type        = string
}

variable "gate_queue_arn" {
  description = "ARN of the Logiwa gate queue the state machine sends requests to."
  type        = string
}

variable "trigger_timeout_seconds" {
  description = "Timeout of the start-execution function; the inbound queue's visibility timeout is 6 times this."
  type        = number
  default     = 30

  validation {
    condition     = var.trigger_timeout_seconds >= 1 && var.trigger_timeout_seconds <= 900
    error_message = "A Lambda timeout is between 1 and 900 seconds."
  }
}

variable "trigger_batch_size" {
  description = "Messages per trigger invocation; failures are reported per message (partial batch responses)."
  type        = number
  default     = 10

  validation {
    condition     = var.trigger_batch_size >= 1 && var.trigger_batch_size <= 10000
    error_message = "An SQS event source mapping takes 1 to 10000 messages per batch."
  }
}

variable "trigger_max_concurrency" {
  description = "Most trigger invocations at once for this flow's queue."
  type        = number
  default     = 5

  validation {
    condition     = var.trigger_max_concurrency >= 2 && var.trigger_max_concurrency <= 1000
    error_message = "An SQS event source mapping's maximum concurrency is 2 to 1000."
  }
}

variable "max_receive_count" {
  description = "Receives before an inbound message moves to the flow's DLQ."
  type        = number
  default     = 5
}

variable "sfn_log_level" {
  description = "Execution history events sent to CloudWatch Logs."
  type        = string
  default     = "ERROR"
}

variable "sfn_include_execution_data" {
  description = "Log execution inputs and outputs too."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps this flow's logs."
  type        = number
  default     = 30
}

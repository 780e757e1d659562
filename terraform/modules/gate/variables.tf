variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
}

variable "package_dir" {
  description = "Directory holding the zips `make package` builds."
  type        = string
}

variable "rate_limit" {
  description = "Logiwa requests per second the whole system may make (the account's tier: Basic 2, Premium 6)."
  type        = number

  validation {
    condition     = var.rate_limit > 0 && var.rate_limit <= 100
    error_message = "rate_limit is a positive number of requests per second (at most 100)."
  }
}

variable "max_concurrency" {
  description = "Most call-logiwa invocations at once; each sends in rate_limit / max_concurrency slots a second; must divide rate_limit."
  type        = number

  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "An SQS event source mapping's maximum concurrency is a whole number from 2 to 1000."
  }
}

variable "batch_size" {
  description = "Gate messages per invocation (each is one Logiwa request)."
  type        = number
  default     = 1

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10
    error_message = "batch_size is 1 to 10."
  }
}

variable "timeout_seconds" {
  description = "Timeout of the call-logiwa function; the gate queue's visibility timeout is 6 times this."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 10 && var.timeout_seconds <= 900
    error_message = "timeout_seconds is 10 to 900."
  }
}

variable "max_receive_count" {
  description = "Receives before a gate message moves to the gate's DLQ."
  type        = number
  default     = 5
}

variable "logiwa_base_url" {
  description = "Logiwa API base URL."
  type        = string
}

variable "logiwa_secret_arn" {
  description = "Secret holding the Logiwa login as {\"email\": ..., \"password\": ...}."
  type        = string
}

variable "logiwa_client_id" {
  description = "Logiwa client identifier."
  type        = string
}

variable "logiwa_warehouse_id" {
  description = "Logiwa warehouse identifier."
  type        = string
}

variable "logiwa_order_type" {
  description = "Logiwa shipment order type for shop orders."
  type        = string
}

variable "jobs_table_name" {
  description = "Jobs table, where the worker claims each entity's Logiwa write so two versions never reach Logiwa out of order."
  type        = string
}

variable "jobs_table_arn" {
  description = "ARN of the jobs table."
  type        = string
}

variable "state_machine_arns" {
  description = "State machines whose executions wait on the gate (the worker answers their task tokens)."
  type        = list(string)

  validation {
    condition     = length(var.state_machine_arns) > 0
    error_message = "At least one state machine uses the gate."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the worker's logs."
  type        = number
  default     = 30
}

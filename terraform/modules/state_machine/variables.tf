variable "name" {
  description = "State machine name; also names its role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "A state machine name is letters, digits, hyphens or underscores (at most 76 here, to leave room for the role's -sfn)."
  }
}

variable "definition" {
  description = "Definition name: the file statemachines/<definition>.asl.json."
  type        = string
}

variable "statemachines_dir" {
  description = "Directory holding the definitions (the repository's statemachines/)."
  type        = string
}

variable "placeholders" {
  description = "Value of every $${...} placeholder the definition uses, by name (the names statemachines.Placeholders lists)."
  type        = map(string)
}

variable "lambda_function_arns" {
  description = "Functions the definition invokes."
  type        = list(string)

  validation {
    condition     = length(var.lambda_function_arns) > 0
    error_message = "Every definition invokes at least one task function."
  }
}

variable "send_queue_arns" {
  description = "Queues the definition sends to (the gate, for sqs:sendMessage.waitForTaskToken)."
  type        = list(string)
  default     = []
}

variable "log_level" {
  description = "Execution history events sent to CloudWatch Logs: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.log_level)
    error_message = "log_level is ALL, ERROR, FATAL or OFF."
  }
}

variable "include_execution_data" {
  description = "Log inputs and outputs too (messages carry customer addresses: off unless debugging)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the execution logs."
  type        = number
  default     = 30
}

variable "name_prefix" {
  description = "Prefix of the alarm names."
  type        = string
}

variable "dlq_names" {
  description = "Dead-letter queue names by the queue they serve (inventory, orders, refunds, gate)."
  type        = map(string)
}

variable "park_function_name" {
  description = "Name of the park function."
  type        = string
}

variable "state_machine_arns" {
  description = "State machine ARNs by definition name."
  type        = map(string)
}

variable "parked_threshold" {
  description = "Parked messages in 5 minutes above which the alarm fires (0: any)."
  type        = number
  default     = 0

  validation {
    condition     = var.parked_threshold >= 0
    error_message = "parked_threshold is 0 or more."
  }
}

variable "failed_executions_threshold" {
  description = "Failed executions per state machine in 5 minutes above which the alarm fires (0: any)."
  type        = number
  default     = 0

  validation {
    condition     = var.failed_executions_threshold >= 0
    error_message = "failed_executions_threshold is 0 or more."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires or clears (e.g. an SNS topic); empty: alarms show in the console only."
  type        = list(string)
  default     = []
}

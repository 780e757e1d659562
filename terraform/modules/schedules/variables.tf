variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
}

variable "schedules" {
  description = "Schedules by name: the state machine each starts, its EventBridge Scheduler expression and the execution input."
  type = map(object({
    state_machine_arn = string
    expression        = string
    input             = string
  }))

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(rate|cron|at)\\(.+\\)$", s.expression))])
    error_message = "An expression is rate(...), cron(...) or at(...)."
  }

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(jsondecode(s.input))])
    error_message = "An execution input is JSON."
  }
}

variable "timezone" {
  description = "Time zone cron expressions are read in."
  type        = string
  default     = "UTC"
}

variable "enabled" {
  description = "Whether the schedules fire (false pauses them without removing them)."
  type        = bool
  default     = true
}

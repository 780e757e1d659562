variable "name" {
  description = "Function name; also names its role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "A Lambda function name is 1-64 letters, digits, hyphens or underscores."
  }
}

variable "task" {
  description = "Directory under tasks/ whose binary this function runs; the zip is <package_dir>/<task>.zip."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.task))
    error_message = "A task is a directory name under tasks/ (lower case, digits, hyphens)."
  }
}

variable "package_dir" {
  description = "Directory holding the zips `make package` builds."
  type        = string
}

variable "environment" {
  description = "Environment variables the task reads at cold start (see tasks/<task>/main.go)."
  type        = map(string)
  default     = {}
}

variable "policy_statements" {
  description = "What the task may call, beyond writing its logs and traces: each statement's actions on its resources."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Every statement names at least one action and one resource."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : !anytrue([for a in s.actions : strcontains(a, "*")])])
    error_message = "Actions are named one by one: no wildcards."
  }
}

variable "timeout_seconds" {
  description = "Function timeout in seconds."
  type        = number
  default     = 30

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "A Lambda timeout is between 1 and 900 seconds."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU scales with it)."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "Lambda memory is between 128 and 10240 MB."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the function's logs."
  type        = number
  default     = 30
}

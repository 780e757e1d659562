# --- Where and what ------------------------------------------------------------

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region is an AWS region name such as eu-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name; one prefix per environment in the same account (logiwaflow, logiwaflow-staging)."
  type        = string
  default     = "logiwaflow"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix is 2-24 lower-case letters, digits or hyphens, starting with a letter: the parked bucket's name (<prefix>-parked-<account>-<region>) must fit S3's 63 characters."
  }
}

variable "tags" {
  description = "Tags added to every resource (Project and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "package_dir" {
  description = "Directory holding the Lambda zips `make package` builds; null: ../dist next to this directory."
  type        = string
  default     = null
}

variable "statemachines_dir" {
  description = "Directory holding the definitions; null: ../statemachines next to this directory."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the tables from deletion and refuse to destroy a non-empty parked bucket; false only for throwaway stacks."
  type        = bool
  default     = true
}

# --- Logiwa --------------------------------------------------------------------

variable "logiwa_base_url" {
  description = "Logiwa API base URL: https://myapisandbox.logiwa.com (sandbox) or https://myapi.logiwa.com (production)."
  type        = string
  default     = "https://myapisandbox.logiwa.com"

  validation {
    condition     = can(regex("^https://[^/]+$", var.logiwa_base_url))
    error_message = "logiwa_base_url is an https URL with no path or trailing slash."
  }
}

variable "logiwa_client_id" {
  description = "Logiwa client identifier (GET /v3.1/Client/list)."
  type        = string

  validation {
    condition     = length(trimspace(var.logiwa_client_id)) > 0
    error_message = "logiwa_client_id is required."
  }
}

variable "logiwa_warehouse_id" {
  description = "Logiwa warehouse identifier the shop's stock and orders belong to."
  type        = string

  validation {
    condition     = length(trimspace(var.logiwa_warehouse_id)) > 0
    error_message = "logiwa_warehouse_id is required."
  }
}

variable "logiwa_order_type" {
  description = "Logiwa shipment order type of shop orders."
  type        = string

  validation {
    condition     = length(trimspace(var.logiwa_order_type)) > 0
    error_message = "logiwa_order_type is required."
  }
}

variable "logiwa_rate_limit" {
  description = "Logiwa requests per second the whole system may make: the account's tier (Basic 2, Premium 6)."
  type        = number
  default     = 2

  validation {
    condition     = var.logiwa_rate_limit > 0 && var.logiwa_rate_limit <= 100
    error_message = "logiwa_rate_limit is a positive number of requests per second (at most 100)."
  }
}

# --- The gate and the workflows ------------------------------------------------------

variable "gate_max_concurrency" {
  description = "Most call-logiwa workers at once (the gate's event source mapping maximum concurrency); each sends in logiwa_rate_limit / gate_max_concurrency pacing slots a second, so it must divide logiwa_rate_limit."
  type        = number
  default     = 2

  validation {
    condition     = var.gate_max_concurrency >= 2 && var.gate_max_concurrency <= 1000 && floor(var.gate_max_concurrency) == var.gate_max_concurrency
    error_message = "gate_max_concurrency is a whole number from 2 (SQS event source mappings' minimum) to 1000."
  }
}

variable "gate_timeout_seconds" {
  description = "How long a workflow waits for the gate to answer one Logiwa call (queueing included) before States.Timeout; the definitions' gate_timeout_seconds."
  type        = number
  default     = 3600

  validation {
    condition     = var.gate_timeout_seconds >= 60 && var.gate_timeout_seconds <= 86400 && floor(var.gate_timeout_seconds) == var.gate_timeout_seconds
    error_message = "gate_timeout_seconds is a whole number from 60 to 86400."
  }
}

variable "latency_threshold_ms" {
  description = "A Logiwa call slower than this parks the message as threshold_exceeded; the definitions' latency_threshold_ms."
  type        = number
  default     = 2000

  validation {
    condition     = var.latency_threshold_ms >= 100 && floor(var.latency_threshold_ms) == var.latency_threshold_ms
    error_message = "latency_threshold_ms is a whole number of milliseconds, at least 100."
  }
}

variable "trigger_max_concurrency" {
  description = "Most start-execution invocations at once per inbound queue."
  type        = number
  default     = 5

  validation {
    condition     = var.trigger_max_concurrency >= 2 && var.trigger_max_concurrency <= 1000
    error_message = "trigger_max_concurrency is 2 to 1000."
  }
}

variable "sfn_log_level" {
  description = "Execution history events the state machines send to CloudWatch Logs: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.sfn_log_level)
    error_message = "sfn_log_level is ALL, ERROR, FATAL or OFF."
  }
}

variable "sfn_include_execution_data" {
  description = "Log execution inputs and outputs (they carry customer addresses: leave off unless debugging)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps function and execution logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days is one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "redriven_expiration_days" {
  description = "Days a redriven message stays in the parked bucket (under redriven/) before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.redriven_expiration_days >= 1
    error_message = "redriven_expiration_days is at least 1."
  }
}

# --- Schedules (defaults: pkg/schedule.Defaults, which the local runtime fires) ---

variable "inventory_sync_schedule" {
  description = "When the inventory sync runs (EventBridge Scheduler expression)."
  type        = string
  default     = "rate(10 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.inventory_sync_schedule))
    error_message = "inventory_sync_schedule is rate(...) or cron(...)."
  }
}

variable "orders_sync_schedule" {
  description = "When the orders sync runs (EventBridge Scheduler expression)."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.orders_sync_schedule))
    error_message = "orders_sync_schedule is rate(...) or cron(...)."
  }
}

variable "redrive_schedule" {
  description = "When parked messages are redriven (EventBridge Scheduler expression; daily at 06:00 by default)."
  type        = string
  default     = "cron(0 6 * * ? *)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.redrive_schedule))
    error_message = "redrive_schedule is rate(...) or cron(...)."
  }
}

variable "schedule_timezone" {
  description = "Time zone the cron schedules are read in."
  type        = string
  default     = "UTC"
}

variable "schedules_enabled" {
  description = "Whether the schedules fire (false pauses syncs and redrive without removing them)."
  type        = bool
  default     = true
}

# --- Alarms ------------------------------------------------------------------------

variable "alarm_actions" {
  description = "ARNs notified when an alarm fires or clears (e.g. an SNS topic)."
  type        = list(string)
  default     = []
}

variable "parked_alarm_threshold" {
  description = "Parked messages in 5 minutes above which the parked alarm fires (0: any)."
  type        = number
  default     = 0

  validation {
    condition     = var.parked_alarm_threshold >= 0
    error_message = "parked_alarm_threshold is 0 or more."
  }
}

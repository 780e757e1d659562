variable "name" {
  description = "Queue name; the dead-letter queue is <name>-dlq."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,76}$", var.name))
    error_message = "An SQS queue name is 1-80 letters, digits, hyphens or underscores (76 here, to leave room for -dlq)."
  }
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden; at least 6 times the consuming function's timeout (AWS's advice for event source mappings)."
  type        = number

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "SQS allows a visibility timeout of 0 to 43200 seconds."
  }
}

variable "message_retention_seconds" {
  description = "How long an unconsumed message is kept."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "SQS keeps messages 60 seconds to 14 days."
  }
}

variable "dlq_retention_seconds" {
  description = "How long the dead-letter queue keeps a message; the maximum, so nobody loses one over a long weekend."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_retention_seconds >= 60 && var.dlq_retention_seconds <= 1209600
    error_message = "SQS keeps messages 60 seconds to 14 days."
  }
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "maxReceiveCount is 1 to 1000."
  }
}

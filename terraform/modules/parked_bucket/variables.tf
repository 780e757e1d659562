variable "name_prefix" {
  description = "Prefix of the bucket name (<prefix>-parked-<account>-<region>)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key to encrypt with; null uses S3-managed keys (SSE-S3). With a key, grant the park and redrive roles kms:Decrypt and kms:GenerateDataKey on it."
  type        = string
  default     = null
}

variable "parked_transition_days" {
  description = "Days before a parked message moves to STANDARD_IA."
  type        = number
  default     = 30

  validation {
    condition     = var.parked_transition_days >= 30
    error_message = "S3 moves objects to STANDARD_IA after 30 days at the earliest."
  }
}

variable "redriven_expiration_days" {
  description = "Days a redriven message is kept for audits."
  type        = number
  default     = 90

  validation {
    condition     = var.redriven_expiration_days >= 1
    error_message = "redriven_expiration_days is at least 1."
  }
}

variable "noncurrent_expiration_days" {
  description = "Days an overwritten or deleted object's old version is kept."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_expiration_days >= 1
    error_message = "noncurrent_expiration_days is at least 1."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a bucket that still holds parked messages (test stacks only)."
  type        = bool
  default     = false
}

variable "name_prefix" {
  description = "Prefix of the secret name (<prefix>/logiwa-credentials)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key; null uses the AWS managed key (aws/secretsmanager)."
  type        = string
  default     = null
}

variable "recovery_window_days" {
  description = "Days a deleted secret can be restored (0 deletes at once)."
  type        = number
  default     = 7

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days is 0 or 7 to 30."
  }
}

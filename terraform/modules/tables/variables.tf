variable "name_prefix" {
  description = "Prefix of the table names (<prefix>-records, <prefix>-jobs)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key; null uses the AWS managed key for DynamoDB (aws/dynamodb)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the tables (turn off only to tear down a test stack)."
  type        = bool
  default     = true
}

variable "ttl_attributes" {
  description = "TTL attribute by table (records, jobs); a table not named has TTL off."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.ttl_attributes) : contains(["records", "jobs"], k)])
    error_message = "ttl_attributes keys are records or jobs."
  }
}

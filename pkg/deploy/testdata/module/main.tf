# A provider-less stand-in for terraform/: the same outputs, built from
# terraform_data (Terraform's built-in provider), so the deploy flow runs for
# real where the AWS provider cannot be downloaded.

terraform {
  required_version = ">= 1.5.0"
}

variable "region" {
  description = "Region the fake ARNs name."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every name."
  type        = string
  default     = "logiwaflow"
}

locals {
  account  = "123456789012"
  machines = ["inventory", "orders", "refunds", "inventory-sync", "orders-sync", "redrive"]
  queues   = ["inventory", "orders", "refunds", "gate"]
}

resource "terraform_data" "state_machine" {
  for_each = toset(local.machines)
  input    = "arn:aws:states:${var.region}:${local.account}:stateMachine:${var.name_prefix}-${each.key}"
}

resource "terraform_data" "queue" {
  for_each = toset(concat(local.queues, [for q in local.queues : "${q}-dlq"]))
  input    = "https://sqs.${var.region}.amazonaws.com/${local.account}/${var.name_prefix}-${each.key}"
}

resource "terraform_data" "tables" {
  input = { records = "${var.name_prefix}-records", jobs = "${var.name_prefix}-jobs" }
}

output "region" {
  description = "Region."
  value       = var.region
}

output "state_machine_arns" {
  description = "State machine ARN by definition name."
  value       = { for k, r in terraform_data.state_machine : k => r.output }
}

output "queue_urls" {
  description = "Queue URL by name."
  value       = { for k, r in terraform_data.queue : k => r.output }
}

output "parked_bucket" {
  description = "Parked bucket."
  value       = "${var.name_prefix}-parked-${local.account}-${var.region}"
}

output "records_table" {
  description = "Records table."
  value       = terraform_data.tables.output.records
}

output "jobs_table" {
  description = "Jobs table."
  value       = terraform_data.tables.output.jobs
}

output "logiwa_base_url" {
  description = "Logiwa API."
  value       = "https://myapisandbox.logiwa.com"
}

output "logiwa_rate_limit" {
  description = "Requests per second."
  value       = 2
}

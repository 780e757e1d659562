# `logiwaflow deploy` reads these into the AWS target (pkg/target), so every
# operator verb reaches the deployed system. Keep the names in step with
# pkg/deploy.TargetFromOutputs.

output "region" {
  description = "Region the system runs in."
  value       = var.region
}

output "state_machine_arns" {
  description = "State machine ARN by definition name (statemachines/<name>.asl.json)."
  value       = local.state_machine_arns
}

output "queue_urls" {
  description = "Queue URL by name: inventory, orders, refunds, gate, and <name>-dlq for each dead-letter queue."
  value = {
    inventory       = module.inventory.queue_url
    "inventory-dlq" = module.inventory.dlq_url
    orders          = module.orders.queue_url
    "orders-dlq"    = module.orders.dlq_url
    refunds         = module.refunds.queue_url
    "refunds-dlq"   = module.refunds.dlq_url
    gate            = module.gate.queue_url
    "gate-dlq"      = module.gate.dlq_url
  }
}

output "parked_bucket" {
  description = "Name of the parked-message bucket."
  value       = module.parked_bucket.name
}

output "records_table" {
  description = "Name of the records table."
  value       = module.tables.records_table
}

output "jobs_table" {
  description = "Name of the jobs table."
  value       = module.tables.jobs_table
}

output "logiwa_secret_arn" {
  description = "Secret to put the Logiwa login in (aws secretsmanager put-secret-value)."
  value       = module.secrets.logiwa_secret_arn
}

output "logiwa_base_url" {
  description = "Logiwa API the gate calls."
  value       = var.logiwa_base_url
}

output "logiwa_rate_limit" {
  description = "Logiwa requests per second the gate allows."
  value       = var.logiwa_rate_limit
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value       = module.alarms.alarm_names
}

output "inbound_queue_arns" {
  description = "ARNs of the inbound queues, for the shop backend's sqs:SendMessage permission (granted on the shop's side)."
  value = {
    inventory = module.inventory.queue_arn
    orders    = module.orders.queue_arn
    refunds   = module.refunds.queue_arn
  }
}

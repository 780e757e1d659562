output "state_machine_arn" {
  description = "ARN of the flow's state machine."
  value       = module.state_machine.arn
}

output "queue_url" {
  description = "URL of the inbound queue the shop sends to."
  value       = module.queue.url
}

output "queue_arn" {
  description = "ARN of the inbound queue (for the shop's SendMessage permission and the redrive task)."
  value       = module.queue.arn
}

output "dlq_url" {
  description = "URL of the inbound queue's dead-letter queue."
  value       = module.queue.dlq_url
}

output "dlq_name" {
  description = "Name of the inbound queue's dead-letter queue."
  value       = module.queue.dlq_name
}

output "trigger_function_name" {
  description = "Name of the flow's start-execution function."
  value       = module.trigger.function_name
}

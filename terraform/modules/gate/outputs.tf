output "queue_url" {
  description = "URL of the gate queue (the definitions' gate_queue_url)."
  value       = module.queue.url
}

output "queue_arn" {
  description = "ARN of the gate queue."
  value       = module.queue.arn
}

output "dlq_url" {
  description = "URL of the gate's dead-letter queue."
  value       = module.queue.dlq_url
}

output "dlq_name" {
  description = "Name of the gate's dead-letter queue."
  value       = module.queue.dlq_name
}

output "worker_function_name" {
  description = "Name of the call-logiwa function."
  value       = module.worker.function_name
}

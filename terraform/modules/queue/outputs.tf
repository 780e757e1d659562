output "url" {
  description = "URL of the queue."
  value       = aws_sqs_queue.this.url
}

output "arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "visibility_timeout_seconds" {
  description = "The queue's visibility timeout."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_name" {
  description = "Name of the dead-letter queue (the alarms' dimension)."
  value       = aws_sqs_queue.dlq.name
}

output "records_table" {
  description = "Name of the records table."
  value       = aws_dynamodb_table.this["records"].name
}

output "records_table_arn" {
  description = "ARN of the records table."
  value       = aws_dynamodb_table.this["records"].arn
}

output "jobs_table" {
  description = "Name of the jobs table."
  value       = aws_dynamodb_table.this["jobs"].name
}

output "jobs_table_arn" {
  description = "ARN of the jobs table."
  value       = aws_dynamodb_table.this["jobs"].arn
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "timeout_seconds" {
  description = "The function's timeout, for the visibility timeout of a queue that feeds it."
  value       = aws_lambda_function.this.timeout
}

output "role_name" {
  description = "Name of the function's role."
  value       = aws_iam_role.this.name
}

output "logiwa_secret_arn" {
  description = "ARN of the Logiwa credentials secret."
  value       = aws_secretsmanager_secret.logiwa.arn
}

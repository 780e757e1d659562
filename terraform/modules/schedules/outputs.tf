output "schedule_names" {
  description = "Names of the schedules, by schedule name."
  value       = { for k, s in aws_scheduler_schedule.this : k => s.name }
}

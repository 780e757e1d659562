output "alarm_names" {
  description = "Names of every alarm."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.dlq : a.alarm_name],
    [aws_cloudwatch_metric_alarm.parked.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.failed_executions : a.alarm_name],
  )
}

# Alarms an operator acts on: a message in any DLQ, messages being parked,
# and failed executions. Each notifies alarm_actions (an SNS topic, say).

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = var.dlq_names

  alarm_name          = "${var.name_prefix}-${each.key}-dlq-not-empty"
  alarm_description   = "Messages in ${each.value}: a consumer failed them repeatedly; inspect and redrive."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

# Every park invocation stores one message: the park function's invocations
# count parked messages as they happen (S3's object counts are daily).
resource "aws_cloudwatch_metric_alarm" "parked" {
  alarm_name          = "${var.name_prefix}-messages-parked"
  alarm_description   = "More than ${var.parked_threshold} messages parked in 5 minutes: inspect parked/ in the parked bucket, fix the cause, then run the redrive state machine."
  namespace           = "AWS/Lambda"
  metric_name         = "Invocations"
  dimensions          = { FunctionName = var.park_function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.parked_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "failed_executions" {
  for_each = var.state_machine_arns

  alarm_name          = "${var.name_prefix}-${each.key}-executions-failed"
  alarm_description   = "Executions of ${each.key} failed (parked messages end as Parked.<reason> failures too)."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.failed_executions_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

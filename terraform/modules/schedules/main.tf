# EventBridge Scheduler starts the sync and redrive state machines. The
# expressions come from the root's <name>_schedule variables, whose defaults
# are pkg/schedule.Defaults (the local runtime fires the same ones).

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name_prefix}-scheduler"
  description        = "Starts logiwaflow's scheduled state machines."
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "StartScheduledMachines"
    actions   = ["states:StartExecution"]
    resources = distinct([for s in values(var.schedules) : s.state_machine_arn])
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name_prefix}-scheduler-least-privilege"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_scheduler_schedule" "this" {
  for_each = var.schedules

  name                         = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description                  = "Starts ${each.value.state_machine_arn} (logiwaflow)."
  schedule_expression          = each.value.expression
  schedule_expression_timezone = var.timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = each.value.state_machine_arn
    role_arn = aws_iam_role.this.arn
    input    = each.value.input

    # A missed tick is caught up by the next: the sync window starts at the
    # cursor and a redrive lists whatever is parked.
    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 600
    }
  }
}

# The records table (product#, order#, refund#, stock# items: what Logiwa
# holds and the version applied) and the jobs table (sync#<job>: cursor and
# lease). Both keyed by a string "pk", as pkg/records.CreateTables makes them
# locally. On demand, point-in-time recovery, encrypted with KMS.

locals {
  tables = {
    records = "${var.name_prefix}-records"
    jobs    = "${var.name_prefix}-jobs"
  }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = each.value
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  # No item is disposable today (an applied version guards against stale
  # messages; a job holds its cursor), so TTL is off unless an attribute is
  # named for the table.
  dynamic "ttl" {
    for_each = lookup(var.ttl_attributes, each.key, null) == null ? [] : [var.ttl_attributes[each.key]]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }
}

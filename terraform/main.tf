# logiwaflow on AWS. Every definition in ../statemachines is deployed from the
# same file the local runtime runs, its placeholders filled with the values in
# local.placeholders; every task in ../tasks runs as a function with its own
# least-privilege role. Each inbound flow is its own module instance, so
# `terraform apply -target=module.orders` upgrades one flow alone.

locals {
  package_dir       = coalesce(var.package_dir, "${path.root}/../dist")
  statemachines_dir = coalesce(var.statemachines_dir, "${path.root}/../statemachines")

  # What every inbound flow's definition needs besides its own name.
  flow_placeholders = {
    gate_queue_url         = module.gate.queue_url
    gate_timeout_seconds   = var.gate_timeout_seconds
    latency_threshold_ms   = var.latency_threshold_ms
    park_function_arn      = module.park.function_arn
    update_db_function_arn = module.update_db.function_arn
    validate_function_arn  = module.validate.function_arn
  }

  sync_placeholders = {
    gate_queue_url       = module.gate.queue_url
    gate_timeout_seconds = var.gate_timeout_seconds
    sync_function_arn    = module.sync.function_arn
  }

  # Every definition in statemachines/ (by file name without .asl.json) and
  # the value of each placeholder it uses. pkg/tfcheck checks this against
  # the files and renders each definition with it.
  placeholders = {
    inventory        = merge(local.flow_placeholders, { flow = "inventory" })
    orders           = merge(local.flow_placeholders, { flow = "orders" })
    refunds          = merge(local.flow_placeholders, { flow = "refunds" })
    "inventory-sync" = local.sync_placeholders
    "orders-sync"    = local.sync_placeholders
    redrive          = { redrive_function_arn = module.redrive.function_arn }
  }

  flow_task_function_arns = [module.validate.function_arn, module.update_db.function_arn, module.park.function_arn]

  state_machine_arns = {
    inventory        = module.inventory.state_machine_arn
    orders           = module.orders.state_machine_arn
    refunds          = module.refunds.state_machine_arn
    "inventory-sync" = module.inventory_sync.arn
    "orders-sync"    = module.orders_sync.arn
    redrive          = module.redrive_workflow.arn
  }
}

# --- Storage and secrets ----------------------------------------------------

module "tables" {
  source = "./modules/tables"

  name_prefix         = var.name_prefix
  deletion_protection = var.deletion_protection
}

module "parked_bucket" {
  source = "./modules/parked_bucket"

  name_prefix              = var.name_prefix
  redriven_expiration_days = var.redriven_expiration_days
  force_destroy            = !var.deletion_protection
}

module "secrets" {
  source = "./modules/secrets"

  name_prefix = var.name_prefix
}

# --- Task functions shared by the flows --------------------------------------

module "validate" {
  source = "./modules/go_lambda"

  name               = "${var.name_prefix}-validate"
  task               = "validate"
  package_dir        = local.package_dir
  log_retention_days = var.log_retention_days

  environment = { RECORDS_TABLE = module.tables.records_table }

  policy_statements = [{
    sid       = "ReadAppliedVersion"
    actions   = ["dynamodb:GetItem"]
    resources = [module.tables.records_table_arn]
  }]
}

module "update_db" {
  source = "./modules/go_lambda"

  name               = "${var.name_prefix}-update-db"
  task               = "update-db"
  package_dir        = local.package_dir
  log_retention_days = var.log_retention_days

  environment = { RECORDS_TABLE = module.tables.records_table }

  policy_statements = [{
    sid       = "ApplyConditionally"
    actions   = ["dynamodb:UpdateItem"]
    resources = [module.tables.records_table_arn]
  }]
}

module "park" {
  source = "./modules/go_lambda"

  name               = "${var.name_prefix}-park"
  task               = "park"
  package_dir        = local.package_dir
  log_retention_days = var.log_retention_days

  environment = { PARKED_BUCKET = module.parked_bucket.name }

  policy_statements = [
    {
      sid       = "StoreParked"
      actions   = ["s3:PutObject"]
      resources = ["${module.parked_bucket.arn}/parked/*"]
    },
    {
      # A replayed message that parks again carries its earlier park's history.
      sid       = "ReadEarlierPark"
      actions   = ["s3:GetObject"]
      resources = ["${module.parked_bucket.arn}/parked/*", "${module.parked_bucket.arn}/redriven/*"]
    },
  ]
}

module "sync" {
  source = "./modules/go_lambda"

  name               = "${var.name_prefix}-sync"
  task               = "sync"
  package_dir        = local.package_dir
  timeout_seconds    = 60
  log_retention_days = var.log_retention_days

  environment = {
    RECORDS_TABLE = module.tables.records_table
    JOBS_TABLE    = module.tables.jobs_table
  }

  policy_statements = [
    {
      sid       = "WritePages"
      actions   = ["dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]
      resources = [module.tables.records_table_arn]
    },
    {
      sid       = "LeaseAndCursor"
      actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
      resources = [module.tables.jobs_table_arn]
    },
  ]
}

module "redrive" {
  source = "./modules/go_lambda"

  name               = "${var.name_prefix}-redrive"
  task               = "redrive"
  package_dir        = local.package_dir
  timeout_seconds    = 60
  log_retention_days = var.log_retention_days

  environment = {
    PARKED_BUCKET       = module.parked_bucket.name
    INVENTORY_QUEUE_URL = module.inventory.queue_url
    ORDERS_QUEUE_URL    = module.orders.queue_url
    REFUNDS_QUEUE_URL   = module.refunds.queue_url
  }

  policy_statements = [
    {
      sid       = "ListParked"
      actions   = ["s3:ListBucket"]
      resources = [module.parked_bucket.arn]
    },
    {
      sid       = "MoveParked"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["${module.parked_bucket.arn}/parked/*", "${module.parked_bucket.arn}/redriven/*"]
    },
    {
      sid       = "Republish"
      actions   = ["sqs:SendMessage"]
      resources = [module.inventory.queue_arn, module.orders.queue_arn, module.refunds.queue_arn]
    },
  ]
}

# --- The Logiwa gate -----------------------------------------------------------

module "gate" {
  source = "./modules/gate"

  name_prefix         = var.name_prefix
  package_dir         = local.package_dir
  rate_limit          = var.logiwa_rate_limit
  max_concurrency     = var.gate_max_concurrency
  logiwa_base_url     = var.logiwa_base_url
  logiwa_secret_arn   = module.secrets.logiwa_secret_arn
  logiwa_client_id    = var.logiwa_client_id
  logiwa_warehouse_id = var.logiwa_warehouse_id
  logiwa_order_type   = var.logiwa_order_type
  log_retention_days  = var.log_retention_days
  jobs_table_name     = module.tables.jobs_table
  jobs_table_arn      = module.tables.jobs_table_arn

  # The machines that wait on the gate; redrive never calls Logiwa.
  state_machine_arns = [
    module.inventory.state_machine_arn,
    module.orders.state_machine_arn,
    module.refunds.state_machine_arn,
    module.inventory_sync.arn,
    module.orders_sync.arn,
  ]
}

# --- Inbound flows, one module instance each -------------------------------------

module "inventory" {
  source = "./modules/flow"

  flow                       = "inventory"
  name_prefix                = var.name_prefix
  package_dir                = local.package_dir
  statemachines_dir          = local.statemachines_dir
  placeholders               = local.placeholders["inventory"]
  task_function_arns         = local.flow_task_function_arns
  gate_queue_arn             = module.gate.queue_arn
  parked_bucket_name         = module.parked_bucket.name
  parked_bucket_arn          = module.parked_bucket.arn
  trigger_max_concurrency    = var.trigger_max_concurrency
  sfn_log_level              = var.sfn_log_level
  sfn_include_execution_data = var.sfn_include_execution_data
  log_retention_days         = var.log_retention_days
}

module "orders" {
  source = "./modules/flow"

  flow                       = "orders"
  name_prefix                = var.name_prefix
  package_dir                = local.package_dir
  statemachines_dir          = local.statemachines_dir
  placeholders               = local.placeholders["orders"]
  task_function_arns         = local.flow_task_function_arns
  gate_queue_arn             = module.gate.queue_arn
  parked_bucket_name         = module.parked_bucket.name
  parked_bucket_arn          = module.parked_bucket.arn
  trigger_max_concurrency    = var.trigger_max_concurrency
  sfn_log_level              = var.sfn_log_level
  sfn_include_execution_data = var.sfn_include_execution_data
  log_retention_days         = var.log_retention_days
}

module "refunds" {
  source = "./modules/flow"

  flow                       = "refunds"
  name_prefix                = var.name_prefix
  package_dir                = local.package_dir
  statemachines_dir          = local.statemachines_dir
  placeholders               = local.placeholders["refunds"]
  task_function_arns         = local.flow_task_function_arns
  gate_queue_arn             = module.gate.queue_arn
  parked_bucket_name         = module.parked_bucket.name
  parked_bucket_arn          = module.parked_bucket.arn
  trigger_max_concurrency    = var.trigger_max_concurrency
  sfn_log_level              = var.sfn_log_level
  sfn_include_execution_data = var.sfn_include_execution_data
  log_retention_days         = var.log_retention_days
}

# --- Syncs and redrive -------------------------------------------------------------

module "inventory_sync" {
  source = "./modules/state_machine"

  name                   = "${var.name_prefix}-inventory-sync"
  definition             = "inventory-sync"
  statemachines_dir      = local.statemachines_dir
  placeholders           = local.placeholders["inventory-sync"]
  lambda_function_arns   = [module.sync.function_arn]
  send_queue_arns        = [module.gate.queue_arn]
  log_level              = var.sfn_log_level
  include_execution_data = var.sfn_include_execution_data
  log_retention_days     = var.log_retention_days
}

module "orders_sync" {
  source = "./modules/state_machine"

  name                   = "${var.name_prefix}-orders-sync"
  definition             = "orders-sync"
  statemachines_dir      = local.statemachines_dir
  placeholders           = local.placeholders["orders-sync"]
  lambda_function_arns   = [module.sync.function_arn]
  send_queue_arns        = [module.gate.queue_arn]
  log_level              = var.sfn_log_level
  include_execution_data = var.sfn_include_execution_data
  log_retention_days     = var.log_retention_days
}

module "redrive_workflow" {
  source = "./modules/state_machine"

  name                   = "${var.name_prefix}-redrive"
  definition             = "redrive"
  statemachines_dir      = local.statemachines_dir
  placeholders           = local.placeholders["redrive"]
  lambda_function_arns   = [module.redrive.function_arn]
  log_level              = var.sfn_log_level
  include_execution_data = var.sfn_include_execution_data
  log_retention_days     = var.log_retention_days
}

module "schedules" {
  source = "./modules/schedules"

  name_prefix = var.name_prefix
  timezone    = var.schedule_timezone
  enabled     = var.schedules_enabled

  # Names, machines and inputs as in pkg/schedule.Defaults.
  schedules = {
    inventory_sync = {
      state_machine_arn = module.inventory_sync.arn
      expression        = var.inventory_sync_schedule
      input             = "{}"
    }
    orders_sync = {
      state_machine_arn = module.orders_sync.arn
      expression        = var.orders_sync_schedule
      input             = "{}"
    }
    redrive = {
      state_machine_arn = module.redrive_workflow.arn
      expression        = var.redrive_schedule
      # Transient reasons only: an invalid or rejected message fails the same
      # way until someone fixes it, then redrives it by hand. order_not_found
      # is replayed: its order has usually arrived or been redriven by then.
      input = jsonencode({ skip = ["invalid", "rejected"] })
    }
  }
}

module "alarms" {
  source = "./modules/alarms"

  name_prefix        = var.name_prefix
  park_function_name = module.park.function_name
  state_machine_arns = local.state_machine_arns
  parked_threshold   = var.parked_alarm_threshold
  alarm_actions      = var.alarm_actions

  dlq_names = {
    inventory = module.inventory.dlq_name
    orders    = module.orders.dlq_name
    refunds   = module.refunds.dlq_name
    gate      = module.gate.dlq_name
  }
}

name_prefix = "logiwaflow-staging"

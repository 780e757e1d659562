# The Logiwa login. Terraform creates the secret but never its value, so the
# password is in no state file or plan: an operator sets it once with
#   aws secretsmanager put-secret-value --secret-id <arn> \
#     --secret-string '{"email":"...","password":"..."}'
# and call-logiwa reads it at each cold start (cached for the container's life).

resource "aws_secretsmanager_secret" "logiwa" {
  name                    = "${var.name_prefix}/logiwa-credentials"
  description             = "Logiwa API login for logiwaflow's call-logiwa task: {\"email\": ..., \"password\": ...}."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
}

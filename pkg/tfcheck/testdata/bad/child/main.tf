variable "needed" {
  type = string
}

output "needed" {
  value = var.needed
}

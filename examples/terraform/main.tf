# A small Terraform root that consumes the tf-bootstrap handoff. Copy the generated files next
# to this one (see README.md): backend.s3.tfbackend, accounts.auto.tfvars.json, accounts.tf,
# providers.tf and select-workspace.sh.

terraform {
  # Filled in by: tofu init -backend-config=backend.s3.tfbackend
  backend "s3" {}
}

variable "revision" {
  description = "Anything; change it to make a change to apply."
  type        = string
  default     = "1"
}

# Stands in for the resources a real root manages (which would use the aws provider of
# providers.tf). It records the account the selected workspace maps to. Like a real resource it
# does not depend on the run's access level (var.access), so a plan with plan access of an
# applied workspace shows no changes. terraform_data is built in: no provider download is needed.
resource "terraform_data" "workspace" {
  input = {
    workspace  = terraform.workspace
    account_id = local.account.account_id
    revision   = var.revision
  }
}

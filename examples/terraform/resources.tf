# Real resources, through the default aws provider of providers.tf: created in the selected
# workspace's account by its Terraform role (apply access), read by its plan role (plan access).
# They need the hashicorp/aws provider, and the Terraform role must be allowed `s3` and `iam`
# (terraformRole.allowedServices in the tf-bootstrap stack).

# One bucket per account: bucket names are global, so the name carries the account id.
resource "aws_s3_bucket" "example" {
  bucket = "tf-bootstrap-example-${local.account.account_id}"

  tags = {
    Workspace = terraform.workspace
    Revision  = var.revision
  }
}

# A customer managed policy: IAM is global, so it exists in the account and nowhere else.
resource "aws_iam_policy" "example_read" {
  name        = "tf-bootstrap-example-read"
  description = "Reads the objects of the example bucket of workspace ${terraform.workspace}."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadExampleObjects"
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["${aws_s3_bucket.example.arn}/*"]
    }]
  })
}

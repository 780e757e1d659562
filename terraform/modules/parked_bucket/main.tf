# The parked-message bucket: parked/<reason>/<flow>/<yyyy>/<mm>/<dd>/<execution>.json
# and, once redriven, redriven/... (see pkg/parking). Encrypted, private,
# TLS only, versioned so a moved or overwritten object is never lost silently.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

resource "aws_s3_bucket" "this" {
  # Bucket names are global: the account and region make ours unique.
  bucket        = "${var.name_prefix}-parked-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  # Parked messages wait for an operator: cheaper storage after a month,
  # never expired.
  rule {
    id     = "parked-infrequent-access"
    status = "Enabled"

    filter {
      prefix = "parked/"
    }

    transition {
      days          = var.parked_transition_days
      storage_class = "STANDARD_IA"
    }
  }

  # Redriven messages are history: kept for audits, then expired.
  rule {
    id     = "redriven-expire"
    status = "Enabled"

    filter {
      prefix = "redriven/"
    }

    expiration {
      days = var.redriven_expiration_days
    }
  }

  rule {
    id     = "old-versions-and-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.tls_only.json

  # S3 refuses a bucket policy while the public access block is being set.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

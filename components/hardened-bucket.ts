import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderDocument } from "../lib/iam/documents";
import type { PolicyDocument } from "../lib/iam/types";

/** What differs between the hardened buckets. */
export interface HardenedBucketSpec {
  readonly bucket: string;
  readonly policy: PolicyDocument;
  /** Default encryption: a KMS key (with bucket key on), or S3-managed keys. */
  readonly encryption: { readonly kmsKeyArn: pulumi.Input<string> } | "AES256";
  readonly lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
}

/** The resources of a hardened bucket. */
export interface HardenedBucketResources {
  readonly bucket: aws.s3.Bucket;
  readonly policy: aws.s3.BucketPolicy;
}

/**
 * A bucket that never loses data: versioned, encrypted, no public access, ACLs disabled, a
 * bucket policy, never `forceDestroy`; the bucket and every setting that guards it are
 * protected and retained.
 */
export function createHardenedBucket(
  name: string,
  spec: HardenedBucketSpec,
  opts: pulumi.CustomResourceOptions,
): HardenedBucketResources {
  const keep = { ...opts, protect: true, retainOnDelete: true };
  const bucket = new aws.s3.Bucket(name, { bucket: spec.bucket, forceDestroy: false }, keep);
  const settings = { ...keep, dependsOn: [bucket] };
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: spec.bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    settings,
  );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: spec.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
    settings,
  );
  new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: spec.bucket, versioningConfiguration: { status: "Enabled" } },
    settings,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: spec.bucket,
      rules: [
        spec.encryption === "AES256"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
          : {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: spec.encryption.kmsKeyArn,
              },
              bucketKeyEnabled: true,
            },
      ],
    },
    settings,
  );
  if (spec.lifecycleRules.length > 0) {
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: spec.bucket, rules: spec.lifecycleRules },
      settings,
    );
  }
  const policy = new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket: spec.bucket, policy: renderDocument(spec.policy) },
    { ...keep, dependsOn: [bucket, publicAccess] },
  );
  return { bucket, policy };
}

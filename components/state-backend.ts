import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AuditPlan, StatePlan } from "../lib/plan/model";
import { createHardenedBucket } from "./hardened-bucket";
import { createPlannedKey } from "./planned-key";
import { KEEP } from "./options";

/** Inputs of {@link StateBackend}. */
export interface StateBackendArgs {
  readonly plan: StatePlan;
  /** Where the state bucket's access logs go. */
  readonly audit: AuditPlan;
  /** The log bucket's policy: access logging is set up after it. */
  readonly logBucketPolicy: pulumi.Resource;
}

/**
 * Terraform's state backend: a KMS key, a versioned, encrypted, private state bucket with
 * access logging, and (when configured) a DynamoDB lock table. The key, the bucket and the
 * table are protected and retained.
 */
export class StateBackend extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly kmsKey: aws.kms.Key;
  readonly lockTable?: aws.dynamodb.Table;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:terraform:StateBackend", name, {}, opts);
    const { plan } = args;
    const child = { parent: this };
    this.kmsKey = createPlannedKey(`${name}-key`, plan.kmsKey, child);
    const state = createHardenedBucket(
      `${name}-bucket`,
      {
        bucket: plan.bucket,
        policy: plan.bucketPolicy,
        encryption: { kmsKeyArn: this.kmsKey.arn },
        lifecycleRules: [
          {
            id: "expire-noncurrent-state",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: plan.noncurrentVersionExpirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: plan.abortIncompleteUploadDays },
          },
        ],
      },
      child,
    );
    this.bucket = state.bucket;
    new aws.s3.BucketLogging(
      `${name}-bucket-logging`,
      {
        bucket: plan.bucket,
        targetBucket: args.audit.logBucket,
        targetPrefix: args.audit.accessLogPrefix,
      },
      { ...child, dependsOn: [state.bucket, args.logBucketPolicy] },
    );
    if (plan.lockTable) {
      this.lockTable = new aws.dynamodb.Table(
        `${name}-lock`,
        {
          name: plan.lockTable.name,
          billingMode: "PAY_PER_REQUEST",
          hashKey: "LockID",
          attributes: [{ name: "LockID", type: "S" }],
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: this.kmsKey.arn },
          deletionProtectionEnabled: true,
        },
        { ...child, ...KEEP },
      );
    }
    this.kmsKeyArn = this.kmsKey.arn;
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn });
  }
}

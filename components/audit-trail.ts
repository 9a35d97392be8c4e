import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AuditPlan } from "../lib/plan/model";
import { createHardenedBucket } from "./hardened-bucket";
import { createPlannedKey } from "./planned-key";

/** Inputs of {@link AuditTrail}. */
export interface AuditTrailArgs {
  readonly plan: AuditPlan;
  /** Name of the state bucket whose object reads and writes the trail records. */
  readonly stateBucket: string;
  readonly partition: string;
}

/**
 * The Terraform account's audit trail: a multi-region CloudTrail trail with log file
 * validation, encrypted with a key of its own, recording management events and every data
 * event on the state bucket, into a log bucket that also receives the state bucket's access
 * logs.
 */
export class AuditTrail extends pulumi.ComponentResource {
  /** The trail. */
  readonly trail: aws.cloudtrail.Trail;
  /** The log bucket's policy; writers of logs depend on it. */
  readonly logBucketPolicy: aws.s3.BucketPolicy;
  readonly trailArn: pulumi.Output<string>;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:terraform:AuditTrail", name, {}, opts);
    const { plan } = args;
    const child = { parent: this };
    const key = createPlannedKey(`${name}-key`, plan.kmsKey, child);
    const logs = createHardenedBucket(
      `${name}-logs`,
      {
        bucket: plan.logBucket,
        policy: plan.logBucketPolicy,
        encryption: "AES256",
        lifecycleRules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            ...(plan.logRetentionDays
              ? {
                  expiration: { days: plan.logRetentionDays },
                  noncurrentVersionExpiration: { noncurrentDays: plan.logRetentionDays },
                }
              : {}),
          },
        ],
      },
      child,
    );
    this.logBucketPolicy = logs.policy;
    this.trail = new aws.cloudtrail.Trail(
      name,
      {
        name: plan.trailName,
        s3BucketName: plan.logBucket,
        s3KeyPrefix: plan.trailPrefix,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: key.arn,
        advancedEventSelectors: [
          {
            name: "Management events",
            fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }],
          },
          {
            name: "Terraform state reads and writes",
            fieldSelectors: [
              { field: "eventCategory", equals: ["Data"] },
              { field: "resources.type", equals: ["AWS::S3::Object"] },
              {
                field: "resources.ARN",
                startsWiths: [`arn:${args.partition}:s3:::${args.stateBucket}/`],
              },
            ],
          },
        ],
      },
      { ...child, dependsOn: [logs.policy, key] },
    );
    this.trailArn = this.trail.arn;
    this.registerOutputs({ trailArn: this.trailArn });
  }
}

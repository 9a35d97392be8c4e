import { accountRootArn, bucketArn, kmsAliasArn, trailArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { allow, deny, policyDocument } from "../iam/documents";
import { backendAdministrators } from "./administrators";
import { accountAdministersKey, denyKeyAdministration, KEY_DELETION_WINDOW_DAYS } from "./kms";
import type { AuditPlan } from "./model";
import { denyBucketConfigurationChanges, denyInsecureTransport } from "./state";

/** Prefix of CloudTrail's objects in the log bucket. */
export const TRAIL_PREFIX = "cloudtrail";

/** Prefix of the state bucket's server access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access/";

/**
 * Plans the audit trail: a multi-region trail with log file validation and data events on the
 * state bucket, encrypted with a key of its own, into a log bucket that also receives the state
 * bucket's access logs and that nobody may delete from.
 */
export function planAudit(config: TopologyConfig): AuditPlan {
  const { partition, region } = config;
  const accountId = config.terraformAccount.id;
  const trail = trailArn(partition, region, accountId, config.audit.trailName);
  const logBucket = config.names.logBucket;
  const logArn = bucketArn(partition, logBucket);
  const stateArn = bucketArn(partition, config.names.stateBucket);
  const trailContext = `arn:${partition}:cloudtrail:*:${accountId}:trail/*`;
  const root = accountRootArn(partition, accountId);
  const administrators = backendAdministrators(config);
  return {
    trailName: config.audit.trailName,
    trailArn: trail,
    trailPrefix: TRAIL_PREFIX,
    accessLogPrefix: ACCESS_LOG_PREFIX,
    logBucket,
    logBucketArn: logArn,
    ...(config.audit.logRetentionDays ? { logRetentionDays: config.audit.logRetentionDays } : {}),
    kmsKey: {
      description: `Encrypts the ${config.audit.trailName} CloudTrail logs (tf-bootstrap)`,
      alias: config.audit.kmsAlias,
      aliasArn: kmsAliasArn(partition, region, accountId, config.audit.kmsAlias),
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: policyDocument(
        accountAdministersKey(partition, accountId),
        denyKeyAdministration(administrators),
        allow({
          sid: "CloudTrailEncryptsLogs",
          principal: { Service: ["cloudtrail.amazonaws.com"] },
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          condition: {
            StringEquals: { "aws:SourceArn": [trail] },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": [trailContext] },
          },
        }),
        allow({
          sid: "CloudTrailDescribesKey",
          principal: { Service: ["cloudtrail.amazonaws.com"] },
          actions: ["kms:DescribeKey"],
          resources: ["*"],
          condition: { StringEquals: { "aws:SourceArn": [trail] } },
        }),
        allow({
          sid: "AccountReadsLogs",
          principal: { AWS: [root] },
          actions: ["kms:Decrypt", "kms:ReEncryptFrom"],
          resources: ["*"],
          condition: {
            StringEquals: { "kms:CallerAccount": [accountId] },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": [trailContext] },
          },
        }),
      ),
    },
    logBucketPolicy: policyDocument(
      denyInsecureTransport([logArn, `${logArn}/*`]),
      allow({
        sid: "S3WritesAccessLogs",
        principal: { Service: ["logging.s3.amazonaws.com"] },
        actions: ["s3:PutObject"],
        resources: [`${logArn}/${ACCESS_LOG_PREFIX}*`],
        condition: {
          ArnLike: { "aws:SourceArn": [stateArn] },
          StringEquals: { "aws:SourceAccount": [accountId] },
        },
      }),
      allow({
        sid: "CloudTrailChecksBucketAcl",
        principal: { Service: ["cloudtrail.amazonaws.com"] },
        actions: ["s3:GetBucketAcl"],
        resources: [logArn],
        condition: { StringEquals: { "aws:SourceArn": [trail] } },
      }),
      allow({
        sid: "CloudTrailWritesLogs",
        principal: { Service: ["cloudtrail.amazonaws.com"] },
        actions: ["s3:PutObject"],
        resources: [`${logArn}/${TRAIL_PREFIX}/AWSLogs/${accountId}/*`],
        condition: { StringEquals: { "aws:SourceArn": [trail] } },
      }),
      deny({
        sid: "DenyLogTampering",
        principal: "*",
        actions: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
        resources: [`${logArn}/*`],
      }),
      ...denyBucketConfigurationChanges(logArn, administrators),
    ),
  };
}

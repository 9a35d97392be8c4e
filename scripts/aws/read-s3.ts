/** S3 reads: a bucket and the settings that keep state safe. */
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import type { LiveBucket, LiveLifecycleRule } from "../../lib/audit/snapshot";
import type { AccountSession } from "./account-session";
import { all } from "./errors";
import type { Answer } from "./response-shapes";

const NO_BUCKET = ["NoSuchBucket"];

type Rule = Answer<"GetBucketLifecycleConfigurationCommand">["Rules"][number];

/** One lifecycle rule as the snapshot records it. */
function lifecycleRule(rule: Rule): LiveLifecycleRule {
  const prefix = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix;
  const classes = (rule.Transitions ?? []).flatMap((t) => t.StorageClass ?? []);
  return {
    status: rule.Status,
    transitionStorageClasses: classes,
    ...(rule.ID !== undefined ? { id: rule.ID } : {}),
    ...(prefix !== undefined && prefix !== "" ? { prefix } : {}),
    ...(rule.Expiration?.Days !== undefined ? { expirationDays: rule.Expiration.Days } : {}),
    ...(rule.Expiration?.Date !== undefined
      ? { expirationDate: rule.Expiration.Date.toISOString() }
      : {}),
    ...(rule.NoncurrentVersionExpiration?.NoncurrentDays !== undefined
      ? { noncurrentDays: rule.NoncurrentVersionExpiration.NoncurrentDays }
      : {}),
  };
}

/** A bucket with its settings, or `undefined` when it does not exist. */
export async function readBucket(
  session: AccountSession,
  name: string,
): Promise<LiveBucket | undefined> {
  const bucket = { Bucket: name };
  const versioning = await session.read(
    "GetBucketVersioningCommand",
    `read versioning of bucket ${name} (s3:GetBucketVersioning)`,
    (c, o) => c.s3.send(new GetBucketVersioningCommand(bucket), o),
    NO_BUCKET,
  );
  if (versioning === undefined) return undefined;
  const [encryption, publicAccess, ownership, policy, logging, lifecycle] = await all([
    session.read(
      "GetBucketEncryptionCommand",
      `read default encryption of bucket ${name} (s3:GetEncryptionConfiguration)`,
      (c, o) => c.s3.send(new GetBucketEncryptionCommand(bucket), o),
      ["ServerSideEncryptionConfigurationNotFoundError"],
    ),
    session.read(
      "GetPublicAccessBlockCommand",
      `read public access block of bucket ${name} (s3:GetBucketPublicAccessBlock)`,
      (c, o) => c.s3.send(new GetPublicAccessBlockCommand(bucket), o),
      ["NoSuchPublicAccessBlockConfiguration"],
    ),
    session.read(
      "GetBucketOwnershipControlsCommand",
      `read ownership controls of bucket ${name} (s3:GetBucketOwnershipControls)`,
      (c, o) => c.s3.send(new GetBucketOwnershipControlsCommand(bucket), o),
      ["OwnershipControlsNotFoundError"],
    ),
    session.read(
      "GetBucketPolicyCommand",
      `read policy of bucket ${name} (s3:GetBucketPolicy)`,
      (c, o) => c.s3.send(new GetBucketPolicyCommand(bucket), o),
      ["NoSuchBucketPolicy"],
    ),
    session.must(
      "GetBucketLoggingCommand",
      `read access logging of bucket ${name} (s3:GetBucketLogging)`,
      (c, o) => c.s3.send(new GetBucketLoggingCommand(bucket), o),
    ),
    session.read(
      "GetBucketLifecycleConfigurationCommand",
      `read lifecycle rules of bucket ${name} (s3:GetLifecycleConfiguration)`,
      (c, o) => c.s3.send(new GetBucketLifecycleConfigurationCommand(bucket), o),
      ["NoSuchLifecycleConfiguration"],
    ),
  ]);
  const rules = encryption?.ServerSideEncryptionConfiguration.Rules;
  const block = publicAccess?.PublicAccessBlockConfiguration;
  const objectOwnership = ownership?.OwnershipControls.Rules[0]?.ObjectOwnership;
  const target = logging.LoggingEnabled;
  return {
    name,
    ...(versioning.Status !== undefined ? { versioningStatus: versioning.Status } : {}),
    ...(rules !== undefined
      ? {
          encryptionRules: rules.map((rule) => ({
            ...(rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm !== undefined
              ? { sseAlgorithm: rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm }
              : {}),
            ...(rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID !== undefined
              ? { kmsMasterKeyId: rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID }
              : {}),
            ...(rule.BucketKeyEnabled !== undefined
              ? { bucketKeyEnabled: rule.BucketKeyEnabled }
              : {}),
          })),
        }
      : {}),
    ...(block !== undefined
      ? {
          publicAccessBlock: {
            blockPublicAcls: block.BlockPublicAcls,
            blockPublicPolicy: block.BlockPublicPolicy,
            ignorePublicAcls: block.IgnorePublicAcls,
            restrictPublicBuckets: block.RestrictPublicBuckets,
          },
        }
      : {}),
    ...(objectOwnership !== undefined ? { objectOwnership } : {}),
    ...(policy?.Policy !== undefined ? { policy: policy.Policy } : {}),
    ...(target !== undefined
      ? { logging: { targetBucket: target.TargetBucket, targetPrefix: target.TargetPrefix ?? "" } }
      : {}),
    ...(lifecycle !== undefined ? { lifecycleRules: lifecycle.Rules.map(lifecycleRule) } : {}),
  };
}

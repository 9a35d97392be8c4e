/** S3 reads: a bucket and the settings that keep state safe. */
import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { LiveBucket } from "../../lib/audit/snapshot";
import { read } from "./errors";

const NO_BUCKET = ["NoSuchBucket"];

/** A bucket with its settings, or `undefined` when it does not exist. */
export async function readBucket(s3: S3Client, name: string): Promise<LiveBucket | undefined> {
  const versioning = await read(
    `read versioning of bucket ${name} (s3:GetBucketVersioning)`,
    () => s3.send(new GetBucketVersioningCommand({ Bucket: name })),
    NO_BUCKET,
  );
  if (versioning === undefined) return undefined;
  const [encryption, publicAccess, ownership, policy, logging] = await Promise.all([
    read(
      `read default encryption of bucket ${name} (s3:GetEncryptionConfiguration)`,
      () => s3.send(new GetBucketEncryptionCommand({ Bucket: name })),
      ["ServerSideEncryptionConfigurationNotFoundError"],
    ),
    read(
      `read public access block of bucket ${name} (s3:GetBucketPublicAccessBlock)`,
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket: name })),
      ["NoSuchPublicAccessBlockConfiguration"],
    ),
    read(
      `read ownership controls of bucket ${name} (s3:GetBucketOwnershipControls)`,
      () => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name })),
      ["OwnershipControlsNotFoundError"],
    ),
    read(
      `read policy of bucket ${name} (s3:GetBucketPolicy)`,
      () => s3.send(new GetBucketPolicyCommand({ Bucket: name })),
      ["NoSuchBucketPolicy"],
    ),
    read(`read access logging of bucket ${name} (s3:GetBucketLogging)`, () =>
      s3.send(new GetBucketLoggingCommand({ Bucket: name })),
    ),
  ]);
  const rules = encryption?.ServerSideEncryptionConfiguration?.Rules;
  const block = publicAccess?.PublicAccessBlockConfiguration;
  const objectOwnership = ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
  const target = logging?.LoggingEnabled;
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
            blockPublicAcls: block.BlockPublicAcls === true,
            blockPublicPolicy: block.BlockPublicPolicy === true,
            ignorePublicAcls: block.IgnorePublicAcls === true,
            restrictPublicBuckets: block.RestrictPublicBuckets === true,
          },
        }
      : {}),
    ...(objectOwnership !== undefined ? { objectOwnership } : {}),
    ...(policy?.Policy !== undefined ? { policy: policy.Policy } : {}),
    ...(target?.TargetBucket !== undefined
      ? { logging: { targetBucket: target.TargetBucket, targetPrefix: target.TargetPrefix ?? "" } }
      : {}),
  };
}

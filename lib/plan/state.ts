import { accountRootArn, bucketArn, dnsSuffix, kmsAliasArn, tableArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { allow, deny, policyDocument } from "../iam/documents";
import type { PolicyDocument, Statement } from "../iam/types";
import { accountAdministersKey, KEY_DELETION_WINDOW_DAYS, KEY_USE_ACTIONS } from "./kms";
import type { StatePlan } from "./model";

/** The state object name inside each workspace's prefix. */
export const STATE_KEY = "terraform.tfstate";

/** Days after which S3 aborts an incomplete multipart upload of state. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/** Services that use the state key on Terraform's behalf. */
export function keyServices(config: TopologyConfig): string[] {
  const suffix = dnsSuffix(config.partition);
  const services = [`s3.${config.region}.${suffix}`];
  if (config.state.lock !== "s3-lockfile") services.push(`dynamodb.${config.region}.${suffix}`);
  return services;
}

/** A statement that denies every request to `resources` made without TLS. */
export function denyInsecureTransport(resources: string[]): Statement {
  return deny({
    sid: "DenyInsecureTransport",
    principal: "*",
    actions: ["s3:*"],
    resources,
    condition: { Bool: { "aws:SecureTransport": ["false"] } },
  });
}

/** Who uses state: the CI apply role writes it, the CI plan role only reads it and locks. */
export interface StateUsers {
  readonly writers: readonly string[];
  readonly planners: readonly string[];
}

/**
 * Plans the state backend: KMS key, bucket, lock. The principals that may use state objects
 * are `users` and the config's admin principals; the bucket itself refuses every write of a
 * planner but the lockfile's.
 */
export function planState(config: TopologyConfig, users: StateUsers): StatePlan {
  const stateUsers = [...users.writers, ...users.planners, ...config.adminPrincipals];
  const { partition, region } = config;
  const accountId = config.terraformAccount.id;
  const bucket = config.names.stateBucket;
  const arn = bucketArn(partition, bucket);
  const lockTable =
    config.state.lock === "s3-lockfile"
      ? undefined
      : {
          name: config.state.lockTableName,
          arn: tableArn(partition, region, accountId, config.state.lockTableName),
        };
  return {
    bucket,
    bucketArn: arn,
    region,
    keyPrefix: config.state.keyPrefix,
    key: STATE_KEY,
    lockMode: config.state.lock,
    ...(lockTable ? { lockTable } : {}),
    kmsKey: {
      description: `Encrypts Terraform state in s3://${bucket} (tf-bootstrap)`,
      alias: config.state.kmsAlias,
      aliasArn: kmsAliasArn(partition, region, accountId, config.state.kmsAlias),
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: stateKeyPolicy(config, stateUsers),
    },
    bucketPolicy: stateBucketPolicy(arn, stateUsers, users.planners, config.state.keyPrefix),
    noncurrentVersionExpirationDays: config.state.noncurrentVersionRetentionDays,
    abortIncompleteUploadDays: ABORT_INCOMPLETE_UPLOAD_DAYS,
  };
}

function stateKeyPolicy(config: TopologyConfig, stateUsers: string[]): PolicyDocument {
  const accountId = config.terraformAccount.id;
  return policyDocument(
    accountAdministersKey(config.partition, accountId),
    allow({
      sid: "StateUsersUseKeyThroughStorage",
      principal: { AWS: [accountRootArn(config.partition, accountId)] },
      actions: [
        ...KEY_USE_ACTIONS,
        ...(config.state.lock === "s3-lockfile" ? [] : ["kms:CreateGrant"]),
      ],
      resources: ["*"],
      condition: {
        ArnEquals: { "aws:PrincipalArn": stateUsers },
        StringEquals: { "kms:ViaService": keyServices(config) },
      },
    }),
    ...(config.state.lock === "s3-lockfile"
      ? []
      : [
          allow({
            sid: "AccountGrantsKeyToDynamoDB",
            principal: { AWS: [accountRootArn(config.partition, accountId)] },
            actions: ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"],
            resources: ["*"],
            condition: {
              Bool: { "kms:GrantIsForAWSResource": ["true"] },
              StringEquals: { "kms:ViaService": keyServices(config).slice(1) },
            },
          }),
        ]),
  );
}

/** Object writes a planner may make only to a lockfile. */
export const PLANNER_DENIED_WRITES = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObject",
  "s3:PutObjectAcl",
  "s3:PutObjectRetention",
  "s3:PutObjectTagging",
  "s3:RestoreObject",
];

function stateBucketPolicy(
  arn: string,
  stateUsers: string[],
  planners: readonly string[],
  keyPrefix: string,
): PolicyDocument {
  return policyDocument(
    denyInsecureTransport([arn, `${arn}/*`]),
    deny({
      sid: "DenyStateAccessToOthers",
      principal: "*",
      actions: ["s3:*"],
      resources: [`${arn}/*`],
      condition: { ArnNotEquals: { "aws:PrincipalArn": stateUsers } },
    }),
    deny({
      sid: "DenyPlanPathStateWrites",
      principal: "*",
      actions: PLANNER_DENIED_WRITES,
      notResources: [`${arn}/${keyPrefix}/*.tflock`],
      condition: { ArnEquals: { "aws:PrincipalArn": [...planners] } },
    }),
    deny({
      sid: "DenyBucketDeletion",
      principal: "*",
      actions: ["s3:DeleteBucket"],
      resources: [arn],
    }),
  );
}

import { accountRootArn, bucketArn, dnsSuffix, kmsAliasArn, kmsKeysArn, tableArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { allow, deny, policyDocument } from "../iam/documents";
import type { PolicyDocument, Statement } from "../iam/types";
import { backendAdministrators } from "./administrators";
import {
  accountAdministersKey,
  denyKeyAdministration,
  KEY_DELETION_WINDOW_DAYS,
  KEY_USE_ACTIONS,
} from "./kms";
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
    bucketPolicy: stateBucketPolicy(config, arn, stateUsers, users.planners),
    noncurrentVersionExpirationDays: config.state.noncurrentVersionRetentionDays,
    abortIncompleteUploadDays: ABORT_INCOMPLETE_UPLOAD_DAYS,
  };
}

function stateKeyPolicy(config: TopologyConfig, stateUsers: string[]): PolicyDocument {
  const accountId = config.terraformAccount.id;
  return policyDocument(
    accountAdministersKey(config.partition, accountId),
    denyKeyAdministration(backendAdministrators(config)),
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
            // The grant DynamoDB needs to use the key for the table; kms:GrantIsForAWSResource
            // exists only on grant requests, so no other action could match here.
            actions: ["kms:CreateGrant"],
            resources: ["*"],
            condition: {
              Bool: { "kms:GrantIsForAWSResource": ["true"] },
              StringEquals: { "kms:ViaService": keyServices(config).slice(1) },
            },
          }),
        ]),
  );
}

/**
 * What the CI plan role may do to state objects besides reading them: put and delete its
 * lockfile. Every other action on an object is denied to it by the bucket policy.
 */
export const PLANNER_OBJECT_ACTIONS = ["s3:DeleteObject", "s3:PutObject"];

/** Actions that only read an object or a listing: everything else on an object writes. */
export const OBJECT_READ_ACTIONS = ["s3:Get*", "s3:List*"];

/**
 * The statements that keep a bucket's configuration with the backend administrators: every
 * action on the bucket itself but reads (policy, lifecycle, versioning, replication,
 * encryption, public access block, ownership, logging, object lock, tagging, and any bucket
 * action AWS adds later) is denied to everyone else, and the bucket cannot be deleted at all.
 * The account root keeps its own S3 exemption (it can always replace a bucket policy), so the
 * bucket never locks its owner out.
 */
export function denyBucketConfigurationChanges(
  bucketArn: string,
  administrators: readonly string[],
): Statement[] {
  return [
    deny({
      sid: "DenyBucketConfigurationToOthers",
      principal: "*",
      notActions: OBJECT_READ_ACTIONS,
      resources: [bucketArn],
      condition: { ArnNotEquals: { "aws:PrincipalArn": [...administrators] } },
    }),
    deny({
      sid: "DenyBucketDeletion",
      principal: "*",
      actions: ["s3:DeleteBucket"],
      resources: [bucketArn],
    }),
  ];
}

/**
 * State objects are written only with SSE-KMS under a key of the Terraform account in the
 * stack's region: a request that asks for SSE-C (a key the caller holds, so nobody else can
 * read the state: a ransom), SSE-S3, the AWS managed `aws/s3` key (SSE-KMS without a key id),
 * or a KMS key of any other account is denied. A request without encryption headers gets the
 * bucket's default, the state key. Within the Terraform account the CI roles can use no key but
 * the state key (their own policies name it by alias, and no other key policy admits them).
 * The state key's ARN is not known before the key exists, so it cannot be named here without
 * making the whole bucket policy unknown at preview (design decision 2).
 */
export function denyWritesNotUnderStateKey(objects: string, keysOfAccount: string): Statement[] {
  const put = { principal: "*" as const, actions: ["s3:PutObject"], resources: [objects] };
  return [
    deny({
      sid: "DenyStateWritesUnderOtherKeys",
      ...put,
      condition: {
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": ["false"] },
        StringNotLike: { "s3:x-amz-server-side-encryption-aws-kms-key-id": [keysOfAccount] },
      },
    }),
    deny({
      sid: "DenyStateWritesWithCustomerKeys",
      ...put,
      condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": ["false"] } },
    }),
    deny({
      sid: "DenyStateWritesWithoutKms",
      ...put,
      condition: {
        Null: { "s3:x-amz-server-side-encryption": ["false"] },
        StringNotEquals: { "s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"] },
      },
    }),
    deny({
      sid: "DenyStateWritesUnderAwsManagedKey",
      ...put,
      condition: {
        Null: {
          "s3:x-amz-server-side-encryption": ["false"],
          "s3:x-amz-server-side-encryption-aws-kms-key-id": ["true"],
        },
      },
    }),
  ];
}

function stateBucketPolicy(
  config: TopologyConfig,
  arn: string,
  stateUsers: string[],
  planners: readonly string[],
): PolicyDocument {
  const objects = `${arn}/*`;
  const plannerIs = { ArnEquals: { "aws:PrincipalArn": [...planners] } };
  return policyDocument(
    denyInsecureTransport([arn, objects]),
    deny({
      sid: "DenyStateAccessToOthers",
      principal: "*",
      actions: ["s3:*"],
      resources: [objects],
      condition: { ArnNotEquals: { "aws:PrincipalArn": stateUsers } },
    }),
    deny({
      sid: "DenyDeletingStateVersions",
      principal: "*",
      actions: ["s3:DeleteObjectVersion"],
      resources: [objects],
    }),
    deny({
      sid: "DenyPlanPathObjectChanges",
      principal: "*",
      notActions: [...OBJECT_READ_ACTIONS, ...PLANNER_OBJECT_ACTIONS],
      resources: [objects],
      condition: plannerIs,
    }),
    deny({
      sid: "DenyPlanPathStateWrites",
      principal: "*",
      actions: PLANNER_OBJECT_ACTIONS,
      notResources: [`${arn}/${config.state.keyPrefix}/*.tflock`],
      condition: plannerIs,
    }),
    ...denyWritesNotUnderStateKey(
      objects,
      kmsKeysArn(config.partition, config.region, config.terraformAccount.id),
    ),
    ...denyBucketConfigurationChanges(arn, backendAdministrators(config)),
  );
}

import { kmsKeysArn, policyArn, roleArn, userArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { allow, policyDocument } from "../iam/documents";
import type { PolicyDocument, Statement } from "../iam/types";
import { KEY_USE_ACTIONS } from "./kms";
import { chunkBySize } from "./chunk";
import { IAM_LIMITS, policySize } from "./limits";
import type { CiIdentityPlan, CustomerPolicyPlan, RolePlan, StatePlan } from "./model";
import { keyServices } from "./state";
import { ASSUME_ACTIONS, trustOnly } from "./trust";

/** Name of the CI identity's only inline policy. */
export const CI_USER_POLICY = "assume-ci-role";
/** Name of the CI role's state access policy. */
export const CI_STATE_POLICY = "terraform-state";
/** Sid of the statement that lets the CI role assume the product Terraform roles. */
export const CI_ASSUME_SID = "AssumeProductTerraformRoles";

/** The CI role's ARN, from config. */
export function ciRoleArn(config: TopologyConfig): string {
  return roleArn(config.partition, config.terraformAccount.id, config.ci.path, config.ci.roleName);
}

/** The CI identity: an IAM user that may do nothing but assume the CI role. */
export function planCiIdentity(config: TopologyConfig): CiIdentityPlan {
  return {
    kind: "iam-user",
    name: config.ci.userName,
    path: config.ci.path,
    arn: userArn(config.partition, config.terraformAccount.id, config.ci.path, config.ci.userName),
    createAccessKey: config.ci.createAccessKey,
    inlinePolicies: [
      {
        name: CI_USER_POLICY,
        document: policyDocument(
          allow({
            sid: "AssumeCiRoleOnly",
            actions: ASSUME_ACTIONS,
            resources: [ciRoleArn(config)],
          }),
        ),
      },
    ],
  };
}

/**
 * The CI Terraform role: trusted by the CI identity only; may read and write state under the key
 * prefix, use the state key through S3 (and DynamoDB), hold the lock, and assume exactly the
 * product accounts' Terraform roles.
 */
export function planCiRole(
  config: TopologyConfig,
  identity: CiIdentityPlan,
  state: StatePlan,
  productRoleArns: readonly string[],
): RolePlan {
  const prefix = `${state.keyPrefix}/`;
  const stateStatements: Statement[] = [
    allow({
      sid: "ListStatePrefix",
      actions: ["s3:ListBucket"],
      resources: [state.bucketArn],
      condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
    }),
    allow({
      sid: "ReadWriteState",
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: [`${state.bucketArn}/${prefix}*`],
    }),
    allow({
      // Every fresh checkout starts in Terraform's `default` workspace, and `init` reads that
      // workspace's state (the backend's `key`, at the bucket root) before one is selected.
      // Read only: the default workspace cannot be locked or written, and the account map
      // refuses it.
      sid: "ReadDefaultWorkspaceState",
      actions: ["s3:GetObject"],
      resources: [`${state.bucketArn}/${state.key}`],
    }),
    allow({
      sid: "ReleaseLockfile",
      actions: ["s3:DeleteObject"],
      resources: [`${state.bucketArn}/${prefix}*.tflock`],
    }),
    allow({
      sid: "UseStateKeyThroughStorage",
      actions: KEY_USE_ACTIONS,
      resources: [kmsKeysArn(config.partition, config.region, config.terraformAccount.id)],
      condition: {
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": [`alias/${state.kmsKey.alias}`] },
        StringEquals: { "kms:ViaService": keyServices(config) },
      },
    }),
  ];
  if (state.lockTable) {
    stateStatements.push(
      allow({
        sid: "HoldStateLock",
        actions: [
          "dynamodb:DeleteItem",
          "dynamodb:DescribeTable",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
        ],
        resources: [state.lockTable.arn],
        condition: {
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${state.bucket}/${prefix}*`] },
        },
      }),
    );
  }
  return {
    name: config.ci.roleName,
    path: config.ci.path,
    arn: ciRoleArn(config),
    description:
      "Terraform in CI: reads and writes state, assumes the product Terraform roles (tf-bootstrap)",
    maxSessionDuration: config.ci.maxSessionDurationSeconds,
    trustPolicy: trustOnly(config.partition, config.terraformAccount.id, identity.arn),
    inlinePolicies: [{ name: CI_STATE_POLICY, document: policyDocument(...stateStatements) }],
    managedPolicyArns: [],
    customerPolicies: planAssumePolicies(config, productRoleArns),
  };
}

function assumeDocument(roleArns: readonly string[]): PolicyDocument {
  return policyDocument(
    allow({ sid: CI_ASSUME_SID, actions: ASSUME_ACTIONS, resources: [...roleArns] }),
  );
}

/**
 * The CI role's permission to assume exactly the product Terraform roles, as customer managed
 * policies of the Terraform account. The list grows by one ARN per account, so it is split
 * into policies that each stay under IAM's managed policy size quota, filled in config order:
 * appending an account changes the last policy only (or adds one when it is full). See
 * docs/scaling.md.
 */
export function planAssumePolicies(
  config: TopologyConfig,
  productRoleArns: readonly string[],
): CustomerPolicyPlan[] {
  const chunks = chunkBySize(
    productRoleArns,
    (arns) => policySize(assumeDocument(arns)) <= IAM_LIMITS.managedPolicy,
  );
  return chunks.map((arns, i) => {
    const name = `${config.ci.roleName}-assume-${i + 1}`;
    return {
      name,
      path: config.ci.path,
      arn: policyArn(config.partition, config.terraformAccount.id, config.ci.path, name),
      description: `Lets ${config.ci.roleName} assume product Terraform roles (part ${i + 1}; tf-bootstrap)`,
      document: assumeDocument(arns),
    };
  });
}

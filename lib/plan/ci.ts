import { kmsKeysArn, policyArn, roleArn, userArn } from "../arn";
import { perEnvironmentName } from "../config/apply-role-rules";
import type { TopologyConfig } from "../config/parse";
import { allow, deny, policyDocument } from "../iam/documents";
import type { PolicyDocument, Statement } from "../iam/types";
import { KEY_USE_ACTIONS } from "./kms";
import { chunkBySize } from "./chunk";
import { IAM_LIMITS, policySize } from "./limits";
import type {
  Access,
  CiIdentityPlan,
  CustomerPolicyPlan,
  OidcProviderPlan,
  RolePlan,
  StatePlan,
} from "./model";
import { planWorkflows } from "./oidc";
import { keyServices } from "./state";
import { ASSUME_ACTIONS, trustOnly, trustWorkflows } from "./trust";

/** Name of the CI user's only inline policy. */
export const CI_USER_POLICY = "assume-ci-role";
/** Name of the CI roles' state access policy. */
export const CI_STATE_POLICY = "terraform-state";

/** Sid of the statement that lets a CI role assume its product roles, by path. */
export const CI_ASSUME_SIDS: Readonly<Record<Access, string>> = {
  apply: "AssumeProductTerraformRoles",
  plan: "AssumeProductPlanRoles",
};

/**
 * The CI role of `path`: its name. On the apply path with per-environment apply roles,
 * `environment` names the environment whose role it is (`<roleName>-<environment>`).
 */
export function ciRoleName(config: TopologyConfig, path: Access, environment?: string): string {
  if (path === "plan") return config.ci.planRoleName;
  return environment === undefined
    ? config.ci.roleName
    : perEnvironmentName(config.ci.roleName, environment);
}

/** The CI role of `path` (and apply `environment`, see {@link ciRoleName}): its ARN. */
export function ciRoleArn(config: TopologyConfig, path: Access, environment?: string): string {
  return roleArn(
    config.partition,
    config.terraformAccount.id,
    config.ci.path,
    ciRoleName(config, path, environment),
  );
}

/** The CI user of `path` (iam-user mode), per environment on the apply path when asked. */
export function ciUserName(config: TopologyConfig, path: Access, environment?: string): string {
  if (path === "plan") return config.ci.planUserName;
  return environment === undefined
    ? config.ci.userName
    : perEnvironmentName(config.ci.userName, environment);
}

/**
 * Who may take the CI role of `path`: in iam-user mode an IAM user that may do nothing but
 * assume that role (one user per path, so the plan path's keys cannot apply; with
 * per-environment apply roles one apply user per `environment`); in the OIDC modes the
 * workflows whose token subjects the path (and environment) admits.
 */
export function planCiIdentity(
  config: TopologyConfig,
  path: Access,
  provider?: OidcProviderPlan,
  environment?: string,
): CiIdentityPlan {
  if (provider !== undefined) return planWorkflows(config, provider, path, environment);
  const name = ciUserName(config, path, environment);
  return {
    kind: "iam-user",
    name,
    access: path,
    path: config.ci.path,
    arn: userArn(config.partition, config.terraformAccount.id, config.ci.path, name),
    createAccessKey: config.ci.createAccessKey,
    inlinePolicies: [
      {
        name: CI_USER_POLICY,
        document: policyDocument(
          allow({
            sid: "AssumeCiRoleOnly",
            actions: ASSUME_ACTIONS,
            resources: [ciRoleArn(config, path, environment)],
          }),
        ),
      },
    ],
  };
}

/** The trust policy of a CI role: its identity and nobody else. */
function ciTrust(config: TopologyConfig, identity: CiIdentityPlan): PolicyDocument {
  if (identity.kind === "iam-user") {
    return trustOnly(config.partition, config.terraformAccount.id, identity.arn);
  }
  const { provider } = identity;
  return trustWorkflows(provider.arn, provider.host, provider.audience, identity.subjects);
}

/**
 * The state statements of a CI role: read and write on the apply path, read and lock on plan.
 * `scoped`: an apply role of one environment, whose workspaces' objects, lockfiles and lock
 * items are granted by its environment policies ({@link planEnvironmentPolicies}); its inline
 * policy keeps only what `init` needs beyond them (the listing of workspaces, the default
 * workspace's state) and the state key.
 */
function stateStatements(
  config: TopologyConfig,
  state: StatePlan,
  path: Access,
  scoped = false,
): Statement[] {
  const prefix = `${state.keyPrefix}/`;
  const objects = `${state.bucketArn}/${prefix}`;
  const statements: Statement[] = [
    allow({
      sid: "ListStatePrefix",
      actions: ["s3:ListBucket"],
      resources: [state.bucketArn],
      condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
    }),
    ...(scoped
      ? []
      : [
          path === "apply"
            ? allow({
                sid: "ReadWriteState",
                actions: ["s3:GetObject", "s3:PutObject"],
                resources: [`${objects}*`],
              })
            : allow({ sid: "ReadState", actions: ["s3:GetObject"], resources: [`${objects}*`] }),
        ]),
    allow({
      // Every fresh checkout starts in Terraform's `default` workspace, and `init` reads that
      // workspace's state (the backend's `key`, at the bucket root) before one is selected:
      // one object per Terraform root, each named exactly. Read only: the default workspace
      // cannot be locked or written, and the account map refuses it.
      sid: "ReadDefaultWorkspaceState",
      actions: ["s3:GetObject"],
      resources: [...new Set(config.names.roots.map((r) => r.stateKey))].map(
        (key) => `${state.bucketArn}/${key}`,
      ),
    }),
    ...(scoped
      ? []
      : [
          path === "apply"
            ? allow({
                sid: "ReleaseLockfile",
                actions: ["s3:DeleteObject"],
                resources: [`${objects}*.tflock`],
              })
            : allow({
                sid: "HoldLockfile",
                actions: LOCKFILE_ACTIONS,
                resources: [`${objects}*.tflock`],
              }),
        ]),
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
  if (state.lockTable && !scoped) {
    const leadingKeys = {
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${state.bucket}/${prefix}*`] },
    };
    statements.push(
      allow({
        sid: "HoldStateLock",
        actions: LOCK_TABLE_ACTIONS,
        resources: [state.lockTable.arn],
        condition: leadingKeys,
      }),
    );
    if (path === "plan") {
      // The table also holds each state's digest (`<state>-md5`), which only a state write
      // updates; the plan path writes no state, so it may not touch a digest.
      statements.push(
        deny({
          sid: "DenyWritingStateDigest",
          actions: ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
          resources: [state.lockTable.arn],
          condition: { "ForAnyValue:StringLike": { "dynamodb:LeadingKeys": ["*-md5"] } },
        }),
      );
    }
  }
  return statements;
}

/** What the CI plan role may do to a lockfile (`<state>.tflock`): take and release it. */
export const LOCKFILE_ACTIONS = ["s3:DeleteObject", "s3:PutObject"];

/** What a CI role does with the lock table. */
export const LOCK_TABLE_ACTIONS = [
  "dynamodb:DeleteItem",
  "dynamodb:DescribeTable",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
];

/** What one environment's CI apply role reaches: its product accounts and their workspaces. */
export interface EnvironmentReach {
  readonly environment: string;
  /** Per product account of the environment: its Terraform role and its workspace. */
  readonly targets: readonly { readonly roleArn: string; readonly workspace: string }[];
}

/**
 * The CI role of `path`: trusted by that path's CI identity only; may use state as the path
 * allows (see {@link stateStatements}), use the state key through S3 (and DynamoDB), and
 * assume exactly `productRoleArns` (the product Terraform roles, or the product plan roles).
 * With `reach` (per-environment apply roles), the role is one environment's: it assumes only
 * that environment's Terraform roles and reads and writes only their workspaces' state.
 */
export function planCiRole(
  config: TopologyConfig,
  path: Access,
  identity: CiIdentityPlan,
  state: StatePlan,
  productRoleArns: readonly string[],
  reach?: EnvironmentReach,
): RolePlan {
  const environment = path === "apply" ? reach?.environment : undefined;
  const description =
    path === "plan"
      ? "Terraform plans in CI: reads state, holds the lock, assumes the product plan roles (tf-bootstrap)"
      : environment === undefined
        ? "Terraform in CI: reads and writes state, assumes the product Terraform roles (tf-bootstrap)"
        : `Terraform in CI for environment ${environment}: reads and writes its workspaces' state, assumes its Terraform roles (tf-bootstrap)`;
  return {
    name: ciRoleName(config, path, environment),
    access: path,
    path: config.ci.path,
    arn: ciRoleArn(config, path, environment),
    description,
    maxSessionDuration: config.ci.maxSessionDurationSeconds,
    trustPolicy: ciTrust(config, identity),
    inlinePolicies: [
      {
        name: CI_STATE_POLICY,
        document: policyDocument(
          ...stateStatements(config, state, path, environment !== undefined),
        ),
      },
    ],
    managedPolicyArns: [],
    customerPolicies:
      path === "apply" && reach !== undefined
        ? planEnvironmentPolicies(config, state, reach)
        : planAssumePolicies(config, productRoleArns, path),
  };
}

/** Sids of the statements of an environment policy. */
export const ENVIRONMENT_SIDS = {
  assume: CI_ASSUME_SIDS.apply,
  state: "ReadWriteEnvironmentState",
  lockfile: "ReleaseEnvironmentLockfile",
  lock: "HoldEnvironmentStateLock",
} as const;

/** The state objects of one workspace, under every root's `key`: `<prefix>/<workspace>/`. */
export function workspaceObjects(state: StatePlan, workspace: string): string {
  return `${state.bucketArn}/${state.keyPrefix}/${workspace}/`;
}

function environmentDocument(
  state: StatePlan,
  targets: EnvironmentReach["targets"],
): PolicyDocument {
  const workspaces = [...new Set(targets.map((t) => t.workspace))];
  const statements: Statement[] = [
    allow({
      sid: ENVIRONMENT_SIDS.assume,
      actions: ASSUME_ACTIONS,
      resources: targets.map((t) => t.roleArn),
    }),
    allow({
      sid: ENVIRONMENT_SIDS.state,
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: workspaces.map((w) => `${workspaceObjects(state, w)}*`),
    }),
    allow({
      sid: ENVIRONMENT_SIDS.lockfile,
      actions: ["s3:DeleteObject"],
      resources: workspaces.map((w) => `${workspaceObjects(state, w)}*.tflock`),
    }),
  ];
  if (state.lockTable) {
    statements.push(
      allow({
        sid: ENVIRONMENT_SIDS.lock,
        actions: LOCK_TABLE_ACTIONS,
        resources: [state.lockTable.arn],
        condition: {
          "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": workspaces.map(
              (w) => `${state.bucket}/${state.keyPrefix}/${w}/*`,
            ),
          },
        },
      }),
    );
  }
  return policyDocument(...statements);
}

/**
 * What one environment's CI apply role may reach, as customer managed policies: per product
 * account of the environment, assume its Terraform role, read and write its workspace's state
 * objects (under every root's key), release its lockfiles and hold its lock items. The list
 * grows by one account at a time, so it is split like {@link planAssumePolicies}.
 */
export function planEnvironmentPolicies(
  config: TopologyConfig,
  state: StatePlan,
  reach: EnvironmentReach,
): CustomerPolicyPlan[] {
  const chunks = chunkBySize(
    reach.targets,
    (targets) => policySize(environmentDocument(state, targets)) <= IAM_LIMITS.managedPolicy,
  );
  const roleName = ciRoleName(config, "apply", reach.environment);
  return chunks.map((targets, i) => {
    const name = `${roleName}-reach-${i + 1}`;
    return {
      name,
      path: config.ci.path,
      arn: policyArn(config.partition, config.terraformAccount.id, config.ci.path, name),
      description: `Lets ${roleName} assume the Terraform roles of environment ${reach.environment} and use their state (part ${i + 1}; tf-bootstrap)`,
      document: environmentDocument(state, targets),
    };
  });
}

function assumeDocument(roleArns: readonly string[], path: Access): PolicyDocument {
  return policyDocument(
    allow({ sid: CI_ASSUME_SIDS[path], actions: ASSUME_ACTIONS, resources: [...roleArns] }),
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
  path: Access,
): CustomerPolicyPlan[] {
  const chunks = chunkBySize(
    productRoleArns,
    (arns) => policySize(assumeDocument(arns, path)) <= IAM_LIMITS.managedPolicy,
  );
  const roleName = ciRoleName(config, path);
  const targets = path === "apply" ? "product Terraform roles" : "product plan roles";
  return chunks.map((arns, i) => {
    const name = `${roleName}-assume-${i + 1}`;
    return {
      name,
      path: config.ci.path,
      arn: policyArn(config.partition, config.terraformAccount.id, config.ci.path, name),
      description: `Lets ${roleName} assume ${targets} (part ${i + 1}; tf-bootstrap)`,
      document: assumeDocument(arns, path),
    };
  });
}

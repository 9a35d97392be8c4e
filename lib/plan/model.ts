import type { PolicyDocument } from "../iam/types";

/**
 * The topology as plain data: what every account holds, with every IAM document complete.
 * Planners produce it from a validated config; components turn it into resources; the policy
 * pack, the synth report and the audit read it. Nothing here depends on Pulumi.
 */

/** An explicit AWS provider for one account. */
export interface ProviderPlan {
  /** Resource name of the provider, e.g. `aws-terraform`, `aws-dev`. */
  readonly name: string;
  readonly region: string;
  /** Role the deployer assumes to act in the account. */
  readonly assumeRoleArn: string;
  readonly sessionName: string;
  /** The only account the provider may act in. */
  readonly allowedAccountIds: readonly string[];
  readonly defaultTags: Readonly<Record<string, string>>;
}

/** A named inline policy. */
export interface InlinePolicyPlan {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** A customer managed policy the stack creates in the role's account and attaches to it. */
export interface CustomerPolicyPlan {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly document: PolicyDocument;
}

/**
 * The tag that says which CI path a role or user serves: `plan` (read-only) or `apply`. The
 * policy pack holds a principal tagged `plan` to the plan path's stricter rules (read-only, the
 * plan roles' own trust); any other principal is held to the apply path's.
 */
export const ACCESS_TAG = "tf-bootstrap:access";

/**
 * The two CI paths. `apply` writes: it runs from the protected branch or approved environments
 * and assumes the product Terraform roles. `plan` reads: it runs on pull requests, reads state,
 * writes nothing but the lock, and assumes the product plan roles.
 */
export type Access = (typeof ACCESS_VALUES)[number];

/** The two CI paths, the read-only one first. */
export const ACCESS_VALUES = ["plan", "apply"] as const;

/** An IAM role. */
export interface RolePlan {
  readonly name: string;
  /** The CI path the role serves ({@link ACCESS_TAG}). */
  readonly access: Access;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly maxSessionDuration: number;
  readonly trustPolicy: PolicyDocument;
  readonly inlinePolicies: readonly InlinePolicyPlan[];
  /** Managed policies that exist already (AWS managed, or customer managed by name). */
  readonly managedPolicyArns: readonly string[];
  /** Managed policies the stack creates for this role and attaches to it. */
  readonly customerPolicies: readonly CustomerPolicyPlan[];
  readonly permissionsBoundaryArn?: string;
}

/** The CI identity when it is an IAM user. */
export interface CiUserPlan {
  readonly kind: "iam-user";
  readonly name: string;
  /** The CI path the user serves ({@link ACCESS_TAG}). */
  readonly access: Access;
  readonly path: string;
  readonly arn: string;
  readonly inlinePolicies: readonly InlinePolicyPlan[];
  /** Whether an access key is created (and returned as a secret). */
  readonly createAccessKey: boolean;
}

/** The CI platform's OIDC identity provider in the Terraform account. */
export interface OidcProviderPlan {
  readonly platform: "github" | "gitlab";
  /** The issuer URL, e.g. `https://token.actions.githubusercontent.com`. */
  readonly url: string;
  /** The issuer without its scheme: the prefix of the `aud` and `sub` condition keys. */
  readonly host: string;
  readonly arn: string;
  /** The only audience the provider accepts and the CI roles require. */
  readonly audience: string;
  /** Whether the stack creates the provider (or uses the one the account has). */
  readonly create: boolean;
}

/** The CI identity when it is a CI platform's workflows, by their OIDC token. */
export interface CiWorkflowsPlan {
  readonly kind: "oidc";
  readonly provider: OidcProviderPlan;
  /** The token subjects admitted (IAM wildcards only where the config allows them). */
  readonly subjects: readonly string[];
}

/** Who CI is on one path: an IAM user with access keys, or OIDC workflows. */
export type CiIdentityPlan = CiUserPlan | CiWorkflowsPlan;

/**
 * How the apply path's CI identities are laid out: one per environment, or one shared by every
 * environment (see docs/ci-apply-roles.md).
 */
export type ApplyRolesMode = "per-environment" | "shared";

/**
 * One CI apply identity and its role. Per environment: the identity of one environment's apply
 * jobs, whose role assumes only that environment's Terraform roles and writes only their
 * workspaces' state. Shared: the one identity of every environment's apply jobs.
 */
export interface CiApplyPlan {
  /** The environment it serves; absent for the shared role. */
  readonly environment?: string;
  /** The environments whose apply jobs take the role. */
  readonly environments: readonly string[];
  /** The product accounts (by key) whose Terraform roles the role may assume. */
  readonly accounts: readonly string[];
  /** Their workspaces: the state the role may write. */
  readonly workspaces: readonly string[];
  /** Who may take the role. */
  readonly identity: CiIdentityPlan;
  readonly role: RolePlan;
}

/** How CI authenticates. */
export type CiMode = "iam-user" | "github-oidc" | "gitlab-oidc";

/** The pipeline settings the generated templates are made from. */
export interface PipelineSettingsPlan {
  readonly branch: string;
  readonly repository?: string;
  readonly audience: string;
  /** Apply order: stages of workspaces, applied one after another. */
  readonly applyStages: readonly (readonly string[])[];
  readonly codeOwners: readonly string[];
  /** The Terraform roots: directory, workspaces and backend `key` of each. */
  readonly roots: readonly {
    readonly name: string;
    readonly directory: string;
    readonly workspaces: readonly string[];
    readonly stateKey: string;
  }[];
  /** The CI apply role of each apply environment (the shared role when apply roles are shared). */
  readonly applyRoleArns: Readonly<Record<string, string>>;
  /** How many jobs of one matrix run at once. */
  readonly maxParallel: number;
  /** Repository paths whose change replans every root. */
  readonly sharedPaths: readonly string[];
  /** Cron (UTC) of the full plan that reports drift. */
  readonly driftSchedule: string;
  readonly tool: "terraform" | "tofu";
  readonly toolVersion: string;
  /** SHA-256 of the tool's linux_amd64 release archive. */
  readonly toolSha256: string;
}

/** A KMS key with its alias and policy. */
export interface KmsKeyPlan {
  readonly description: string;
  readonly alias: string;
  readonly aliasArn: string;
  readonly deletionWindowInDays: number;
  readonly policy: PolicyDocument;
}

/** Where Terraform keeps state and how it locks it. */
export interface StatePlan {
  readonly bucket: string;
  readonly bucketArn: string;
  readonly region: string;
  /** Prefix under which every workspace's state lives (`workspace_key_prefix`). */
  readonly keyPrefix: string;
  /** State object name inside a workspace's prefix (`key`). */
  readonly key: string;
  readonly lockMode: "s3-lockfile" | "dynamodb" | "both";
  readonly lockTable?: { readonly name: string; readonly arn: string };
  readonly kmsKey: KmsKeyPlan;
  readonly bucketPolicy: PolicyDocument;
  readonly noncurrentVersionExpirationDays: number;
  readonly abortIncompleteUploadDays: number;
}

/** The trail and the bucket its logs and the state bucket's access logs go to. */
export interface AuditPlan {
  readonly trailName: string;
  readonly trailArn: string;
  readonly kmsKey: KmsKeyPlan;
  readonly logBucket: string;
  readonly logBucketArn: string;
  readonly logBucketPolicy: PolicyDocument;
  /** Prefix of CloudTrail objects in the log bucket. */
  readonly trailPrefix: string;
  /** Prefix of the state bucket's access logs in the log bucket. */
  readonly accessLogPrefix: string;
  readonly logRetentionDays?: number;
}

/**
 * The Terraform account: state, the CI identities and roles of both paths, audit. The apply
 * path (CI identity → CI role → product Terraform roles) writes; the plan path (CI plan
 * identity → CI plan role → product plan roles) only reads, and writes nothing but the lock.
 */
export interface TerraformAccountPlan {
  readonly key: "terraform";
  readonly accountId: string;
  readonly provider: ProviderPlan;
  readonly ciMode: CiMode;
  /** OIDC modes: the identity provider both paths' tokens come from. */
  readonly oidcProvider?: OidcProviderPlan;
  /** How the apply path's identities are laid out. */
  readonly applyRoles: ApplyRolesMode;
  /**
   * The apply path: one identity and CI apply role per environment (sorted by environment), or
   * one shared by every environment.
   */
  readonly ciApply: readonly CiApplyPlan[];
  /** Who may take the CI plan role. */
  readonly ciPlanIdentity: CiIdentityPlan;
  /** The CI plan role. */
  readonly ciPlanRole: RolePlan;
  readonly state: StatePlan;
  readonly audit: AuditPlan;
}

/** One product account: its provider and its Terraform role. */
export interface ProductAccountPlan {
  /** Stable key (the account's configured name). */
  readonly key: string;
  readonly accountId: string;
  readonly workspace: string;
  /** CI environment of the account's apply job. */
  readonly environment: string;
  readonly provider: ProviderPlan;
  readonly terraformRole: RolePlan;
  /** The read-only role `terraform plan` uses. */
  readonly planRole: RolePlan;
}

/** The whole topology. */
export interface TopologyPlan {
  readonly organization: string;
  readonly partition: string;
  readonly region: string;
  readonly terraform: TerraformAccountPlan;
  readonly products: readonly ProductAccountPlan[];
  /** Principals allowed to read and repair state besides the CI role. */
  readonly adminPrincipals: readonly string[];
  readonly pipeline: PipelineSettingsPlan;
}

/** The CI users of the Terraform account (iam-user mode: apply, then plan; none with OIDC). */
export function ciUsers(tf: TerraformAccountPlan): CiUserPlan[] {
  return [...tf.ciApply.map((a) => a.identity), tf.ciPlanIdentity].filter(
    (i): i is CiUserPlan => i.kind === "iam-user",
  );
}

/** The CI roles of the Terraform account: the apply roles, then the plan role. */
export function ciRoles(tf: TerraformAccountPlan): RolePlan[] {
  return [...tf.ciApply.map((a) => a.role), tf.ciPlanRole];
}

/** The CI apply role of `environment` (the shared one when apply roles are shared). */
export function applyPlanOf(
  tf: TerraformAccountPlan,
  environment: string,
): CiApplyPlan | undefined {
  return tf.ciApply.find((a) => a.environments.includes(environment));
}

/** The roles of a product account: the Terraform role, then the plan role. */
export function productRoles(product: ProductAccountPlan): RolePlan[] {
  return [product.terraformRole, product.planRole];
}

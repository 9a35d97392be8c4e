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

/** An IAM role. */
export interface RolePlan {
  readonly name: string;
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
  readonly path: string;
  readonly arn: string;
  readonly inlinePolicies: readonly InlinePolicyPlan[];
  /** Whether an access key is created (and returned as a secret). */
  readonly createAccessKey: boolean;
}

/** Who CI is. A union so other identities (OIDC) can be added beside the IAM user. */
export type CiIdentityPlan = CiUserPlan;

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

/** The Terraform account: state, CI identity, CI role, audit. */
export interface TerraformAccountPlan {
  readonly key: "terraform";
  readonly accountId: string;
  readonly provider: ProviderPlan;
  readonly ciIdentity: CiIdentityPlan;
  readonly ciRole: RolePlan;
  readonly state: StatePlan;
  readonly audit: AuditPlan;
}

/** One product account: its provider and its Terraform role. */
export interface ProductAccountPlan {
  /** Stable key (the account's configured name). */
  readonly key: string;
  readonly accountId: string;
  readonly workspace: string;
  readonly provider: ProviderPlan;
  readonly terraformRole: RolePlan;
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
}

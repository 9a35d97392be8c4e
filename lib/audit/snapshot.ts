/**
 * What the audit reads from one live account, as plain data. The SDK layer (`scripts/aws/`)
 * fills it; everything in `lib/audit` reads it. Documents are JSON text, already URL-decoded.
 * A declared resource that does not exist is simply absent from its list.
 */
import type { FailureClass } from "./failure-class";

/** An inline policy of a role or user. */
export interface LiveInlinePolicy {
  readonly name: string;
  /** The policy document as JSON text. */
  readonly document: string;
}

/** An IAM role as read live. */
export interface LiveRole {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  /** The role's unique id (`AROA...`). */
  readonly roleId?: string;
  /** The trust policy as JSON text. */
  readonly trustPolicy: string;
  readonly maxSessionDuration?: number;
  readonly description?: string;
  readonly inlinePolicies: readonly LiveInlinePolicy[];
  readonly attachedPolicyArns: readonly string[];
  readonly boundaryArn?: string;
  /** The role's tags (read with iam:GetRole; absent for roles only listed). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** An access key's metadata (never its secret). */
export interface LiveAccessKey {
  readonly id: string;
  /** `Active` or `Inactive`. */
  readonly status: string;
  /** ISO 8601 creation time. */
  readonly createdAt: string;
}

/** An IAM user as read live. */
export interface LiveUser {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly inlinePolicies: readonly LiveInlinePolicy[];
  readonly attachedPolicyArns: readonly string[];
  /** Names of the groups the user belongs to. */
  readonly groups: readonly string[];
  /** Whether the user has a console password. */
  readonly hasLoginProfile: boolean;
  readonly accessKeys: readonly LiveAccessKey[];
  readonly sshPublicKeyIds: readonly string[];
  readonly signingCertificateIds: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

/** A customer managed policy's default version. */
export interface LiveManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  /** The default version's document as JSON text. */
  readonly document: string;
}

/** One default encryption rule of a bucket. */
export interface LiveEncryptionRule {
  readonly sseAlgorithm?: string;
  readonly kmsMasterKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
}

/** The four flags of an S3 public access block. */
export interface LivePublicAccessBlock {
  readonly blockPublicAcls: boolean;
  readonly blockPublicPolicy: boolean;
  readonly ignorePublicAcls: boolean;
  readonly restrictPublicBuckets: boolean;
}

/** One lifecycle rule of a bucket, in the field names S3 returns. */
export interface LiveLifecycleRule {
  readonly id?: string;
  readonly status: string;
  /** The rule's prefix (the filter's, its `And`'s, or the legacy top-level one). */
  readonly prefix?: string;
  readonly expirationDays?: number;
  /** ISO 8601. */
  readonly expirationDate?: string;
  readonly noncurrentDays?: number;
  readonly transitionStorageClasses: readonly string[];
}

/** An S3 bucket and the settings the audit checks; an absent field is an absent setting. */
export interface LiveBucket {
  readonly name: string;
  /** `Enabled` or `Suspended`; absent when versioning was never enabled. */
  readonly versioningStatus?: string;
  readonly encryptionRules?: readonly LiveEncryptionRule[];
  readonly publicAccessBlock?: LivePublicAccessBlock;
  /** `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`. */
  readonly objectOwnership?: string;
  /** The bucket policy as JSON text. */
  readonly policy?: string;
  readonly logging?: { readonly targetBucket: string; readonly targetPrefix: string };
  /** The lifecycle rules; absent: the bucket has no lifecycle configuration. */
  readonly lifecycleRules?: readonly LiveLifecycleRule[];
}

/** A KMS key. */
export interface LiveKey {
  readonly keyId: string;
  readonly arn: string;
  /** Alias names pointing at it (`alias/terraform-state`), as far as the audit looked them up. */
  readonly aliases: readonly string[];
  readonly rotationEnabled: boolean;
  /** The key policy as JSON text. */
  readonly policy: string;
  /** `Enabled`, `Disabled`, `PendingDeletion`... */
  readonly keyState?: string;
}

/** A DynamoDB lock table. */
export interface LiveTable {
  readonly name: string;
  readonly arn: string;
  readonly pointInTimeRecovery: boolean;
  readonly sse?: { readonly enabled: boolean; readonly kmsKeyArn?: string };
  readonly deletionProtection: boolean;
}

/** One field selector of an advanced event selector. */
export interface LiveFieldSelector {
  readonly field: string;
  readonly equals?: readonly string[];
  readonly startsWith?: readonly string[];
  readonly endsWith?: readonly string[];
  readonly notEquals?: readonly string[];
  readonly notStartsWith?: readonly string[];
  readonly notEndsWith?: readonly string[];
}

/** A CloudTrail trail with its status and event selectors. */
export interface LiveTrail {
  readonly name: string;
  readonly arn: string;
  readonly s3BucketName?: string;
  readonly s3KeyPrefix?: string;
  readonly isMultiRegion: boolean;
  readonly logFileValidation: boolean;
  readonly includeGlobalServiceEvents: boolean;
  readonly kmsKeyId?: string;
  /** Whether the trail is logging now (`GetTrailStatus`). */
  readonly isLogging: boolean;
  readonly advancedEventSelectors: readonly {
    readonly name?: string;
    readonly fieldSelectors: readonly LiveFieldSelector[];
  }[];
  readonly eventSelectors: readonly {
    readonly readWriteType?: string;
    readonly includeManagementEvents?: boolean;
    readonly dataResources: readonly {
      readonly type: string;
      readonly values: readonly string[];
    }[];
  }[];
}

/** An IAM OIDC identity provider (`iam:GetOpenIDConnectProvider`). */
export interface LiveOidcProvider {
  readonly arn: string;
  /** The issuer as IAM returns it, without the scheme: `token.actions.githubusercontent.com`. */
  readonly url: string;
  /** The audiences the provider accepts (its client id list), in IAM's order. */
  readonly clientIds: readonly string[];
}

/** Everything read from one account. */
export interface AccountSnapshot {
  /** The account's stable key: `terraform` or a product account's name. */
  readonly key: string;
  readonly accountId: string;
  /** The declared roles that exist. */
  readonly roles: readonly LiveRole[];
  /** Roles the program does not declare whose trust admits the CI role or the CI identity. */
  readonly extraRoles: readonly LiveRole[];
  /** The declared users that exist. */
  readonly users: readonly LiveUser[];
  /** Customer managed policies attached to (or bounding) the principals above. */
  readonly managedPolicies: readonly LiveManagedPolicy[];
  readonly buckets: readonly LiveBucket[];
  readonly keys: readonly LiveKey[];
  readonly tables: readonly LiveTable[];
  readonly trails: readonly LiveTrail[];
  /** The declared OIDC providers that exist (Terraform account, OIDC modes). */
  readonly oidcProviders: readonly LiveOidcProvider[];
}

/** Why an account, or one read of it, could not be audited. */
export interface AccountFailure {
  /** What the audit was doing: `assume arn:...`, `read role terraform (iam:GetRole)`... */
  readonly stage: string;
  /** The AWS error code (`AccessDenied`) or a short cause (`WrongAccount`, `MalformedResponse`). */
  readonly code: string;
  readonly message: string;
  /** The failure class, which decides the hint (`lib/audit/failure-class.ts`). */
  readonly class: FailureClass;
}

/** The outcome of reading one account. */
export type AccountOutcome =
  | { readonly kind: "audited"; readonly snapshot: AccountSnapshot }
  | {
      readonly kind: "failed";
      readonly key: string;
      readonly accountId: string;
      /** Why the account is not audited: the first failed read, a timeout or an interruption. */
      readonly failure: AccountFailure;
      /** Every read of the account that failed, `failure` first; default: `failure` alone. */
      readonly failures?: readonly AccountFailure[];
    };

/** An empty snapshot of an account, to build on. */
export function emptySnapshot(key: string, accountId: string): AccountSnapshot {
  return {
    key,
    accountId,
    roles: [],
    extraRoles: [],
    users: [],
    managedPolicies: [],
    buckets: [],
    keys: [],
    tables: [],
    trails: [],
    oidcProviders: [],
  };
}

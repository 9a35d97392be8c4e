import type { StackConfig } from "./schema";

/** Names derived from the config; computed in one place so every consumer agrees. */
export interface ResolvedNames {
  /** The state bucket. */
  readonly stateBucket: string;
  /** The bucket that receives the state bucket's access logs and the CloudTrail logs. */
  readonly logBucket: string;
  /** Workspace of each product account, by account name. */
  readonly workspaces: Readonly<Record<string, string>>;
  /** Bootstrap role of each product account, by account name. */
  readonly bootstrapRoles: Readonly<Record<string, string>>;
}

/**
 * Resolves generated names. Bucket names must be known before deployment (every ARN is built
 * from config), so they are deterministic: `<prefix>-<account id>-<region>`, which is unique
 * across AWS without a random suffix.
 */
export function resolveNames(config: StackConfig): ResolvedNames {
  const accountId = config.terraformAccount.id;
  const prefix = config.state.bucketPrefix ?? `${config.organization}-tfstate`;
  const stateBucket = config.state.bucketName ?? `${prefix}-${accountId}-${config.region}`;
  const logBucket = config.audit.logBucketName ?? `${prefix}-logs-${accountId}-${config.region}`;
  const workspaces: Record<string, string> = {};
  const bootstrapRoles: Record<string, string> = {};
  for (const account of config.productAccounts) {
    workspaces[account.name] = account.workspace ?? account.name;
    bootstrapRoles[account.name] =
      account.bootstrapRoleName ?? config.terraformAccount.bootstrapRoleName;
  }
  return { stateBucket, logBucket, workspaces, bootstrapRoles };
}

import type { StackConfig } from "./schema";

/** The release the pipelines install when the config names none, by CLI. */
export const DEFAULT_TOOL_VERSIONS = { terraform: "1.11.4", tofu: "1.10.6" } as const;

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
  /** CI environment of each product account's apply job, by account name. */
  readonly environments: Readonly<Record<string, string>>;
  /** The apply order: stages of workspaces, applied one after another. */
  readonly applyStages: readonly (readonly string[])[];
  /** Owners who must all review infrastructure code. */
  readonly codeOwners: readonly string[];
  /** The release of the pipelines' CLI. */
  readonly toolVersion: string;
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
  const environments: Record<string, string> = {};
  for (const account of config.productAccounts) {
    const workspace = account.workspace ?? account.name;
    workspaces[account.name] = workspace;
    bootstrapRoles[account.name] =
      account.bootstrapRoleName ?? config.terraformAccount.bootstrapRoleName;
    environments[account.name] = account.environment ?? workspace;
  }
  const pipeline = config.ci.pipeline;
  const applyStages =
    pipeline.applyOrder?.map((stage) => (typeof stage === "string" ? [stage] : [...stage])) ??
    Object.values(workspaces).map((w) => [w]);
  const codeOwners = pipeline.codeOwners ?? [
    `@${config.organization}/devops`,
    `@${config.organization}/security`,
  ];
  const toolVersion = pipeline.toolVersion ?? DEFAULT_TOOL_VERSIONS[pipeline.tool];
  return {
    toolVersion,
    stateBucket,
    logBucket,
    workspaces,
    bootstrapRoles,
    environments,
    applyStages,
    codeOwners,
  };
}

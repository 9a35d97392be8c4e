import { chunkBySize } from "../plan/chunk";
import { pinnedToolSha256 } from "../pipeline/pins";
import { MAX_PARALLEL_LIMIT, SHARED_STATE_KEY } from "./pipeline-rules";
import type { StackConfig } from "./schema";

/** The release the pipelines install when the config names none, by CLI. */
export const DEFAULT_TOOL_VERSIONS = { terraform: "1.11.4", tofu: "1.10.6" } as const;

/** The name of the single root of a config without `ci.pipeline.roots`. */
export const DEFAULT_ROOT_NAME = "root";

/** One Terraform root of the infrastructure repository, resolved. */
export interface ResolvedRoot {
  /** Stable key: names the root's state object, jobs and plan comment. */
  readonly name: string;
  /** Its directory in the infrastructure repository (`.` for the repository root). */
  readonly directory: string;
  /** The workspaces it is planned and applied in, in config order. */
  readonly workspaces: readonly string[];
  /** Its backend `key`: `terraform.tfstate`, or `<name>/terraform.tfstate`. */
  readonly stateKey: string;
}

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
  /** SHA-256 of that release's linux_amd64 archive (config validation ensures it is known). */
  readonly toolSha256: string;
  /** The Terraform roots, in config order. */
  readonly roots: readonly ResolvedRoot[];
}

/** The class of an environment name in the default order: 0 first, 1 middle, 2 last. */
function environmentRank(environment: string): number {
  const word = (words: string) =>
    new RegExp(`^(?:${words})(?:$|[-_.])|[-_.](?:${words})$`, "i").test(environment);
  if (word("staging|stage|stg|preprod|pre-prod|uat")) return 1;
  if (word("production|prod|prd|live")) return 2;
  return 0;
}

/**
 * The environments in the default apply order: those named like dev (any other name) first,
 * like staging next, like prod last; within each, in the order they first appear.
 */
export function defaultEnvironmentOrder(environments: readonly string[]): string[] {
  const distinct = [...new Set(environments)];
  return distinct
    .map((environment, index) => ({ environment, index, rank: environmentRank(environment) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.environment);
}

/**
 * One stage per environment in `order`, holding its workspaces in config order; an
 * environment with more workspaces than one matrix holds becomes consecutive stages.
 */
export function environmentStages(
  workspaces: readonly { workspace: string; environment: string }[],
  order: readonly string[],
): string[][] {
  return order.flatMap((environment) =>
    chunkBySize(
      workspaces.filter((w) => w.environment === environment).map((w) => w.workspace),
      (stage) => stage.length <= MAX_PARALLEL_LIMIT,
    ),
  );
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
  const byAccount = config.productAccounts.map((a) => ({
    workspace: workspaces[a.name] ?? a.name,
    environment: environments[a.name] ?? a.name,
  }));
  const applyStages =
    pipeline.applyOrder?.map((stage) => (typeof stage === "string" ? [stage] : [...stage])) ??
    environmentStages(
      byAccount,
      pipeline.environmentOrder ?? defaultEnvironmentOrder(byAccount.map((a) => a.environment)),
    );
  const allWorkspaces = byAccount.map((a) => a.workspace);
  const roots: ResolvedRoot[] = pipeline.roots?.map((root) => ({
    name: root.name,
    directory: root.directory,
    workspaces: root.workspaces ?? allWorkspaces,
    stateKey: root.stateKey ?? `${root.name}/${SHARED_STATE_KEY}`,
  })) ?? [
    {
      name: DEFAULT_ROOT_NAME,
      directory: pipeline.terraformDirectory ?? "terraform",
      workspaces: allWorkspaces,
      stateKey: SHARED_STATE_KEY,
    },
  ];
  const codeOwners = pipeline.codeOwners ?? [
    `@${config.organization}/devops`,
    `@${config.organization}/security`,
  ];
  const toolVersion = pipeline.toolVersion ?? DEFAULT_TOOL_VERSIONS[pipeline.tool];
  const toolSha256 = pipeline.toolSha256 ?? pinnedToolSha256(pipeline.tool, toolVersion) ?? "";
  return {
    toolVersion,
    toolSha256,
    roots,
    stateBucket,
    logBucket,
    workspaces,
    bootstrapRoles,
    environments,
    applyStages,
    codeOwners,
  };
}

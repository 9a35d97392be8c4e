import { roleArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { planAudit } from "./audit";
import { ciRoleArn, planCiIdentity, planCiRole } from "./ci";
import type { ConfigProblem } from "../errors/config-error";
import { planLimitProblems } from "./limits";
import type { CiApplyPlan, ProductAccountPlan, ProviderPlan, TopologyPlan } from "./model";
import { applyEnvironments, planOidcProvider } from "./oidc";
import { planPlanRole, planTerraformRole } from "./product";
import { planState } from "./state";

/** Session name the deployer's providers use, so CloudTrail shows who acted. */
export const DEPLOY_SESSION_NAME = "tf-bootstrap";

/** Tags on every resource: ours first, the config's own after (they may not override ours). */
export function defaultTags(config: TopologyConfig): Record<string, string> {
  return { ...config.tags, ManagedBy: "tf-bootstrap", Organization: config.organization };
}

function providerPlan(
  config: TopologyConfig,
  key: string,
  accountId: string,
  bootstrapRole: string,
): ProviderPlan {
  return {
    name: `aws-${key}`,
    region: config.region,
    assumeRoleArn: roleArn(config.partition, accountId, "/", bootstrapRole),
    sessionName: DEPLOY_SESSION_NAME,
    allowedAccountIds: [accountId],
    defaultTags: defaultTags(config),
  };
}

/**
 * The CI apply role of `environment`: that environment's own role with per-environment apply
 * roles, the shared role otherwise.
 */
export function applyRoleArnOf(config: TopologyConfig, environment: string): string {
  return config.ci.applyRoles === "per-environment"
    ? ciRoleArn(config, "apply", environment)
    : ciRoleArn(config, "apply");
}

/** Plans the whole topology from a validated config. Pure: same config, same plan. */
export function planTopology(config: TopologyConfig): TopologyPlan {
  const environments = applyEnvironments(config);
  const perEnvironment = config.ci.applyRoles === "per-environment";
  const writers = perEnvironment
    ? environments.map((e) => ciRoleArn(config, "apply", e))
    : [ciRoleArn(config, "apply")];
  const ciPlanArn = ciRoleArn(config, "plan");
  const state = planState(config, { writers, planners: [ciPlanArn] });
  const oidcProvider = planOidcProvider(config);
  const planIdentity = planCiIdentity(config, "plan", oidcProvider);
  const products: ProductAccountPlan[] = config.productAccounts.map((account) => {
    const environment = config.names.environments[account.name] ?? account.name;
    return {
      key: account.name,
      accountId: account.id,
      workspace: config.names.workspaces[account.name] ?? account.name,
      environment,
      provider: providerPlan(
        config,
        account.name,
        account.id,
        config.names.bootstrapRoles[account.name] ?? config.terraformAccount.bootstrapRoleName,
      ),
      terraformRole: planTerraformRole(config, account.id, applyRoleArnOf(config, environment)),
      planRole: planPlanRole(config, account.id, ciPlanArn),
    };
  });
  const ciApply: CiApplyPlan[] = perEnvironment
    ? environments.map((environment) => {
        const members = products.filter((p) => p.environment === environment);
        const identity = planCiIdentity(config, "apply", oidcProvider, environment);
        return {
          environment,
          environments: [environment],
          accounts: members.map((p) => p.key),
          workspaces: members.map((p) => p.workspace),
          identity,
          role: planCiRole(
            config,
            "apply",
            identity,
            state,
            members.map((p) => p.terraformRole.arn),
            {
              environment,
              targets: members.map((p) => ({
                roleArn: p.terraformRole.arn,
                workspace: p.workspace,
              })),
            },
          ),
        };
      })
    : [sharedApply(config, state, oidcProvider, products, environments)];
  const tfAccountId = config.terraformAccount.id;
  return {
    organization: config.organization,
    partition: config.partition,
    region: config.region,
    adminPrincipals: [...config.adminPrincipals],
    terraform: {
      key: "terraform",
      accountId: tfAccountId,
      provider: providerPlan(
        config,
        "terraform",
        tfAccountId,
        config.terraformAccount.bootstrapRoleName,
      ),
      ciMode: config.ci.mode,
      ...(oidcProvider ? { oidcProvider } : {}),
      applyRoles: config.ci.applyRoles,
      ciApply,
      ciPlanIdentity: planIdentity,
      ciPlanRole: planCiRole(
        config,
        "plan",
        planIdentity,
        state,
        products.map((p) => p.planRole.arn),
      ),
      state,
      audit: planAudit(config),
    },
    products,
    pipeline: {
      branch: config.ci.branch,
      ...(config.ci.repository !== undefined ? { repository: config.ci.repository } : {}),
      audience: config.ci.audience,
      applyStages: config.names.applyStages,
      codeOwners: config.names.codeOwners,
      roots: config.names.roots,
      applyRoleArns: Object.fromEntries(
        environments.map((environment) => [environment, applyRoleArnOf(config, environment)]),
      ),
      maxParallel: config.ci.pipeline.maxParallel,
      sharedPaths: config.ci.pipeline.sharedPaths,
      driftSchedule: config.ci.pipeline.driftSchedule,
      tool: config.ci.pipeline.tool,
      toolVersion: config.names.toolVersion,
      toolSha256: config.names.toolSha256,
    },
  };
}

function sharedApply(
  config: TopologyConfig,
  state: TopologyPlan["terraform"]["state"],
  oidcProvider: ReturnType<typeof planOidcProvider>,
  products: readonly ProductAccountPlan[],
  environments: readonly string[],
): CiApplyPlan {
  const identity = planCiIdentity(config, "apply", oidcProvider);
  return {
    environments: [...environments],
    accounts: products.map((p) => p.key),
    workspaces: products.map((p) => p.workspace),
    identity,
    role: planCiRole(
      config,
      "apply",
      identity,
      state,
      products.map((p) => p.terraformRole.arn),
    ),
  };
}

/** A plan, or the config problems that keep it from being deployable. */
export type CheckedPlan =
  | { readonly ok: true; readonly plan: TopologyPlan }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/**
 * Plans the topology and checks the planned documents against IAM's size quotas: a config
 * that validates field by field can still plan a policy IAM would reject (too many accounts
 * for one stack, too many allowed services), and that is reported before any resource exists.
 */
export function planTopologyChecked(config: TopologyConfig): CheckedPlan {
  const plan = planTopology(config);
  const problems = planLimitProblems(plan);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, plan };
}

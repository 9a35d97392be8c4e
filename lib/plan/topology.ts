import { roleArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { planAudit } from "./audit";
import { ciRoleArn, planCiIdentity, planCiRole } from "./ci";
import type { ConfigProblem } from "../errors/config-error";
import { planLimitProblems } from "./limits";
import type { ProductAccountPlan, ProviderPlan, TopologyPlan } from "./model";
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

/** Plans the whole topology from a validated config. Pure: same config, same plan. */
export function planTopology(config: TopologyConfig): TopologyPlan {
  const ciArn = ciRoleArn(config, "apply");
  const ciPlanArn = ciRoleArn(config, "plan");
  const state = planState(config, { writers: [ciArn], planners: [ciPlanArn] });
  const oidcProvider = planOidcProvider(config);
  const identity = planCiIdentity(config, "apply", oidcProvider);
  const planIdentity = planCiIdentity(config, "plan", oidcProvider);
  const products: ProductAccountPlan[] = config.productAccounts.map((account) => ({
    key: account.name,
    accountId: account.id,
    workspace: config.names.workspaces[account.name] ?? account.name,
    environment: config.names.environments[account.name] ?? account.name,
    provider: providerPlan(
      config,
      account.name,
      account.id,
      config.names.bootstrapRoles[account.name] ?? config.terraformAccount.bootstrapRoleName,
    ),
    terraformRole: planTerraformRole(config, account.id, ciArn),
    planRole: planPlanRole(config, account.id, ciPlanArn),
  }));
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
      ciIdentity: identity,
      ciRole: planCiRole(
        config,
        "apply",
        identity,
        state,
        products.map((p) => p.terraformRole.arn),
      ),
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
        applyEnvironments(config).map((environment) => [environment, ciRoleArn(config, "apply")]),
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

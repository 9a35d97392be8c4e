/**
 * Pipeline plans for the tests: a realistic stack with three workspaces applied one after
 * another, or with a parallel middle stage, in each CI mode.
 */
import type { CiMode, PipelinePlan, PipelineWorkspace } from "../../lib/pipeline";

export const PLAN_ROLE = "arn:aws:iam::111111111111:role/tf-bootstrap/terraform-ci-plan";
export const APPLY_ROLE = "arn:aws:iam::111111111111:role/tf-bootstrap/terraform-ci";
export const CODE_OWNERS = ["@acme/devops", "@acme/security"] as const;

const ws = (workspace: string, accountId: string, environment = workspace): PipelineWorkspace => ({
  workspace,
  accountId,
  environment,
});

/** dev, then staging, then prod. */
export const SEQUENTIAL: PipelineWorkspace[][] = [
  [ws("dev", "222222222222")],
  [ws("staging", "333333333333")],
  [ws("prod", "444444444444", "production")],
];

/** dev, then staging-eu and staging-us in parallel (one shared environment), then prod. */
export const PARALLEL: PipelineWorkspace[][] = [
  [ws("dev", "222222222222")],
  [ws("staging-eu", "333333333333", "staging"), ws("staging-us", "555555555555", "staging")],
  [ws("prod", "444444444444", "production")],
];

export const MODES: readonly CiMode[] = ["iam-user", "github-oidc", "gitlab-oidc"];

/** The repository of a mode (none in iam-user mode). */
function repository(mode: CiMode): string | undefined {
  if (mode === "github-oidc") return "acme/infrastructure";
  if (mode === "gitlab-oidc") return "acme/platform/infrastructure";
  return undefined;
}

/** A plan for `mode`; `change` overrides any field. */
export function pipelinePlan(
  mode: CiMode,
  stages: readonly (readonly PipelineWorkspace[])[] = SEQUENTIAL,
  change: Partial<PipelinePlan> = {},
): PipelinePlan {
  return {
    stack: "acme-prod",
    mode,
    region: "eu-west-1",
    branch: "main",
    ...(repository(mode) === undefined ? {} : { repository: repository(mode) }),
    audience: "sts.amazonaws.com",
    planRoleArn: PLAN_ROLE,
    applyRoleArn: APPLY_ROLE,
    stages,
    codeOwners: [...CODE_OWNERS],
    terraformDirectory: "terraform",
    tool: "terraform",
    toolVersion: "1.10.6",
    sessionDurationSeconds: 3600,
    ...change,
  };
}

/**
 * Pipeline plans for the tests: a realistic stack with three workspaces applied one after
 * another, or with a parallel middle stage, in each CI mode.
 */
import {
  pinnedToolSha256,
  type CiMode,
  type PipelinePlan,
  type PipelineRoot,
  type PipelineWorkspace,
} from "../../lib/pipeline";

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

/** One root in `directory` holding every workspace of `stages`, with the single-root state key. */
export function singleRoot(
  stages: readonly (readonly PipelineWorkspace[])[],
  directory = "terraform",
): PipelineRoot[] {
  return [
    {
      name: "root",
      directory,
      workspaces: stages.flat().map((w) => w.workspace),
      stateKey: "terraform.tfstate",
    },
  ];
}

/** Two roots: `network` in every workspace, `app` in all but the first. */
export function twoRoots(stages: readonly (readonly PipelineWorkspace[])[]): PipelineRoot[] {
  const all = stages.flat().map((w) => w.workspace);
  return [
    {
      name: "network",
      directory: "network",
      workspaces: all,
      stateKey: "network/terraform.tfstate",
    },
    { name: "app", directory: "app", workspaces: all.slice(1), stateKey: "app/terraform.tfstate" },
  ];
}

/** A plan for `mode`; `change` overrides any field. */
export function pipelinePlan(
  mode: CiMode,
  stages: readonly (readonly PipelineWorkspace[])[] = SEQUENTIAL,
  change: Partial<PipelinePlan> = {},
): PipelinePlan {
  const tool = change.tool ?? "terraform";
  const toolVersion = change.toolVersion ?? (tool === "tofu" ? "1.10.6" : "1.11.4");
  const environments = [...new Set(stages.flat().map((w) => w.environment))];
  return {
    stack: "acme-prod",
    mode,
    region: "eu-west-1",
    branch: "main",
    ...(repository(mode) === undefined ? {} : { repository: repository(mode) }),
    audience: "sts.amazonaws.com",
    planRoleArn: PLAN_ROLE,
    applyRoleArns: Object.fromEntries(environments.map((e) => [e, APPLY_ROLE])),
    stages,
    roots: singleRoot(stages),
    codeOwners: [...CODE_OWNERS],
    tool,
    toolVersion,
    toolSha256: pinnedToolSha256(tool, toolVersion) ?? "0".repeat(64),
    sessionDurationSeconds: 3600,
    maxParallel: 10,
    sharedPaths: ["modules"],
    driftSchedule: "23 5 * * 1-5",
    ...change,
  };
}

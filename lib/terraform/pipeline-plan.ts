import type { PipelinePlan, PipelineWorkspace } from "../pipeline/model";
import { validatePipelinePlan } from "../pipeline/validate";
import type { DeployedOutputs, OutputProblem } from "./deployed-outputs";

/**
 * The audience a pipeline plan names when CI authenticates with access keys (iam-user mode):
 * the templates do not use it then; it is the OIDC modes' default.
 */
export const IAM_USER_AUDIENCE = "sts.amazonaws.com";

/**
 * The CI pipeline templates' input, from validated stack outputs: the CI mode and both CI roles,
 * the state's region (the CI roles' STS calls), and the apply stages in `ci.applyStages` order,
 * each workspace with its account id and CI environment.
 */
export function pipelinePlanFromOutputs(outputs: DeployedOutputs, stack: string): PipelinePlan {
  const byWorkspace = new Map(outputs.workspaces.map((w) => [w.workspace, w]));
  const stages = outputs.ci.applyStages.map((stage) =>
    stage.map((workspace): PipelineWorkspace => {
      const account = byWorkspace.get(workspace);
      // parseDeployedOutputs refuses a stage naming a workspace the outputs do not have.
      if (account === undefined)
        throw new Error(`apply stage names unknown workspace ${workspace}`);
      return { workspace, accountId: account.accountId, environment: account.environment };
    }),
  );
  const { ci } = outputs;
  return {
    stack,
    mode: ci.mode,
    region: outputs.backend.region,
    branch: ci.branch,
    ...(ci.repository !== undefined ? { repository: ci.repository } : {}),
    audience: ci.audience ?? IAM_USER_AUDIENCE,
    planRoleArn: outputs.ciPlanRoleArn,
    applyRoleArns: { ...ci.applyRoleArns },
    applyRolesMode: ci.applyRoles,
    ...(ci.mode === "gitlab-oidc" && ci.oidcProviderArn !== undefined
      ? { gitlabUrl: `https://${ci.oidcProviderArn.replace(/^[^/]*oidc-provider\//, "")}` }
      : {}),
    stages,
    roots: ci.roots.map((r) => ({ ...r, workspaces: [...r.workspaces] })),
    codeOwners: [...ci.codeOwners],
    tool: ci.tool,
    toolVersion: ci.toolVersion,
    toolSha256: ci.toolSha256,
    sessionDurationSeconds: ci.sessionDurationSeconds,
    maxParallel: ci.maxParallel,
    sharedPaths: [...ci.sharedPaths],
    driftSchedule: ci.driftSchedule,
  };
}

/** Where a pipeline plan's field came from, as an output path (or the stack name). */
function outputPath(path: string, plan: PipelinePlan): string {
  const direct: Readonly<Record<string, string>> = {
    stack: "(the stack name)",
    region: "backend.region",
    planRoleArn: "ciPlanRoleArn",
    stages: "ci.applyStages",
  };
  const known = direct[path];
  if (known !== undefined) return known;
  const stage = /^stages\[(\d+)\](?:\[(\d+)\]\.(\w+))?$/.exec(path);
  if (stage) {
    const [, s = "", i, field] = stage;
    if (i === undefined || field === "workspace") {
      return ["ci.applyStages", s, ...(i === undefined ? [] : [i])].join(".");
    }
    const workspace = plan.stages[Number(s)]?.[Number(i)]?.workspace ?? "?";
    return `workspaces.${workspace}.${field}`;
  }
  return `ci.${path.replace(/\[(\d+)\]/g, ".$1")}`;
}

/**
 * What keeps the outputs from making the pipeline templates: the values the templates refuse
 * (`validatePipelinePlan`) that the outputs' own validation lets through, such as a stack name
 * that cannot appear in a file or a code owner listed twice. Each is reported at the output it
 * came from.
 */
export function pipelineProblems(outputs: DeployedOutputs, stack: string): OutputProblem[] {
  const plan = pipelinePlanFromOutputs(outputs, stack);
  return validatePipelinePlan(plan).map((p) => ({
    path: outputPath(p.path, plan),
    value: p.value,
    message: `${p.message} (the CI pipeline templates need it)`,
  }));
}

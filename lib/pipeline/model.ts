/**
 * What the CI pipeline templates are made from: the CI mode, the CI roles, the Terraform roots,
 * the apply stages and the review rules. Plain data; {@link validatePipelinePlan} checks it and
 * {@link renderPipeline} turns it into files.
 */


/** How CI authenticates to AWS: an IAM user's access keys, or the platform's OIDC token. */
export type CiMode = "iam-user" | "github-oidc" | "gitlab-oidc";

/** One Terraform workspace the pipeline plans and applies. */
export interface PipelineWorkspace {
  /** Terraform workspace, e.g. `dev`. */
  readonly workspace: string;
  /** The product account the workspace deploys to (12 digits). */
  readonly accountId: string;
  /**
   * The CI environment the apply job deploys to (a GitHub or GitLab environment), e.g. `dev`.
   * Its reviewers approve the apply; its CI apply role applies. Several workspaces may share one.
   */
  readonly environment: string;
}

/** One Terraform root: a directory with its own state, planned and applied on its own. */
export interface PipelineRoot {
  /** Stable key, e.g. `network`: in job names, check names and the plan comment's marker. */
  readonly name: string;
  /** Its directory in the infrastructure repository, e.g. `network` or `.`. */
  readonly directory: string;
  /** The workspaces it is planned and applied in. */
  readonly workspaces: readonly string[];
  /** Its backend `key`: `terraform.tfstate` or `<name>/terraform.tfstate`. */
  readonly stateKey: string;
}

/** Everything the generated pipeline needs. */
export interface PipelinePlan {
  /** The Pulumi stack, named in every generated file's header and regenerate command. */
  readonly stack: string;
  readonly mode: CiMode;
  /** The AWS region of the CI roles' STS calls, e.g. `eu-west-1`. */
  readonly region: string;
  /** The protected branch that applies, e.g. `main`. */
  readonly branch: string;
  /**
   * OIDC modes: the repository whose workflows the CI roles trust, GitHub `OWNER/REPO` or
   * GitLab `group/sub/project`. Unused in iam-user mode.
   */
  readonly repository?: string;
  /** The OIDC audience the CI roles require, e.g. `sts.amazonaws.com`. Unused in iam-user mode. */
  readonly audience: string;
  /** The CI plan role: read-only path (pull requests, previews of merged changes, drift). */
  readonly planRoleArn: string;
  /** The CI apply role of each apply environment: taken only by apply jobs in that environment. */
  readonly applyRoleArns: Readonly<Record<string, string>>;
  /**
   * `per-environment`: each environment's CI apply role reaches only that environment (GitLab:
   * the project's ID-token subject names the environment). Absent or `shared`: one apply role.
   */
  readonly applyRolesMode?: "per-environment" | "shared";
  /** gitlab-oidc mode: the GitLab instance, e.g. `https://gitlab.com` (for its API calls). */
  readonly gitlabUrl?: string;
  /**
   * Apply order: the stages run one after another, the workspaces of one stage as one matrix.
   * Every workspace appears exactly once.
   */
  readonly stages: readonly (readonly PipelineWorkspace[])[];
  /** The Terraform roots, applied in this order within each stage. */
  readonly roots: readonly PipelineRoot[];
  /** Owners who must all review infrastructure code, e.g. `["@acme/devops", "@acme/security"]`. */
  readonly codeOwners: readonly string[];
  /** Which CLI the pipeline installs and runs. */
  readonly tool: "terraform" | "tofu";
  /** Its release, e.g. `1.11.4`. */
  readonly toolVersion: string;
  /** SHA-256 of that release's `linux_amd64` archive; the jobs refuse any other archive. */
  readonly toolSha256: string;
  /** How long a job's CI role session lasts, in seconds (at most the CI roles' maximum). */
  readonly sessionDurationSeconds: number;
  /** How many jobs of one matrix run at the same time. */
  readonly maxParallel: number;
  /** Repository paths whose change replans every root (shared modules). */
  readonly sharedPaths: readonly string[];
  /** Cron (UTC) of the full plan that reports drift. */
  readonly driftSchedule: string;
}

/** The workspaces of a plan in apply order. */
export function pipelineWorkspaces(plan: PipelinePlan): PipelineWorkspace[] {
  return plan.stages.flat();
}

/** The distinct CI environments of the apply jobs, in apply order. */
export function pipelineEnvironments(plan: PipelinePlan): string[] {
  return [...new Set(pipelineWorkspaces(plan).map((w) => w.environment))];
}

/** The distinct CI apply roles, in apply order of their environments. */
export function applyRoles(plan: PipelinePlan): string[] {
  return [
    ...new Set(
      pipelineEnvironments(plan).flatMap((e) => {
        const arn = plan.applyRoleArns[e];
        return arn === undefined ? [] : [arn];
      }),
    ),
  ];
}

/** Which CI platforms a mode generates templates for. */
export function pipelinePlatforms(mode: CiMode): ("github" | "gitlab")[] {
  if (mode === "github-oidc") return ["github"];
  if (mode === "gitlab-oidc") return ["gitlab"];
  return ["github", "gitlab"];
}

/** Whether CI takes its roles with an OIDC token (no long-lived keys). */
export function usesOidc(mode: CiMode): boolean {
  return mode !== "iam-user";
}

/** One (root, workspace) pair: a state the pipeline plans and applies. */
export interface RootWorkspace {
  readonly root: string;
  readonly workspace: string;
}

/** Every (root, workspace) pair, roots in order, workspaces in apply order. */
export function rootWorkspaces(plan: PipelinePlan): RootWorkspace[] {
  const order = pipelineWorkspaces(plan).map((w) => w.workspace);
  return plan.roots.flatMap((root) =>
    order
      .filter((w) => root.workspaces.includes(w))
      .map((workspace) => ({ root: root.name, workspace })),
  );
}

/** The workspaces of `stage` that `root` is applied in. */
export function stageWorkspaces(
  root: PipelineRoot,
  stage: readonly PipelineWorkspace[],
): PipelineWorkspace[] {
  return stage.filter((w) => root.workspaces.includes(w.workspace));
}

/** A stage's label in job names: its environment when it has one, else its number. */
export function stageLabel(plan: PipelinePlan, index: number): string {
  const environments = [...new Set((plan.stages[index] ?? []).map((w) => w.environment))];
  const sameLabel = plan.stages.filter(
    (stage) => [...new Set(stage.map((w) => w.environment))].join() === environments.join(),
  ).length;
  return environments.length === 1 && sameLabel === 1
    ? (environments[0] ?? String(index + 1))
    : String(index + 1);
}

/** Whether each environment has its own CI apply role. */
export function perEnvironmentApply(plan: PipelinePlan): boolean {
  return plan.applyRolesMode === "per-environment";
}

/**
 * What the CI pipeline templates are made from: the CI mode, the two CI roles, the apply order
 * and the review rules. Plain data; {@link validatePipelinePlan} checks it and
 * {@link renderPipeline} turns it into files.
 */

import { chunkBySize } from "../plan/chunk";

/** How CI authenticates to AWS: an IAM user's access keys, or the platform's OIDC token. */
export type CiMode = "iam-user" | "github-oidc" | "gitlab-oidc";

/** One Terraform workspace the pipeline plans and applies. */
export interface PipelineWorkspace {
  /** Terraform workspace, e.g. `dev`. */
  readonly workspace: string;
  /** The product account the workspace deploys to (12 digits). */
  readonly accountId: string;
  /**
   * The CI environment the apply job deploys to (a GitHub environment, a GitLab environment),
   * e.g. `dev`. Its reviewers approve the apply; several workspaces may share one.
   */
  readonly environment: string;
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
  /** The CI plan role: read-only path, taken by merge request / pull request jobs. */
  readonly planRoleArn: string;
  /** The CI apply role: taken only by apply jobs on the protected branch. */
  readonly applyRoleArn: string;
  /**
   * Apply order: the stages run one after another, the workspaces of one stage in parallel.
   * Every workspace appears exactly once.
   */
  readonly stages: readonly (readonly PipelineWorkspace[])[];
  /** Owners who must all review infrastructure code, e.g. `["@acme/devops", "@acme/security"]`. */
  readonly codeOwners: readonly string[];
  /** The Terraform root inside the infrastructure repository, e.g. `terraform` or `.`. */
  readonly terraformDirectory: string;
  /** Which CLI the pipeline installs and runs. */
  readonly tool: "terraform" | "tofu";
  /** Its release, e.g. `1.10.6` (both support the S3 lockfile from 1.10). */
  readonly toolVersion: string;
  /** How long a job's CI role session lasts, in seconds (at most the CI roles' maximum). */
  readonly sessionDurationSeconds: number;
}

/** The workspaces of a plan in apply order. */
export function pipelineWorkspaces(plan: PipelinePlan): PipelineWorkspace[] {
  return plan.stages.flat();
}

/** The distinct CI environments of the apply jobs, in apply order. */
export function pipelineEnvironments(plan: PipelinePlan): string[] {
  return [...new Set(pipelineWorkspaces(plan).map((w) => w.environment))];
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

/**
 * The workspaces of `plan`, in consecutive chunks of at most `limit`: one CI matrix each
 * (GitHub Actions: 256 jobs per matrix; GitLab: 200 per `parallel: matrix`).
 */
export function workspaceChunks(plan: PipelinePlan, limit: number): string[][] {
  const names = pipelineWorkspaces(plan).map((w) => w.workspace);
  return chunkBySize(names, (chunk) => chunk.length <= limit);
}

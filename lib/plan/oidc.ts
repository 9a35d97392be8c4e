import { oidcProviderArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import type { CiWorkflowsPlan, OidcProviderPlan } from "./model";

/**
 * The OIDC side of keyless CI: the provider GitHub Actions or GitLab CI tokens come from, and
 * the token subjects each path admits.
 *
 * Subjects (the `sub` claim), from GitHub's "About security hardening with OpenID Connect" and
 * GitLab's "OpenID Connect (OIDC) Authentication Using ID Tokens":
 * - GitHub, pull request jobs: `repo:OWNER/REPO:pull_request`; jobs of a branch that name no
 *   environment (pushes, schedules): `repo:OWNER/REPO:ref:refs/heads/BRANCH`. A job that names an environment
 *   gets `repo:OWNER/REPO:environment:NAME` instead, whatever its trigger, so apply jobs,
 *   which run in environments whose reviewers approve them, present that subject.
 * - GitLab, every job: `project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH`. The
 *   environment is not part of it, so the apply path is pinned to the protected branch and the
 *   plan path admits every branch (merge request pipelines run on the source branch).
 */

/** The issuer of GitHub Actions' OIDC tokens. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** The OIDC provider of an OIDC mode, or `undefined` in iam-user mode. */
export function planOidcProvider(config: TopologyConfig): OidcProviderPlan | undefined {
  const { mode } = config.ci;
  if (mode === "iam-user") return undefined;
  const url = mode === "github-oidc" ? GITHUB_ISSUER : config.ci.gitlabUrl;
  const host = url.replace(/^https:\/\//, "");
  return {
    platform: mode === "github-oidc" ? "github" : "gitlab",
    url,
    host,
    arn: oidcProviderArn(config.partition, config.terraformAccount.id, host),
    audience: config.ci.audience,
    create: config.ci.oidcProvider === "create",
  };
}

/** The distinct CI environments of the apply jobs, sorted. */
export function applyEnvironments(config: TopologyConfig): string[] {
  return [...new Set(Object.values(config.names.environments))].sort();
}

/** The token subjects that may take the CI role of `path`. */
export function workflowSubjects(
  config: TopologyConfig,
  provider: OidcProviderPlan,
  path: "plan" | "apply",
): string[] {
  const repository = config.ci.repository ?? "";
  if (provider.platform === "github") {
    // The plan path also admits jobs of the protected branch without an environment: the
    // preview of a merged change before its apply is approved, and the scheduled drift plan.
    return path === "plan"
      ? [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/${config.ci.branch}`]
      : applyEnvironments(config).map((env) => `repo:${repository}:environment:${env}`);
  }
  const ref = path === "plan" ? "*" : config.ci.branch;
  return [`project_path:${repository}:ref_type:branch:ref:${ref}`];
}

/** The workflows that may take the CI role of `path`. */
export function planWorkflows(
  config: TopologyConfig,
  provider: OidcProviderPlan,
  path: "plan" | "apply",
): CiWorkflowsPlan {
  return { kind: "oidc", provider, subjects: workflowSubjects(config, provider, path) };
}

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
 * - GitLab, every job by default: `project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH`. The
 *   environment is not part of it, so a shared apply role is pinned to the protected branch and
 *   the plan path admits every branch (merge request pipelines run on the source branch). With
 *   per-environment apply roles the project's subject is built from more claims (the project
 *   setting `ci_id_token_sub_claim_components`, see {@link GITLAB_SUB_CLAIM_COMPONENTS}), so
 *   each apply role admits only jobs of the protected branch in its own environment.
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

/**
 * The claims GitLab builds a project's ID-token subject from when apply roles are per
 * environment, in order (the project setting `ci_id_token_sub_claim_components`; the first
 * must be `project_path`). Each becomes `<claim>:<value>`, joined with `:`:
 * `project_path:G/P:ref_type:branch:ref:main:ref_protected:true:environment:dev`.
 * - `ref_protected` is `true` only for pipelines of a protected branch or tag; merge request
 *   pipelines, a fork's included, are not protected, so no merge request pipeline presents an
 *   apply subject, whatever its source branch is named.
 * - `environment` is the job's `environment:name`; only the apply job of that environment
 *   presents it. Jobs without an environment (plans) present no environment claim.
 */
export const GITLAB_SUB_CLAIM_COMPONENTS = [
  "project_path",
  "ref_type",
  "ref",
  "ref_protected",
  "environment",
] as const;

/** The GitLab apply subject of `environment` under {@link GITLAB_SUB_CLAIM_COMPONENTS}. */
export function gitlabEnvironmentSubject(
  repository: string,
  branch: string,
  environment: string,
): string {
  return `project_path:${repository}:ref_type:branch:ref:${branch}:ref_protected:true:environment:${environment}`;
}

/**
 * The token subjects that may take the CI role of `path`; on the apply path with `environment`,
 * those of that environment's apply jobs only.
 */
export function workflowSubjects(
  config: TopologyConfig,
  provider: OidcProviderPlan,
  path: "plan" | "apply",
  environment?: string,
): string[] {
  const repository = config.ci.repository ?? "";
  if (provider.platform === "github") {
    // The plan path also admits jobs of the protected branch without an environment: the
    // preview of a merged change before its apply is approved, and the scheduled drift plan.
    if (path === "plan") {
      return [
        `repo:${repository}:pull_request`,
        `repo:${repository}:ref:refs/heads/${config.ci.branch}`,
      ];
    }
    const environments = environment === undefined ? applyEnvironments(config) : [environment];
    return environments.map((env) => `repo:${repository}:environment:${env}`);
  }
  if (path === "apply" && environment !== undefined) {
    return [gitlabEnvironmentSubject(repository, config.ci.branch, environment)];
  }
  // Under the per-environment subject format a plan job's subject continues after the ref
  // (`:ref_protected:false`); `*` covers both formats.
  const ref = path === "plan" ? "*" : config.ci.branch;
  return [`project_path:${repository}:ref_type:branch:ref:${ref}`];
}

/** The workflows that may take the CI role of `path` (and apply `environment`). */
export function planWorkflows(
  config: TopologyConfig,
  provider: OidcProviderPlan,
  path: "plan" | "apply",
  environment?: string,
): CiWorkflowsPlan {
  return {
    kind: "oidc",
    provider,
    subjects: workflowSubjects(config, provider, path, environment),
  };
}

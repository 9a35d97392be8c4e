/**
 * The GitLab CI pipeline: a plan per workspace in every merge request pipeline, with the CI
 * plan role; on a push to the protected branch, the apply stages one after another, each job in
 * its workspace's environment and resource group, with the CI apply role.
 *
 * Credentials:
 * - OIDC (GitLab's "OpenID Connect (OIDC) Authentication Using ID Tokens"): each job asks for
 *   an ID token with the CI roles' audience, writes it to a file and exports
 *   `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_SESSION_NAME`; the AWS SDK in
 *   Terraform's s3 backend and aws provider takes the role from these, no aws CLI needed. The
 *   token's subject is `project_path:G/P:ref_type:branch:ref:<branch>`: the apply role trusts
 *   only the protected branch, the plan role every branch (merge request pipelines run on the
 *   source branch).
 * - iam-user: the CI user's keys come from CI/CD variables and go into a shared credentials
 *   file, and a shared config file names a profile that assumes the CI role from them
 *   (`source_profile`). The keys are not exported as `AWS_ACCESS_KEY_ID`: with keys in the
 *   environment, the s3 backend signs with them and ignores `AWS_PROFILE`, so it would act as
 *   the CI user instead of the CI role.
 */
import { HANDOFF_FILES } from "../terraform/files";
import { NO_STATE_YET_EXIT } from "../terraform/render-select-workspace";
import { commentHeader, KEY_VARIABLES, toolCommands, toolName } from "./files";
import { usesOidc, workspaceChunks, type PipelinePlan, type PipelineWorkspace } from "./model";
import { renderYaml } from "./yaml";

/** The plan jobs' name (a `parallel: matrix` job: `plan: [dev]`, ...). */
export const GITLAB_PLAN_JOB = "plan";

/** The apply job of a workspace. */
export function gitlabApplyJob(workspace: string): string {
  return `apply:${workspace}`;
}

/** The stage of apply stage `index` (0-based). */
export function gitlabApplyStage(index: number): string {
  return `apply-${index + 1}`;
}

/** The ID token variable of the OIDC modes. */
export const GITLAB_ID_TOKEN = "AWS_ID_TOKEN";

/** The image OpenTofu is installed into (OpenTofu 1.10+ images are not meant to run jobs). */
export const GITLAB_TOFU_BASE_IMAGE = "alpine:3.22";

const MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';

function branchPush(plan: PipelinePlan): string {
  return `$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "${plan.branch}"`;
}

/** The hidden job every job extends: the image with the tool, bash and jq, in the root. */
function baseJob(plan: PipelinePlan): Record<string, unknown> {
  if (plan.tool === "terraform") {
    return {
      image: { name: `hashicorp/terraform:${plan.toolVersion}`, entrypoint: [""] },
      before_script: ["apk add --no-cache bash jq", 'cd "$TF_ROOT"'],
    };
  }
  return {
    image: GITLAB_TOFU_BASE_IMAGE,
    before_script: [
      "apk add --no-cache bash cosign curl jq unzip",
      "curl --proto '=https' --tlsv1.2 -fsSL https://get.opentofu.org/install-opentofu.sh -o /tmp/install-opentofu.sh",
      // The standalone method checks the release's checksums and their cosign signature.
      `sh /tmp/install-opentofu.sh --install-method standalone --opentofu-version ${plan.toolVersion}`,
      'cd "$TF_ROOT"',
    ],
  };
}

/** The lines that make the job's AWS SDK take the CI role of `path`. */
function credentialLines(plan: PipelinePlan, path: "plan" | "apply"): string[] {
  if (usesOidc(plan.mode)) {
    return [
      'export AWS_ROLE_ARN="$ROLE_ARN"',
      'export AWS_ROLE_SESSION_NAME="gitlab-$CI_PROJECT_ID-$CI_JOB_ID"',
      'AWS_WEB_IDENTITY_TOKEN_FILE="$(mktemp)"',
      "export AWS_WEB_IDENTITY_TOKEN_FILE",
      `printf '%s' "$${GITLAB_ID_TOKEN}" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`,
    ];
  }
  const keys = KEY_VARIABLES[path];
  return [
    "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN",
    'AWS_SHARED_CREDENTIALS_FILE="$(mktemp)"',
    'AWS_CONFIG_FILE="$(mktemp)"',
    "export AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_PROFILE=ci",
    `printf '[ci-user]\\naws_access_key_id = %s\\naws_secret_access_key = %s\\n' "$${keys.id}" "$${keys.secret}" > "$AWS_SHARED_CREDENTIALS_FILE"`,
    `printf '[profile ci]\\nrole_arn = %s\\nsource_profile = ci-user\\nrole_session_name = gitlab-%s-%s\\n' "$ROLE_ARN" "$CI_PROJECT_ID" "$CI_JOB_ID" > "$AWS_CONFIG_FILE"`,
  ];
}

function idTokens(plan: PipelinePlan): Record<string, unknown> {
  return usesOidc(plan.mode) ? { id_tokens: { [GITLAB_ID_TOKEN]: { aud: plan.audience } } } : {};
}

/** GitLab's limit on the jobs of one `parallel: matrix`. */
export const GITLAB_MATRIX_LIMIT = 200;

/** The plan jobs' names: `plan`, then `plan:2`, ... for every further 200 workspaces. */
function planJobName(chunk: number): string {
  return chunk === 0 ? GITLAB_PLAN_JOB : `${GITLAB_PLAN_JOB}:${chunk + 1}`;
}

function planJob(plan: PipelinePlan, workspaces: readonly string[]): Record<string, unknown> {
  const c = toolCommands(plan);
  return {
    extends: ".terraform",
    stage: "plan",
    rules: [{ if: MERGE_REQUEST }],
    parallel: { matrix: [{ WORKSPACE: [...workspaces] }] },
    ...idTokens(plan),
    variables: { TF_VAR_access: "plan", ROLE_ARN: plan.planRoleArn },
    script: [
      ...credentialLines(plan, "plan"),
      c.init,
      // A workspace with no state yet (a new account) has nothing to plan against: the job
      // says so and passes; its first apply creates the state.
      `${c.selectWorkspace} || { status=$?; if [ "$status" -eq ${NO_STATE_YET_EXIT} ]; then echo "Workspace $WORKSPACE has no state yet: its first apply creates it."; exit 0; fi; exit "$status"; }`,
      c.plan,
    ],
  };
}

function applyJob(
  plan: PipelinePlan,
  workspace: PipelineWorkspace,
  index: number,
): Record<string, unknown> {
  const c = toolCommands(plan);
  const previous = index > 0 ? (plan.stages[index - 1] ?? []) : [];
  return {
    extends: ".terraform",
    stage: gitlabApplyStage(index),
    rules: [{ if: branchPush(plan) }],
    needs: previous.map((w) => gitlabApplyJob(w.workspace)),
    environment: { name: workspace.environment, action: "start" },
    // One apply at a time per workspace, across pipelines.
    resource_group: `terraform-${workspace.workspace}`,
    interruptible: false,
    ...idTokens(plan),
    variables: {
      TF_VAR_access: "apply",
      WORKSPACE: workspace.workspace,
      ROLE_ARN: plan.applyRoleArn,
    },
    script: [
      ...credentialLines(plan, "apply"),
      c.init,
      c.selectWorkspace,
      c.plan,
      // The saved plan, applied exactly, in the job that made it.
      c.apply,
    ],
  };
}

/** `.gitlab-ci.yml`. */
export function renderGitlabCi(plan: PipelinePlan): string {
  const jobs: Record<string, unknown> = {};
  workspaceChunks(plan, GITLAB_MATRIX_LIMIT).forEach((chunk, i) => {
    jobs[planJobName(i)] = planJob(plan, chunk);
  });
  plan.stages.forEach((stage, i) => {
    for (const w of stage) jobs[gitlabApplyJob(w.workspace)] = applyJob(plan, w, i);
  });
  const document = {
    workflow: { rules: [{ if: MERGE_REQUEST }, { if: branchPush(plan) }] },
    stages: ["plan", ...plan.stages.map((_, i) => gitlabApplyStage(i))],
    variables: {
      TF_ROOT: plan.terraformDirectory,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF: plan.tool,
      AWS_REGION: plan.region,
    },
    ".terraform": baseJob(plan),
    ...jobs,
  };
  const credentials = usesOidc(plan.mode)
    ? "Credentials: GitLab ID tokens, exchanged for the CI roles (no stored keys)."
    : `Credentials: the CI users' access keys, from CI/CD variables (${KEY_VARIABLES.plan.id}, ${KEY_VARIABLES.apply.id}, ...).`;
  return renderYaml(
    commentHeader(plan.stack, [
      "",
      `${toolName(plan)} for the workspaces of this project. Merge request pipelines: a plan per`,
      "workspace with the read-only CI plan role. Pushes to",
      `${plan.branch}: the apply stages in order, each job in its workspace's environment, with the`,
      "CI apply role. Copy to .gitlab-ci.yml and apply the settings of BRANCH-PROTECTION.md. Run",
      "it on ephemeral runners (Docker executor): jobs write short-lived credentials to temporary",
      "files.",
      credentials,
      `The Terraform root (${plan.terraformDirectory}) holds the tf-bootstrap handoff files (${HANDOFF_FILES.backend}, ...).`,
    ]),
    document,
  );
}

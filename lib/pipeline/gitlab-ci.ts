/**
 * The GitLab CI pipeline.
 *
 * - Every pipeline: a `changes` job lists the (root, workspace) pairs the change touches.
 * - Merge request pipelines: per root whose files (or shared modules, or the pipeline) changed,
 *   one matrix job plans the touched workspaces with the CI plan role; an untouched workspace
 *   says so and plans nothing. `Pipelines must succeed` is the one merge rule.
 * - Pushes to the protected branch, per stage and root: a preview (CI plan role) shows each
 *   plan in its log and records its change set's digest; a manual `approve` job (played by
 *   someone allowed to merge to the branch, after reading the previews) opens the stage; the
 *   apply jobs, in each workspace's environment, take its CI apply role, check the state has
 *   not moved, plan, refuse a plan whose change set differs from the preview's, and apply that
 *   plan file in the same job.
 * - Schedules and manual ("Run pipeline") pipelines on the protected branch: the full plan,
 *   failing on drift.
 *
 * Jobs run in a small image pinned by digest (lib/pipeline/pins.ts); bash, curl, git, jq and
 * unzip come from Alpine's signed package index; the tool only from its release archive whose
 * SHA-256 is the pinned one. Nothing fetched is run unchecked, and the ID token is written to a
 * file only after the tool is installed.
 *
 * Credentials:
 * - OIDC (GitLab's "OpenID Connect (OIDC) Authentication Using ID Tokens"): each job asks for
 *   an ID token with the CI roles' audience, writes it to a file and exports
 *   `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_SESSION_NAME`; the AWS SDK in
 *   Terraform's s3 backend and aws provider takes the role from these. The token's subject is
 *   `project_path:G/P:ref_type:branch:ref:<branch>`: the apply role trusts only the protected
 *   branch, the plan role every branch (merge request pipelines run on the source branch).
 * - iam-user: the CI user's keys come from CI/CD variables and go into a shared credentials
 *   file, and a shared config file names a profile that assumes the CI role from them
 *   (`source_profile`). The keys are not exported as `AWS_ACCESS_KEY_ID`: with keys in the
 *   environment, the s3 backend signs with them and ignores `AWS_PROFILE`, so it would act as
 *   the CI user instead of the CI role.
 *
 * Job scripts are POSIX sh: the runner picks the shell before `before_script` installs bash.
 */
import { HANDOFF_FILES } from "../terraform/files";
import { NO_STATE_YET_EXIT } from "../terraform/render-select-workspace";
import {
  commentHeader,
  KEY_VARIABLES,
  LOCK_TIMEOUT,
  PIPELINE_FILES,
  repositoryPath,
  toolName,
} from "./files";
import {
  pipelineWorkspaces,
  stageWorkspaces,
  usesOidc,
  type PipelinePlan,
  type PipelineRoot,
} from "./model";
import { GITLAB_IMAGE, imageRef, toolArchiveUrl } from "./pins";
import { renderPipelineData, SUPPORT_FOLDER, workspaceVarFile } from "./support-files";
import { renderYaml } from "./yaml";

/** GitLab's limit on the jobs of one `parallel: matrix`. */
export const GITLAB_MATRIX_LIMIT = 200;

/** The ID token variable of the OIDC modes. */
export const GITLAB_ID_TOKEN = "AWS_ID_TOKEN";

/** Where the support files go in the repository. */
export const GITLAB_SUPPORT = {
  data: `.gitlab/${SUPPORT_FOLDER}/pipeline.json`,
  changes: `.gitlab/${SUPPORT_FOLDER}/changes.sh`,
  digest: `.gitlab/${SUPPORT_FOLDER}/plan-digest.sh`,
} as const;

/** The file of touched pairs the `changes` job hands to every later job. */
const TOUCHED = "tf-bootstrap-touched.txt";

const MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"';

function branchPush(plan: PipelinePlan): string {
  return `$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "${plan.branch}"`;
}

function fullPlan(plan: PipelinePlan): string {
  return `($CI_PIPELINE_SOURCE == "schedule" || $CI_PIPELINE_SOURCE == "web") && $CI_COMMIT_BRANCH == "${plan.branch}"`;
}

/** The job names a user sees. */
export function gitlabPlanJob(root: string, chunk = 0): string {
  return chunk === 0 ? `plan:${root}` : `plan:${root}:${chunk + 1}`;
}

/** The preview, approval and apply jobs of stage `stage` (0-based) and `root`. */
export function gitlabStageJobs(stage: number, root: string) {
  const at = `${stage + 1}:${root}`;
  return { preview: `preview:${at}`, approve: `approve:${at}`, apply: `apply:${at}` };
}

/** The hidden job every job extends: the pinned image, the tools, the checked release. */
function baseJob(): Record<string, unknown> {
  return {
    image: imageRef(GITLAB_IMAGE),
    before_script: [
      "apk add --no-cache bash curl git jq unzip",
      'curl --proto "=https" --tlsv1.2 -fsSL -o /tmp/tool.zip "$TF_ARCHIVE_URL"',
      'echo "$TF_ARCHIVE_SHA256  /tmp/tool.zip" | sha256sum -c -',
      'unzip -q -o /tmp/tool.zip "$TF" -d /usr/local/bin',
      '"$TF" version',
    ],
  };
}

/** The lines that make the job's AWS SDK take the CI role in `$ROLE_ARN`. */
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

/** `rules: changes:` paths of a root: its directory, the shared paths, the pipeline's files. */
function rootPaths(plan: PipelinePlan, root: PipelineRoot): string[] {
  const under = (dir: string) => (dir === "." ? "**/*" : `${dir}/**/*`);
  return [
    under(root.directory),
    ...plan.sharedPaths.map(under),
    repositoryPath(PIPELINE_FILES.gitlabCi),
    `.gitlab/${SUPPORT_FOLDER}/**/*`,
  ];
}

/** Exits the job when the change does not touch `$ROOT $WORKSPACE`. */
const UNTOUCHED_EXIT = `if ! grep -qx "$ROOT $WORKSPACE" "$CI_PROJECT_DIR/${TOUCHED}"; then echo "This change does not touch workspace $WORKSPACE of root $ROOT: nothing to do."; exit 0; fi`;

const INIT = `"$TF" init -input=false -backend-config=${HANDOFF_FILES.backend}`;
const SELECT = `bash ${HANDOFF_FILES.selectWorkspace} "$WORKSPACE"`;
const VAR_FILE = `if [ -f "${workspaceVarFile()}" ]; then set -- -var-file="${workspaceVarFile()}"; else set --; fi`;
const PLAN = (detailed: boolean) =>
  `"$TF" plan -input=false -lock-timeout=${LOCK_TIMEOUT} -no-color${detailed ? " -detailed-exitcode" : ""} -out=tfplan "$@"`;

function changesJob(): Record<string, unknown> {
  return {
    stage: "changes",
    image: imageRef(GITLAB_IMAGE),
    before_script: ["apk add --no-cache bash git jq"],
    script: [
      'BASE="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-$CI_COMMIT_BEFORE_SHA}"',
      `bash ${GITLAB_SUPPORT.changes} "$CI_PIPELINE_SOURCE" "$BASE" "$CI_COMMIT_SHA" pairs | tee ${TOUCHED}`,
    ],
    artifacts: { paths: [TOUCHED], expire_in: "1 week" },
  };
}

function planJob(plan: PipelinePlan, root: PipelineRoot, workspaces: readonly string[]) {
  return {
    extends: ".terraform",
    stage: "plan",
    rules: [
      { if: MERGE_REQUEST, changes: { paths: rootPaths(plan, root) } },
      { if: fullPlan(plan) },
    ],
    needs: ["changes"],
    parallel: { matrix: [{ WORKSPACE: [...workspaces] }] },
    ...idTokens(plan),
    variables: { TF_VAR_access: "plan", ROOT: root.name, ROLE_ARN: plan.planRoleArn },
    script: [
      UNTOUCHED_EXIT,
      ...credentialLines(plan, "plan"),
      `cd "${root.directory}"`,
      INIT,
      // A workspace with no state yet (a new account) has nothing to plan against: the job
      // says so and passes; its first apply creates the state.
      `status=0; ${SELECT} || status=$?; if [ "$status" -eq ${NO_STATE_YET_EXIT} ]; then echo "Workspace $WORKSPACE has no state yet: its first apply creates it."; exit 0; fi; [ "$status" -eq 0 ]`,
      VAR_FILE,
      `status=0; ${PLAN(true)} || status=$?; [ "$status" -ne 1 ]`,
      '"$TF" show -no-color tfplan',
      'if [ "$status" -eq 2 ] && [ "$CI_PIPELINE_SOURCE" != merge_request_event ]; then echo "Drift in $ROOT/$WORKSPACE: the infrastructure differs from the configuration on the protected branch (plan above)."; exit 1; fi',
    ],
  };
}

function previewJob(plan: PipelinePlan, root: PipelineRoot, workspaces: readonly string[]) {
  const out = '"$CI_PROJECT_DIR/preview/$ROOT/$WORKSPACE"';
  return {
    extends: ".terraform",
    rules: [{ if: branchPush(plan), changes: { paths: rootPaths(plan, root) } }],
    parallel: { matrix: [{ WORKSPACE: [...workspaces] }] },
    ...idTokens(plan),
    variables: { TF_VAR_access: "plan", ROOT: root.name, ROLE_ARN: plan.planRoleArn },
    script: [
      `mkdir -p ${out}`,
      `if ! grep -qx "$ROOT $WORKSPACE" "$CI_PROJECT_DIR/${TOUCHED}"; then echo untouched > ${out}/untouched; echo "This change does not touch workspace $WORKSPACE of root $ROOT: nothing to apply."; exit 0; fi`,
      ...credentialLines(plan, "plan"),
      `cd "${root.directory}"`,
      INIT,
      `status=0; ${SELECT} || status=$?; if [ "$status" -eq ${NO_STATE_YET_EXIT} ]; then echo new > ${out}/new; echo "Workspace $WORKSPACE has no state yet: its apply job creates it and applies its whole configuration."; exit 0; fi; [ "$status" -eq 0 ]`,
      `"$TF" state pull | jq -r '"\\(.lineage) \\(.serial)"' > ${out}/state`,
      VAR_FILE,
      PLAN(false),
      `bash "$CI_PROJECT_DIR/${GITLAB_SUPPORT.digest}" tfplan > ${out}/digest`,
      'echo "Preview of workspace $WORKSPACE, root $ROOT: approve only if this is what should change."',
      '"$TF" show -no-color tfplan',
      `echo "Change set SHA-256 $(cat ${out}/digest), state $(cat ${out}/state)"`,
    ],
    artifacts: { paths: ["preview/"], expire_in: "1 week" },
  };
}

function approveJob(plan: PipelinePlan, root: PipelineRoot, workspaces: readonly string[]) {
  return {
    image: imageRef(GITLAB_IMAGE),
    rules: [
      {
        if: branchPush(plan),
        changes: { paths: rootPaths(plan, root) },
        when: "manual",
        allow_failure: false,
      },
    ],
    variables: { ROOT: root.name, WORKSPACES: workspaces.join(" ") },
    script: [
      'echo "$GITLAB_USER_LOGIN approved the apply of root $ROOT in: $WORKSPACES (previews in the stage before)."',
    ],
  };
}

function applyJob(
  plan: PipelinePlan,
  root: PipelineRoot,
  stage: readonly { workspace: string; environment: string }[],
  preview: string,
  approve: string,
) {
  const dir = '"$CI_PROJECT_DIR/preview/$ROOT/$WORKSPACE"';
  return {
    extends: ".terraform",
    rules: [{ if: branchPush(plan), changes: { paths: rootPaths(plan, root) } }],
    needs: [{ job: preview, artifacts: true }, { job: "changes", artifacts: true }, approve],
    parallel: {
      matrix: stage.map((w) => ({
        WORKSPACE: w.workspace,
        TF_ENVIRONMENT: w.environment,
        ROLE_ARN: plan.applyRoleArns[w.environment] ?? "",
      })),
    },
    environment: { name: "$TF_ENVIRONMENT", action: "start" },
    // One apply at a time per state, across pipelines.
    resource_group: "terraform-$ROOT-$WORKSPACE",
    interruptible: false,
    ...idTokens(plan),
    variables: { TF_VAR_access: "apply", ROOT: root.name },
    script: [
      `if [ -f ${dir}/untouched ]; then echo "This change does not touch workspace $WORKSPACE of root $ROOT: nothing to apply."; exit 0; fi`,
      ...credentialLines(plan, "apply"),
      `cd "${root.directory}"`,
      INIT,
      SELECT,
      `if [ ! -f ${dir}/new ]; then state="$("$TF" state pull | jq -r '"\\(.lineage) \\(.serial)"')"; if [ "$state" != "$(cat ${dir}/state)" ]; then echo "State of $ROOT/$WORKSPACE moved since the preview ($(cat ${dir}/state) -> $state): nothing was applied. Run the pipeline again to preview the change again."; exit 1; fi; fi`,
      VAR_FILE,
      PLAN(false),
      '"$TF" show -no-color tfplan',
      `if [ ! -f ${dir}/new ]; then digest="$(bash "$CI_PROJECT_DIR/${GITLAB_SUPPORT.digest}" tfplan)"; if [ "$digest" != "$(cat ${dir}/digest)" ]; then echo "The plan's change set ($digest) differs from the approved preview's ($(cat ${dir}/digest)): nothing was applied."; exit 1; fi; echo "Change set SHA-256 $digest: the approved preview's."; fi`,
      // The saved plan, applied exactly, in the job that made it.
      `"$TF" apply -input=false -lock-timeout=${LOCK_TIMEOUT} -no-color tfplan`,
    ],
  };
}

/** The workflow's own files: a change to any of them touches every root. */
export function gitlabOwnFiles(): string[] {
  return [repositoryPath(PIPELINE_FILES.gitlabCi), `.gitlab/${SUPPORT_FOLDER}`];
}

/** `.gitlab/tf-bootstrap/pipeline.json`. */
export function renderGitlabPipelineData(plan: PipelinePlan): string {
  return renderPipelineData(plan, gitlabOwnFiles(), GITLAB_MATRIX_LIMIT);
}

/** `.gitlab-ci.yml`. */
export function renderGitlabCi(plan: PipelinePlan): string {
  const jobs: Record<string, unknown> = { changes: changesJob() };
  const stages = ["changes", "plan"];
  const order = pipelineWorkspaces(plan).map((w) => w.workspace);
  for (const root of plan.roots) {
    const workspaces = order.filter((w) => root.workspaces.includes(w));
    for (let i = 0; i * GITLAB_MATRIX_LIMIT < workspaces.length; i++) {
      const chunk = workspaces.slice(i * GITLAB_MATRIX_LIMIT, (i + 1) * GITLAB_MATRIX_LIMIT);
      jobs[gitlabPlanJob(root.name, i)] = planJob(plan, root, chunk);
    }
  }
  plan.stages.forEach((stage, s) => {
    for (const root of plan.roots) {
      const members = stageWorkspaces(root, stage);
      if (members.length === 0) continue;
      const names = gitlabStageJobs(s, root.name);
      const gitlabStage = (kind: string) => `${kind}-${s + 1}-${root.name}`;
      stages.push(gitlabStage("preview"), gitlabStage("approve"), gitlabStage("apply"));
      for (let i = 0; i * GITLAB_MATRIX_LIMIT < members.length; i++) {
        const chunk = members.slice(i * GITLAB_MATRIX_LIMIT, (i + 1) * GITLAB_MATRIX_LIMIT);
        const suffix = i === 0 ? "" : `:${i + 1}`;
        jobs[`${names.preview}${suffix}`] = {
          stage: gitlabStage("preview"),
          ...previewJob(
            plan,
            root,
            chunk.map((w) => w.workspace),
          ),
        };
        jobs[`${names.apply}${suffix}`] = {
          stage: gitlabStage("apply"),
          ...applyJob(plan, root, chunk, `${names.preview}${suffix}`, names.approve),
        };
      }
      jobs[names.approve] = {
        stage: gitlabStage("approve"),
        ...approveJob(
          plan,
          root,
          members.map((w) => w.workspace),
        ),
      };
    }
  });
  const document = {
    workflow: {
      rules: [{ if: MERGE_REQUEST }, { if: branchPush(plan) }, { if: fullPlan(plan) }],
    },
    stages,
    variables: {
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF: plan.tool,
      TF_ARCHIVE_URL: toolArchiveUrl(plan.tool, plan.toolVersion),
      TF_ARCHIVE_SHA256: plan.toolSha256,
      AWS_REGION: plan.region,
      // The change detection compares with the merge request's base or the previous push.
      GIT_DEPTH: "0",
    },
    ".terraform": baseJob(),
    ...jobs,
  };
  const credentials = usesOidc(plan.mode)
    ? "Credentials: GitLab ID tokens, exchanged for the CI roles (no stored keys)."
    : `Credentials: the CI users' access keys, from CI/CD variables (${KEY_VARIABLES.plan.id}, ${KEY_VARIABLES.apply.id}, ...).`;
  return renderYaml(
    commentHeader(plan.stack, [
      "",
      `${toolName(plan)} for ${plan.roots.length === 1 ? "the Terraform root" : `the ${plan.roots.length} Terraform roots`} of this project (${pipelineWorkspaces(plan).length} workspaces). Merge`,
      "request pipelines: the touched roots and workspaces planned with the read-only CI plan role.",
      `Pushes to ${plan.branch}: per stage and root, previews, a manual approval, then the applies in`,
      "each workspace's environment, held to the previews' change sets. Schedules and manual runs:",
      "the full plan, failing on drift. Copy with the files of .gitlab/tf-bootstrap/ and apply the",
      "settings of BRANCH-PROTECTION.md. Run it on ephemeral runners (Docker executor): jobs write",
      "short-lived credentials to temporary files.",
      credentials,
    ]),
    document,
  );
}

/**
 * The GitHub Actions workflow: a plan per workspace on every pull request to the protected
 * branch, with the CI plan role; on a push to that branch, the apply stages one after another,
 * each job in its workspace's environment, with the CI apply role.
 *
 * Why the jobs look the way they do (GitHub's "About security hardening with OpenID Connect"):
 * - The OIDC subject of a job that names an environment is `repo:O/R:environment:E`, whatever
 *   its trigger; of a pull request job without one, `repo:O/R:pull_request`. The CI plan role
 *   trusts only the latter, the CI apply role only the former (for the apply environments),
 *   so the plan job never names an environment and every apply job does.
 * - Every permission is off at the top; each job asks for what it uses.
 * - No `workflow_dispatch`: it would let anyone with write access start the apply jobs from
 *   any ref (the environments' branch rules would stop them, but not the attempt).
 * - Values from the event never reach a `run:` script through `${{ }}`: they pass through
 *   `env:`. Only the generated matrix values are expanded by the runner.
 */
import { HANDOFF_FILES } from "../terraform/files";
import { NO_STATE_YET_EXIT } from "../terraform/render-select-workspace";
import {
  commentHeader,
  directoryPrefix,
  KEY_VARIABLES,
  PIPELINE_FILES,
  repositoryPath,
  toolCommands,
  toolName,
} from "./files";
import { usesOidc, workspaceChunks, type PipelinePlan, type PipelineWorkspace } from "./model";
import { renderYaml } from "./yaml";

/** The actions the workflow uses, pinned by major version. */
export const GITHUB_ACTIONS = {
  checkout: "actions/checkout@v4",
  credentials: "aws-actions/configure-aws-credentials@v4",
  setupTerraform: "hashicorp/setup-terraform@v3",
  setupOpenTofu: "opentofu/setup-opentofu@v1",
  githubScript: "actions/github-script@v7",
} as const;

/** The plan job's id; its check runs are named `plan (<workspace>)`. */
export const GITHUB_PLAN_JOB = "plan";

/** The id of the apply job of stage `index` (0-based): `apply-1`, `apply-2`, ... */
export function githubApplyJob(index: number): string {
  return `apply-${index + 1}`;
}

/** The check-run names of the plan job, one per workspace: the required status checks. */
export function githubPlanChecks(plan: PipelinePlan): string[] {
  return plan.stages.flat().map((w) => `${GITHUB_PLAN_JOB} (${w.workspace})`);
}

/** GitHub's limit on a comment's length, in characters. */
export const GITHUB_COMMENT_LIMIT = 65536;

/** What a step summary may hold; GitHub refuses one over 1 MiB. */
const SUMMARY_BYTES = 1_000_000;

/** The marker that identifies the plan comment of a workspace, so a new push updates it. */
const COMMENT_MARKER = "<!-- tf-bootstrap plan: ";

type Step = Record<string, unknown>;

function checkoutStep(): Step {
  return {
    name: "Check out",
    uses: GITHUB_ACTIONS.checkout,
    with: { "persist-credentials": false },
  };
}

function setupToolStep(plan: PipelinePlan): Step {
  return plan.tool === "tofu"
    ? {
        name: `Install ${toolName(plan)} ${plan.toolVersion}`,
        uses: GITHUB_ACTIONS.setupOpenTofu,
        with: { tofu_version: plan.toolVersion, tofu_wrapper: false },
      }
    : {
        name: `Install ${toolName(plan)} ${plan.toolVersion}`,
        uses: GITHUB_ACTIONS.setupTerraform,
        with: { terraform_version: plan.toolVersion, terraform_wrapper: false },
      };
}

function credentialsStep(plan: PipelinePlan, path: "plan" | "apply"): Step {
  const roleArn = path === "plan" ? plan.planRoleArn : plan.applyRoleArn;
  const keys = KEY_VARIABLES[path];
  const identity = usesOidc(plan.mode)
    ? { audience: plan.audience }
    : {
        "aws-access-key-id": `\${{ secrets.${keys.id} }}`,
        "aws-secret-access-key": `\${{ secrets.${keys.secret} }}`,
      };
  return {
    name: `Take the CI ${path} role`,
    uses: GITHUB_ACTIONS.credentials,
    with: {
      ...identity,
      "role-to-assume": roleArn,
      "role-session-name": `terraform-${path}-\${{ github.run_id }}`,
      // The CI roles' trusts refuse sts:TagSession: tags chosen by the job are not evidence.
      "role-skip-session-tagging": true,
      "role-duration-seconds": plan.sessionDurationSeconds,
      "aws-region": plan.region,
    },
  };
}

/**
 * Init, workspace selection and the saved plan, shown in the job summary. On the plan path a
 * workspace with no state yet (a new account) is reported, in place of its plan, and the job
 * passes: its first apply creates the state.
 */
function terraformSteps(plan: PipelinePlan, path: "plan" | "apply"): Step[] {
  const c = toolCommands(plan);
  const planned = path === "plan" ? { if: "steps.workspace.outputs.new != 'true'" } : {};
  return [
    { name: "Init", run: c.init },
    path === "plan"
      ? {
          name: "Select the workspace",
          id: "workspace",
          run: [
            "status=0",
            `${c.selectWorkspace} || status=$?`,
            `if [ "$status" -eq ${NO_STATE_YET_EXIT} ]; then`,
            '  echo "Workspace $WORKSPACE has no state yet: nothing to plan against. Its first apply, after the merge, creates the state and shows the whole plan in the summary of that job." > tfplan.txt',
            '  cat tfplan.txt >> "$GITHUB_STEP_SUMMARY"',
            '  echo "new=true" >> "$GITHUB_OUTPUT"',
            "  exit 0",
            "fi",
            'exit "$status"',
            "",
          ].join("\n"),
        }
      : { name: "Select the workspace", run: c.selectWorkspace },
    { name: "Plan", ...planned, run: c.plan },
    {
      name: "Show the plan in the job summary",
      ...planned,
      run: [
        `${c.show} > tfplan.txt`,
        "{",
        '  echo "### Plan for workspace \\`$WORKSPACE\\`"',
        "  echo",
        "  echo '```'",
        `  head -c ${SUMMARY_BYTES} tfplan.txt`,
        "  echo",
        "  echo '```'",
        '} >> "$GITHUB_STEP_SUMMARY"',
        "",
      ].join("\n"),
    },
  ];
}

/** The github-script that posts the plan on the pull request, one comment per workspace. */
function commentScript(): string {
  return [
    'const fs = require("fs");',
    "const { WORKSPACE, PLAN_FILE, TOOL } = process.env;",
    `const marker = \`${COMMENT_MARKER}\${WORKSPACE} -->\`;`,
    `const limit = ${GITHUB_COMMENT_LIMIT}; // GitHub's maximum comment length`,
    'let text = fs.readFileSync(PLAN_FILE, "utf8");',
    "// A fence longer than any run of backticks in the plan.",
    "const longest = (text.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0);",
    'const fence = "`".repeat(Math.max(3, longest + 1));',
    "const run = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;",
    "const sha = context.payload.pull_request.head.sha;",
    "const head = `${marker}\\n### ${TOOL} plan for workspace \\`${WORKSPACE}\\`\\n\\nCommit ${sha}, [workflow run](${run}).\\n\\n${fence}\\n`;",
    "const tail = `\\n${fence}\\n`;",
    'const cut = "\\n... (truncated: the whole plan is in the workflow run\'s summary)";',
    "if (head.length + text.length + tail.length > limit) {",
    "  text = text.slice(0, limit - head.length - tail.length - cut.length) + cut;",
    "}",
    "const body = head + text + tail;",
    "const { owner, repo } = context.repo;",
    "const issue_number = context.issue.number;",
    "const comments = await github.paginate(github.rest.issues.listComments, {",
    "  owner,",
    "  repo,",
    "  issue_number,",
    "  per_page: 100,",
    "});",
    "const previous = comments.find(",
    '  (c) => c.user?.login === "github-actions[bot]" && c.body?.startsWith(marker),',
    ");",
    "if (previous) {",
    "  await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });",
    "} else {",
    "  await github.rest.issues.createComment({ owner, repo, issue_number, body });",
    "}",
    "",
  ].join("\n");
}

/** GitHub's limit on the jobs of one matrix. */
export const GITHUB_MATRIX_LIMIT = 256;

/** The plan jobs' ids: `plan`, then `plan-2`, ... for every further 256 workspaces. */
function planJobId(chunk: number): string {
  return chunk === 0 ? GITHUB_PLAN_JOB : `${GITHUB_PLAN_JOB}-${chunk + 1}`;
}

function planJob(plan: PipelinePlan, workspaces: readonly string[]): Record<string, unknown> {
  return {
    name: `${GITHUB_PLAN_JOB} (\${{ matrix.workspace }})`,
    if: "github.event_name == 'pull_request'",
    "runs-on": "ubuntu-latest",
    // No `environment:` here: it would change the OIDC subject away from the only one the CI
    // plan role trusts, and make the job wait for the environment's reviewers.
    permissions: {
      contents: "read",
      ...(usesOidc(plan.mode) ? { "id-token": "write" } : {}),
      "pull-requests": "write",
    },
    strategy: {
      "fail-fast": false,
      matrix: { workspace: [...workspaces] },
    },
    env: { TF_VAR_access: "plan", WORKSPACE: "${{ matrix.workspace }}" },
    steps: [
      checkoutStep(),
      setupToolStep(plan),
      credentialsStep(plan, "plan"),
      ...terraformSteps(plan, "plan"),
      {
        name: "Post the plan on the pull request",
        uses: GITHUB_ACTIONS.githubScript,
        env: {
          PLAN_FILE: `${directoryPrefix(plan)}tfplan.txt`,
          TOOL: plan.tool,
        },
        with: { script: commentScript() },
      },
    ],
  };
}

function applyJob(plan: PipelinePlan, stage: readonly PipelineWorkspace[], index: number) {
  const single = stage.length === 1 ? stage[0] : undefined;
  const workspace = single ? single.workspace : "${{ matrix.workspace }}";
  return {
    name: `apply (${workspace})`,
    ...(index > 0 ? { needs: githubApplyJob(index - 1) } : {}),
    if: `github.event_name == 'push' && github.ref == 'refs/heads/${plan.branch}'`,
    "runs-on": "ubuntu-latest",
    environment: single ? single.environment : "${{ matrix.environment }}",
    // One apply at a time per workspace, across runs; a queued apply is never cancelled by
    // the next push's (GitHub cancels a pending run only when a newer one queues behind it).
    concurrency: { group: `terraform-${workspace}`, "cancel-in-progress": false },
    permissions: {
      contents: "read",
      ...(usesOidc(plan.mode) ? { "id-token": "write" } : {}),
    },
    ...(single
      ? {}
      : {
          strategy: {
            // A failed apply must not cancel the stage's other applies halfway.
            "fail-fast": false,
            matrix: {
              include: stage.map((w) => ({ workspace: w.workspace, environment: w.environment })),
            },
          },
        }),
    env: { TF_VAR_access: "apply", WORKSPACE: workspace },
    steps: [
      checkoutStep(),
      setupToolStep(plan),
      credentialsStep(plan, "apply"),
      ...terraformSteps(plan, "apply"),
      { name: "Apply the saved plan", run: toolCommands(plan).apply },
    ],
  };
}

/** `.github/workflows/terraform.yml`. */
export function renderGithubWorkflow(plan: PipelinePlan): string {
  const prefix = directoryPrefix(plan);
  const paths =
    prefix === "" ? undefined : [`${prefix}**`, repositoryPath(PIPELINE_FILES.githubWorkflow)];
  const trigger = { branches: [plan.branch], ...(paths ? { paths } : {}) };
  const jobs: Record<string, unknown> = {};
  workspaceChunks(plan, GITHUB_MATRIX_LIMIT).forEach((chunk, i) => {
    jobs[planJobId(i)] = planJob(plan, chunk);
  });
  plan.stages.forEach((stage, i) => {
    jobs[githubApplyJob(i)] = applyJob(plan, stage, i);
  });
  const document = {
    name: "terraform",
    on: { pull_request: trigger, push: trigger },
    permissions: {},
    defaults: { run: { shell: "bash", "working-directory": plan.terraformDirectory } },
    env: { TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF: plan.tool },
    jobs,
  };
  const credentials = usesOidc(plan.mode)
    ? "Credentials: GitHub's OIDC token, exchanged for the CI roles (no stored keys)."
    : "Credentials: the CI users' access keys, from repository (plan) and environment (apply) secrets.";
  return renderYaml(
    commentHeader(plan.stack, [
      "",
      `${toolName(plan)} for the workspaces of this repository. Pull requests to ${plan.branch}: a plan per`,
      "workspace with the read-only CI plan role, posted on the pull request. Pushes to",
      `${plan.branch}: the apply stages in order, each job in its workspace's environment, with the`,
      "CI apply role. Copy to .github/workflows/terraform.yml and apply the settings of",
      "BRANCH-PROTECTION.md.",
      credentials,
      `The Terraform root (${plan.terraformDirectory}) holds the tf-bootstrap handoff files (${HANDOFF_FILES.backend}, ...).`,
    ]),
    document,
  );
}

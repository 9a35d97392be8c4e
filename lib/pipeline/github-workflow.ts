/**
 * The GitHub Actions workflow.
 *
 * - Pull requests: a `changes` job finds the (root, workspace) pairs the change touches; one
 *   matrix plans them with the read-only CI plan role; `Terraform plan` aggregates the matrix
 *   into the one required check; a `plan comment` job posts one comment per root, updated in
 *   place on every push.
 * - Pushes to the protected branch: for each stage and root that the change touches, a preview
 *   job plans with the CI plan role and shows the plan in its job summary; then the apply job,
 *   in each workspace's environment (whose reviewers approve it after reading the preview),
 *   takes the environment's CI apply role, checks that the state has not moved since the
 *   preview, plans, refuses a plan whose change set differs from the preview's, and applies
 *   that plan file in the same job: the plan file never leaves the runner.
 * - Schedule and manual runs on the protected branch: the full plan of every pair, which fails
 *   on drift (a plan with changes).
 *
 * Why the jobs look the way they do (GitHub's "About security hardening with OpenID Connect"):
 * - The OIDC subject of a job that names an environment is `repo:O/R:environment:E`, whatever
 *   its trigger; of a pull request job without one, `repo:O/R:pull_request`; of a branch job
 *   without one, `repo:O/R:ref:refs/heads/B`. The CI plan role trusts the latter two, the CI
 *   apply role only the apply environments: so no job but an approved apply job holds it.
 * - Every permission is off at the top; each job asks for what it uses.
 * - Values from the event never reach a `run:` script through `${{ }}`: they pass through
 *   `env:`. Every `uses:` is a full commit SHA from lib/pipeline/pins.ts.
 * - The tool is downloaded from its release host and installed only if its SHA-256 is the
 *   pinned one; no setup action runs.
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
  stageLabel,
  stageWorkspaces,
  usesOidc,
  type PipelinePlan,
} from "./model";
import { GITHUB_ACTION_PINS, toolArchiveUrl, usesRef, type ActionPin } from "./pins";
import {
  applyKey,
  planMatrices,
  renderPipelineData,
  SUPPORT_FOLDER,
  workspaceVarFile,
} from "./support-files";
import { renderYaml } from "./yaml";

/** GitHub's limit on the jobs of one matrix. */
export const GITHUB_MATRIX_LIMIT = 256;

/** The job ids and check names a user relies on. */
export const GITHUB_JOBS = {
  changes: "changes",
  planResult: "plan-result",
  applyResult: "apply-result",
  comment: "plan-comment",
} as const;

/** The one required status check of pull requests. */
export const GITHUB_PLAN_CHECK = "Terraform plan";

/** The status of the apply path on the protected branch's commits. */
export const GITHUB_APPLY_CHECK = "Terraform apply";

/** Where the support files go in the repository. */
export const GITHUB_SUPPORT = {
  data: `.github/${SUPPORT_FOLDER}/pipeline.json`,
  changes: `.github/${SUPPORT_FOLDER}/changes.sh`,
  digest: `.github/${SUPPORT_FOLDER}/plan-digest.sh`,
} as const;

/** The workflow's file name under `.github/workflows/`. */
const GITHUB_WORKFLOW_FILE = "terraform.yml";

/** GitHub's limit on a comment's length, in characters. */
export const GITHUB_COMMENT_LIMIT = 65536;

/** What a step summary may hold; GitHub refuses one over 1 MiB. */
const SUMMARY_BYTES = 900_000;

/** The marker that identifies the plan comment of a root, so a new push updates it. */
const COMMENT_MARKER = "<!-- tf-bootstrap plan: ";

/** The preview-job id of stage `stage` (0-based) and root `root`. */
function previewJob(stage: number, root: string): string {
  return `preview-${stage + 1}-${root}`;
}

/** The apply-job id of stage `stage` (0-based) and root `root`. */
export function githubApplyJob(stage: number, root: string): string {
  return applyKey(stage, root);
}

type Step = Record<string, unknown>;
type Job = Record<string, unknown>;

function uses(pin: ActionPin): string {
  return usesRef(pin);
}

function checkoutStep(fetchDepth?: number): Step {
  return {
    name: "Check out",
    uses: uses(GITHUB_ACTION_PINS.checkout),
    with: {
      "persist-credentials": false,
      ...(fetchDepth === undefined ? {} : { "fetch-depth": fetchDepth }),
    },
  };
}

function installStep(plan: PipelinePlan): Step {
  return {
    name: `Install ${toolName(plan)} ${plan.toolVersion} (SHA-256 checked)`,
    "working-directory": ".",
    run: [
      'archive="$RUNNER_TEMP/tool.zip"',
      'curl --proto \'=https\' --tlsv1.2 -fsSL -o "$archive" "$TF_ARCHIVE_URL"',
      'echo "$TF_ARCHIVE_SHA256  $archive" | sha256sum -c -',
      'unzip -q -o "$archive" "$TF" -d "$RUNNER_TEMP/tool"',
      'sudo install -m 0755 "$RUNNER_TEMP/tool/$TF" "/usr/local/bin/$TF"',
      '"$TF" version',
      "",
    ].join("\n"),
  };
}

function credentialsStep(plan: PipelinePlan, path: "plan" | "apply"): Step {
  const keys = KEY_VARIABLES[path];
  const identity = usesOidc(plan.mode)
    ? { audience: plan.audience }
    : {
        "aws-access-key-id": `\${{ secrets.${keys.id} }}`,
        "aws-secret-access-key": `\${{ secrets.${keys.secret} }}`,
      };
  return {
    name: path === "plan" ? "Take the CI plan role" : "Take the CI apply role of the environment",
    uses: uses(GITHUB_ACTION_PINS.credentials),
    with: {
      ...identity,
      "role-to-assume": path === "plan" ? plan.planRoleArn : "${{ matrix.role }}",
      "role-session-name": `terraform-${path}-\${{ github.run_id }}`,
      // The CI roles' trusts refuse sts:TagSession: tags chosen by the job are not evidence.
      "role-skip-session-tagging": true,
      "role-duration-seconds": plan.sessionDurationSeconds,
      "aws-region": plan.region,
    },
  };
}

/** `init` and the workspace selection; on plan access a workspace with no state is reported. */
function selectSteps(access: "plan" | "apply", onNew: string): Step[] {
  const init = `"$TF" init -input=false -backend-config=${HANDOFF_FILES.backend}`;
  const select = `bash ${HANDOFF_FILES.selectWorkspace} "$WORKSPACE"`;
  if (access === "apply") {
    return [
      { name: "Init", run: init },
      { name: "Select the workspace", run: select },
    ];
  }
  return [
    { name: "Init", run: init },
    {
      name: "Select the workspace",
      id: "workspace",
      run: [
        "status=0",
        `${select} || status=$?`,
        `if [ "$status" -eq ${NO_STATE_YET_EXIT} ]; then`,
        `  echo "Workspace $WORKSPACE of root $ROOT has no state yet: ${onNew}" >> "$GITHUB_STEP_SUMMARY"`,
        '  echo "new=true" >> "$GITHUB_OUTPUT"',
        "  exit 0",
        "fi",
        'exit "$status"',
        "",
      ].join("\n"),
    },
  ];
}

/** The plan command: the workspace's variables file when it exists, the lock timeout, a saved plan. */
function planCommand(detailed: boolean): string[] {
  return [
    "var_file=()",
    `if [ -f "${workspaceVarFile()}" ]; then var_file=(-var-file="${workspaceVarFile()}"); fi`,
    `"$TF" plan -input=false -lock-timeout=${LOCK_TIMEOUT} -no-color${detailed ? " -detailed-exitcode" : ""} -out=tfplan "\${var_file[@]}"`,
  ];
}

/** Writes `tfplan`'s text into the job summary under `title` (a shell string). */
function summaryLines(title: string): string[] {
  return [
    '"$TF" show -no-color tfplan > tfplan.txt',
    "{",
    `  echo "### ${title}"`,
    "  echo",
    "  echo '```'",
    `  head -c ${SUMMARY_BYTES} tfplan.txt`,
    "  echo",
    "  echo '```'",
    '} >> "$GITHUB_STEP_SUMMARY"',
  ];
}

const ON_PUSH = (plan: PipelinePlan) =>
  `github.event_name == 'push' && github.ref == 'refs/heads/${plan.branch}'`;

/** Pull requests, and schedule / manual runs on the protected branch. */
const ON_PLAN = (plan: PipelinePlan) =>
  `(github.event_name == 'pull_request' || ((github.event_name == 'schedule' || github.event_name == 'workflow_dispatch') && github.ref == 'refs/heads/${plan.branch}'))`;

function permissions(plan: PipelinePlan, extra: Record<string, string> = {}) {
  return {
    contents: "read",
    ...(usesOidc(plan.mode) ? { "id-token": "write" } : {}),
    ...extra,
  };
}

function matrixStrategy(plan: PipelinePlan, output: string) {
  return {
    "fail-fast": false,
    "max-parallel": plan.maxParallel,
    matrix: { include: `\${{ fromJSON(needs.${GITHUB_JOBS.changes}.outputs.${output}) }}` },
  };
}

function changesJob(outputs: readonly string[]): Job {
  return {
    name: "changes",
    "runs-on": "ubuntu-latest",
    permissions: { contents: "read", actions: "read" },
    outputs: Object.fromEntries(outputs.map((o) => [o, `\${{ steps.changes.outputs.${o} }}`])),
    steps: [
      checkoutStep(0),
      {
        name: "Find the roots and workspaces the change touches",
        id: "changes",
        env: {
          EVENT: "${{ github.event_name }}",
          BASE: "${{ github.event.pull_request.base.sha || github.event.before }}",
          HEAD: "${{ github.sha }}",
          GH_TOKEN: "${{ github.token }}",
          REPOSITORY: "${{ github.repository }}",
        },
        run: [
          "# A push is compared with the previous one only if that push's run succeeded: the",
          "# changes of a failed or cancelled run are not applied yet, so everything is planned.",
          'if [ "$EVENT" = push ] && [ -n "${BASE//0/}" ]; then',
          `  previous="$(gh api "repos/$REPOSITORY/actions/workflows/${GITHUB_WORKFLOW_FILE}/runs?head_sha=$BASE&event=push&per_page=1" --jq '.workflow_runs[0].conclusion // "none"')"`,
          '  if [ "$previous" != success ]; then',
          '    echo "The run of the previous push ($BASE) ended: $previous. Every root and workspace is planned."',
          "    EVENT=full",
          "  fi",
          "fi",
          `bash ${GITHUB_SUPPORT.changes} "$EVENT" "$BASE" "$HEAD" github | tee -a "$GITHUB_OUTPUT"`,
          "",
        ].join("\n"),
      },
    ],
  };
}

function planJob(plan: PipelinePlan, key: string): Job {
  return {
    name: "plan (${{ matrix.root }}/${{ matrix.workspace }})",
    needs: GITHUB_JOBS.changes,
    if: `${ON_PLAN(plan)} && needs.${GITHUB_JOBS.changes}.outputs.${key} != '[]'`,
    "runs-on": "ubuntu-latest",
    // No `environment:`: it would change the OIDC subject away from the ones the CI plan role
    // trusts, and make the job wait for the environment's reviewers.
    permissions: permissions(plan),
    strategy: matrixStrategy(plan, key),
    env: {
      TF_VAR_access: "plan",
      ROOT: "${{ matrix.root }}",
      WORKSPACE: "${{ matrix.workspace }}",
    },
    defaults: { run: { "working-directory": "${{ matrix.directory }}" } },
    steps: [
      checkoutStep(),
      installStep(plan),
      credentialsStep(plan, "plan"),
      ...selectSteps("plan", "its first apply, after the merge, creates it."),
      {
        name: "Plan",
        if: "steps.workspace.outputs.new != 'true'",
        env: { EVENT: "${{ github.event_name }}" },
        run: [
          ...planCommand(true).slice(0, 2),
          "status=0",
          `${planCommand(true)[2]} || status=$?`,
          'if [ "$status" -eq 1 ]; then exit 1; fi',
          ...summaryLines("Plan of workspace \\`$WORKSPACE\\`, root \\`$ROOT\\`"),
          'if [ "$status" -eq 2 ] && [ "$EVENT" != pull_request ]; then',
          '  echo "::error title=Drift in $ROOT/$WORKSPACE::the infrastructure differs from the configuration on the protected branch; the job summary shows the plan"',
          "  exit 1",
          "fi",
          "",
        ].join("\n"),
      },
      {
        name: "Keep the plan text for the pull request comment",
        if: "always() && github.event_name == 'pull_request'",
        run: [
          'out="$RUNNER_TEMP/plan-text"',
          'mkdir -p "$out"',
          'if [ -f tfplan.txt ]; then cp tfplan.txt "$out/plan.txt"; else echo "(no plan: see the job)" > "$out/plan.txt"; fi',
          "",
        ].join("\n"),
      },
      {
        name: "Upload the plan text",
        if: "always() && github.event_name == 'pull_request'",
        uses: uses(GITHUB_ACTION_PINS.uploadArtifact),
        with: {
          name: "plan-${{ matrix.root }}-${{ matrix.workspace }}",
          path: "${{ runner.temp }}/plan-text/plan.txt",
          "retention-days": 1,
          "if-no-files-found": "error",
        },
      },
    ],
  };
}

/** The github-script that posts one comment per root, updated in place. */
function commentScript(plan: PipelinePlan, keys: readonly string[]): string {
  return [
    'const fs = require("fs");',
    'const path = require("path");',
    `const marker = (root) => \`${COMMENT_MARKER}\${root} -->\`;`,
    `const limit = ${GITHUB_COMMENT_LIMIT}; // GitHub's maximum comment length`,
    `const roots = ${JSON.stringify(plan.roots.map((r) => r.name))};`,
    `const planned = [${keys.map((k) => `...JSON.parse(process.env.${k.toUpperCase().replace(/-/g, "_")} || "[]")`).join(", ")}];`,
    "const run = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;",
    "const sha = context.payload.pull_request.head.sha;",
    "const { owner, repo } = context.repo;",
    "const issue_number = context.issue.number;",
    "const comments = await github.paginate(github.rest.issues.listComments, {",
    "  owner,",
    "  repo,",
    "  issue_number,",
    "  per_page: 100,",
    "});",
    "for (const root of roots) {",
    "  const pairs = planned.filter((p) => p.root === root);",
    "  const head = `${marker(root)}\\n### Terraform plan of root \\`${root}\\`\\n\\nCommit ${sha}, [workflow run](${run}).\\n\\n`;",
    "  const sections = pairs.map((p) => {",
    '    const file = path.join("plans", `plan-${p.root}-${p.workspace}`, "plan.txt");',
    '    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "(no plan: the job failed; see the workflow run)";',
    '    const summary = (text.match(/^(Plan: .*|No changes\\..*)$/m) ?? ["see the plan"])[0];',
    "    const longest = (text.match(/`+/g) ?? []).reduce((n, r) => Math.max(n, r.length), 0);",
    '    const fence = "`".repeat(Math.max(3, longest + 1));',
    "    return { title: `<details><summary><code>${p.workspace}</code>: ${summary}</summary>\\n\\n`, fence, text };",
    "  });",
    "  let body = head;",
    "  if (pairs.length === 0) body += 'This push changes nothing in this root: no plan.\\n';",
    "  // Every workspace gets its line; the plan texts share what is left of the limit.",
    "  const fixed = head.length + sections.reduce((n, s) => n + s.title.length + 2 * s.fence.length + 40, 0);",
    "  const share = Math.max(0, Math.floor((limit - fixed) / Math.max(1, sections.length)));",
    '  const cut = "\\n... (truncated: the whole plan is in the job summary)";',
    "  for (const s of sections) {",
    "    const text = s.text.length > share ? s.text.slice(0, Math.max(0, share - cut.length)) + cut : s.text;",
    "    body += `${s.title}${s.fence}\\n${text}\\n${s.fence}\\n</details>\\n`;",
    "  }",
    "  const previous = comments.find(",
    '    (c) => c.user?.login === "github-actions[bot]" && c.body?.startsWith(marker(root)),',
    "  );",
    "  if (previous) {",
    "    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });",
    "  } else if (pairs.length > 0) {",
    "    await github.rest.issues.createComment({ owner, repo, issue_number, body });",
    "  }",
    "}",
    "",
  ].join("\n");
}

function commentJob(plan: PipelinePlan, keys: readonly string[]): Job {
  return {
    name: "plan comment",
    needs: [GITHUB_JOBS.changes, ...keys],
    if: `always() && github.event_name == 'pull_request' && needs.${GITHUB_JOBS.changes}.result == 'success'`,
    "runs-on": "ubuntu-latest",
    permissions: { "pull-requests": "write" },
    steps: [
      {
        name: "Download the plan texts",
        uses: uses(GITHUB_ACTION_PINS.downloadArtifact),
        with: { pattern: "plan-*", path: "plans" },
      },
      {
        name: "Post one comment per root",
        uses: uses(GITHUB_ACTION_PINS.githubScript),
        env: Object.fromEntries(
          keys.map((k) => [
            k.toUpperCase().replace(/-/g, "_"),
            `\${{ needs.${GITHUB_JOBS.changes}.outputs.${k} }}`,
          ]),
        ),
        with: { script: commentScript(plan, keys) },
      },
    ],
  };
}

function resultJob(name: string, needs: readonly string[], condition: string): Job {
  return {
    name,
    needs: [...needs],
    if: `always() && ${condition}`,
    "runs-on": "ubuntu-latest",
    permissions: {},
    steps: [
      {
        name: "Every job succeeded or had nothing to do",
        env: { RESULTS: "${{ toJSON(needs) }}" },
        run: [
          'echo "$RESULTS" | jq -r \'to_entries[] | "\\(.key): \\(.value.result)"\'',
          `echo "$RESULTS" | jq -e 'to_entries | all(.value.result == "success" or (.key != "${GITHUB_JOBS.changes}" and .value.result == "skipped"))' > /dev/null`,
          "",
        ].join("\n"),
      },
    ],
  };
}

/** Every earlier preview and apply job of the push path, in order. */
interface PushJob {
  readonly preview: string;
  readonly apply: string;
  readonly stage: number;
  readonly root: string;
}

function pushJobs(plan: PipelinePlan): PushJob[] {
  const out: PushJob[] = [];
  plan.stages.forEach((stage, s) => {
    for (const r of plan.roots) {
      if (stageWorkspaces(r, stage).length === 0) continue;
      out.push({
        preview: previewJob(s, r.name),
        apply: githubApplyJob(s, r.name),
        stage: s,
        root: r.name,
      });
    }
  });
  return out;
}

/** The condition of a push-path job: the push, its matrix not empty, nothing before it failed. */
function chainCondition(plan: PipelinePlan, key: string): string {
  return `!cancelled() && ${ON_PUSH(plan)} && needs.${GITHUB_JOBS.changes}.outputs.${key} != '[]' && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled')`;
}

function previewJobOf(plan: PipelinePlan, job: PushJob, earlier: readonly string[]): Job {
  const key = applyKey(job.stage, job.root);
  return {
    name: `preview ${stageLabel(plan, job.stage)} (\${{ matrix.root }}/\${{ matrix.workspace }})`,
    needs: [GITHUB_JOBS.changes, ...earlier],
    if: chainCondition(plan, key),
    "runs-on": "ubuntu-latest",
    permissions: permissions(plan),
    strategy: matrixStrategy(plan, key),
    env: {
      TF_VAR_access: "plan",
      ROOT: "${{ matrix.root }}",
      WORKSPACE: "${{ matrix.workspace }}",
    },
    defaults: { run: { "working-directory": "${{ matrix.directory }}" } },
    steps: [
      checkoutStep(),
      installStep(plan),
      credentialsStep(plan, "plan"),
      ...selectSteps(
        "plan",
        "its apply job creates it and applies its whole configuration; that plan is in the apply job's summary.",
      ),
      {
        name: "Plan, and show the plan the apply job will be held to",
        if: "steps.workspace.outputs.new != 'true'",
        run: [
          '"$TF" state pull | jq -r \'"\\(.lineage) \\(.serial)"\' > "$RUNNER_TEMP/state"',
          ...planCommand(false),
          `bash "$GITHUB_WORKSPACE/${GITHUB_SUPPORT.digest}" tfplan > "$RUNNER_TEMP/digest"`,
          ...summaryLines(
            "Preview of workspace \\`$WORKSPACE\\`, root \\`$ROOT\\`: approve the environment only if this is what should change",
          ),
          'echo "Change set SHA-256: $(cat "$RUNNER_TEMP/digest"), state $(cat "$RUNNER_TEMP/state")" >> "$GITHUB_STEP_SUMMARY"',
          "",
        ].join("\n"),
      },
      {
        name: "Record the preview",
        run: [
          'out="$RUNNER_TEMP/preview"',
          'mkdir -p "$out"',
          'if [ -f "$RUNNER_TEMP/digest" ]; then cp "$RUNNER_TEMP/digest" "$RUNNER_TEMP/state" "$out/"; else echo new > "$out/new"; fi',
          "",
        ].join("\n"),
      },
      {
        name: "Upload the preview's digest",
        uses: uses(GITHUB_ACTION_PINS.uploadArtifact),
        with: {
          name: "preview-${{ matrix.root }}-${{ matrix.workspace }}",
          path: "${{ runner.temp }}/preview/",
          "retention-days": 7,
          "if-no-files-found": "error",
        },
      },
    ],
  };
}

function applyJobOf(plan: PipelinePlan, job: PushJob, earlier: readonly string[]): Job {
  const key = applyKey(job.stage, job.root);
  return {
    name: `apply ${stageLabel(plan, job.stage)} (\${{ matrix.root }}/\${{ matrix.workspace }})`,
    needs: [GITHUB_JOBS.changes, job.preview, ...earlier],
    if: `${chainCondition(plan, key)} && needs.${job.preview}.result == 'success'`,
    "runs-on": "ubuntu-latest",
    environment: "${{ matrix.environment }}",
    // One apply at a time per state, across runs; a queued apply is never cancelled.
    concurrency: {
      group: "terraform-apply-${{ matrix.root }}-${{ matrix.workspace }}",
      "cancel-in-progress": false,
    },
    permissions: permissions(plan),
    strategy: matrixStrategy(plan, key),
    env: {
      TF_VAR_access: "apply",
      ROOT: "${{ matrix.root }}",
      WORKSPACE: "${{ matrix.workspace }}",
    },
    defaults: { run: { "working-directory": "${{ matrix.directory }}" } },
    steps: [
      checkoutStep(),
      installStep(plan),
      {
        name: "Download the preview's digest",
        uses: uses(GITHUB_ACTION_PINS.downloadArtifact),
        with: {
          name: "preview-${{ matrix.root }}-${{ matrix.workspace }}",
          path: "${{ runner.temp }}/preview",
        },
      },
      credentialsStep(plan, "apply"),
      ...selectSteps("apply", ""),
      {
        name: "Plan, and hold the plan to the approved preview",
        run: [
          'preview="$RUNNER_TEMP/preview"',
          'if [ -f "$preview/new" ]; then',
          '  echo "Workspace $WORKSPACE had no state at the preview: this first apply creates it." >> "$GITHUB_STEP_SUMMARY"',
          "else",
          '  state="$("$TF" state pull | jq -r \'"\\(.lineage) \\(.serial)"\')"',
          '  if [ "$state" != "$(cat "$preview/state")" ]; then',
          '    echo "::error title=State moved since the preview::state of $ROOT/$WORKSPACE is now $state, the approved preview planned against $(cat "$preview/state"). Re-run the workflow to preview the change again."',
          "    exit 1",
          "  fi",
          "fi",
          ...planCommand(false),
          ...summaryLines("Plan applied to workspace \\`$WORKSPACE\\`, root \\`$ROOT\\`"),
          'if [ ! -f "$preview/new" ]; then',
          `  digest="$(bash "$GITHUB_WORKSPACE/${GITHUB_SUPPORT.digest}" tfplan)"`,
          '  if [ "$digest" != "$(cat "$preview/digest")" ]; then',
          '    echo "::error title=Plan differs from the approved preview::change set $digest, preview $(cat "$preview/digest"): nothing was applied. Compare the two job summaries, then re-run the workflow."',
          "    exit 1",
          "  fi",
          '  echo "Change set SHA-256 $digest: the approved preview\'s." >> "$GITHUB_STEP_SUMMARY"',
          "fi",
          "",
        ].join("\n"),
      },
      {
        name: "Apply the saved plan",
        run: `"$TF" apply -input=false -lock-timeout=${LOCK_TIMEOUT} -no-color tfplan`,
      },
    ],
  };
}

/** Every `uses:` line's comment: the version its SHA carries. */
export function githubLineComments(): Map<string, string> {
  const comments = new Map<string, string>();
  for (const pin of Object.values(GITHUB_ACTION_PINS))
    comments.set(`uses: ${usesRef(pin)}`, pin.version);
  comments.set("id-token: write", "the job's OIDC token, exchanged for its CI role");
  comments.set("pull-requests: write", "one plan comment per root, updated in place");
  comments.set("contents: read", "check out the repository");
  comments.set("actions: read", "did the previous push's run succeed");
  return comments;
}

/** The workflow's own files: a change to any of them touches every root. */
export function githubOwnFiles(): string[] {
  return [repositoryPath(PIPELINE_FILES.githubWorkflow), `.github/${SUPPORT_FOLDER}`];
}

/** `.github/tf-bootstrap/pipeline.json`. */
export function renderGithubPipelineData(plan: PipelinePlan): string {
  return renderPipelineData(plan, githubOwnFiles(), GITHUB_MATRIX_LIMIT);
}

/** `.github/workflows/terraform.yml`. */
export function renderGithubWorkflow(plan: PipelinePlan): string {
  const planKeys = Object.keys(planMatrices(plan, GITHUB_MATRIX_LIMIT));
  const push = pushJobs(plan);
  const jobs: Record<string, Job> = {
    [GITHUB_JOBS.changes]: changesJob([...planKeys, ...push.map((j) => applyKey(j.stage, j.root))]),
  };
  for (const key of planKeys) jobs[key] = planJob(plan, key);
  jobs[GITHUB_JOBS.planResult] = resultJob(
    GITHUB_PLAN_CHECK,
    [GITHUB_JOBS.changes, ...planKeys],
    ON_PLAN(plan),
  );
  jobs[GITHUB_JOBS.comment] = commentJob(plan, planKeys);
  const earlier: string[] = [];
  for (const job of push) {
    jobs[job.preview] = previewJobOf(plan, job, earlier);
    jobs[job.apply] = applyJobOf(plan, job, [...earlier]);
    earlier.push(job.preview, job.apply);
  }
  jobs[GITHUB_JOBS.applyResult] = resultJob(
    GITHUB_APPLY_CHECK,
    [GITHUB_JOBS.changes, ...earlier],
    ON_PUSH(plan),
  );
  const document = {
    name: "terraform",
    on: {
      pull_request: { branches: [plan.branch] },
      push: { branches: [plan.branch] },
      schedule: [{ cron: plan.driftSchedule }],
      workflow_dispatch: {},
    },
    permissions: {},
    // One run at a time per event and ref: pushes to the branch apply in order (a newer push
    // waits; a newer still replaces the waiting one), a pull request's newer push cancels the
    // older plan.
    concurrency: {
      group: "terraform-${{ github.event_name }}-${{ github.ref }}",
      "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    },
    defaults: { run: { shell: "bash" } },
    env: {
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF: plan.tool,
      TF_ARCHIVE_URL: toolArchiveUrl(plan.tool, plan.toolVersion),
      TF_ARCHIVE_SHA256: plan.toolSha256,
    },
    jobs,
  };
  const credentials = usesOidc(plan.mode)
    ? "Credentials: GitHub's OIDC token, exchanged for the CI roles (no stored keys)."
    : "Credentials: the CI users' access keys, from repository (plan) and environment (apply) secrets.";
  return renderYaml(
    commentHeader(plan.stack, [
      "",
      `${toolName(plan)} for ${plan.roots.length === 1 ? "the Terraform root" : `the ${plan.roots.length} Terraform roots`} of this repository (${pipelineWorkspaces(plan).length} workspaces).`,
      `Pull requests to ${plan.branch}: the touched roots and workspaces planned with the read-only`,
      `CI plan role; one required check, "${GITHUB_PLAN_CHECK}"; one comment per root. Pushes to`,
      `${plan.branch}: per stage and root, a preview, then the apply in each workspace's`,
      "environment once approved, held to the preview's change set. Schedule and manual runs: the",
      "full plan, failing on drift. Copy with the files of .github/tf-bootstrap/ and apply the",
      "settings of BRANCH-PROTECTION.md.",
      credentials,
    ]),
    document,
    githubLineComments(),
  );
}

/** `README.md` at the root of `ci/`: what each file is, where it goes, what to create first. */
import { HANDOFF_FILES } from "../terraform/files";
import { markdownTable } from "../terraform/markdown";
import { KEY_VARIABLES, markdownHeader, PIPELINE_FILES, repositoryPath, toolName } from "./files";
import { GITHUB_PLAN_CHECK } from "./github-workflow";
import {
  applyRoles,
  pipelineEnvironments,
  pipelinePlatforms,
  rootWorkspaces,
  stageLabel,
  stageWorkspaces,
  usesOidc,
  perEnvironmentApply,
  type PipelinePlan,
} from "./model";
import { GITHUB_ACTION_PINS, GITLAB_IMAGE, imageRef, toolArchiveUrl } from "./pins";
import { workspaceVarFile } from "./support-files";

const code = (s: string) => `\`${s}\``;

function fileRows(plan: PipelinePlan): string[][] {
  const f = PIPELINE_FILES;
  const rows: string[][] = [];
  const copy = (file: string, what: string) => [code(file), code(repositoryPath(file)), what];
  const platforms = pipelinePlatforms(plan.mode);
  if (platforms.includes("github")) {
    rows.push(
      copy(f.githubWorkflow, "the GitHub Actions workflow"),
      copy(f.githubData, "the roots, workspaces and jobs' matrices the workflow reads"),
      copy(f.githubChanges, "finds the roots and workspaces a change touches"),
      copy(f.githubDigest, "the SHA-256 of a plan's change set"),
      copy(f.githubCodeowners, "who must review infrastructure changes"),
      [
        code(f.githubBranchProtection),
        "(read, do not copy)",
        "the GitHub settings the workflow relies on",
      ],
    );
  }
  if (platforms.includes("gitlab")) {
    rows.push(
      copy(f.gitlabCi, "the GitLab CI pipeline"),
      copy(f.gitlabData, "the roots, workspaces and jobs' matrices"),
      copy(f.gitlabChanges, "finds the roots and workspaces a change touches"),
      copy(f.gitlabDigest, "the SHA-256 of a plan's change set"),
      copy(f.gitlabCodeowners, "who must approve infrastructure changes"),
      [
        code(f.gitlabBranchProtection),
        "(read, do not copy)",
        "the GitLab settings the pipeline relies on",
      ],
    );
  }
  return rows;
}

function stageLines(plan: PipelinePlan): string[] {
  return plan.stages.flatMap((stage, i) => {
    const roots = plan.roots
      .map((r) => ({ r, workspaces: stageWorkspaces(r, stage) }))
      .filter((x) => x.workspaces.length > 0);
    const count = stage.length;
    const shown = stage.slice(0, 6).map((w) => code(w.workspace));
    return [
      `${i + 1}. ${code(stageLabel(plan, i))}: ${count} workspace${count === 1 ? "" : "s"} (${shown.join(", ")}${count > 6 ? ", ..." : ""}); roots ${roots.map((x) => code(x.r.name)).join(" then ")}`,
    ];
  });
}

function trustLines(): string[] {
  return [
    "## The approved plan is the applied plan",
    "",
    "After a merge, each stage and root first runs a **preview**: a plan with the read-only CI plan",
    "role, shown in the job summary (GitHub) or log (GitLab), with the SHA-256 of its change set",
    "(every resource and output change, values before and after) and the state's serial. Only then",
    "does an approver open the stage (the environment's reviewers on GitHub, a manual job on",
    "GitLab). The approved apply job takes the environment's CI apply role and",
    "",
    "1. stops if the state moved since the preview (another apply, a manual change to state);",
    "2. plans, and stops if the plan's change set differs from the preview's by one value;",
    "3. applies exactly that saved plan file, in the same job (Terraform itself refuses a saved",
    "   plan whose state changed between plan and apply).",
    "",
    "The plan file never leaves the runner that made it: plan files hold every value of the plan,",
    "secrets included, unredacted. Only the digest and the state serial travel between jobs.",
    "",
    "Why not plan once and move the plan file to the apply job (encrypted)? The file records the",
    "access level it was made with, so a preview made without the apply role's permissions could",
    "never be applied; making it with the apply role would hand that role to a job nobody has",
    "approved, and moving it would need a key the CI system keeps. The trade-off of this choice:",
    "the apply job plans twice (a refresh more), and a configuration whose planned values depend",
    "on who plans (`aws_caller_identity`'s ARN in a resource, a secret only the apply role may",
    "read) never matches its preview: such an apply stops, with both plans in the summaries. A",
    "workspace with no state yet (a new account) cannot be previewed with the plan role (creating",
    "its state is a write): its first apply is approved on the preview's notice and plans and",
    "applies in its own job.",
    "",
  ];
}

function pinLines(plan: PipelinePlan): string[] {
  const platforms = pipelinePlatforms(plan.mode);
  return [
    "## What runs, pinned",
    "",
    ...(platforms.includes("github")
      ? [
          "Every `uses:` is a full commit SHA, its release in a comment:",
          "",
          ...markdownTable(
            ["action", "release", "commit"],
            Object.values(GITHUB_ACTION_PINS).map((p) => [
              code(p.repository),
              p.version,
              code(p.sha),
            ]),
          ),
          "",
        ]
      : []),
    ...(platforms.includes("gitlab")
      ? [`GitLab jobs run in ${code(imageRef(GITLAB_IMAGE))}.`, ""]
      : []),
    `${toolName(plan)} ${plan.toolVersion} comes from ${code(toolArchiveUrl(plan.tool, plan.toolVersion))} and`,
    `is installed only if its SHA-256 is ${code(plan.toolSha256)}. No installer script, setup action or`,
    "unpinned image runs.",
    "",
    "To update a pin, change the table in tf-bootstrap (`lib/pipeline/pins.ts`, which says how each",
    "value was obtained and how to check a new one) or set `ci.pipeline.toolVersion` and",
    "`ci.pipeline.toolSha256` in the stack config, then regenerate these files.",
    "",
  ];
}

function githubSection(plan: PipelinePlan): string[] {
  const oidc = usesOidc(plan.mode);
  return [
    "## GitHub",
    "",
    `1. Copy the workflow, the ${code(".github/tf-bootstrap/")} files and ${code(repositoryPath(PIPELINE_FILES.githubCodeowners))} into the repository${plan.repository && plan.mode === "github-oidc" ? ` ${code(plan.repository)}` : ""}, at the paths above.`,
    `2. Create the environments ${pipelineEnvironments(plan).map(code).join(", ")} with required reviewers and deployment branches limited to ${code(plan.branch)}.`,
    ...(oidc
      ? [
          `3. Nothing to store: jobs exchange GitHub's OIDC token (audience ${code(plan.audience)}) for the CI roles.`,
        ]
      : [
          `3. Repository secrets ${code(KEY_VARIABLES.plan.id)} and ${code(KEY_VARIABLES.plan.secret)}: the CI plan user's access key.`,
          `   Environment secrets ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)} in every apply environment: ${applyKeyOwner(plan)} (never as a repository secret: pull request jobs could read it).`,
        ]),
    `4. Protect ${code(plan.branch)} and require the one check ${code(GITHUB_PLAN_CHECK)}: see ${code(PIPELINE_FILES.githubBranchProtection)}.`,
    "",
    "Plans are posted on the pull request (one comment per root, updated in place) and in the",
    "run's summaries: everyone who can read the repository reads them. Values marked `sensitive`",
    "are redacted in plan text; mark every secret so.",
    "",
  ];
}

function gitlabSection(plan: PipelinePlan): string[] {
  const oidc = usesOidc(plan.mode);
  return [
    "## GitLab",
    "",
    `1. Copy ${code(repositoryPath(PIPELINE_FILES.gitlabCi))}, the ${code(".gitlab/tf-bootstrap/")} files and ${code(repositoryPath(PIPELINE_FILES.gitlabCodeowners))} into the project${plan.repository && plan.mode === "gitlab-oidc" ? ` ${code(plan.repository)}` : ""}.`,
    `2. Protect the environments ${pipelineEnvironments(plan).map(code).join(", ")} (they appear after the first apply pipeline; protect them before it).`,
    ...(oidc
      ? [
          `3. Nothing to store: jobs exchange a GitLab ID token (audience ${code(plan.audience)}) for the CI roles.`,
        ]
      : [
          `3. CI/CD variables ${code(KEY_VARIABLES.plan.id)} and ${code(KEY_VARIABLES.plan.secret)} (masked): the CI plan user's access key.`,
          `   ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)} (protected, masked, scoped to each apply environment): ${applyKeyOwner(plan)}.`,
        ]),
    `4. Protect ${code(plan.branch)}, require code owner approval and successful pipelines, and schedule the drift plan: see ${code(PIPELINE_FILES.gitlabBranchProtection)}.`,
    "",
  ];
}

/** `README.md`. */
export function renderPipelineReadme(plan: PipelinePlan): string {
  const platforms = pipelinePlatforms(plan.mode);
  const request =
    platforms.length === 2
      ? "pull / merge request"
      : platforms[0] === "github"
        ? "pull request"
        : "merge request";
  return [
    `# CI pipeline: stack \`${plan.stack}\``,
    "",
    ...markdownHeader(plan.stack),
    "",
    `${toolName(plan)} ${plan.toolVersion} runs in CI as roles of the Terraform account:`,
    "",
    `- the **CI plan role** ${code(plan.planRoleArn)}: read-only, for plans of every ${request}, previews of merged changes and the drift plan;`,
    `- the **CI apply role** of each apply environment (${applyRoles(plan).map(code).join(", ")}): only for approved applies from ${code(plan.branch)}.`,
    "",
    usesOidc(plan.mode)
      ? "Jobs take them with the platform's OIDC token: no long-lived key is stored anywhere."
      : "Jobs take them with the access keys of two CI users, one per path, stored in the CI platform's secret store.",
    "",
    "## Terraform roots",
    "",
    ...markdownTable(
      ["root", "directory", "workspaces", "state of workspace W"],
      plan.roots.map((r) => [
        code(r.name),
        code(r.directory),
        String(rootWorkspaces(plan).filter((p) => p.root === r.name).length),
        code(`<keyPrefix>/W/${r.stateKey}`),
      ]),
    ),
    "",
    `Each root's directory holds the tf-bootstrap handoff files of that root (${code(HANDOFF_FILES.backend)},`,
    `${code(HANDOFF_FILES.tfvars)}, ${code(HANDOFF_FILES.accounts)}, ${code(HANDOFF_FILES.providers)}, ${code(HANDOFF_FILES.selectWorkspace)}).`,
    `Jobs set ${code("TF_VAR_access")} to ${code("plan")} or ${code("apply")}, which picks the workspace account's plan or`,
    `apply role, and add ${code(workspaceVarFile("<W>"))} (in the root) to every plan of workspace W when it exists.`,
    "",
    "## Files",
    "",
    ...markdownTable(["file", "copy to", "what"], fileRows(plan)),
    "",
    "## What runs",
    "",
    `- Every ${request} to ${code(plan.branch)}: only the roots and workspaces the change touches are planned, in`,
    `  parallel (at most ${plan.maxParallel} at a time), with the CI plan role. A change under a root touches all its`,
    `  workspaces, except ${code(workspaceVarFile("<W>"))}, which touches W only; a change under`,
    `  ${plan.sharedPaths.length > 0 ? plan.sharedPaths.map(code).join(", ") : "(no shared path)"} or to the pipeline's own files touches every root.`,
    `- Every push to ${code(plan.branch)}: the stages below, one after another; in each, the roots in order;`,
    "  for each, a preview, an approval, then the applies of the touched workspaces (at most",
    `  ${plan.maxParallel} at a time). A failure stops every later stage.`,
    `- On the schedule ${code(plan.driftSchedule)} (UTC) and when run by hand: the plan of every root and`,
    "  workspace, which fails where the infrastructure drifted from the configuration.",
    "",
    ...stageLines(plan),
    "",
    ...trustLines(),
    ...pinLines(plan),
    ...(platforms.includes("github") ? githubSection(plan) : []),
    ...(platforms.includes("gitlab") ? gitlabSection(plan) : []),
  ].join("\n");
}

/** Whose access key an apply environment's secrets hold. */
function applyKeyOwner(plan: PipelinePlan): string {
  return perEnvironmentApply(plan)
    ? "the access key of that environment's own CI apply user (`<userName>-<environment>`), never another environment's"
    : "the CI apply user's access key";
}

/** `README.md` at the root of `ci/`: what each file is, where it goes, what to create first. */
import { HANDOFF_FILES } from "../terraform/files";
import { markdownTable } from "../terraform/markdown";
import { KEY_VARIABLES, markdownHeader, PIPELINE_FILES, repositoryPath, toolName } from "./files";
import { GITHUB_ACTIONS, githubPlanChecks } from "./github-workflow";
import { GITLAB_TOFU_BASE_IMAGE } from "./gitlab-ci";
import {
  pipelineEnvironments,
  pipelinePlatforms,
  pipelineWorkspaces,
  usesOidc,
  type PipelinePlan,
} from "./model";

const code = (s: string) => `\`${s}\``;

function fileRows(plan: PipelinePlan): string[][] {
  const f = PIPELINE_FILES;
  const rows: string[][] = [];
  const platforms = pipelinePlatforms(plan.mode);
  if (platforms.includes("github")) {
    rows.push(
      [
        code(f.githubWorkflow),
        code(repositoryPath(f.githubWorkflow)),
        "the GitHub Actions workflow",
      ],
      [
        code(f.githubCodeowners),
        code(repositoryPath(f.githubCodeowners)),
        "who must review infrastructure changes",
      ],
      [
        code(f.githubBranchProtection),
        "(read, do not copy)",
        "the GitHub settings the workflow relies on",
      ],
    );
  }
  if (platforms.includes("gitlab")) {
    rows.push(
      [code(f.gitlabCi), code(repositoryPath(f.gitlabCi)), "the GitLab CI pipeline"],
      [
        code(f.gitlabCodeowners),
        code(repositoryPath(f.gitlabCodeowners)),
        "who must approve infrastructure changes",
      ],
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
  return plan.stages.map(
    (stage, i) =>
      `${i + 1}. ${stage.map((w) => `${code(w.workspace)} (account ${w.accountId}, environment ${code(w.environment)})`).join(", ")}`,
  );
}

function githubSection(plan: PipelinePlan): string[] {
  const oidc = usesOidc(plan.mode);
  return [
    "## GitHub",
    "",
    `1. Copy ${code(PIPELINE_FILES.githubWorkflow)} and ${code(PIPELINE_FILES.githubCodeowners)} into the repository${plan.repository && plan.mode === "github-oidc" ? ` ${code(plan.repository)}` : ""}, at the paths above.`,
    `2. Create the environments ${pipelineEnvironments(plan).map(code).join(", ")} with required reviewers and deployment branches limited to ${code(plan.branch)}.`,
    ...(oidc
      ? [
          `3. Nothing to store: jobs exchange GitHub's OIDC token (audience ${code(plan.audience)}) for the CI roles.`,
        ]
      : [
          `3. Repository secrets ${code(KEY_VARIABLES.plan.id)} and ${code(KEY_VARIABLES.plan.secret)}: the CI plan user's access key.`,
          `   Environment secrets ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)} in every apply environment: the CI apply user's access key (never as a repository secret: pull request jobs could read it).`,
        ]),
    `4. Protect ${code(plan.branch)} and require the checks ${githubPlanChecks(plan).map(code).join(", ")}: see ${code(PIPELINE_FILES.githubBranchProtection)}.`,
    "",
    "The workflow pins its actions by major version:",
    "",
    ...Object.values(GITHUB_ACTIONS)
      .filter((a) =>
        plan.tool === "tofu"
          ? a !== GITHUB_ACTIONS.setupTerraform
          : a !== GITHUB_ACTIONS.setupOpenTofu,
      )
      .map((a) => `- ${code(a)}`),
    "",
    "Pin each to the full commit SHA of the release you reviewed (`uses: owner/action@<sha> # v4.2.2`):",
    "a tag can be moved to other code, a commit SHA cannot.",
    "",
    "Plans are posted on the pull request and in the run's summary: everyone who can read the",
    "repository reads them. Values marked `sensitive` are redacted in plans; mark every secret so.",
    "",
  ];
}

function gitlabSection(plan: PipelinePlan): string[] {
  const oidc = usesOidc(plan.mode);
  return [
    "## GitLab",
    "",
    `1. Copy ${code(PIPELINE_FILES.gitlabCi)} and ${code(PIPELINE_FILES.gitlabCodeowners)} into the project${plan.repository && plan.mode === "gitlab-oidc" ? ` ${code(plan.repository)}` : ""}, at the paths above.`,
    `2. Protect the environments ${pipelineEnvironments(plan).map(code).join(", ")} (they appear after the first apply pipeline; protect them before it) with deployment approvals.`,
    ...(oidc
      ? [
          `3. Nothing to store: jobs exchange a GitLab ID token (audience ${code(plan.audience)}) for the CI roles.`,
        ]
      : [
          `3. CI/CD variables ${code(KEY_VARIABLES.plan.id)} and ${code(KEY_VARIABLES.plan.secret)} (masked): the CI plan user's access key.`,
          `   ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)} (protected, masked, scoped to each apply environment): the CI apply user's access key.`,
        ]),
    `4. Protect ${code(plan.branch)}, require code owner approval and successful pipelines: see ${code(PIPELINE_FILES.gitlabBranchProtection)}.`,
    "",
    ...(plan.tool === "tofu"
      ? [
          `Jobs install OpenTofu ${plan.toolVersion} into ${code(GITLAB_TOFU_BASE_IMAGE)} with OpenTofu's installer, which checks the`,
          "release's checksums and their cosign signature (OpenTofu's own images are not meant to run",
          "jobs from 1.10 on). To skip the download in every job, build an image once, following",
          'OpenTofu\'s "Building a Docker Image with OpenTofu" (copy `/usr/local/bin/tofu` from',
          `${code(`ghcr.io/opentofu/opentofu:${plan.toolVersion}-minimal`)}, add bash and jq), then set it as the ${code(".terraform")} job's`,
          "image and drop the install lines.",
        ]
      : [
          `Jobs run in ${code(`hashicorp/terraform:${plan.toolVersion}`)} and add bash and jq. Pin the image by digest`,
          `(${code(`hashicorp/terraform:${plan.toolVersion}@sha256:...`)}) once you have reviewed it.`,
        ]),
    "",
  ];
}

/** `README.md`. */
export function renderPipelineReadme(plan: PipelinePlan): string {
  const platforms = pipelinePlatforms(plan.mode);
  return [
    `# CI pipeline: stack \`${plan.stack}\``,
    "",
    ...markdownHeader(plan.stack),
    "",
    `${toolName(plan)} ${plan.toolVersion} runs in CI as one of two roles of the Terraform account:`,
    "",
    `- the **CI plan role** ${code(plan.planRoleArn)}: read-only, for plans on every ${platforms.length === 2 ? "pull / merge request" : platforms[0] === "github" ? "pull request" : "merge request"};`,
    `- the **CI apply role** ${code(plan.applyRoleArn)}: only for applies from ${code(plan.branch)}, in approved environments.`,
    "",
    usesOidc(plan.mode)
      ? "Jobs take them with the platform's OIDC token: no long-lived key is stored anywhere."
      : "Jobs take them with the access keys of two CI users, one per role, stored in the CI platform's secret store.",
    "",
    `The Terraform root ${code(plan.terraformDirectory)} of the infrastructure repository must hold the tf-bootstrap handoff`,
    `files (${code(HANDOFF_FILES.backend)}, ${code(HANDOFF_FILES.tfvars)}, ${code(HANDOFF_FILES.accounts)},`,
    `${code(HANDOFF_FILES.providers)}, ${code(HANDOFF_FILES.selectWorkspace)}). Jobs set ${code("TF_VAR_access")} to ${code("plan")} or`,
    `${code("apply")}, which picks the workspace account's plan or apply role in ${code(HANDOFF_FILES.providers)}.`,
    "",
    "## Files",
    "",
    ...markdownTable(["file", "copy to", "what"], fileRows(plan)),
    "",
    "## What runs",
    "",
    `- Every ${platforms.length === 2 ? "pull / merge request" : platforms[0] === "github" ? "pull request" : "merge request"} to ${code(plan.branch)}: one plan per workspace (${pipelineWorkspaces(
      plan,
    )
      .map((w) => code(w.workspace))
      .join(", ")}), in parallel, with the CI plan role.`,
    `- Every push to ${code(plan.branch)}: the apply stages, one after another; a stage starts when every apply of the previous stage succeeded. Each apply job waits for its environment's approval, plans again, and applies exactly that saved plan in the same job.`,
    "",
    ...stageLines(plan),
    "",
    ...(platforms.includes("github") ? githubSection(plan) : []),
    ...(platforms.includes("gitlab") ? gitlabSection(plan) : []),
  ].join("\n");
}

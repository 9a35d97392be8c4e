/**
 * BRANCH-PROTECTION.md: the repository settings the generated pipeline relies on, as a
 * checklist, and the OIDC subjects each CI role trusts, so a reader sees why the plan job has
 * no environment and every apply job has one.
 */
import { markdownTable } from "../terraform/markdown";
import {
  directoryPrefix,
  KEY_VARIABLES,
  markdownHeader,
  PIPELINE_FILES,
  repositoryPath,
} from "./files";
import { githubPlanChecks } from "./github-workflow";
import { gitlabApplyJob, GITLAB_PLAN_JOB } from "./gitlab-ci";
import { pipelineEnvironments, pipelineWorkspaces, usesOidc, type PipelinePlan } from "./model";

/** `repo:O/R:...` subjects GitHub puts in the token of the plan job and the apply jobs. */
export function githubSubjects(plan: PipelinePlan): { plan: string[]; apply: string[] } {
  const repo = plan.repository ?? "OWNER/REPO";
  return {
    plan: [`repo:${repo}:pull_request`],
    apply: pipelineEnvironments(plan).map((env) => `repo:${repo}:environment:${env}`),
  };
}

/** `project_path:...` subjects GitLab puts in the token of the plan and the apply jobs. */
export function gitlabSubjects(plan: PipelinePlan): { plan: string[]; apply: string[] } {
  const project = plan.repository ?? "GROUP/PROJECT";
  return {
    plan: [`project_path:${project}:ref_type:branch:ref:*`],
    apply: [`project_path:${project}:ref_type:branch:ref:${plan.branch}`],
  };
}

const code = (s: string) => `\`${s}\``;

/** Which environment each workspace's apply job deploys to, as table rows. */
function environmentRows(plan: PipelinePlan): string[][] {
  return pipelineEnvironments(plan).map((env) => [
    code(env),
    pipelineWorkspaces(plan)
      .filter((w) => w.environment === env)
      .map((w) => code(w.workspace))
      .join(", "),
  ]);
}

function ownedPathsText(plan: PipelinePlan, ci: string): string {
  const root = directoryPrefix(plan) === "" ? "the whole repository" : code(directoryPrefix(plan));
  return `${root}, ${code(ci)} and the CODEOWNERS file`;
}

/** `github/BRANCH-PROTECTION.md`. */
export function renderGithubBranchProtection(plan: PipelinePlan): string {
  const b = plan.branch;
  const subjects = githubSubjects(plan);
  const oidc = usesOidc(plan.mode);
  const teams = plan.codeOwners.map(code).join(", ");
  const patterns = [
    directoryPrefix(plan) === "" ? "*" : `${directoryPrefix(plan)}**`,
    ".github/workflows/**",
    repositoryPath(PIPELINE_FILES.githubCodeowners),
  ];
  return [
    `# GitHub settings for the Terraform pipeline (stack \`${plan.stack}\`)`,
    "",
    ...markdownHeader(plan.stack),
    "",
    "The workflow is only as safe as these settings. Set every one before the first merge.",
    "",
    "## Who may take which CI role",
    "",
    oidc
      ? "GitHub puts the job's OIDC subject (`sub`) in its token; each CI role trusts only these:"
      : "In iam-user mode each path has its own CI user, whose access keys live in its own secrets:",
    "",
    ...(oidc
      ? markdownTable(
          ["CI role", "taken by", "trusted subjects"],
          [
            [
              code(plan.planRoleArn),
              "the `plan` job, pull requests only",
              subjects.plan.map(code).join(", "),
            ],
            [
              code(plan.applyRoleArn),
              "the apply jobs, pushes to " + code(b),
              subjects.apply.map(code).join(", "),
            ],
          ],
        )
      : markdownTable(
          ["CI role", "taken by", "keys"],
          [
            [
              code(plan.planRoleArn),
              "the `plan` job, pull requests only",
              `repository secrets ${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}`,
            ],
            [
              code(plan.applyRoleArn),
              "the apply jobs, pushes to " + code(b),
              `environment secrets ${code(KEY_VARIABLES.apply.id)}, ${code(KEY_VARIABLES.apply.secret)} in every apply environment`,
            ],
          ],
        )),
    "",
    ...(oidc
      ? [
          "A job that names an environment gets the subject `repo:OWNER/REPO:environment:NAME`, whatever",
          "its trigger; a pull request job without one gets `repo:OWNER/REPO:pull_request`. So the plan",
          "job must never name an environment (the CI plan role would refuse its token), and every apply",
          "job names its workspace's environment (the CI apply role refuses any other token). What",
          "stands between a pull request and the apply role is therefore the environments' rules below.",
        ]
      : [
          "Environment secrets reach only jobs that name the environment, and the environments' rules",
          "below admit only the protected branch: pull request jobs can never read the apply keys.",
        ]),
    "",
    "The plan path reads every workspace's state, which may hold secrets, and anyone who can push a",
    "branch to this repository can change the workflow in a pull request: give write access only",
    "to people who may read the state.",
    "",
    `## Protected branch \`${b}\``,
    "",
    "Settings → Branches (or a branch ruleset with the same rules):",
    "",
    "- [ ] Require a pull request before merging",
    "  - [ ] Require approvals: at least 1",
    "  - [ ] Dismiss stale pull request approvals when new commits are pushed",
    "  - [ ] Require review from Code Owners",
    "  - [ ] Require approval of the most recent reviewable push",
    "- [ ] Require status checks to pass before merging, with these checks (one per workspace):",
    ...githubPlanChecks(plan).map((check) => `  - [ ] ${code(check)}`),
    "  - [ ] Require branches to be up to date before merging",
    "- [ ] Do not allow bypassing the above settings (administrators included)",
    "- [ ] Allow force pushes: off",
    "- [ ] Allow deletions: off",
    "",
    ...(directoryPrefix(plan) === ""
      ? []
      : [
          `The workflow runs only for changes under ${code(directoryPrefix(plan))} or to the workflow itself. GitHub`,
          "shows a required check that never reported as pending, so a pull request that touches",
          "neither cannot merge. Keep the repository for the Terraform root only, or drop the `paths`",
          "filters from the workflow's triggers.",
          "",
        ]),
    "## Code owners",
    "",
    `${code(repositoryPath(PIPELINE_FILES.githubCodeowners))} gives ${ownedPathsText(plan, ".github/workflows/")} to ${teams}.`,
    "Each team must have write access to the repository.",
    "",
    "A CODEOWNERS line with several owners is satisfied by a review from ANY one of them, so",
    '"Require review from Code Owners" alone lets one team approve for all. To require every team,',
    "add a branch ruleset for " +
      code(b) +
      ' whose "Require a pull request before merging" rule lists,',
    "under required reviewers, one entry per team with these file patterns and at least 1 approval",
    '(GitHub changelog 2025-11-03, "Required review by specific teams now available in rulesets";',
    "REST API: `required_reviewers` entries of `reviewer` (a team), `file_patterns`,",
    "`minimum_approvals`):",
    "",
    ...markdownTable(
      ["team", "file patterns", "minimum approvals"],
      plan.codeOwners.map((owner) => [code(owner), patterns.map(code).join(", "), "1"]),
    ),
    "",
    "## Environments",
    "",
    "Settings → Environments, one per apply environment:",
    "",
    ...markdownTable(["environment", "applies workspaces"], environmentRows(plan)),
    "",
    "For each:",
    "",
    "- [ ] Required reviewers: the people or teams who approve applies",
    "- [ ] Prevent self-review",
    "- [ ] Allow administrators to bypass configured protection rules: off",
    `- [ ] Deployment branches and tags: Selected branches and tags, only ${code(b)}`,
    ...(oidc
      ? []
      : [
          `- [ ] Environment secrets ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)}: the access key of the CI apply user`,
        ]),
    "",
    ...(oidc
      ? []
      : [
          "Repository secrets (Settings → Secrets and variables → Actions):",
          "",
          `- [ ] ${code(KEY_VARIABLES.plan.id)} and ${code(KEY_VARIABLES.plan.secret)}: the access key of the CI plan user`,
          "- [ ] No repository or organization secret holds the apply user's keys",
          "",
        ]),
    "## Forks",
    "",
    "Pull requests from forks get no OIDC token and no secrets, so their plan jobs fail and the",
    "required checks stay red: such a change is merged by pushing its branch to this repository",
    "after review. Never add a `pull_request_target` trigger to the workflow. In a private",
    'repository, Settings → Actions → General → Fork pull request workflows: leave "Send write',
    'tokens to workflows from fork pull requests" and "Send secrets and variables to workflows from',
    'fork pull requests" off.',
    "",
    "## Actions",
    "",
    "Settings → Actions → General: allow only the actions the workflow uses (or GitHub's and",
    "verified creators'), and pin them to commit SHAs (see README.md).",
    "",
  ].join("\n");
}

/** `gitlab/BRANCH-PROTECTION.md`. */
export function renderGitlabBranchProtection(plan: PipelinePlan): string {
  const b = plan.branch;
  const subjects = gitlabSubjects(plan);
  const oidc = usesOidc(plan.mode);
  return [
    `# GitLab settings for the Terraform pipeline (stack \`${plan.stack}\`)`,
    "",
    ...markdownHeader(plan.stack),
    "",
    "The pipeline is only as safe as these settings. Set every one before the first merge. Code",
    "owner approval, merge request approval rules and deployment approvals need GitLab Premium or",
    "Ultimate.",
    "",
    "## Who may take which CI role",
    "",
    ...(oidc
      ? [
          "GitLab puts the job's subject (`sub`) in its ID token; each CI role trusts only these:",
          "",
          ...markdownTable(
            ["CI role", "taken by", "trusted subjects"],
            [
              [
                code(plan.planRoleArn),
                `the ${code(GITLAB_PLAN_JOB)} jobs, merge request pipelines`,
                subjects.plan.map(code).join(", "),
              ],
              [
                code(plan.applyRoleArn),
                `the ${code("apply:*")} jobs, pushes to ${code(b)}`,
                subjects.apply.map(code).join(", "),
              ],
            ],
          ),
          "",
          "The environment is not part of GitLab's subject: the apply role is pinned to the protected",
          "branch, so what guards it is who can change that branch and the protected environments",
          "below. The plan role admits every branch because merge request pipelines run on the source",
          "branch.",
        ]
      : [
          "In iam-user mode each path has its own CI user, whose access keys live in CI/CD variables:",
          "",
          ...markdownTable(
            ["CI role", "taken by", "variables"],
            [
              [
                code(plan.planRoleArn),
                `the ${code(GITLAB_PLAN_JOB)} jobs, merge request pipelines`,
                `${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}: masked`,
              ],
              [
                code(plan.applyRoleArn),
                `the ${code("apply:*")} jobs, pushes to ${code(b)}`,
                `${code(KEY_VARIABLES.apply.id)}, ${code(KEY_VARIABLES.apply.secret)}: protected, masked, scoped to the apply environments`,
              ],
            ],
          ),
          "",
          "Protected variables reach only pipelines of protected branches: merge request pipelines",
          "can never read the apply keys.",
        ]),
    "",
    "The plan path reads every workspace's state, which may hold secrets, and anyone who can push a",
    "branch can change `.gitlab-ci.yml` in a merge request: give Developer access only to people",
    "who may read the state.",
    "",
    `## Protected branch \`${b}\``,
    "",
    "Settings → Repository → Protected branches:",
    "",
    "- [ ] Allowed to merge: Maintainers (or the group that merges infrastructure changes)",
    "- [ ] Allowed to push and merge: No one",
    "- [ ] Allowed to force push: off",
    "- [ ] Code owner approval: on",
    "",
    "Settings → Merge requests:",
    "",
    "- [ ] Merge checks: Pipelines must succeed (and Skipped pipelines are considered successful: off)",
    "- [ ] Approval rules: at least 1 approval for the protected branch",
    "- [ ] Approval settings: Prevent approval by author; Prevent approvals by users who add commits;",
    "      Remove all approvals when commits are added to the source branch",
    "",
    "## Code owners",
    "",
    `${code(repositoryPath(PIPELINE_FILES.gitlabCodeowners))} gives ${ownedPathsText(plan, ".gitlab-ci.yml")} to ${plan.codeOwners.map(code).join(", ")},`,
    "one required section per owner: each owner must approve. Each must be a member of the project",
    "(or the group be invited to it) with at least Developer access.",
    "",
    "## Protected environments",
    "",
    "Settings → CI/CD → Protected environments, one per apply environment:",
    "",
    ...markdownTable(["environment", "applies workspaces"], environmentRows(plan)),
    "",
    "For each:",
    "",
    "- [ ] Allowed to deploy: Maintainers (or the group that runs applies)",
    "- [ ] Approvers and required approvals: at least 1",
    "- [ ] Allow pipeline triggerer to approve deployment: off",
    "",
    ...(oidc
      ? []
      : [
          "## CI/CD variables",
          "",
          "Settings → CI/CD → Variables:",
          "",
          `- [ ] ${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}: the CI plan user's access key; masked; not protected (merge request pipelines run on unprotected branches)`,
          `- [ ] ${code(KEY_VARIABLES.apply.id)}, ${code(KEY_VARIABLES.apply.secret)}: the CI apply user's access key; protected; masked; one entry per apply environment with that environment as its scope`,
          "",
        ]),
    "## Resource groups",
    "",
    "Each workspace's apply jobs share the resource group `terraform-<workspace>`, so one applies at",
    "a time. GitLab runs waiting jobs in no set order by default; to apply them in the order their",
    "pipelines were created, set each group's process mode to `oldest_first` (Resource group API,",
    `\`PUT /projects/:id/resource_groups/terraform-<workspace>\`): ${pipelineWorkspaces(plan)
      .map((w) => code(`terraform-${w.workspace}`))
      .join(", ")}.`,
    "",
    "## Forks",
    "",
    "Merge request pipelines from forks run in the fork, without this project's variables and",
    "with the fork's project path in their ID token: their plans fail. Run a fork's pipeline in",
    "this project only after reviewing its changes, `.gitlab-ci.yml` included.",
    "",
    `Apply jobs: ${pipelineWorkspaces(plan)
      .map((w) => code(gitlabApplyJob(w.workspace)))
      .join(", ")}.`,
    "",
  ].join("\n");
}

/**
 * BRANCH-PROTECTION.md: the repository settings the generated pipeline relies on, as a
 * checklist, and the OIDC subjects each CI role trusts, so a reader sees why the plan jobs
 * name no environment and every apply job names one. The settings do not grow with accounts:
 * one required check, one rule per environment.
 */
import { markdownTable } from "../terraform/markdown";
import { KEY_VARIABLES, markdownHeader, PIPELINE_FILES, repositoryPath } from "./files";
import { GITHUB_APPLY_CHECK, GITHUB_PLAN_CHECK } from "./github-workflow";
import { gitlabStageJobs } from "./gitlab-ci";
import {
  applyRoles,
  perEnvironmentApply,
  pipelineEnvironments,
  pipelineWorkspaces,
  rootWorkspaces,
  stageWorkspaces,
  usesOidc,
  type PipelinePlan,
} from "./model";
import { ownedPaths } from "./codeowners";
import { GITLAB_SUB_CLAIM_COMPONENTS, gitlabEnvironmentSubject } from "../plan/oidc";

/** `repo:O/R:...` subjects GitHub puts in the token of the plan jobs and the apply jobs. */
export function githubSubjects(plan: PipelinePlan): { plan: string[]; apply: string[] } {
  const repo = plan.repository ?? "OWNER/REPO";
  return {
    plan: [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/${plan.branch}`],
    apply: pipelineEnvironments(plan).map((env) => `repo:${repo}:environment:${env}`),
  };
}

/**
 * `project_path:...` subjects GitLab puts in the token of the plan and the apply jobs; with
 * per-environment apply roles, under the project's subject components
 * ({@link GITLAB_SUB_CLAIM_COMPONENTS}), one per environment.
 */
export function gitlabSubjects(plan: PipelinePlan): { plan: string[]; apply: string[] } {
  const project = plan.repository ?? "GROUP/PROJECT";
  return {
    plan: [`project_path:${project}:ref_type:branch:ref:*`],
    apply: perEnvironmentApply(plan)
      ? pipelineEnvironments(plan).map((e) => gitlabEnvironmentSubject(project, plan.branch, e))
      : [`project_path:${project}:ref_type:branch:ref:${plan.branch}`],
  };
}

/**
 * The GitLab API call that makes the project's ID-token subject name the protected ref and the
 * environment, and keeps merge request pipelines of forks out of the parent project.
 */
export function gitlabSubjectSetting(plan: PipelinePlan): string[] {
  const url = plan.gitlabUrl ?? "https://gitlab.com";
  const project = encodeURIComponent(plan.repository ?? "GROUP/PROJECT");
  const body = JSON.stringify({
    ci_id_token_sub_claim_components: GITLAB_SUB_CLAIM_COMPONENTS,
    ci_allow_fork_pipelines_to_run_in_parent_project: false,
  });
  return [
    "```sh",
    `curl --fail-with-body --request PUT --header "PRIVATE-TOKEN: $GITLAB_TOKEN" \\`,
    `  --header "Content-Type: application/json" --data '${body}' \\`,
    `  "${url}/api/v4/projects/${project}"`,
    "```",
  ];
}

const code = (s: string) => `\`${s}\``;

/** Each environment's workspaces and CI apply role, as table rows. */
function environmentRows(plan: PipelinePlan): string[][] {
  return pipelineEnvironments(plan).map((env) => {
    const workspaces = pipelineWorkspaces(plan).filter((w) => w.environment === env);
    const shown = workspaces.slice(0, 8).map((w) => code(w.workspace));
    const more = workspaces.length > 8 ? ` and ${workspaces.length - 8} more` : "";
    return [code(env), `${shown.join(", ")}${more}`, code(plan.applyRoleArns[env] ?? "")];
  });
}

function applyRoleCell(plan: PipelinePlan): string {
  return applyRoles(plan).map(code).join(", ");
}

/** `github/BRANCH-PROTECTION.md`. */
export function renderGithubBranchProtection(plan: PipelinePlan): string {
  const b = plan.branch;
  const subjects = githubSubjects(plan);
  const oidc = usesOidc(plan.mode);
  const patterns = ownedPaths(plan, "github").map((p) =>
    p === "*" ? "**" : p.replace(/^\//, "").replace(/\/$/, "/**"),
  );
  return [
    `# GitHub settings for the Terraform pipeline (stack \`${plan.stack}\`)`,
    "",
    ...markdownHeader(plan.stack),
    "",
    "The workflow is only as safe as these settings. Set every one before the first merge. None",
    `of them grows with the accounts: one required check, one environment per apply environment.`,
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
              `the plan and preview jobs: pull requests, and ${code(b)} without an environment`,
              subjects.plan.map(code).join(", "),
            ],
            [
              applyRoleCell(plan),
              "the apply jobs, each in its workspace's environment",
              subjects.apply.map(code).join(", "),
            ],
          ],
        )
      : markdownTable(
          ["CI role", "taken by", "keys"],
          [
            [
              code(plan.planRoleArn),
              "the plan and preview jobs",
              `repository secrets ${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}`,
            ],
            [
              applyRoleCell(plan),
              "the apply jobs, pushes to " + code(b),
              `environment secrets ${code(KEY_VARIABLES.apply.id)}, ${code(KEY_VARIABLES.apply.secret)} in every apply environment`,
            ],
          ],
        )),
    "",
    ...(oidc
      ? [
          "A job that names an environment gets the subject `repo:OWNER/REPO:environment:NAME`, whatever",
          "its trigger; a pull request job without one gets `repo:OWNER/REPO:pull_request`, a job of a",
          "branch without one `repo:OWNER/REPO:ref:refs/heads/BRANCH`. So the plan and preview jobs never",
          "name an environment (the CI plan role would refuse their token), and every apply job names its",
          "workspace's environment (the CI apply role refuses any other token). What stands between a",
          "pull request and the apply role is therefore the environments' rules below.",
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
    `- [ ] Require status checks to pass before merging, with the one check ${code(GITHUB_PLAN_CHECK)}`,
    "  - [ ] Require branches to be up to date before merging",
    "- [ ] Do not allow bypassing the above settings (administrators included)",
    "- [ ] Allow force pushes: off",
    "- [ ] Allow deletions: off",
    "",
    `${code(GITHUB_PLAN_CHECK)} gathers every plan job of the pull request (${rootWorkspaces(plan).length} (root, workspace)`,
    "pairs today, only those the change touches) into one result: it fails when any of them",
    "failed, and passes when the change touches none. It does not change when accounts or roots",
    `are added. On ${code(b)}, ${code(GITHUB_APPLY_CHECK)} does the same for the previews and applies of each push.`,
    "",
    "## Code owners",
    "",
    `${code(repositoryPath(PIPELINE_FILES.githubCodeowners))} gives ${ownedPaths(plan, "github").map(code).join(", ")} to ${plan.codeOwners.map(code).join(", ")}.`,
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
    ...markdownTable(["environment", "applies workspaces", "CI apply role"], environmentRows(plan)),
    "",
    "For each:",
    "",
    "- [ ] Required reviewers: the people or teams who approve applies. They approve after reading",
    "      the preview jobs' summaries in the same run: the apply job refuses a plan whose change set",
    "      differs from the preview's, or a state that moved since.",
    "- [ ] Prevent self-review",
    "- [ ] Allow administrators to bypass configured protection rules: off",
    `- [ ] Deployment branches and tags: Selected branches and tags, only ${code(b)}`,
    ...(oidc
      ? []
      : [
          `- [ ] Environment secrets ${code(KEY_VARIABLES.apply.id)} and ${code(KEY_VARIABLES.apply.secret)}: ${perEnvironmentApply(plan) ? "in each environment, the access key of that environment's own CI apply user" : "the access key of the CI apply user"}`,
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
    "## Drift",
    "",
    `The workflow plans every root and workspace on the schedule ${code(plan.driftSchedule)} (UTC) and when run by hand`,
    `(Actions → terraform → Run workflow, on ${code(b)}); a plan with changes fails its job and`,
    `${code(GITHUB_PLAN_CHECK)}. Watch the workflow's failures (Settings → Notifications) or route them to your`,
    "alerting.",
    "",
    "## Forks",
    "",
    "Pull requests from forks get no OIDC token and no secrets, so their plan jobs fail and the",
    "required check stays red: such a change is merged by pushing its branch to this repository",
    "after review. Never add a `pull_request_target` trigger to the workflow. In a private",
    'repository, Settings → Actions → General → Fork pull request workflows: leave "Send write',
    'tokens to workflows from fork pull requests" and "Send secrets and variables to workflows from',
    'fork pull requests" off.',
    "",
    "## Actions",
    "",
    "Settings → Actions → General: allow only the actions the workflow uses (each is pinned to a",
    'full commit SHA, see README.md), and tick "Require actions to be pinned to a full-length commit',
    'SHA" where your plan offers it.',
    "",
  ].join("\n");
}

/** `gitlab/BRANCH-PROTECTION.md`. */
export function renderGitlabBranchProtection(plan: PipelinePlan): string {
  const b = plan.branch;
  const subjects = gitlabSubjects(plan);
  const oidc = usesOidc(plan.mode);
  const approvals = plan.stages.flatMap((stage, s) =>
    plan.roots
      .filter((r) => stageWorkspaces(r, stage).length > 0)
      .map((r) => code(gitlabStageJobs(s, r.name).approve)),
  );
  return [
    `# GitLab settings for the Terraform pipeline (stack \`${plan.stack}\`)`,
    "",
    ...markdownHeader(plan.stack),
    "",
    "The pipeline is only as safe as these settings. Set every one before the first merge. Code",
    "owner approval, merge request approval rules and protected environments need GitLab Premium",
    "or Ultimate.",
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
                "the `plan:*` and `preview:*` jobs",
                subjects.plan.map(code).join(", "),
              ],
              [
                applyRoleCell(plan),
                `the ${code("apply:*")} jobs, pushes to ${code(b)}`,
                subjects.apply.map(code).join(", "),
              ],
            ],
          ),
          "",
          ...(perEnvironmentApply(plan)
            ? [
                "Each environment has its own CI apply role, trusted only by the subject of that",
                "environment's apply jobs. GitLab's default subject names no environment, so the project",
                "must build its subject from more claims. Set it before the first apply (a Maintainer's",
                "token with the `api` scope; GitLab answers 400 when the instance does not know a claim):",
                "",
                ...gitlabSubjectSetting(plan),
                "",
                "What it guarantees: a job's token matches an apply role only if the job runs for a",
                `protected ref named ${code(b)} (\`ref_protected:true\`) in that role's environment`,
                "(`environment:NAME`, from the job's `environment:`). Merge request pipelines are not",
                "protected, so none of them, a fork's included, presents an apply subject, whatever its",
                "source branch is called; GitLab fixed a flaw that gave a fork's merge request pipeline in",
                "the parent project the parent's project claims (“CI ID Token Manipulated claims",
                "vulnerability for forked projects MR pipelines”): run a release that has the fix. The",
                "call also turns off running fork pipelines in the parent project. Jobs without an",
                "environment (plans) keep matching the plan role, whose subject ends in `*`.",
              ]
            : [
                "The environment is not part of GitLab's subject: the apply role is pinned to the protected",
                "branch, so what guards it is who can change that branch and the protected environments",
                "below. The plan role admits every branch because merge request pipelines run on the source",
                "branch.",
              ]),
        ]
      : [
          "In iam-user mode each path has its own CI user, whose access keys live in CI/CD variables:",
          "",
          ...markdownTable(
            ["CI role", "taken by", "variables"],
            [
              [
                code(plan.planRoleArn),
                "the `plan:*` and `preview:*` jobs",
                `${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}: masked`,
              ],
              [
                applyRoleCell(plan),
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
    "The merge request pipeline is the one check: its plan jobs run only for the roots and",
    "workspaces the change touches, and it does not grow with accounts.",
    "",
    "## Approving applies",
    "",
    `Each stage and root of a push pipeline has a manual job (${approvals.join(", ")}): the`,
    "previews before it show every plan, and the apply jobs after it refuse a plan whose change set",
    "differs from the preview's, or a state that moved since. Only users allowed to merge to the",
    `protected branch can run a manual job of its pipelines: keep ${code(b)}'s "Allowed to merge" to the`,
    "people who approve applies.",
    "",
    "## Code owners",
    "",
    `${code(repositoryPath(PIPELINE_FILES.gitlabCodeowners))} gives ${ownedPaths(plan, "gitlab").map(code).join(", ")} to ${plan.codeOwners.map(code).join(", ")},`,
    "one required section per owner: each owner must approve. Each must be a member of the project",
    "(or the group be invited to it) with at least Developer access.",
    "",
    "## Protected environments",
    "",
    "Settings → CI/CD → Protected environments, one per apply environment:",
    "",
    ...markdownTable(["environment", "applies workspaces", "CI apply role"], environmentRows(plan)),
    "",
    "For each:",
    "",
    "- [ ] Allowed to deploy: Maintainers (or the group that runs applies)",
    "- [ ] Deployment approvals: none (the manual approval job approves the whole stage; deployment",
    "      approvals would ask for one approval per workspace)",
    "",
    ...(oidc
      ? []
      : [
          "## CI/CD variables",
          "",
          "Settings → CI/CD → Variables:",
          "",
          `- [ ] ${code(KEY_VARIABLES.plan.id)}, ${code(KEY_VARIABLES.plan.secret)}: the CI plan user's access key; masked; not protected (merge request pipelines run on unprotected branches)`,
          `- [ ] ${code(KEY_VARIABLES.apply.id)}, ${code(KEY_VARIABLES.apply.secret)}: ${perEnvironmentApply(plan) ? "each environment's own CI apply user's access key" : "the CI apply user's access key"}; protected; masked; one entry per apply environment with that environment as its scope`,
          "",
        ]),
    "## Drift",
    "",
    `Build → Pipeline schedules: a schedule on ${code(b)} with the cron ${code(plan.driftSchedule)} (UTC). Scheduled`,
    "and manually run pipelines plan every root and workspace; a plan with changes fails its job.",
    "",
    "## Resource groups",
    "",
    "Each state's apply jobs share the resource group `terraform-<root>-<workspace>`, so one",
    "applies at a time. To apply waiting jobs in the order their pipelines were created, set the",
    "groups' process mode to `oldest_first` (Resource group API,",
    "`PUT /projects/:id/resource_groups/:key`).",
    "",
    "## Forks",
    "",
    "Merge request pipelines from forks run in the fork, without this project's variables and",
    "with the fork's project path in their ID token: their plans fail. Run a fork's pipeline in",
    "this project only after reviewing its changes, `.gitlab-ci.yml` included.",
    "",
  ].join("\n");
}

/**
 * CODEOWNERS for the infrastructure repository: every Terraform root, the shared module
 * folders, the pipeline definition with its support files, and the CODEOWNERS file itself
 * belong to every configured owner.
 *
 * - GitHub ("About code owners"): one line per path with every owner. A line with several
 *   owners is satisfied by a review from ANY one of them; BRANCH-PROTECTION.md says how to
 *   require each team.
 * - GitLab ("Code Owners syntax"): one required section per owner (`[name][1] @owner` then
 *   the paths), and GitLab requires an approval from each required section, so every owner
 *   must approve.
 */
import { commentHeader, PIPELINE_FILES, repositoryPath } from "./files";
import type { PipelinePlan } from "./model";
import { SUPPORT_FOLDER } from "./support-files";

/** The paths the owners own, as CODEOWNERS patterns anchored at the repository root. */
export function ownedPaths(plan: PipelinePlan, platform: "github" | "gitlab"): string[] {
  const folder = (dir: string) => (dir === "." ? "*" : `/${dir}/`);
  const code = [
    ...new Set([...plan.roots.map((r) => folder(r.directory)), ...plan.sharedPaths.map(folder)]),
  ];
  return platform === "github"
    ? [
        ...code,
        "/.github/workflows/",
        `/.github/${SUPPORT_FOLDER}/`,
        `/${repositoryPath(PIPELINE_FILES.githubCodeowners)}`,
      ]
    : [
        ...code,
        `/${repositoryPath(PIPELINE_FILES.gitlabCi)}`,
        `/.gitlab/${SUPPORT_FOLDER}/`,
        `/${repositoryPath(PIPELINE_FILES.gitlabCodeowners)}`,
      ];
}

/** `.github/CODEOWNERS`. */
export function renderGithubCodeowners(plan: PipelinePlan): string {
  const owners = plan.codeOwners.join(" ");
  const paths = ownedPaths(plan, "github");
  const width = Math.max(...paths.map((p) => p.length));
  return [
    commentHeader(plan.stack, [
      "",
      "Copy to .github/CODEOWNERS. With 'Require review from Code Owners' on the protected",
      "branch, a change to these paths needs a code owner's approval. A line with several",
      "owners is satisfied by ANY one of them: to require every team, see BRANCH-PROTECTION.md.",
    ]),
    "",
    ...paths.map((p) => `${p.padEnd(width)} ${owners}`),
    "",
  ].join("\n");
}

/** A section name for an owner: its name without `@`, unique per owner. */
function sectionName(owner: string): string {
  return owner.replace(/^@/, "");
}

/** `.gitlab/CODEOWNERS`. */
export function renderGitlabCodeowners(plan: PipelinePlan): string {
  const paths = ownedPaths(plan, "gitlab");
  return [
    commentHeader(plan.stack, [
      "",
      "Copy to .gitlab/CODEOWNERS. One required section per owner: with 'Code owner approval'",
      "on the protected branch, a change to these paths needs an approval from EACH owner.",
    ]),
    ...plan.codeOwners.flatMap((owner) => ["", `[${sectionName(owner)}][1] ${owner}`, ...paths]),
    "",
  ].join("\n");
}

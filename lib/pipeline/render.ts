import type { HandoffFile } from "../terraform/files";
import { renderGithubBranchProtection, renderGitlabBranchProtection } from "./branch-protection";
import { renderGithubCodeowners, renderGitlabCodeowners } from "./codeowners";
import { PIPELINE_FILES } from "./files";
import { renderGithubPipelineData, renderGithubWorkflow } from "./github-workflow";
import { renderGitlabCi, renderGitlabPipelineData } from "./gitlab-ci";
import { renderChangesScript, renderPlanDigestScript } from "./support-files";
import { pipelinePlatforms, type PipelinePlan } from "./model";
import { renderPipelineReadme } from "./readme";
import { PipelinePlanError, validatePipelinePlan } from "./validate";

/**
 * Every file of the CI pipeline templates for `plan`, paths relative to `ci/`, in a fixed order:
 * the README, then the GitHub files (github-oidc and iam-user modes), then the GitLab files
 * (gitlab-oidc and iam-user modes); each platform's pipeline, its support files
 * (`tf-bootstrap/`: data, change detection, plan digest), CODEOWNERS and settings. Throws {@link PipelinePlanError} listing every problem
 * when {@link validatePipelinePlan} refuses the plan.
 */
export function renderPipeline(plan: PipelinePlan): HandoffFile[] {
  const problems = validatePipelinePlan(plan);
  if (problems.length > 0) throw new PipelinePlanError(problems);
  const files: HandoffFile[] = [{ path: PIPELINE_FILES.readme, text: renderPipelineReadme(plan) }];
  const platforms = pipelinePlatforms(plan.mode);
  if (platforms.includes("github")) {
    files.push(
      { path: PIPELINE_FILES.githubWorkflow, text: renderGithubWorkflow(plan) },
      { path: PIPELINE_FILES.githubData, text: renderGithubPipelineData(plan) },
      { path: PIPELINE_FILES.githubChanges, text: renderChangesScript(plan.stack) },
      { path: PIPELINE_FILES.githubDigest, text: renderPlanDigestScript(plan.stack) },
      { path: PIPELINE_FILES.githubCodeowners, text: renderGithubCodeowners(plan) },
      { path: PIPELINE_FILES.githubBranchProtection, text: renderGithubBranchProtection(plan) },
    );
  }
  if (platforms.includes("gitlab")) {
    files.push(
      { path: PIPELINE_FILES.gitlabCi, text: renderGitlabCi(plan) },
      { path: PIPELINE_FILES.gitlabData, text: renderGitlabPipelineData(plan) },
      { path: PIPELINE_FILES.gitlabChanges, text: renderChangesScript(plan.stack) },
      { path: PIPELINE_FILES.gitlabDigest, text: renderPlanDigestScript(plan.stack) },
      { path: PIPELINE_FILES.gitlabCodeowners, text: renderGitlabCodeowners(plan) },
      { path: PIPELINE_FILES.gitlabBranchProtection, text: renderGitlabBranchProtection(plan) },
    );
  }
  return files;
}

import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { gitlabSubjectSetting } from "../../lib/pipeline/branch-protection";
import { PIPELINE_FILES } from "../../lib/pipeline/files";
import { renderPipeline } from "../../lib/pipeline/render";
import { GITLAB_SUB_CLAIM_COMPONENTS } from "../../lib/plan/oidc";
import { pipelinePlan, SEQUENTIAL } from "./fixtures";

const role = (env: string) => `arn:aws:iam::111111111111:role/terraform-ci-${env}`;
const perEnvironment = (mode: "gitlab-oidc" | "github-oidc" | "iam-user") =>
  pipelinePlan(mode, SEQUENTIAL, {
    applyRolesMode: "per-environment",
    applyRoleArns: { dev: role("dev"), staging: role("staging"), production: role("production") },
    ...(mode === "gitlab-oidc" ? { gitlabUrl: "https://gitlab.example.com" } : {}),
  });
const file = (plan: ReturnType<typeof pipelinePlan>, path: string) =>
  renderPipeline(plan).find((f) => f.path === path)?.text ?? "";

describe("pipelines with one CI apply role per environment", () => {
  it("GitLab: lists one apply subject per environment and generates the project setting's API call", () => {
    const text = file(perEnvironment("gitlab-oidc"), PIPELINE_FILES.gitlabBranchProtection);
    for (const env of ["dev", "staging", "production"]) {
      assert.ok(
        text.includes(
          `\`project_path:acme/platform/infrastructure:ref_type:branch:ref:main:ref_protected:true:environment:${env}\``,
        ),
        env,
      );
    }
    const call = gitlabSubjectSetting(perEnvironment("gitlab-oidc")).join("\n");
    assert.ok(text.includes(call), "the call is in BRANCH-PROTECTION.md");
    const data = /--data '([^']+)'/.exec(call)?.[1] ?? "";
    assert.deepEqual(JSON.parse(data), {
      ci_id_token_sub_claim_components: [...GITLAB_SUB_CLAIM_COMPONENTS],
      ci_allow_fork_pipelines_to_run_in_parent_project: false,
    });
    assert.match(call, /"https:\/\/gitlab\.example\.com\/api\/v4\/projects\/[^/"]+%2F[^"]+"/);
    // The call is a well-formed shell command.
    const script = call.replace(/^```sh\n|\n```$/g, "");
    execFileSync("bash", ["-n", "-c", script]);
  });

  it("GitLab: a shared apply role keeps GitLab's default subject and needs no setting", () => {
    const text = file(pipelinePlan("gitlab-oidc"), PIPELINE_FILES.gitlabBranchProtection);
    assert.ok(!text.includes("ci_id_token_sub_claim_components"));
  });

  it("every apply job takes its environment's CI apply role", () => {
    for (const mode of ["gitlab-oidc", "github-oidc", "iam-user"] as const) {
      const data = renderPipeline(perEnvironment(mode)).find((f) =>
        f.path.endsWith("tf-bootstrap/pipeline.json"),
      );
      assert.ok(data, mode);
      const matrices = (JSON.parse(data.text) as { matrices: Record<string, unknown[]> }).matrices;
      const applies = Object.entries(matrices)
        .filter(([k]) => k.startsWith("apply-"))
        .flatMap(([, v]) => v as { environment: string; role: string }[]);
      assert.ok(applies.length > 0, mode);
      for (const job of applies) assert.equal(job.role, role(job.environment), mode);
    }
  });

  it("iam-user: each environment's secrets hold its own user's key", () => {
    const readme = renderPipeline(perEnvironment("iam-user"))
      .filter((f) => f.path.endsWith(".md"))
      .map((f) => f.text)
      .join("\n");
    assert.match(readme, /that environment's own CI apply user/);
  });
});

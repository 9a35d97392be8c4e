import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { PIPELINE_FILES, renderPipeline, validatePipelinePlan } from "../../lib/pipeline";
import { pipelinePlan } from "./fixtures";

describe("CI pipeline templates: the CI role sessions", () => {
  it("asks for sessions as long as the CI roles allow, on both paths", () => {
    const files = renderPipeline(
      pipelinePlan("github-oidc", undefined, { sessionDurationSeconds: 7200 }),
    );
    const workflow = files.find((f) => f.path === PIPELINE_FILES.githubWorkflow)?.text ?? "";
    interface Step {
      readonly uses?: string;
      readonly with?: Record<string, unknown>;
    }
    const jobs = (parse(workflow) as { jobs: Record<string, { steps: Step[] }> }).jobs;
    const durations = Object.values(jobs).flatMap((job) =>
      job.steps
        .filter((s) => (s.uses ?? "").startsWith("aws-actions/configure-aws-credentials"))
        .map((s) => s.with?.["role-duration-seconds"]),
    );
    assert.ok(durations.length >= 3);
    for (const d of durations) assert.equal(d, 7200);
  });

  it("refuses a session STS would not grant", () => {
    for (const bad of [600, 50000, 3600.5]) {
      const problems = validatePipelinePlan(
        pipelinePlan("github-oidc", undefined, { sessionDurationSeconds: bad }),
      );
      assert.deepEqual(
        problems.map((p) => p.path),
        ["sessionDurationSeconds"],
        String(bad),
      );
    }
  });
});

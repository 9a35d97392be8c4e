/**
 * A stack larger than one CI matrix: the plan jobs are split at the platforms' matrix limits
 * (GitHub 256, GitLab 200), every workspace is planned exactly once, and the files still pass
 * the linters.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PIPELINE_FILES, renderPipeline, type PipelineWorkspace } from "../../lib/pipeline";
import { chunkBySize } from "../../lib/plan/chunk";
import { ensureTools, SETUP_TIMEOUT_MS, type Tools } from "../harness/tools";
import { pipelinePlan } from "./fixtures";
import { actionlint, checkJsonschema } from "./linters";

const COUNT = 450;

const workspaces: PipelineWorkspace[] = Array.from({ length: COUNT }, (_, i) => ({
  workspace: `acct-${String(i + 1).padStart(4, "0")}`,
  accountId: String(200000000000 + i),
  environment: `acct-${String(i + 1).padStart(4, "0")}`,
}));

describe("CI pipeline templates for a stack larger than one matrix", function () {
  let tools: Tools;
  let dir: string;
  const files = renderPipeline(
    pipelinePlan(
      "iam-user",
      chunkBySize(workspaces, (stage) => stage.length <= 100),
    ),
  );
  const text = (name: string) => files.find((f) => f.path === name)?.text ?? "";

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureTools();
    dir = mkdtempSync(path.join(tmpdir(), "tfb-large-"));
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("splits GitHub's pull request plans into matrices of at most 256 and plans every workspace once", function () {
    const jobs = (parse(text(PIPELINE_FILES.githubWorkflow)) as { jobs: Record<string, any> }).jobs;
    const plans = Object.keys(jobs).filter((id) => id === "plan" || id.startsWith("plan-"));
    assert.deepEqual(plans, ["plan", "plan-2"]);
    const planned = plans.flatMap((id) => jobs[id].strategy.matrix.workspace as string[]);
    assert.deepEqual(
      planned,
      workspaces.map((w) => w.workspace),
    );
    for (const id of plans) assert.ok(jobs[id].strategy.matrix.workspace.length <= 256, id);
  });

  it("splits GitLab's merge request plans into matrices of at most 200 and plans every workspace once", function () {
    const ci = parse(text(PIPELINE_FILES.gitlabCi)) as Record<string, any>;
    const plans = Object.keys(ci).filter((k) => k === "plan" || k.startsWith("plan:"));
    assert.deepEqual(plans, ["plan", "plan:2", "plan:3"]);
    const planned = plans.flatMap((k) => ci[k].parallel.matrix[0].WORKSPACE as string[]);
    assert.deepEqual(
      planned,
      workspaces.map((w) => w.workspace),
    );
    for (const k of plans) assert.ok(ci[k].parallel.matrix[0].WORKSPACE.length <= 200, k);
  });

  it("passes actionlint and both schemas", async function () {
    this.timeout(300_000);
    const lint = await actionlint(tools, dir, [PIPELINE_FILES.githubWorkflow]);
    assert.equal(lint.code, 0, lint.output);
    const github = await checkJsonschema(tools, "vendor.github-workflows", dir, [
      PIPELINE_FILES.githubWorkflow,
    ]);
    assert.equal(github.code, 0, github.output);
    const gitlab = await checkJsonschema(tools, "vendor.gitlab-ci", dir, [PIPELINE_FILES.gitlabCi]);
    assert.equal(gitlab.code, 0, gitlab.output);
  });
});

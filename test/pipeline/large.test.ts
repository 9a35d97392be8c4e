/**
 * Scale: the workflow grows with stages and roots, not with accounts. A stack of 6, 40 and
 * 450 accounts over the same three environments and two roots gets the same jobs (450 adds
 * one plan matrix: GitHub's matrices hold 256); only the data file grows. The large files
 * still pass every linter.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PIPELINE_FILES, renderPipeline, type PipelineWorkspace } from "../../lib/pipeline";
import { environmentStages } from "../../lib/config/names";
import { SETUP_TIMEOUT_MS } from "../harness/tools";
import { pipelinePlan, twoRoots } from "./fixtures";
import { actionlint, checkJsonschema, ensureLinters, zizmor, type Linters } from "./linters";

const ENVIRONMENTS = ["dev", "staging", "production"];

function accounts(count: number): PipelineWorkspace[] {
  return Array.from({ length: count }, (_, i) => ({
    workspace: `acct-${String(i + 1).padStart(4, "0")}`,
    accountId: String(200000000000 + i),
    environment: ENVIRONMENTS[i % 3] ?? "dev",
  }));
}

function planFor(count: number, mode: "github-oidc" | "iam-user" = "github-oidc") {
  const all = accounts(count);
  const byName = new Map(all.map((w) => [w.workspace, w]));
  const stages = environmentStages(all, ENVIRONMENTS).map((stage) =>
    stage.map((w) => byName.get(w) as PipelineWorkspace),
  );
  return pipelinePlan(mode, stages, { roots: twoRoots(stages) });
}

function text(count: number, file: string, mode: "github-oidc" | "iam-user" = "github-oidc") {
  return renderPipeline(planFor(count, mode)).find((f) => f.path === file)?.text ?? "";
}

const jobs = (yamlText: string) => Object.keys((parse(yamlText) as { jobs: object }).jobs);
const lines = (yamlText: string) => yamlText.split("\n").filter((l) => !l.startsWith("#")).length;

describe("CI pipeline templates at scale", function () {
  let tools: Linters;
  let dir: string;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureLinters();
    dir = mkdtempSync(path.join(tmpdir(), "tfb-large-"));
    for (const f of renderPipeline(planFor(450, "iam-user"))) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has the same GitHub jobs and lines for 6 and 40 accounts: one job per stage and root, not per account", function () {
    const small = text(6, PIPELINE_FILES.githubWorkflow);
    const forty = text(40, PIPELINE_FILES.githubWorkflow);
    assert.deepEqual(jobs(forty), jobs(small));
    assert.equal(lines(forty), lines(small));
    // changes, 1 plan matrix, the check, the comment, preview + apply per stage and root, the apply check
    assert.equal(jobs(forty).length, 4 + 2 * 3 * 2 + 1);
    const gitlab = (n: number) =>
      Object.keys(parse(text(n, PIPELINE_FILES.gitlabCi, "iam-user")) as object);
    assert.deepEqual(gitlab(40), gitlab(6));
  });

  it("splits 450 accounts' plans into matrices of at most 256 and plans every pair once", function () {
    const wf = text(450, PIPELINE_FILES.githubWorkflow);
    assert.deepEqual(
      jobs(wf).filter((id) => /^plan-\d+$/.test(id)),
      ["plan-1", "plan-2", "plan-3", "plan-4"],
    );
    const data = JSON.parse(text(450, PIPELINE_FILES.githubData)) as {
      matrices: Record<string, { root: string; workspace: string }[]>;
    };
    const planned = Object.entries(data.matrices)
      .filter(([k]) => k.startsWith("plan-"))
      .flatMap(([, v]) => v);
    assert.equal(planned.length, 450 + 449);
    assert.equal(new Set(planned.map((p) => `${p.root}/${p.workspace}`)).size, planned.length);
    for (const [key, matrix] of Object.entries(data.matrices)) {
      assert.ok(matrix.length <= 256, `${key} holds ${matrix.length}`);
    }
  });

  it("passes actionlint, zizmor and both schemas at 450 accounts", async function () {
    this.timeout(300_000);
    const lint = await actionlint(tools, dir, [PIPELINE_FILES.githubWorkflow]);
    assert.equal(lint.code, 0, lint.output);
    const audit = await zizmor(tools, dir, [PIPELINE_FILES.githubWorkflow]);
    assert.equal(audit.code, 0, audit.output);
    const github = await checkJsonschema(tools, "vendor.github-workflows", dir, [
      PIPELINE_FILES.githubWorkflow,
    ]);
    assert.equal(github.code, 0, github.output);
    const gitlab = await checkJsonschema(tools, "vendor.gitlab-ci", dir, [PIPELINE_FILES.gitlabCi]);
    assert.equal(gitlab.code, 0, gitlab.output);
  });
});

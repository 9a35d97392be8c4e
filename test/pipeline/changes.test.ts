/**
 * Change detection: the generated `changes.sh` run on a real git repository, the way the
 * `changes` job runs it, for each kind of change.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PIPELINE_FILES, renderPipeline } from "../../lib/pipeline";
import { PARALLEL, pipelinePlan, twoRoots } from "./fixtures";

const ZERO = "0".repeat(40);

describe("change detection (changes.sh on a git repository)", function () {
  this.timeout(60_000);
  let repo: string;
  let base: string;

  const git = (...args: string[]) => {
    const run = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
    assert.equal(run.status, 0, `git ${args.join(" ")}: ${run.stderr}`);
    return run.stdout.trim();
  };
  const write = (file: string, text = "x\n") => {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  };
  const commit = () => {
    git("add", "-A");
    git("commit", "-q", "-m", "change");
    return git("rev-parse", "HEAD");
  };
  const changes = (event: string, from: string, format = "pairs") => {
    const run = spawnSync(
      "bash",
      [".github/tf-bootstrap/changes.sh", event, from, git("rev-parse", "HEAD"), format],
      { cwd: repo, encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    return run.stdout
      .trim()
      .split("\n")
      .filter((l) => l !== "");
  };

  beforeEach(function () {
    repo = mkdtempSync(path.join(tmpdir(), "tfb-changes-"));
    git("init", "-q");
    git("config", "user.email", "ci@example.com");
    git("config", "user.name", "ci");
    const files = renderPipeline(
      pipelinePlan("github-oidc", PARALLEL, { roots: twoRoots(PARALLEL) }),
    );
    for (const f of files.filter((f) => f.path.startsWith("github/"))) {
      write(f.path.replace(/^github\//, ""), f.text);
    }
    for (const file of ["network/main.tf", "app/main.tf", "modules/vpc/main.tf", "README.md"])
      write(file);
    base = commit();
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  const ALL_NETWORK = ["network dev", "network staging-eu", "network staging-us", "network prod"];
  const ALL_APP = ["app staging-eu", "app staging-us", "app prod"];

  const cases: { name: string; change: () => void; expected: string[] }[] = [
    { name: "a file outside every root", change: () => write("README.md", "y\n"), expected: [] },
    { name: "a file of one root", change: () => write("app/main.tf", "y\n"), expected: ALL_APP },
    {
      name: "one workspace's variables file",
      change: () => write("network/workspaces/staging-us.tfvars"),
      expected: ["network staging-us"],
    },
    {
      name: "a variables file of a workspace the root is not applied in",
      change: () => write("app/workspaces/dev.tfvars"),
      expected: [],
    },
    {
      name: "a shared module",
      change: () => write("modules/vpc/main.tf", "y\n"),
      expected: [...ALL_NETWORK, ...ALL_APP],
    },
    {
      name: "the workflow",
      change: () => write(".github/workflows/terraform.yml", "# edited\n"),
      expected: [...ALL_NETWORK, ...ALL_APP],
    },
    {
      name: "a removed handoff file of one root",
      change: () => {
        write("network/backend.s3.tfbackend");
        base = commit();
        rmSync(path.join(repo, "network/backend.s3.tfbackend"));
      },
      expected: ALL_NETWORK,
    },
  ];
  for (const c of cases) {
    it(`touches exactly the affected pairs: ${c.name}`, function () {
      c.change();
      commit();
      assert.deepEqual(changes("pull_request", base).sort(), [...c.expected].sort());
    });
  }

  it("touches everything on a schedule, a manual run, after a failed push, and without a known base", function () {
    write("README.md", "y\n");
    commit();
    const all = [...ALL_NETWORK, ...ALL_APP].sort();
    for (const event of ["schedule", "workflow_dispatch", "web", "full"]) {
      assert.deepEqual(changes(event, base).sort(), all, event);
    }
    assert.deepEqual(changes("push", ZERO).sort(), all);
    assert.deepEqual(changes("push", "").sort(), all);
    assert.deepEqual(changes("push", "1234567890abcdef1234567890abcdef12345678").sort(), all);
  });

  it("prints each job's matrix, with only the touched entries, for GitHub's outputs", function () {
    write("network/workspaces/prod.tfvars");
    commit();
    const outputs = Object.fromEntries(
      changes("pull_request", base, "github").map((l) => [
        l.slice(0, l.indexOf("=")),
        JSON.parse(l.slice(l.indexOf("=") + 1)),
      ]),
    );
    const data = JSON.parse(
      renderPipeline(pipelinePlan("github-oidc", PARALLEL, { roots: twoRoots(PARALLEL) })).find(
        (f) => f.path === PIPELINE_FILES.githubData,
      )!.text,
    ) as { matrices: Record<string, unknown[]> };
    assert.deepEqual(Object.keys(outputs), Object.keys(data.matrices));
    assert.deepEqual(outputs["plan-1"], [
      { root: "network", directory: "network", workspace: "prod" },
    ]);
    assert.deepEqual(outputs["apply-3-network"], [
      {
        root: "network",
        directory: "network",
        workspace: "prod",
        environment: "production",
        role: "arn:aws:iam::111111111111:role/tf-bootstrap/terraform-ci",
      },
    ]);
    for (const [key, value] of Object.entries(outputs)) {
      if (key !== "plan-1" && key !== "apply-3-network") assert.deepEqual(value, [], key);
    }
  });
});

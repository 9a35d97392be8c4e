/**
 * The approved plan is the applied plan: the generated preview and apply steps, run as the
 * GitHub runner and the GitLab runner run them, with a real OpenTofu on a real configuration.
 *
 * Stand-ins, and what they cannot show: the state lives in a local backend (the s3 backend's
 * `state pull` returns the same document), the configuration uses OpenTofu's built-in
 * `terraform_data` (no provider, no AWS), and the credentials steps are not run (the CI roles
 * are proven elsewhere against moto). `TF_VAR_access` is `plan` in the preview and `apply` in
 * the apply, as in the jobs; the configuration declares it like the handoff's accounts.tf.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PIPELINE_FILES, renderPipeline, type CiMode } from "../../lib/pipeline";
import { ensureTools, type Tools } from "../harness/tools";
import { tofuSandbox, type TofuSandbox } from "../harness/tofu";
import { SETUP_TIMEOUT_MS } from "../harness/tools";
import { pipelinePlan, SEQUENTIAL } from "./fixtures";

const CONFIG = `
terraform {
  backend "local" {}
}
variable "access" {
  type    = string
  default = "plan"
}
variable "size" {
  type    = string
  default = "small"
}
resource "terraform_data" "server" {
  input = { size = var.size, name = "web" }
}
output "size" {
  value = terraform_data.server.output.size
}
`;

interface Steps {
  readonly preview: string;
  readonly apply: string;
  readonly applySaved: string;
}

function githubSteps(mode: CiMode): Steps {
  const files = renderPipeline(pipelinePlan(mode, SEQUENTIAL, { tool: "tofu" }));
  const wf = parse(files.find((f) => f.path === PIPELINE_FILES.githubWorkflow)!.text) as {
    jobs: Record<string, { steps: { name: string; run?: string }[] }>;
  };
  const step = (job: string, prefix: string) => {
    const found = wf.jobs[job]?.steps.find((s) => s.name.startsWith(prefix))?.run;
    assert.ok(found, `no step "${prefix}..." in job ${job}`);
    return found;
  };
  return {
    preview: step("preview-1-root", "Plan, and show"),
    apply: step("apply-1-root", "Plan, and hold"),
    applySaved: step("apply-1-root", "Apply the saved plan"),
  };
}

describe("The approved plan is the applied plan (generated steps, real OpenTofu)", function () {
  this.timeout(300_000);
  let tools: Tools;
  let sandbox: TofuSandbox;
  let runnerTemp: string;
  let workspace: string;
  let summary: string;

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureTools();
  });

  beforeEach(function () {
    sandbox = tofuSandbox("approved-plan");
    workspace = path.join(sandbox.dir, "repo");
    runnerTemp = path.join(sandbox.dir, "runner-temp");
    summary = path.join(sandbox.dir, "summary.md");
    mkdirSync(path.join(workspace, "terraform", "workspaces"), { recursive: true });
    mkdirSync(runnerTemp, { recursive: true });
    writeFileSync(summary, "");
    for (const f of renderPipeline(pipelinePlan("github-oidc", SEQUENTIAL, { tool: "tofu" }))) {
      if (!f.path.startsWith("github/")) continue;
      const target = path.join(workspace, f.path.replace(/^github\//, ""));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.text);
    }
    writeFileSync(path.join(workspace, "terraform", "main.tf"), CONFIG);
    tf(["init", "-input=false"]); // TF_WORKSPACE=dev: init creates the workspace
    tf(["apply", "-input=false", "-auto-approve"]);
    setSize("large");
  });
  afterEach(() => sandbox.cleanup());

  function env(access: string): Record<string, string> {
    return {
      PATH: `${path.dirname(tools.tofu)}${path.delimiter}${process.env.PATH ?? ""}`,
      ...sandbox.env,
      TF: "tofu",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF_VAR_access: access,
      ROOT: "root",
      WORKSPACE: "dev",
      // The jobs select the workspace with select-workspace.sh; here the CLI's variable does.
      TF_WORKSPACE: "dev",
      RUNNER_TEMP: runnerTemp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_STEP_SUMMARY: summary,
    };
  }

  function tf(args: string[]): string {
    const run = spawnSync(tools.tofu, args, {
      cwd: path.join(workspace, "terraform"),
      env: env("apply"),
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `tofu ${args.join(" ")}: ${run.stdout}${run.stderr}`);
    return run.stdout;
  }

  /** Runs a step's script the way the runner does (`bash -e -o pipefail`), in the root. */
  function step(script: string, access: string): { code: number; output: string } {
    const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd: path.join(workspace, "terraform"),
      env: env(access),
      encoding: "utf8",
    });
    return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
  }

  function setSize(size: string): void {
    writeFileSync(
      path.join(workspace, "terraform", "workspaces", "dev.tfvars"),
      `size = "${size}"\n`,
    );
  }

  function appliedSize(): string {
    return JSON.parse(tf(["output", "-json", "size"])) as string;
  }

  /** What the artifact between the two jobs carries: the preview's record, nothing else. */
  function handOver(): void {
    const preview = path.join(runnerTemp, "preview");
    mkdirSync(preview, { recursive: true });
    for (const name of ["digest", "state"]) {
      writeFileSync(path.join(preview, name), readFileSync(path.join(runnerTemp, name)));
    }
    rmSync(path.join(workspace, "terraform", "tfplan"), { force: true });
  }

  const steps = githubSteps("github-oidc");

  it("applies the previewed change set: the workspace's variables file included", function () {
    const preview = step(steps.preview, "plan");
    assert.equal(preview.code, 0, preview.output);
    assert.match(readFileSync(summary, "utf8"), /Preview of workspace `dev`[\s\S]*"large"/);
    assert.match(readFileSync(summary, "utf8"), /Change set SHA-256: [0-9a-f]{64}, state /);
    handOver();
    const held = step(steps.apply, "apply");
    assert.equal(held.code, 0, held.output);
    assert.match(readFileSync(summary, "utf8"), /the approved preview's/);
    const applied = step(steps.applySaved, "apply");
    assert.equal(applied.code, 0, applied.output);
    assert.equal(appliedSize(), "large");
  });

  it("refuses, and applies nothing, when the plan's change set differs from the preview's", function () {
    assert.equal(step(steps.preview, "plan").code, 0);
    handOver();
    setSize("huge"); // what the apply would plan is no longer what was approved
    const held = step(steps.apply, "apply");
    assert.notEqual(held.code, 0);
    assert.match(held.output, /Plan differs from the approved preview.*nothing was applied/);
    assert.equal(appliedSize(), "small");
  });

  it("refuses when the state moved since the preview, before planning", function () {
    assert.equal(step(steps.preview, "plan").code, 0);
    handOver();
    tf(["apply", "-input=false", "-auto-approve", "-var", "size=medium"]); // another run applied
    const held = step(steps.apply, "apply");
    assert.notEqual(held.code, 0);
    assert.match(held.output, /State moved since the preview/);
    assert.equal(appliedSize(), "medium");
  });

  /** The GitLab preview's and apply's lines from the state read on, as one sh script each. */
  function gitlabScripts(): { preview: string; apply: string } {
    const files = renderPipeline(pipelinePlan("gitlab-oidc", SEQUENTIAL, { tool: "tofu" }));
    for (const f of files.filter((f) => f.path.startsWith("gitlab/"))) {
      const target = path.join(workspace, f.path.replace(/^gitlab\//, ""));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.text);
    }
    const ci = parse(files.find((f) => f.path === PIPELINE_FILES.gitlabCi)!.text) as Record<
      string,
      { script: string[] }
    >;
    const from = (job: string, start: (line: string) => boolean) => {
      const script = ci[job]?.script ?? [];
      const at = script.findIndex(start);
      assert.ok(at > 0, `${job}: no line to start from`);
      return [
        'mkdir -p "$CI_PROJECT_DIR/preview/$ROOT/$WORKSPACE"',
        "cd terraform",
        ...script.slice(at),
      ].join("\n");
    };
    return {
      preview: from("preview:1:root", (l) => l.startsWith('"$TF" state pull')),
      apply: from("apply:1:root", (l) => l.startsWith("if [ ! -f") && l.includes("state pull")),
    };
  }

  function gitlabRun(script: string, access: string): { code: number; output: string } {
    const run = spawnSync("sh", ["-e", "-c", script], {
      cwd: workspace,
      env: { ...env(access), CI_PROJECT_DIR: workspace },
      encoding: "utf8",
    });
    return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
  }

  it("GitLab: applies the previewed change set, refuses a changed plan or a moved state (sh, as the runner)", function () {
    const gitlab = gitlabScripts();
    const preview = gitlabRun(gitlab.preview, "plan");
    assert.equal(preview.code, 0, preview.output);
    assert.match(preview.output, /Change set SHA-256 [0-9a-f]{64}/);
    setSize("huge");
    const differs = gitlabRun(gitlab.apply, "apply");
    assert.notEqual(differs.code, 0);
    assert.match(differs.output, /differs from the approved preview's .*nothing was applied/);
    assert.equal(appliedSize(), "small");
    setSize("large");
    tf(["apply", "-input=false", "-auto-approve", "-var", "size=medium"]);
    const moved = gitlabRun(gitlab.apply, "apply");
    assert.notEqual(moved.code, 0);
    assert.match(moved.output, /moved since the preview/);
    assert.equal(appliedSize(), "medium");
    assert.equal(gitlabRun(gitlab.preview, "plan").code, 0);
    const applied = gitlabRun(gitlab.apply, "apply");
    assert.equal(applied.code, 0, applied.output);
    assert.match(applied.output, /the approved preview's/);
    assert.equal(appliedSize(), "large");
  });

  it("the same changes planned with plan access and with apply access have one digest; other changes another", function () {
    const digest = path.join(workspace, ".github", "tf-bootstrap", "plan-digest.sh");
    const planned = (access: string) => {
      const plan = step(
        `"$TF" plan -input=false -out=tfplan -var-file=workspaces/dev.tfvars`,
        access,
      );
      assert.equal(plan.code, 0, plan.output);
      const out = step(`bash "${digest}" tfplan`, access);
      assert.equal(out.code, 0, out.output);
      return {
        digest: out.output.trim(),
        file: readFileSync(path.join(workspace, "terraform", "tfplan")),
      };
    };
    const asPlan = planned("plan");
    const asApply = planned("apply");
    assert.match(asPlan.digest, /^[0-9a-f]{64}$/);
    assert.equal(asPlan.digest, asApply.digest);
    assert.notDeepEqual(asPlan.file, asApply.file, "the plan files themselves differ");
    setSize("huge");
    assert.notEqual(planned("apply").digest, asApply.digest);
  });
});

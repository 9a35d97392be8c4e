import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  PIPELINE_FILES,
  renderPipeline,
  type CiMode,
  type PipelinePlan,
  type PipelineWorkspace,
} from "../../lib/pipeline";
import type { HandoffFile } from "../../lib/terraform";
import { ensureTools, SETUP_TIMEOUT_MS, type Tools } from "../harness/tools";
import { APPLY_ROLE, MODES, PARALLEL, pipelinePlan, PLAN_ROLE, SEQUENTIAL } from "./fixtures";
import { actionlint, checkJsonschema } from "./linters";

interface Case {
  readonly name: string;
  readonly plan: PipelinePlan;
}

const CASES: Case[] = MODES.flatMap((mode) => [
  { name: `${mode}, terraform, stages dev → staging → prod`, plan: pipelinePlan(mode, SEQUENTIAL) },
  {
    name: `${mode}, tofu, stages dev → [staging-eu, staging-us] → prod`,
    plan: pipelinePlan(mode, PARALLEL, { tool: "tofu", toolVersion: "1.10.10" }),
  },
]).concat([
  {
    name: "github-oidc, Terraform root at the repository root, branch release/live",
    plan: pipelinePlan("github-oidc", PARALLEL, {
      terraformDirectory: ".",
      branch: "release/live",
    }),
  },
  {
    name: "gitlab-oidc, nested Terraform root, one owner",
    plan: pipelinePlan("gitlab-oidc", SEQUENTIAL, {
      terraformDirectory: "infra/live",
      codeOwners: ["@acme/platform"],
    }),
  },
]);

const githubOn = (mode: CiMode) => mode !== "gitlab-oidc";
const gitlabOn = (mode: CiMode) => mode !== "github-oidc";
const oidc = (mode: CiMode) => mode !== "iam-user";

function fileOf(files: readonly HandoffFile[], name: string): string {
  const file = files.find((f) => f.path === name);
  assert.ok(file, `${name} was not rendered; got ${files.map((f) => f.path).join(", ")}`);
  return file.text;
}

/** Every string inside a YAML value, for "mentions nowhere" checks. */
function textOf(value: unknown): string {
  return JSON.stringify(value) ?? "";
}

/** Whether `text` names `arn` (not merely a longer ARN that starts with it). */
function mentions(text: string, arn: string): boolean {
  const escaped = arn.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`${escaped}(?![\\w+=,.@/-])`).test(text);
}

/** The steps of a GitHub job that use an action (`owner/name`, any version). */
function stepsUsing(job: any, action: string): any[] {
  return (job.steps as any[]).filter(
    (s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`),
  );
}

/**
 * Runs `script` in bash in a directory whose `select-workspace.sh` exits with `status`, as the
 * pipeline would after init; returns the exit status and what the script wrote.
 */
function runWithSelection(
  script: string,
  status: number,
): { code: number; output: string; summary: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tfb-select-"));
  try {
    writeFileSync(path.join(dir, "select-workspace.sh"), `exit ${status}\n`);
    const files = { output: path.join(dir, "output"), summary: path.join(dir, "summary") };
    writeFileSync(files.output, "");
    writeFileSync(files.summary, "");
    const run = spawnSync("bash", ["-e", "-c", script], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        WORKSPACE: "dev",
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
      },
    });
    return {
      code: run.status ?? -1,
      output: readFileSync(files.output, "utf8") + run.stdout,
      summary: readFileSync(files.summary, "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function credentialsOf(job: any): any {
  const steps = stepsUsing(job, "aws-actions/configure-aws-credentials");
  assert.equal(steps.length, 1, "one configure-aws-credentials step per job");
  return steps[0].with;
}

function runs(job: any): string[] {
  return (job.steps as any[]).flatMap((s) => (typeof s.run === "string" ? [s.run as string] : []));
}

describe("CI pipeline templates", function () {
  let tools: Tools;
  let root: string;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureTools();
    root = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-pipeline-"));
  });
  after(function () {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  CASES.forEach((c, index) => {
    describe(c.name, function () {
      const { plan } = c;
      const workspaces: PipelineWorkspace[] = plan.stages.flat();
      let files: HandoffFile[];
      let dir: string;
      before(function () {
        files = renderPipeline(plan);
        dir = path.join(root, String(index));
        for (const f of files) {
          mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
          writeFileSync(path.join(dir, f.path), f.text);
        }
      });

      it("renders the files of its mode, and the same text every time", function () {
        const expected: string[] = [PIPELINE_FILES.readme];
        if (githubOn(plan.mode)) {
          expected.push(
            PIPELINE_FILES.githubWorkflow,
            PIPELINE_FILES.githubCodeowners,
            PIPELINE_FILES.githubBranchProtection,
          );
        }
        if (gitlabOn(plan.mode)) {
          expected.push(
            PIPELINE_FILES.gitlabCi,
            PIPELINE_FILES.gitlabCodeowners,
            PIPELINE_FILES.gitlabBranchProtection,
          );
        }
        assert.deepEqual(
          files.map((f) => f.path),
          expected,
        );
        assert.deepEqual(renderPipeline(plan), files);
        for (const f of files) {
          assert.ok(f.text.includes(`--stack ${plan.stack}`), `${f.path} names the stack`);
          assert.ok(f.text.includes("Do not edit"), `${f.path} says it is generated`);
          assert.ok(f.text.endsWith("\n"), `${f.path} ends with a newline`);
        }
      });

      if (githubOn(plan.mode)) {
        describe("GitHub", function () {
          let wf: any;
          before(function () {
            wf = parse(fileOf(files, PIPELINE_FILES.githubWorkflow));
          });

          it("passes actionlint with every check on", async function () {
            this.timeout(120_000);
            const result = await actionlint(tools, dir, [PIPELINE_FILES.githubWorkflow]);
            assert.equal(result.code, 0, `actionlint findings:\n${result.output}`);
          });

          it("validates against the GitHub workflow schema", async function () {
            this.timeout(120_000);
            const result = await checkJsonschema(tools, "vendor.github-workflows", dir, [
              PIPELINE_FILES.githubWorkflow,
            ]);
            assert.equal(result.code, 0, `check-jsonschema:\n${result.output}`);
          });

          it("runs on pull requests and pushes to the branch only, with nothing permitted by default", function () {
            assert.deepEqual(Object.keys(wf.on), ["pull_request", "push"]);
            for (const event of ["pull_request", "push"]) {
              assert.deepEqual(wf.on[event].branches, [plan.branch]);
              if (plan.terraformDirectory === ".") {
                assert.equal(wf.on[event].paths, undefined);
              } else {
                assert.ok(wf.on[event].paths.includes(`${plan.terraformDirectory}/**`));
              }
            }
            assert.deepEqual(wf.permissions, {});
            assert.equal(wf.defaults.run["working-directory"], plan.terraformDirectory);
            assert.equal(wf.env.TF, plan.tool);
          });

          it("plans every workspace on a pull request with the plan role, without an environment", function () {
            const job = wf.jobs.plan;
            assert.equal(job.if, "github.event_name == 'pull_request'");
            assert.equal(
              job.environment,
              undefined,
              "an environment would change the OIDC subject",
            );
            assert.deepEqual(
              job.strategy.matrix.workspace,
              workspaces.map((w) => w.workspace),
            );
            assert.equal(job.strategy["fail-fast"], false);
            assert.equal(job.env.TF_VAR_access, "plan");
            const creds = credentialsOf(job);
            assert.equal(creds["role-to-assume"], PLAN_ROLE);
            assert.equal(creds["aws-region"], plan.region);
            assert.ok(
              !mentions(textOf(job), APPLY_ROLE),
              "the plan job never names the apply role",
            );
            assert.ok(
              !textOf(job).includes("TF_APPLY_"),
              "the plan job never reads the apply keys",
            );
            const expected: Record<string, string> = { contents: "read" };
            if (oidc(plan.mode)) expected["id-token"] = "write";
            expected["pull-requests"] = "write";
            assert.deepEqual(job.permissions, expected);
            if (oidc(plan.mode)) {
              assert.equal(creds.audience, plan.audience);
              assert.equal(creds["aws-access-key-id"], undefined);
            } else {
              assert.equal(creds["aws-access-key-id"], "${{ secrets.TF_PLAN_AWS_ACCESS_KEY_ID }}");
              assert.equal(
                creds["aws-secret-access-key"],
                "${{ secrets.TF_PLAN_AWS_SECRET_ACCESS_KEY }}",
              );
            }
            const scripts = runs(job).join("\n");
            assert.match(scripts, new RegExp(`${plan.tool} plan .*-lock-timeout=5m.*-out=tfplan`));
            assert.match(scripts, /select-workspace\.sh "\$WORKSPACE"/);
            assert.match(scripts, /GITHUB_STEP_SUMMARY/);
            assert.equal(stepsUsing(job, "actions/github-script").length, 1, "posts the plan");
            assert.ok(!scripts.includes(`${plan.tool} apply`), "a plan job never applies");
          });

          it("reports a workspace with no state yet in place of its plan and passes; any other selection error fails the job", function () {
            const job = wf.jobs.plan;
            const select = job.steps.find((s: any) => s.name === "Select the workspace");
            const fresh = runWithSelection(select.run, 3);
            assert.equal(fresh.code, 0);
            assert.match(fresh.output, /new=true/);
            assert.match(fresh.summary, /Workspace dev has no state yet/);
            const broken = runWithSelection(select.run, 1);
            assert.equal(broken.code, 1);
            assert.doesNotMatch(broken.output, /new=true/);
            assert.equal(runWithSelection(select.run, 0).code, 0);
            for (const name of ["Plan", "Show the plan in the job summary"]) {
              const step = job.steps.find((s: any) => s.name === name);
              assert.equal(step.if, `steps.${select.id}.outputs.new != 'true'`, name);
            }
          });

          it("applies the stages in order on a push to the branch, each in its environment with the apply role", function () {
            const ids = Object.keys(wf.jobs).filter((id) => id !== "plan");
            assert.deepEqual(
              ids,
              plan.stages.map((_, i) => `apply-${i + 1}`),
            );
            plan.stages.forEach((stage, i) => {
              const job = wf.jobs[ids[i]];
              const label = `${ids[i]}`;
              assert.equal(
                job.if,
                `github.event_name == 'push' && github.ref == 'refs/heads/${plan.branch}'`,
                label,
              );
              assert.equal(
                job.needs,
                i === 0 ? undefined : ids[i - 1],
                `${label} needs the previous stage`,
              );
              assert.equal(job.env.TF_VAR_access, "apply", label);
              assert.equal(job.concurrency["cancel-in-progress"], false, label);
              if (stage.length === 1) {
                assert.equal(job.environment, stage[0].environment, label);
                assert.equal(job.concurrency.group, `terraform-${stage[0].workspace}`, label);
                assert.equal(job.env.WORKSPACE, stage[0].workspace, label);
                assert.equal(job.strategy, undefined, label);
              } else {
                assert.equal(job.environment, "${{ matrix.environment }}", label);
                assert.equal(job.concurrency.group, "terraform-${{ matrix.workspace }}", label);
                assert.equal(job.strategy["fail-fast"], false, label);
                assert.deepEqual(
                  job.strategy.matrix.include,
                  stage.map((w) => ({ workspace: w.workspace, environment: w.environment })),
                  label,
                );
              }
              const creds = credentialsOf(job);
              assert.equal(creds["role-to-assume"], APPLY_ROLE, label);
              assert.ok(!mentions(textOf(job), PLAN_ROLE), `${label} never names the plan role`);
              assert.ok(!textOf(job).includes("TF_PLAN_"), `${label} never reads the plan keys`);
              const expected: Record<string, string> = { contents: "read" };
              if (oidc(plan.mode)) expected["id-token"] = "write";
              assert.deepEqual(job.permissions, expected, label);
              if (!oidc(plan.mode)) {
                assert.equal(
                  creds["aws-access-key-id"],
                  "${{ secrets.TF_APPLY_AWS_ACCESS_KEY_ID }}",
                );
                assert.equal(
                  creds["aws-secret-access-key"],
                  "${{ secrets.TF_APPLY_AWS_SECRET_ACCESS_KEY }}",
                );
              }
              const scripts = runs(job);
              const planAt = scripts.findIndex((r) => /\bplan\b.*-out=tfplan/.test(r));
              const applyAt = scripts.findIndex((r) => r.startsWith(`${plan.tool} apply`));
              assert.ok(planAt >= 0 && applyAt > planAt, `${label} plans, then applies`);
              assert.match(scripts[applyAt], / tfplan$/, `${label} applies the saved plan`);
              assert.equal(applyAt, scripts.length - 1, `${label} applies last`);
            });
          });

          it("keeps event values out of run scripts and credentials off the checkout", function () {
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
              for (const script of runs(job)) {
                assert.ok(!script.includes("${{"), `${id}: expression in a run script: ${script}`);
              }
              const checkout = stepsUsing(job, "actions/checkout");
              assert.equal(checkout.length, 1, id);
              assert.equal(checkout[0].with["persist-credentials"], false, id);
              const setup = stepsUsing(
                job,
                plan.tool === "tofu" ? "opentofu/setup-opentofu" : "hashicorp/setup-terraform",
              );
              assert.equal(setup.length, 1, id);
              assert.equal(
                setup[0].with[`${plan.tool === "tofu" ? "tofu" : "terraform"}_version`],
                plan.toolVersion,
              );
              assert.equal(
                setup[0].with[`${plan.tool === "tofu" ? "tofu" : "terraform"}_wrapper`],
                false,
              );
            }
            assert.ok(!("workflow_dispatch" in wf.on) && !("pull_request_target" in wf.on));
          });

          it("gives the Terraform root, the workflows and CODEOWNERS to every owner", function () {
            const lines = fileOf(files, PIPELINE_FILES.githubCodeowners)
              .split("\n")
              .filter((l) => l !== "" && !l.startsWith("#"))
              .map((l) => l.split(/\s+/));
            const root = plan.terraformDirectory === "." ? "*" : `/${plan.terraformDirectory}/`;
            for (const pattern of [root, "/.github/workflows/", "/.github/CODEOWNERS"]) {
              const line = lines.find((l) => l[0] === pattern);
              assert.ok(line, `no CODEOWNERS line for ${pattern}`);
              assert.deepEqual(line.slice(1), plan.codeOwners);
            }
          });

          it("documents the subjects, the checks and the settings", function () {
            const doc = fileOf(files, PIPELINE_FILES.githubBranchProtection);
            for (const w of workspaces)
              assert.ok(doc.includes(`\`plan (${w.workspace})\``), w.workspace);
            for (const env of new Set(workspaces.map((w) => w.environment))) {
              if (oidc(plan.mode)) {
                assert.ok(doc.includes(`repo:${plan.repository}:environment:${env}`), env);
              }
            }
            if (oidc(plan.mode)) assert.ok(doc.includes(`repo:${plan.repository}:pull_request`));
            assert.match(doc, /ANY one of them/);
            assert.match(doc, /Dismiss stale pull request approvals/);
            assert.match(doc, /Deployment branches and tags: Selected branches and tags, only `/);
            if (!oidc(plan.mode))
              assert.match(doc, /Environment secrets `TF_APPLY_AWS_ACCESS_KEY_ID`/);
          });
        });
      }

      if (gitlabOn(plan.mode)) {
        describe("GitLab", function () {
          let ci: any;
          before(function () {
            ci = parse(fileOf(files, PIPELINE_FILES.gitlabCi));
          });

          it("validates against the GitLab CI schema", async function () {
            this.timeout(120_000);
            const result = await checkJsonschema(tools, "vendor.gitlab-ci", dir, [
              PIPELINE_FILES.gitlabCi,
            ]);
            assert.equal(result.code, 0, `check-jsonschema:\n${result.output}`);
          });

          it("runs for merge requests and pushes to the branch only", function () {
            assert.deepEqual(ci.workflow.rules, [
              { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
              { if: `$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "${plan.branch}"` },
            ]);
            assert.deepEqual(ci.stages, ["plan", ...plan.stages.map((_, i) => `apply-${i + 1}`)]);
            assert.equal(ci.variables.TF_ROOT, plan.terraformDirectory);
            assert.equal(ci.variables.TF, plan.tool);
          });

          it("plans every workspace in merge request pipelines with the plan role, without an environment", function () {
            const job = ci.plan;
            assert.deepEqual(job.rules, [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
            assert.deepEqual(job.parallel.matrix, [
              { WORKSPACE: workspaces.map((w) => w.workspace) },
            ]);
            assert.equal(job.environment, undefined);
            assert.equal(job.resource_group, undefined);
            assert.equal(job.variables.TF_VAR_access, "plan");
            assert.equal(job.variables.ROLE_ARN, PLAN_ROLE);
            assert.ok(!mentions(textOf(job), APPLY_ROLE));
            assert.ok(!textOf(job).includes("TF_APPLY_"));
            const script = (job.script as string[]).join("\n");
            assert.match(script, new RegExp(`${plan.tool} plan .*-out=tfplan`));
            assert.ok(!script.includes(`${plan.tool} apply`));
            if (oidc(plan.mode)) {
              assert.deepEqual(job.id_tokens, { AWS_ID_TOKEN: { aud: plan.audience } });
            } else {
              assert.equal(job.id_tokens, undefined);
              assert.match(script, /\$TF_PLAN_AWS_ACCESS_KEY_ID/);
            }
          });

          it("passes a workspace with no state yet without planning it; any other selection error fails the job", function () {
            const line = (ci.plan.script as string[]).find((l) =>
              l.includes("select-workspace.sh"),
            );
            assert.ok(line);
            const fresh = runWithSelection(`${line}\necho planned`, 3);
            assert.equal(fresh.code, 0);
            assert.match(fresh.output, /Workspace dev has no state yet/);
            assert.doesNotMatch(fresh.output, /planned/);
            assert.equal(runWithSelection(`${line}\necho planned`, 1).code, 1);
            assert.match(runWithSelection(`${line}\necho planned`, 0).output, /planned/);
          });

          it("applies each workspace on a push to the branch, in its environment and resource group, after the previous stage", function () {
            plan.stages.forEach((stage, i) => {
              const previous = i === 0 ? [] : plan.stages[i - 1].map((w) => `apply:${w.workspace}`);
              for (const w of stage) {
                const name = `apply:${w.workspace}`;
                const job = ci[name];
                assert.ok(job, `no job ${name}`);
                assert.deepEqual(job.rules, [
                  { if: `$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "${plan.branch}"` },
                ]);
                assert.equal(job.stage, `apply-${i + 1}`);
                assert.deepEqual(job.needs, previous, `${name} needs the previous stage`);
                assert.deepEqual(job.environment, { name: w.environment, action: "start" });
                assert.equal(job.resource_group, `terraform-${w.workspace}`);
                assert.equal(job.variables.TF_VAR_access, "apply");
                assert.equal(job.variables.WORKSPACE, w.workspace);
                assert.equal(job.variables.ROLE_ARN, APPLY_ROLE);
                assert.ok(!mentions(textOf(job), PLAN_ROLE), `${name} never names the plan role`);
                assert.ok(!textOf(job).includes("TF_PLAN_"), `${name} never reads the plan keys`);
                const script = job.script as string[];
                const planAt = script.findIndex((l) => /\bplan\b.*-out=tfplan/.test(l));
                assert.ok(
                  planAt >= 0 && planAt === script.length - 2,
                  `${name} plans, then applies`,
                );
                assert.equal(
                  script[script.length - 1],
                  `${plan.tool} apply -input=false -lock-timeout=5m -no-color tfplan`,
                );
                if (oidc(plan.mode)) {
                  assert.deepEqual(job.id_tokens, { AWS_ID_TOKEN: { aud: plan.audience } });
                } else {
                  assert.match(script.join("\n"), /\$TF_APPLY_AWS_SECRET_ACCESS_KEY/);
                }
              }
            });
            const applyJobs = Object.keys(ci).filter((k) => k.startsWith("apply:"));
            assert.equal(applyJobs.length, workspaces.length);
          });

          it("hands the job's credentials to the AWS SDK through the environment", function () {
            const script = (ci.plan.script as string[]).join("\n");
            if (oidc(plan.mode)) {
              assert.match(script, /export AWS_ROLE_ARN="\$ROLE_ARN"/);
              assert.match(script, /export AWS_WEB_IDENTITY_TOKEN_FILE/);
              assert.match(script, /AWS_ROLE_SESSION_NAME=/);
              assert.match(script, /"\$AWS_ID_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"/);
            } else {
              assert.match(script, /AWS_PROFILE=ci/);
              assert.match(script, /role_arn = %s\\nsource_profile = ci-user/);
              assert.ok(
                !/export AWS_ACCESS_KEY_ID/.test(script),
                "keys in the environment win over the profile",
              );
            }
          });

          it("requires an approval from each owner for the Terraform root and the CI files", function () {
            const text = fileOf(files, PIPELINE_FILES.gitlabCodeowners);
            const sections = text.split(/\n(?=\[)/).slice(1);
            assert.equal(sections.length, plan.codeOwners.length);
            const root = plan.terraformDirectory === "." ? "*" : `/${plan.terraformDirectory}/`;
            plan.codeOwners.forEach((owner, i) => {
              const lines = sections[i].trim().split("\n");
              assert.equal(lines[0], `[${owner.replace(/^@/, "")}][1] ${owner}`);
              assert.deepEqual(lines.slice(1), [root, "/.gitlab-ci.yml", "/.gitlab/CODEOWNERS"]);
            });
          });

          it("documents the subjects and the settings", function () {
            const doc = fileOf(files, PIPELINE_FILES.gitlabBranchProtection);
            if (oidc(plan.mode)) {
              assert.ok(doc.includes(`project_path:${plan.repository}:ref_type:branch:ref:*`));
              assert.ok(
                doc.includes(`project_path:${plan.repository}:ref_type:branch:ref:${plan.branch}`),
              );
            } else {
              assert.match(doc, /protected; masked; one entry per apply environment/);
            }
            assert.match(doc, /Pipelines must succeed/);
            assert.match(doc, /Code owner approval: on/);
            for (const w of workspaces)
              assert.ok(doc.includes(`terraform-${w.workspace}`), w.workspace);
          });
        });
      }

      it("README names every file, workspace and secret to create", function () {
        const readme = fileOf(files, PIPELINE_FILES.readme);
        for (const f of files.filter((f) => f.path !== PIPELINE_FILES.readme)) {
          assert.ok(readme.includes(`\`${f.path}\``), f.path);
        }
        for (const w of workspaces) assert.ok(readme.includes(`\`${w.workspace}\``), w.workspace);
        assert.equal(readme.includes("TF_APPLY_AWS_ACCESS_KEY_ID"), !oidc(plan.mode));
        assert.equal(readme.includes("TF_PLAN_AWS_ACCESS_KEY_ID"), !oidc(plan.mode));
        if (githubOn(plan.mode)) assert.match(readme, /commit SHA/);
      });
    });
  });
});

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import {
  GITHUB_PLAN_CHECK,
  GITLAB_IMAGE,
  PIPELINE_FILES,
  renderPipeline,
  rootWorkspaces,
  type CiMode,
  type PipelinePlan,
} from "../../lib/pipeline";
import type { HandoffFile } from "../../lib/terraform";
import { SETUP_TIMEOUT_MS } from "../harness/tools";
import {
  APPLY_ROLE,
  MODES,
  PARALLEL,
  pipelinePlan,
  PLAN_ROLE,
  SEQUENTIAL,
  singleRoot,
  twoRoots,
} from "./fixtures";
import {
  actionlint,
  checkJsonschema,
  ensureLinters,
  gitlabJobScripts,
  shellcheck,
  zizmor,
  type Linters,
} from "./linters";

interface Case {
  readonly name: string;
  readonly plan: PipelinePlan;
}

const PROD_ROLE = "arn:aws:iam::111111111111:role/tf-bootstrap/terraform-ci-production";

const CASES: Case[] = MODES.flatMap((mode) => [
  {
    name: `${mode}, terraform, one root, stages dev → staging → prod`,
    plan: pipelinePlan(mode, SEQUENTIAL),
  },
  {
    name: `${mode}, tofu, two roots, stages dev → [staging-eu, staging-us] → prod, prod's own apply role`,
    plan: pipelinePlan(mode, PARALLEL, {
      tool: "tofu",
      roots: twoRoots(PARALLEL),
      applyRoleArns: { dev: APPLY_ROLE, staging: APPLY_ROLE, production: PROD_ROLE },
    }),
  },
]).concat([
  {
    name: "github-oidc, Terraform root at the repository root, branch release/live",
    plan: pipelinePlan("github-oidc", PARALLEL, {
      roots: singleRoot(PARALLEL, "."),
      branch: "release/live",
      sharedPaths: [],
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

function stepsUsing(job: any, action: string): any[] {
  return (job.steps as any[]).filter(
    (s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`),
  );
}

function runs(job: any): string[] {
  return (job.steps as any[]).flatMap((s) => (typeof s.run === "string" ? [s.run as string] : []));
}

/**
 * Runs `script` in bash in a directory whose `select-workspace.sh` exits with `status`, as the
 * pipeline would after init; returns the exit status and what the script wrote.
 */
function runWithSelection(script: string, status: number) {
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
        ROOT: "root",
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

describe("CI pipeline templates", function () {
  let tools: Linters;
  let root: string;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureLinters();
    root = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-pipeline-"));
  });
  after(function () {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  CASES.forEach((c, index) => {
    describe(c.name, function () {
      const { plan } = c;
      const environments = [...new Set(plan.stages.flat().map((w) => w.environment))];
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
            PIPELINE_FILES.githubData,
            PIPELINE_FILES.githubChanges,
            PIPELINE_FILES.githubDigest,
            PIPELINE_FILES.githubCodeowners,
            PIPELINE_FILES.githubBranchProtection,
          );
        }
        if (gitlabOn(plan.mode)) {
          expected.push(
            PIPELINE_FILES.gitlabCi,
            PIPELINE_FILES.gitlabData,
            PIPELINE_FILES.gitlabChanges,
            PIPELINE_FILES.gitlabDigest,
            PIPELINE_FILES.gitlabCodeowners,
            PIPELINE_FILES.gitlabBranchProtection,
          );
        }
        assert.deepEqual(
          files.map((f) => f.path),
          expected,
        );
        assert.deepEqual(renderPipeline(plan), files);
        for (const f of files.filter((f) => !f.path.endsWith(".json"))) {
          assert.ok(f.text.includes(`--stack ${plan.stack}`), `${f.path} names the stack`);
          assert.ok(f.text.includes("Do not edit"), `${f.path} says it is generated`);
          assert.ok(f.text.endsWith("\n"), `${f.path} ends with a newline`);
        }
      });

      it("support scripts pass shellcheck", async function () {
        this.timeout(120_000);
        const scripts = files.filter((f) => f.path.endsWith(".sh")).map((f) => f.path);
        assert.ok(scripts.length >= 2);
        const result = await shellcheck(tools, dir, scripts);
        assert.equal(result.code, 0, `shellcheck findings:\n${result.output}`);
      });

      if (githubOn(plan.mode)) {
        describe("GitHub", function () {
          let wf: any;
          before(function () {
            wf = parse(fileOf(files, PIPELINE_FILES.githubWorkflow));
          });

          it("passes actionlint (shellcheck on every run: script) and the workflow schema", async function () {
            this.timeout(120_000);
            const lint = await actionlint(tools, dir, [PIPELINE_FILES.githubWorkflow]);
            assert.equal(lint.code, 0, `actionlint findings:\n${lint.output}`);
            const schema = await checkJsonschema(tools, "vendor.github-workflows", dir, [
              PIPELINE_FILES.githubWorkflow,
            ]);
            assert.equal(schema.code, 0, `check-jsonschema:\n${schema.output}`);
          });

          it("passes zizmor with no finding, none suppressed", async function () {
            this.timeout(120_000);
            const result = await zizmor(tools, dir, [PIPELINE_FILES.githubWorkflow]);
            assert.equal(result.code, 0, `zizmor findings:\n${result.output}`);
            assert.match(result.output, /No findings to report/);
            assert.ok(!fileOf(files, PIPELINE_FILES.githubWorkflow).includes("zizmor: ignore"));
          });

          it("runs on pull requests, pushes, the drift schedule and by hand, with nothing permitted by default", function () {
            assert.deepEqual(Object.keys(wf.on), [
              "pull_request",
              "push",
              "schedule",
              "workflow_dispatch",
            ]);
            assert.deepEqual(wf.on.pull_request.branches, [plan.branch]);
            assert.deepEqual(wf.on.push.branches, [plan.branch]);
            assert.equal(
              wf.on.pull_request.paths,
              undefined,
              "the required check must always report",
            );
            assert.deepEqual(wf.on.schedule, [{ cron: plan.driftSchedule }]);
            assert.deepEqual(wf.permissions, {});
            assert.equal(wf.env.TF, plan.tool);
            assert.equal(wf.env.TF_ARCHIVE_SHA256, plan.toolSha256);
            assert.ok(!("pull_request_target" in wf.on));
          });

          it("plans the touched pairs with the plan role only, without an environment, and fails on drift", function () {
            const job = wf.jobs["plan-1"];
            assert.equal(job.needs, "changes");
            assert.match(job.if, /github\.event_name == 'pull_request'/);
            assert.match(job.if, /github\.event_name == 'schedule'/);
            assert.equal(
              job.strategy.matrix.include,
              "${{ fromJSON(needs.changes.outputs.plan-1) }}",
            );
            assert.equal(job.strategy["max-parallel"], plan.maxParallel);
            assert.equal(
              job.environment,
              undefined,
              "an environment would change the OIDC subject",
            );
            assert.equal(job.env.TF_VAR_access, "plan");
            const creds = stepsUsing(job, "aws-actions/configure-aws-credentials");
            assert.equal(creds.length, 1);
            assert.equal(creds[0].with["role-to-assume"], PLAN_ROLE);
            for (const role of Object.values(plan.applyRoleArns)) {
              assert.ok(!mentions(textOf(job), role), "the plan job never names an apply role");
            }
            assert.ok(!textOf(job).includes("TF_APPLY_"));
            const scripts = runs(job).join("\n");
            assert.match(scripts, /-detailed-exitcode -out=tfplan/);
            assert.match(scripts, /::error title=Drift in/);
            assert.ok(!/"\$TF" apply/.test(scripts), "a plan job never applies");
            const data = JSON.parse(fileOf(files, PIPELINE_FILES.githubData));
            assert.deepEqual(
              data.matrices["plan-1"].map((e: any) => `${e.root}/${e.workspace}`),
              rootWorkspaces(plan).map((p) => `${p.root}/${p.workspace}`),
            );
          });

          it("reports a workspace with no state yet in place of its plan; any other selection error fails", function () {
            const select = wf.jobs["plan-1"].steps.find(
              (s: any) => s.name === "Select the workspace",
            );
            const fresh = runWithSelection(select.run, 3);
            assert.equal(fresh.code, 0);
            assert.match(fresh.output, /new=true/);
            assert.match(fresh.summary, /Workspace dev of root root has no state yet/);
            assert.equal(runWithSelection(select.run, 1).code, 1);
            assert.equal(runWithSelection(select.run, 0).code, 0);
          });

          it("gathers the plan path into the one required check and one comment per root", function () {
            const result = wf.jobs["plan-result"];
            assert.equal(result.name, GITHUB_PLAN_CHECK);
            assert.deepEqual(result.needs, ["changes", "plan-1"]);
            assert.match(result.if, /^always\(\) && /);
            assert.deepEqual(result.permissions, {});
            const comment = wf.jobs["plan-comment"];
            assert.deepEqual(comment.permissions, { "pull-requests": "write" });
            assert.equal(stepsUsing(comment, "aws-actions/configure-aws-credentials").length, 0);
            const script = stepsUsing(comment, "actions/github-script")[0].with.script as string;
            assert.ok(script.includes(JSON.stringify(plan.roots.map((r) => r.name))));
            assert.match(script, /updateComment/);
          });

          it("previews each stage and root with the plan role, then applies in each environment with its own apply role", function () {
            const previews = Object.keys(wf.jobs).filter((id) => id.startsWith("preview-"));
            const applies = Object.keys(wf.jobs).filter((id) => /^apply-\d/.test(id));
            const expected = plan.stages.flatMap((stage, s) =>
              plan.roots
                .filter((r) => stage.some((w) => r.workspaces.includes(w.workspace)))
                .map((r) => `${s + 1}-${r.name}`),
            );
            assert.deepEqual(
              previews,
              expected.map((e) => `preview-${e}`),
            );
            assert.deepEqual(
              applies,
              expected.map((e) => `apply-${e}`),
            );
            const data = JSON.parse(fileOf(files, PIPELINE_FILES.githubData));
            applies.forEach((id, i) => {
              const preview = wf.jobs[previews[i]];
              const job = wf.jobs[id];
              assert.equal(preview.environment, undefined, previews[i]);
              assert.equal(
                stepsUsing(preview, "aws-actions/configure-aws-credentials")[0].with[
                  "role-to-assume"
                ],
                PLAN_ROLE,
              );
              assert.equal(preview.env.TF_VAR_access, "plan");
              assert.ok(preview.steps.some((s: any) => /Upload the preview/.test(s.name)));
              assert.deepEqual(job.needs.slice(0, 2), ["changes", previews[i]]);
              assert.deepEqual(job.needs.slice(2), [
                ...previews.slice(0, i).flatMap((p, j) => [p, applies[j]]),
              ]);
              assert.match(job.if, new RegExp(`refs/heads/${plan.branch.replace("/", "\\/")}`));
              assert.match(job.if, /!contains\(needs\.\*\.result, 'failure'\)/);
              assert.equal(job.environment, "${{ matrix.environment }}");
              assert.equal(
                job.concurrency.group,
                "terraform-apply-${{ matrix.root }}-${{ matrix.workspace }}",
              );
              assert.equal(job.concurrency["cancel-in-progress"], false);
              assert.equal(job.env.TF_VAR_access, "apply");
              const creds = stepsUsing(job, "aws-actions/configure-aws-credentials")[0].with;
              assert.equal(creds["role-to-assume"], "${{ matrix.role }}");
              assert.ok(!mentions(textOf(job), PLAN_ROLE), `${id} never names the plan role`);
              assert.ok(!textOf(job).includes("TF_PLAN_"), `${id} never reads the plan keys`);
              for (const entry of data.matrices[id]) {
                assert.equal(
                  entry.role,
                  plan.applyRoleArns[entry.environment],
                  `${id} ${entry.workspace}`,
                );
              }
              const scripts = runs(job);
              assert.match(
                scripts.at(-1) ?? "",
                /^"\$TF" apply .* tfplan$/,
                `${id} applies the saved plan last`,
              );
              assert.match(scripts.join("\n"), /Plan differs from the approved preview/);
            });
            const result = wf.jobs["apply-result"];
            assert.deepEqual(result.needs, [
              "changes",
              ...previews.flatMap((p, i) => [p, applies[i]]),
            ]);
          });

          it("gives every job only the permissions it uses", function () {
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
              const allowed = new Set([
                "contents:read",
                "id-token:write",
                "pull-requests:write",
                "actions:read",
              ]);
              for (const [k, v] of Object.entries<string>(job.permissions)) {
                assert.ok(allowed.has(`${k}:${v}`), `${id}: ${k}: ${v}`);
              }
              if (job.permissions["id-token"] !== undefined) assert.ok(oidc(plan.mode), id);
              if (job.permissions["pull-requests"] !== undefined) assert.equal(id, "plan-comment");
            }
          });

          it("keeps event values out of run scripts, credentials off the checkout, and checks the tool's SHA-256", function () {
            for (const [id, job] of Object.entries<any>(wf.jobs)) {
              for (const script of runs(job)) {
                assert.ok(!script.includes("${{"), `${id}: expression in a run script: ${script}`);
              }
              for (const checkout of stepsUsing(job, "actions/checkout")) {
                assert.equal(checkout.with["persist-credentials"], false, id);
              }
              const install = (job.steps as any[]).find((s) => /^Install /.test(s.name ?? ""));
              if (install) {
                assert.match(install.run, /sha256sum -c -/);
                const lines = (install.run as string).split("\n");
                const check = lines.findIndex((l) => l.includes("sha256sum -c"));
                const unzip = lines.findIndex((l) => l.startsWith("unzip"));
                assert.ok(
                  check >= 0 && check < unzip,
                  `${id}: the archive is checked before it is unpacked`,
                );
              }
            }
          });

          it("gives every root, the shared modules and the pipeline's files to every owner", function () {
            const lines = fileOf(files, PIPELINE_FILES.githubCodeowners)
              .split("\n")
              .filter((l) => l !== "" && !l.startsWith("#"))
              .map((l) => l.split(/\s+/));
            const folders = [...plan.roots.map((r) => r.directory), ...plan.sharedPaths].map((d) =>
              d === "." ? "*" : `/${d}/`,
            );
            for (const pattern of [
              ...folders,
              "/.github/workflows/",
              "/.github/tf-bootstrap/",
              "/.github/CODEOWNERS",
            ]) {
              const line = lines.find((l) => l[0] === pattern);
              assert.ok(line, `no CODEOWNERS line for ${pattern}`);
              assert.deepEqual(line.slice(1), plan.codeOwners);
            }
          });

          it("documents one required check, the subjects and the settings", function () {
            const doc = fileOf(files, PIPELINE_FILES.githubBranchProtection);
            assert.ok(doc.includes(`with the one check \`${GITHUB_PLAN_CHECK}\``));
            assert.ok(!doc.includes("plan (dev)"), "no check per workspace");
            if (oidc(plan.mode)) {
              assert.ok(doc.includes(`repo:${plan.repository}:pull_request`));
              assert.ok(doc.includes(`repo:${plan.repository}:ref:refs/heads/${plan.branch}`));
              for (const env of environments) {
                assert.ok(doc.includes(`repo:${plan.repository}:environment:${env}`), env);
              }
            }
            for (const role of Object.values(plan.applyRoleArns)) assert.ok(doc.includes(role));
            assert.match(doc, /ANY one of them/);
            assert.match(doc, /Deployment branches and tags: Selected branches and tags, only `/);
            assert.match(doc, /## Drift/);
          });
        });
      }

      if (gitlabOn(plan.mode)) {
        describe("GitLab", function () {
          let ci: any;
          before(function () {
            ci = parse(fileOf(files, PIPELINE_FILES.gitlabCi));
          });

          it("validates against the GitLab CI schema, and every job's script passes shellcheck (sh)", async function () {
            this.timeout(120_000);
            const schema = await checkJsonschema(tools, "vendor.gitlab-ci", dir, [
              PIPELINE_FILES.gitlabCi,
            ]);
            assert.equal(schema.code, 0, `check-jsonschema:\n${schema.output}`);
            const scripts = gitlabJobScripts(
              fileOf(files, PIPELINE_FILES.gitlabCi),
              path.join(dir, "gitlab-scripts"),
            );
            assert.ok(scripts.length > 3);
            const sc = await shellcheck(tools, dir, scripts, "sh");
            assert.equal(sc.code, 0, `shellcheck findings:\n${sc.output}`);
          });

          it("runs every job in the image pinned by digest and installs only the checked release", function () {
            for (const [name, job] of Object.entries<any>(ci)) {
              if (
                typeof job !== "object" ||
                Array.isArray(job) ||
                !("script" in job || "before_script" in job)
              )
                continue;
              const image = job.image ?? ci[".terraform"].image;
              assert.equal(
                image,
                `${GITLAB_IMAGE.name}:${GITLAB_IMAGE.tag}@${GITLAB_IMAGE.digest}`,
                name,
              );
            }
            const before = ci[".terraform"].before_script as string[];
            const check = before.findIndex((l) => l.includes("sha256sum -c"));
            const unzip = before.findIndex((l) => l.startsWith("unzip"));
            assert.ok(check > 0 && check < unzip);
            assert.ok(!textOf(ci).includes("install-opentofu.sh"), "no installer script");
            const jobs = Object.values(
              ci as Record<string, { before_script?: string[]; script?: string[] }>,
            );
            const lines: string[] = jobs.flatMap((j) =>
              typeof j === "object" && j !== null
                ? [...(j.before_script ?? []), ...(j.script ?? [])]
                : [],
            );
            assert.ok(
              !lines.some((l) => /\|\s*(?:ba)?sh(?:\s|$)/.test(l)),
              "nothing piped into a shell",
            );
            assert.equal(ci.variables.TF_ARCHIVE_SHA256, plan.toolSha256);
          });

          it("plans per root in merge request, schedule and manual pipelines, with the plan role", function () {
            for (const root of plan.roots) {
              const job = ci[`plan:${root.name}`];
              assert.ok(job, `no plan job for ${root.name}`);
              assert.equal(job.rules[0].if, '$CI_PIPELINE_SOURCE == "merge_request_event"');
              assert.ok(
                job.rules[0].changes.paths.includes(
                  root.directory === "." ? "**/*" : `${root.directory}/**/*`,
                ),
              );
              assert.match(job.rules[1].if, /schedule.*web/);
              assert.deepEqual(job.parallel.matrix, [
                {
                  WORKSPACE: rootWorkspaces(plan)
                    .filter((p) => p.root === root.name)
                    .map((p) => p.workspace),
                },
              ]);
              assert.equal(job.environment, undefined);
              assert.equal(job.variables.ROLE_ARN, PLAN_ROLE);
              assert.equal(job.variables.TF_VAR_access, "plan");
              const script = (job.script as string[]).join("\n");
              assert.match(script, /-detailed-exitcode/);
              assert.match(script, /Drift in/);
              assert.ok(!/"\$TF" apply/.test(script));
              if (oidc(plan.mode))
                assert.deepEqual(job.id_tokens, { AWS_ID_TOKEN: { aud: plan.audience } });
              else assert.match(script, /\$TF_PLAN_AWS_ACCESS_KEY_ID/);
            }
          });

          it("previews, waits for a manual approval, then applies each stage and root in its environments", function () {
            plan.stages.forEach((stage, s) => {
              for (const root of plan.roots) {
                const members = stage.filter((w) => root.workspaces.includes(w.workspace));
                if (members.length === 0) continue;
                const at = `${s + 1}:${root.name}`;
                const preview = ci[`preview:${at}`];
                const approve = ci[`approve:${at}`];
                const apply = ci[`apply:${at}`];
                assert.ok(preview && approve && apply, at);
                assert.equal(preview.variables.ROLE_ARN, PLAN_ROLE);
                assert.deepEqual(preview.artifacts.paths, ["preview/"]);
                assert.equal(approve.rules[0].when, "manual");
                assert.equal(approve.rules[0].allow_failure, false);
                assert.ok(!("id_tokens" in approve) && !textOf(approve).includes("ROLE_ARN"));
                assert.deepEqual(apply.needs, [
                  { job: `preview:${at}`, artifacts: true },
                  { job: "changes", artifacts: true },
                  `approve:${at}`,
                ]);
                assert.deepEqual(apply.environment, { name: "$TF_ENVIRONMENT", action: "start" });
                assert.equal(apply.resource_group, "terraform-$ROOT-$WORKSPACE");
                assert.deepEqual(
                  apply.parallel.matrix,
                  members.map((w) => ({
                    WORKSPACE: w.workspace,
                    TF_ENVIRONMENT: w.environment,
                    ROLE_ARN: plan.applyRoleArns[w.environment],
                  })),
                );
                assert.ok(!mentions(textOf(apply), PLAN_ROLE));
                const script = apply.script as string[];
                assert.match(script.join("\n"), /differs from the approved preview/);
                assert.match(script.at(-1) ?? "", /^"\$TF" apply .* tfplan$/);
                const order = ci.stages as string[];
                const [p, a, x] = ["preview", "approve", "apply"].map((k) =>
                  order.indexOf(`${k}-${s + 1}-${root.name}`),
                );
                assert.ok(p >= 0 && p < a && a < x, `${at}: preview, approve, apply in order`);
              }
            });
          });

          it("hands the job's credentials to the AWS SDK through the environment", function () {
            const script = (ci[`plan:${plan.roots[0].name}`].script as string[]).join("\n");
            if (oidc(plan.mode)) {
              assert.match(script, /export AWS_ROLE_ARN="\$ROLE_ARN"/);
              assert.match(script, /"\$AWS_ID_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"/);
            } else {
              assert.match(script, /AWS_PROFILE=ci/);
              assert.ok(!/export AWS_ACCESS_KEY_ID/.test(script));
            }
          });

          it("requires an approval from each owner for every root and the CI files", function () {
            const text = fileOf(files, PIPELINE_FILES.gitlabCodeowners);
            const sections = text.split(/\n(?=\[)/).slice(1);
            assert.equal(sections.length, plan.codeOwners.length);
            for (const section of sections) {
              const lines = section.trim().split("\n");
              for (const r of plan.roots)
                assert.ok(lines.includes(r.directory === "." ? "*" : `/${r.directory}/`));
              assert.ok(
                lines.includes("/.gitlab-ci.yml") && lines.includes("/.gitlab/tf-bootstrap/"),
              );
            }
          });

          it("documents the approvals, the subjects and the drift schedule", function () {
            const doc = fileOf(files, PIPELINE_FILES.gitlabBranchProtection);
            if (oidc(plan.mode)) {
              assert.ok(
                doc.includes(`project_path:${plan.repository}:ref_type:branch:ref:${plan.branch}`),
              );
            }
            assert.match(doc, /Pipelines must succeed/);
            assert.match(doc, /## Approving applies/);
            assert.ok(doc.includes(plan.driftSchedule));
          });
        });
      }

      it("README names every file, root and secret, and says how the applied plan is held to the approved one", function () {
        const readme = fileOf(files, PIPELINE_FILES.readme);
        for (const f of files.filter((f) => f.path !== PIPELINE_FILES.readme)) {
          assert.ok(readme.includes(`\`${f.path}\``), f.path);
        }
        for (const r of plan.roots) assert.ok(readme.includes(`\`${r.name}\``), r.name);
        assert.equal(readme.includes("TF_APPLY_AWS_ACCESS_KEY_ID"), !oidc(plan.mode));
        assert.match(readme, /## The approved plan is the applied plan/);
        assert.match(readme, /never leaves the runner/);
        assert.ok(readme.includes(plan.toolSha256));
      });
    });
  });
});

import { parse as parseYaml } from "yaml";
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { ConfigError } from "../../lib/errors/config-error";
import { synthHandoffArtifacts, type HandoffFile } from "../../lib/terraform";
import { synthArtifacts } from "../../scripts/synth/artifacts";
import { synthesize } from "../../scripts/synth/mock-runtime";
import { ROOT, stackConfig, withValue } from "../helpers/stack";

const run = promisify(execFile);
const GOLDEN = join(ROOT, "test", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Everything `npm run synth` writes for `stack`, but the policy verdicts' section. */
async function artifactsOf(stack: string): Promise<HandoffFile[]> {
  const result = await synthesize(stackConfig(stack), { stack });
  return [...synthArtifacts(stack, result), ...synthHandoffArtifacts(stack, result.outputs)];
}

/** Synthesizes `stack` and compares every artifact with test/golden/<stack>/. */
async function matchesGolden(stack: string): Promise<void> {
  const files = await artifactsOf(stack);
  const dir = join(GOLDEN, stack);
  if (UPDATE) {
    rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.text);
    }
  }
  const expected = listFiles(dir)
    .map((p) => relative(dir, p))
    .sort();
  assert.deepEqual(
    files.map((f) => f.path).sort(),
    expected,
    "the set of files differs from the golden set",
  );
  for (const f of files) {
    assert.equal(
      f.text,
      readFileSync(join(dir, f.path), "utf8"),
      `${f.path} differs from its golden file`,
    );
  }
}

describe("offline synth", () => {
  for (const stack of ["example", "example-oidc", "example-large"]) {
    it(`matches the golden files for the ${stack} stack (refresh with UPDATE_GOLDEN=1)`, async () => {
      await matchesGolden(stack);
    });
  }

  it("writes the GitHub templates (and no GitLab ones) for a github-oidc stack, with its roles", async () => {
    const files = await artifactsOf("example-oidc");
    const paths = files.map((f) => f.path);
    for (const expected of [
      "ci/github/.github/workflows/terraform.yml",
      "ci/github/.github/CODEOWNERS",
      "ci/github/BRANCH-PROTECTION.md",
    ]) {
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(", ")}`);
    }
    assert.ok(!paths.some((p) => p.startsWith("ci/gitlab/")));
    const workflow = files.find((f) => f.path.endsWith("terraform.yml"))?.text ?? "";
    assert.match(workflow, /role-to-assume: arn:aws:iam::111111111111:role\/terraform-ci-plan\n/);
    assert.match(workflow, /role-to-assume: \$\{\{ matrix\.role \}\}\n/);
    assert.match(workflow, /environment: \$\{\{ matrix\.environment \}\}\n/);
    const data = files.find((f) => f.path.endsWith("tf-bootstrap/pipeline.json"))?.text ?? "";
    assert.match(
      data,
      /"environment": "production",\n\s+"role": "arn:aws:iam::111111111111:role\/terraform-ci-production"/,
    );
  });

  it("writes a workflow for the 40-account, two-root example that names no account: one job per stage and root", async () => {
    const files = await artifactsOf("example-large");
    const workflow = files.find(
      (f) => f.path === "ci/github/.github/workflows/terraform.yml",
    )?.text;
    assert.ok(workflow);
    const jobs = Object.keys((parseYaml(workflow) as { jobs: object }).jobs);
    // changes, one plan matrix, the plan check, the comment; a preview and an apply per stage
    // (dev, staging, production) and root (network, app); the apply check.
    assert.equal(jobs.length, 4 + 3 * 2 * 2 + 1);
    for (const account of ["payments-dev", "shared-services", "200000000001"]) {
      assert.ok(!workflow.includes(account), `the workflow names ${account}`);
    }
    const paths = files.map((f) => f.path);
    for (const root of ["network", "app"]) {
      assert.ok(paths.includes(`terraform/${root}/backend.s3.tfbackend`), root);
      const backend = files.find((f) => f.path === `terraform/${root}/backend.s3.tfbackend`)?.text;
      assert.match(backend ?? "", new RegExp(`key += "${root}/terraform.tfstate"`));
    }
  });

  it("registers no resource when the config is invalid, and reports every problem", async () => {
    const registered: string[] = [];
    const bad = withValue(withValue(stackConfig(), "region", "mars-1"), "state", { lock: "redis" });
    await assert.rejects(
      synthesize(bad, { observe: (type, name) => registered.push(`${type}::${name}`) }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 2,
    );
    assert.deepEqual(
      registered.filter((r) => !r.startsWith("pulumi:pulumi:Stack")),
      [],
    );
  });

  describe("command line", function () {
    this.timeout(60000);
    let out: string;
    before(() => {
      out = mkdtempSync(join(tmpdir(), "tfb-synth-"));
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it("writes resources, documents and a report, and prints a summary", async () => {
      const { stdout } = await run(
        "npx",
        ["ts-node", "--transpile-only", "scripts/synth.ts", "--out", out],
        { cwd: ROOT },
      );
      assert.match(stdout, /stack 'example': \d+ resources in 4 accounts/);
      const report = readFileSync(join(out, "report.md"), "utf8");
      assert.match(report, /```mermaid/);
      assert.match(report, /\| terraform \| 111111111111 \|/);
      const docs = listFiles(join(out, "iam")).map((p) => relative(out, p));
      assert.ok(docs.includes("iam/dev/dev-terraform-role.json"));
      assert.ok(docs.includes("iam/terraform/terraform-state-bucket-policy.json"));
      const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as {
        type: string;
        account?: string;
      }[];
      assert.ok(
        resources.some((r) => r.type === "aws:s3/bucket:Bucket" && r.account === "terraform"),
      );
    });

    it("exits 2 with the full error list on an invalid config", async () => {
      const err = await run(
        "npx",
        [
          "ts-node",
          "--transpile-only",
          "scripts/synth.ts",
          "--stack",
          "invalid",
          "--stacks-dir",
          "test/fixtures/stacks",
          "--out",
          out,
        ],
        { cwd: ROOT },
      ).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      assert.ok(err, "synth must fail on an invalid config");
      assert.equal(err.code, 2);
      assert.match(err.stderr, /has 3 problems/);
      assert.match(err.stderr, /tf-bootstrap:terraformAccount\.id = 111111111111/);
      assert.match(err.stderr, /tf-bootstrap:productAccounts\[1\]\.name = "dev"/);
      assert.match(err.stderr, /tf-bootstrap:state\.lock = "redis"/);
    });

    it("exits 2 when the stack does not exist", async () => {
      const err = await run(
        "npx",
        ["ts-node", "--transpile-only", "scripts/synth.ts", "--stack", "nope"],
        { cwd: ROOT },
      ).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(err?.code, 2);
      assert.match(err?.stderr ?? "", /no stack config/);
    });
  });
});

import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSynth, type SynthJson } from "../../scripts/synth/main";
import {
  coreConfig,
  exampleOidcConfig,
  groupConfig,
  writeSplitOrg,
  writeStack,
} from "../lib/org-stacks/split-fixture";

/** Runs `npm run synth` in process with captured streams. */
async function synth(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runSynth(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { isTTY: false, write: (t: string) => (stderr += t) },
    env: {},
  });
  return { code, stdout, stderr };
}

interface RecordedResourceJson {
  type: string;
  name: string;
  custom: boolean;
  account?: string;
}

describe("npm run synth: the stacks of a split organisation", function () {
  this.timeout(180_000);
  let tmp: string;
  let stacks: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "tfb-synth-org-"));
    stacks = join(tmp, "stacks");
    mkdirSync(stacks);
    writeSplitOrg(stacks);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const args = (stack: string, out: string) => [stack, "--stacks-dir", stacks, "--out", out];

  it("synthesizes the core stack: the Terraform account only, a handoff that lists every workspace", async () => {
    const out = join(tmp, "core");
    const run = await synth([...args("acme-core", out), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const verdict = JSON.parse(run.stdout) as SynthJson;
    assert.equal(verdict.verdict, "ok");
    assert.deepEqual(verdict.org, { part: "core", skipped: [] });
    assert.equal(verdict.accounts, 1, "the core stack builds the Terraform account only");
    const tfvars = JSON.parse(
      readFileSync(join(out, "terraform", "accounts.auto.tfvars.json"), "utf8"),
    ) as { accounts: Record<string, unknown> };
    assert.deepEqual(Object.keys(tfvars.accounts).sort(), ["dev", "prod", "staging"]);
    assert.ok(existsSync(join(out, "ci", "github", ".github", "workflows", "terraform.yml")));
    assert.ok(existsSync(join(out, "topology.svg")));
    const outputs = JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")) as {
      orgCore: { accounts: Record<string, unknown> };
    };
    assert.deepEqual(Object.keys(outputs.orgCore.accounts).sort(), ["dev", "prod", "staging"]);
    const report = readFileSync(join(out, "report.md"), "utf8");
    assert.match(report, /## Organisation: core stack/);
    assert.match(report, /lists the 3 product accounts its CI roles may assume/);
    const text = await synth(args("acme-core", out));
    assert.match(text.stdout, /'acme-core' is the core stack of a split organisation/);
  });

  it("synthesizes a group stack offline against its core's stack file, and skips what is the core's, saying why", async () => {
    const out = join(tmp, "live");
    const run = await synth([...args("acme-live", out), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const verdict = JSON.parse(run.stdout) as SynthJson;
    assert.equal(verdict.verdict, "ok");
    assert.equal(verdict.org?.part, "group");
    assert.equal(verdict.org?.core, "acme-core");
    assert.match(verdict.org?.coreOutputsFrom ?? "", /Pulumi\.acme-core\.yaml$/);
    assert.deepEqual(
      verdict.org?.skipped.map((s) => s.path),
      ["terraform/, ci/", "topology.dot, topology.svg, topology.html"],
    );
    for (const skipped of ["terraform", "ci", "topology.svg", "topology.html", "topology.dot"])
      assert.ok(!existsSync(join(out, skipped)), `${skipped} was written for a group stack`);

    const resources = JSON.parse(
      readFileSync(join(out, "resources.json"), "utf8"),
    ) as RecordedResourceJson[];
    const accounts = new Set(
      resources
        .filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference")
        .map((r) => r.account),
    );
    assert.deepEqual([...accounts].sort(), ["prod", "staging"]);
    assert.ok(
      resources.some((r) => r.type === "pulumi:pulumi:StackReference" && r.name === "org-core"),
    );
    assert.ok(existsSync(join(out, "iam", "prod", "prod-terraform-role-terraform.json")));
    const outputs = JSON.parse(readFileSync(join(out, "outputs.json"), "utf8")) as {
      orgGroup: { core: string; accounts: string[] };
    };
    assert.deepEqual(outputs.orgGroup, { core: "acme-core", accounts: ["staging", "prod"] });

    const report = readFileSync(join(out, "report.md"), "utf8");
    assert.match(report, /## Organisation: account-group stack of `acme-core`/);
    assert.match(
      report,
      /came from \S*Pulumi\.acme-core\.yaml, synthesized offline with this program, not from the deployed core stack/,
    );
    assert.match(report, /- terraform\/, ci\/: the Terraform handoff and the CI templates belong/);

    const text = await synth(args("acme-live", out));
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /'acme-live' is an account-group stack of 'acme-core': the core stack's outputs came from \S*Pulumi\.acme-core\.yaml, synthesized offline, not from the deployed stack/,
    );
    assert.match(text.stdout, /not written for an account-group stack: terraform\/, ci\/: /);
  });

  it("a group whose core stack file is missing, invalid or not a core: exit 2 with the fix, nothing written", async () => {
    const cases: { name: string; core: () => void; expected: RegExp }[] = [
      {
        name: "missing",
        core: () => rmSync(join(stacks, "Pulumi.acme-core.yaml")),
        expected:
          /reads the outputs of its core stack 'acme-core' \(orgStack.core\), and the synth computes them from the core's stack file: no stack config at \S*Pulumi\.acme-core\.yaml.*Fix: put the core stack's file Pulumi\.acme-core\.yaml next to this one/s,
      },
      {
        name: "invalid",
        core: () =>
          writeStack(stacks, "acme-core", { ...coreConfig(), "tf-bootstrap:region": "x" }),
        expected:
          /the core stack 'acme-core' of the account-group stack 'acme-dev' is invalid.*Pulumi\.acme-core\.yaml.*tf-bootstrap:region/s,
      },
      {
        name: "not a core",
        core: () => writeStack(stacks, "acme-core", exampleOidcConfig()),
        expected:
          /Pulumi\.acme-core\.yaml is not a core stack \(its orgStack\.part is not set: it holds a whole organisation\).*Fix: set orgStack: \{ part: core \}/s,
      },
    ];
    for (const c of cases) {
      writeSplitOrg(stacks);
      c.core();
      const out = join(tmp, `out-${c.name}`);
      const run = await synth([...args("acme-dev", out), "--json"]);
      assert.equal(run.code, 2, `${c.name}: ${run.stderr}`);
      const verdict = JSON.parse(run.stdout) as SynthJson;
      assert.equal(verdict.verdict, "invalid", c.name);
      assert.match(verdict.message ?? "", c.expected, c.name);
      assert.match(run.stderr, c.expected, c.name);
      assert.doesNotMatch(run.stderr, /\n\s+at /, `${c.name}: a stack trace`);
      assert.ok(!existsSync(out), `${c.name}: files were written`);
    }
  });

  it("a group its core stack does not admit: exit 2, every mismatch listed, nothing written", async () => {
    const group = groupConfig("acme-core", ["dev"]);
    const accounts = group["tf-bootstrap:productAccounts"] as { name: string; id: string }[];
    writeStack(stacks, "acme-dev", {
      ...group,
      "tf-bootstrap:productAccounts": [
        { ...accounts[0], id: "999999999999" },
        { name: "qa", id: "555555555555" },
      ],
    });
    const out = join(tmp, "bad");
    const run = await synth(args("acme-dev", out));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /does not match its core stack acme-core \(4 problems\)/);
    assert.match(run.stderr, /product account dev: its id is 999999999999 here, but 222222222222/);
    assert.match(run.stderr, /product account qa \(555555555555\) is not listed by the core stack/);
    assert.match(
      run.stderr,
      /\nThe core stack's outputs were computed from its stack file, Pulumi\.acme-core\.yaml, not read from the deployed stack\./,
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.ok(!existsSync(out));
  });

  it("--diff-ref on a group reads its core stack at the same ref", async () => {
    const git = (...argv: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...argv], {
        cwd: tmp,
      });
    git("init", "-q");
    git("add", "stacks");
    git("commit", "-qm", "stacks");
    // prod leaves the organisation: the core and its group drop it in one change.
    const core = coreConfig();
    writeStack(stacks, "acme-core", {
      ...core,
      "tf-bootstrap:productAccounts": (
        core["tf-bootstrap:productAccounts"] as { name: string }[]
      ).filter((a) => a.name !== "prod"),
      "tf-bootstrap:ci": {
        ...(core["tf-bootstrap:ci"] as Record<string, unknown>),
        pipeline: {
          ...((core["tf-bootstrap:ci"] as Record<string, Record<string, unknown>>).pipeline ?? {}),
          applyOrder: ["dev", "staging"],
        },
      },
    });
    writeStack(stacks, "acme-live", groupConfig("acme-core", ["staging"]));
    const run = await synth([
      ...args("acme-live", join(tmp, "out")),
      "--diff-ref",
      "HEAD",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const verdict = JSON.parse(run.stdout) as SynthJson;
    assert.equal(verdict.diff?.against, "stacks/Pulumi.acme-live.yaml at HEAD");
    const removed = verdict.diff?.resources.filter((r) => r.kind === "removed") ?? [];
    assert.ok(removed.some((r) => r.name === "prod-terraform-role-terraform"));
    assert.deepEqual(
      removed.filter((r) => r.account !== undefined && r.account !== "prod").map((r) => r.name),
      [],
      "only prod's resources leave the group",
    );
  });
});

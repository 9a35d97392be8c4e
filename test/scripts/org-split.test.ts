import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flatConfigFromStackFile } from "../../lib/config/stack-file";
import { runSplit } from "../../scripts/org/split";
import { ROOT } from "../helpers/stack";

/** stacks/Pulumi.example-oidc.yaml with an OU on each account: dev in Sandbox, the rest in Workloads. */
const WITH_OUS = readFileSync(join(ROOT, "stacks", "Pulumi.example-oidc.yaml"), "utf8")
  .replace('      id: "222222222222"\n', '      id: "222222222222"\n      ou: Sandbox\n')
  .replace('      id: "333333333333"\n', '      id: "333333333333"\n      ou: Workloads\n')
  .replace('      id: "444444444444"\n', '      id: "444444444444"\n      ou: Workloads\n');

/** Runs `npm run org -- split` in process with captured streams. */
async function split(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runSplit(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { isTTY: false, write: (t: string) => (stderr += t) },
    env: {},
  });
  return { code, stdout, stderr };
}

describe("npm run org -- split: command line and files", function () {
  this.timeout(120_000);
  let stacks: string;
  const files = () => readdirSync(stacks).sort();
  beforeEach(() => {
    stacks = mkdtempSync(join(tmpdir(), "tfb-org-split-"));
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), WITH_OUS);
  });
  afterEach(() => rmSync(stacks, { recursive: true, force: true }));

  it("--by ou writes the core file and one file per OU, and leaves the source alone", async () => {
    const run = await split(["acme", "--stacks-dir", stacks, "--by", "ou"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(files(), [
      "Pulumi.acme-core-sandbox.yaml",
      "Pulumi.acme-core-workloads.yaml",
      "Pulumi.acme-core.yaml",
      "Pulumi.acme.yaml",
    ]);
    assert.equal(readFileSync(join(stacks, "Pulumi.acme.yaml"), "utf8"), WITH_OUS);
    assert.match(
      run.stdout,
      /group acme-core-workloads \(OU Workloads\) {2}2 accounts: staging, prod {2}~1,884 MB/,
    );
    const group = flatConfigFromStackFile(
      readFileSync(join(stacks, "Pulumi.acme-core-sandbox.yaml"), "utf8"),
    );
    assert.deepEqual(JSON.parse(group["tf-bootstrap:productAccounts"] ?? ""), [
      { name: "dev", id: "222222222222", ou: "Sandbox" },
    ]);
    assert.deepEqual(JSON.parse(group["tf-bootstrap:orgStack"] ?? ""), {
      part: "group",
      core: "acme-core",
    });
  });

  it("--dry-run prints the plan and the memory arithmetic, and writes nothing", async () => {
    const run = await split([
      "--stack",
      "acme",
      "--stacks-dir",
      stacks,
      "--by",
      "size",
      "--memory-budget",
      "2000",
      "--dry-run",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /\(2,000 MB budget − 1,024 MB base\) \/ 430 MB per account .* = 2 accounts per group/,
    );
    assert.match(run.stdout, /group acme-core-g1 {2}2 accounts: dev, staging/);
    assert.match(run.stdout, /group acme-core-g2 {2}1 account: prod/);
    assert.match(run.stdout, /--dry-run: nothing written/);
    assert.deepEqual(files(), ["Pulumi.acme.yaml"]);
  });

  it("--migrate adds only orgStack to the source file and prints the three steps", async () => {
    const run = await split(["acme", "--stacks-dir", stacks, "--by", "ou", "--migrate"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      readFileSync(join(stacks, "Pulumi.acme.yaml"), "utf8"),
      `${WITH_OUS.trimEnd()}\n  tf-bootstrap:orgStack:\n    part: core\n    handOver: true\n`,
    );
    assert.match(
      run.stdout,
      /edited .*Pulumi\.acme\.yaml in place: added tf-bootstrap:orgStack \{part: core, handOver: true\}; nothing else changed/,
    );
    for (const step of [
      "1. Hand over.",
      "2. Adopt.",
      "3. Finish.",
      "pulumi stack init acme-workloads",
    ]) {
      assert.ok(run.stdout.includes(step), step);
    }
    assert.deepEqual(files(), [
      "Pulumi.acme-sandbox.yaml",
      "Pulumi.acme-workloads.yaml",
      "Pulumi.acme.yaml",
    ]);
    const again = await split(["acme", "--stacks-dir", stacks, "--by", "ou", "--migrate"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already part of a split organisation/);
  });

  it("--help documents the migration steps", async () => {
    const run = await split(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /usage: npm run org -- split \[STACK\]/);
    assert.match(run.stdout, /1\. pulumi up --stack STACK: no cloud change/);
    assert.match(run.stdout, /--memory-budget MB/);
  });

  const refusals: {
    name: string;
    argv: (dir: string) => string[];
    setup?: (dir: string) => void;
    expected: RegExp;
  }[] = [
    {
      name: "an unknown stack",
      argv: (dir) => ["nope", "--stacks-dir", dir, "--by", "ou"],
      expected: /no stack config at .*Pulumi\.nope\.yaml/,
    },
    {
      name: "missing --by and a bad --max-accounts, both at once",
      argv: (dir) => ["acme", "--stacks-dir", dir, "--max-accounts", "many"],
      expected: /--by is missing[\s\S]*--max-accounts "many": must be a whole number/,
    },
    {
      name: "K < 1",
      argv: (dir) => ["acme", "--stacks-dir", dir, "--by", "size", "--max-accounts", "0"],
      expected: /--max-accounts 0: must be a whole number of accounts, at least 1/,
    },
    {
      name: "an account without an ou",
      setup: (dir) =>
        writeFileSync(join(dir, "Pulumi.acme.yaml"), WITH_OUS.replace("      ou: Sandbox\n", "")),
      argv: (dir) => ["acme", "--stacks-dir", dir, "--by", "ou"],
      expected: /1 product account has no ou: dev/,
    },
    {
      name: "files in the way, every one listed",
      setup: (dir) => {
        writeFileSync(join(dir, "Pulumi.acme-core.yaml"), "mine\n");
        writeFileSync(join(dir, "Pulumi.acme-core-workloads.yaml"), "mine too\n");
      },
      argv: (dir) => ["acme", "--stacks-dir", dir, "--by", "ou"],
      expected:
        /2 of the files the split would write exist; it never overwrites a file, so nothing was written:\n {2}- .*Pulumi\.acme-core\.yaml\n {2}- .*Pulumi\.acme-core-workloads\.yaml/,
    },
    {
      name: "an invalid config, with the parser's problems",
      setup: (dir) =>
        writeFileSync(
          join(dir, "Pulumi.acme.yaml"),
          WITH_OUS.replace('id: "333333333333"', 'id: "3"'),
        ),
      argv: (dir) => ["acme", "--stacks-dir", dir, "--by", "ou"],
      expected: /TFB_CONFIG_INVALID[\s\S]*productAccounts\[1\]\.id[\s\S]*Nothing was written\./,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}, writing nothing`, async () => {
      c.setup?.(stacks);
      const before = files().map((f) => [f, readFileSync(join(stacks, f), "utf8")]);
      const run = await split(c.argv(stacks));
      assert.equal(run.code, 2, run.stdout);
      assert.match(run.stderr, c.expected);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "a stack trace");
      assert.deepEqual(
        files().map((f) => [f, readFileSync(join(stacks, f), "utf8")]),
        before,
      );
    });
  }
});

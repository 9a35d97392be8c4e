import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE } from "../../lib/output/write-plan";
import { runSynth, type SynthJson } from "../../scripts/synth/main";
import { ROOT } from "../helpers/stack";

const EXAMPLE = readFileSync(join(ROOT, "stacks", "Pulumi.example.yaml"), "utf8");
const WITH_QA = EXAMPLE.replace(
  '    - name: prod\n      id: "444444444444"\n',
  '    - name: prod\n      id: "444444444444"\n    - name: qa\n      id: "555555555555"\n',
);

/** Runs `npm run synth` in process with captured streams. */
async function synth(
  argv: string[],
  options: { tty?: boolean; env?: Record<string, string> } = {},
) {
  let stdout = "";
  let stderr = "";
  const code = await runSynth(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { isTTY: options.tty ?? false, write: (t: string) => (stderr += t) },
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

describe("npm run synth: command line, files and diff", function () {
  this.timeout(120_000);
  let tmp: string;
  let stacks: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "tfb-synth-cli-"));
    stacks = join(tmp, "stacks");
    mkdirSync(stacks);
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), EXAMPLE);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("takes the stack as an operand, --stack=NAME or -s NAME, and prints a JSON verdict with --json", async () => {
    const out = join(tmp, "out");
    for (const argv of [["acme"], ["--stack=acme"], ["-s", "acme"]]) {
      const run = await synth([...argv, "--stacks-dir", stacks, "--out", out, "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const verdict = JSON.parse(run.stdout) as SynthJson;
      assert.equal(verdict.verdict, "ok");
      assert.equal(verdict.stack, "acme");
      assert.equal(verdict.accounts, 4);
      assert.ok(verdict.policies?.some((p) => p.name === "terraform-role-trust-restrictive"));
    }
    const again = JSON.parse(
      (await synth(["acme", "--stacks-dir", stacks, "-o", out, "--json"])).stdout,
    ) as SynthJson;
    assert.equal(again.files?.written, 0, "an unchanged synth rewrote files");
    assert.ok((again.files?.unchanged ?? 0) > 30);
  });

  it("prints its version and its help", async () => {
    const version = await synth(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^tf-bootstrap \d+\.\d+\.\d+\n$/);
    const help = await synth(["--help"]);
    assert.match(help.stdout, /^usage: npm run synth -- \[STACK\] \[options\]/);
  });

  it("keeps files it did not write, and refuses, writing nothing, when one is in its way", async () => {
    const out = join(tmp, "out");
    mkdirSync(out);
    writeFileSync(join(out, "notes.md"), "mine\n");
    writeFileSync(join(out, "report.md"), "my own report\n");
    const refused = await synth(["acme", "--stacks-dir", stacks, "--out", out]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /nothing was written to .*: a path is in the way.*\n {2}- report\.md was not written by tf-bootstrap/,
    );
    assert.equal(readFileSync(join(out, "report.md"), "utf8"), "my own report\n");
    assert.equal(existsSync(join(out, MANIFEST_FILE)), false);
    assert.equal(existsSync(join(out, "resources.json")), false);

    rmSync(join(out, "report.md"));
    const run = await synth(["acme", "--stacks-dir", stacks, "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(join(out, "notes.md"), "utf8"), "mine\n");
  });

  it("removes the files of a removed account, but not a file of yours beside them", async () => {
    const out = join(tmp, "out");
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), WITH_QA);
    assert.equal((await synth(["acme", "--stacks-dir", stacks, "--out", out])).code, 0);
    assert.ok(existsSync(join(out, "iam", "qa", "qa-terraform-role.json")));
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), EXAMPLE);
    const run = await synth(["acme", "--stacks-dir", stacks, "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /4 removed/);
    assert.equal(existsSync(join(out, "iam", "qa")), false, "the emptied directory stayed");

    writeFileSync(join(stacks, "Pulumi.acme.yaml"), WITH_QA);
    assert.equal((await synth(["acme", "--stacks-dir", stacks, "--out", out])).code, 0);
    writeFileSync(join(out, "iam", "qa", "review-notes.md"), "keep\n");
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), EXAMPLE);
    assert.equal((await synth(["acme", "--stacks-dir", stacks, "--out", out])).code, 0);
    assert.equal(readFileSync(join(out, "iam", "qa", "review-notes.md"), "utf8"), "keep\n");
    assert.equal(existsSync(join(out, "iam", "qa", "qa-terraform-role.json")), false);
  });

  it("--diff: one line per account saying which role may now assume what, statements and files", async () => {
    const out = join(tmp, "out");
    assert.equal((await synth(["acme", "--stacks-dir", stacks, "--out", out])).code, 0);
    writeFileSync(join(stacks, "Pulumi.acme.yaml"), WITH_QA);
    const run = await synth(["acme", "--stacks-dir", stacks, "--out", out, "--diff"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^~ account terraform: 2 changed$/m);
    assert.match(
      run.stdout,
      /^\+ account qa: 9 resources; the CI plan role \(terraform-ci-plan\) may now assume arn:aws:iam::555555555555:role\/terraform-plan; the CI apply role \(terraform-ci\) may now assume arn:aws:iam::555555555555:role\/terraform$/m,
    );
    assert.match(
      run.stdout,
      /~ Allow sts:AssumeRole: \+Resource arn:aws:iam::555555555555:role\/terraform$/m,
    );
    assert.match(run.stdout, /^ {2}~ terraform\/accounts\.auto\.tfvars\.json$/m);
    const same = await synth(["acme", "--stacks-dir", stacks, "--out", out, "--diff"]);
    assert.match(same.stdout, /no change since the previous synth in /);
  });

  it("--diff-ref: compares with the stack file at a git ref, as JSON too", async () => {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
        cwd: tmp,
      });
    git("init", "-q");
    git("add", "stacks");
    git("commit", "-qm", "stack");
    writeFileSync(
      join(stacks, "Pulumi.acme.yaml"),
      EXAMPLE.replace("lambda, logs", "lambda, kms, logs"),
    );
    const run = await synth([
      "acme",
      "--stacks-dir",
      stacks,
      "--out",
      join(tmp, "out"),
      "--diff-ref",
      "HEAD",
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const verdict = JSON.parse(run.stdout) as SynthJson;
    assert.equal(verdict.diff?.against, "stacks/Pulumi.acme.yaml at HEAD");
    const roles = verdict.diff?.resources.filter((r) =>
      r.name.endsWith("-terraform-role-terraform"),
    );
    assert.equal(roles?.length, 3);
    const change = roles?.[0]?.statements?.[0];
    assert.equal(change?.kind, "changed");
    if (change?.kind === "changed") assert.deepEqual(change.gained, { Action: ["kms:*"] });
    const bad = await synth(["acme", "--stacks-dir", stacks, "--diff-ref", "no-such-ref"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--diff-ref: 'no-such-ref' is not a commit, branch or tag/);
  });

  it("exits 2 on a config error with the file's line and column, and on bad YAML without a stack trace", async () => {
    writeFileSync(
      join(stacks, "Pulumi.bad.yaml"),
      EXAMPLE.replace("tf-bootstrap:region: eu-west-1", "tf-bootstrap:region: eu-west-9"),
    );
    const run = await synth(["bad", "--stacks-dir", stacks, "--out", join(tmp, "o")]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /Pulumi\.bad\.yaml:9:3 tf-bootstrap:region = "eu-west-9": is not an AWS region; did you mean 'eu-west-1'\?/,
    );
    writeFileSync(
      join(stacks, "Pulumi.tab.yaml"),
      EXAMPLE.replace("  tf-bootstrap:region", "\ttf-bootstrap:region"),
    );
    const tab = await synth(["tab", "--stacks-dir", stacks, "--json"]);
    assert.equal(tab.code, 2);
    assert.doesNotMatch(tab.stderr, /\n\s+at /);
    const verdict = JSON.parse(tab.stdout) as SynthJson;
    assert.equal(verdict.verdict, "invalid");
    assert.match(verdict.problems?.[0]?.location ?? "", /Pulumi\.tab\.yaml:9:1$/);
  });

  it("colours its errors on a terminal, and not with NO_COLOR set", async () => {
    const colored = await synth(["--nope"], { tty: true });
    assert.match(colored.stderr, /\x1b\[/);
    const plain = await synth(["--nope"], { tty: true, env: { NO_COLOR: "1" } });
    assert.doesNotMatch(plain.stderr, /\x1b\[/);
    assert.match(plain.stderr, /^synth: unknown option '--nope'/);
  });

  it("flags a stack that accepts iam without a boundary, in its text, --json and report.md", async () => {
    const setting = "tf-bootstrap:terraformRole.acknowledgeIamWithoutBoundary";
    const plainOut = join(tmp, "plain");
    const plain = JSON.parse(
      (await synth(["acme", "--stacks-dir", stacks, "-o", plainOut, "--json"])).stdout,
    ) as SynthJson;
    assert.deepEqual(plain.acknowledgements, []);
    assert.doesNotMatch(readFileSync(join(plainOut, "report.md"), "utf8"), /Acknowledged risks/);

    writeFileSync(
      join(stacks, "Pulumi.acme.yaml"),
      EXAMPLE.replace(
        "allowedServices: [cloudwatch,",
        "acknowledgeIamWithoutBoundary: true\n    allowedServices: [iam, cloudwatch,",
      ),
    );
    const out = join(tmp, "out");
    const text = await synth(["acme", "--stacks-dir", stacks, "-o", out]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `^synth: acknowledged risk: ${setting}: the Terraform role manages IAM without a permissions boundary`,
        "m",
      ),
    );
    const json = JSON.parse(
      (await synth(["acme", "--stacks-dir", stacks, "-o", out, "--json"])).stdout,
    ) as SynthJson;
    assert.equal(json.verdict, "ok");
    assert.deepEqual(
      json.acknowledgements?.map((a) => a.setting),
      [setting],
    );
    const report = readFileSync(join(out, "report.md"), "utf8");
    assert.match(report, /## Acknowledged risks\n[^#]*acknowledgeIamWithoutBoundary: true/);
    assert.ok(
      report.indexOf("## Acknowledged risks") < report.indexOf("Policy verdicts"),
      "the acknowledgement comes before the verdicts",
    );
  });
});

import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
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
import { join, relative } from "node:path";
import {
  HANDOFF_FILES,
  parseDeployedOutputs,
  renderHandoff,
  renderPipelineFiles,
} from "../../lib/terraform";
import { MANIFEST_FILE } from "../../lib/output/write-plan";
import { ROOT, synth } from "../helpers/stack";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script of scripts/ with ts-node, `stdin` piped in (or closed). */
function script(name: string, args: readonly string[], stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", `scripts/${name}.ts`, ...args],
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Every file under `dir` (dot files included), by path relative to it. */
function readDir(dir: string): Record<string, string> {
  const files: [string, string][] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === MANIFEST_FILE)
        continue; // the list of generated files, not one
      else files.push([relative(dir, path), readFileSync(path, "utf8")]);
    }
  };
  walk(dir);
  return Object.fromEntries(files.sort(([a], [b]) => a.localeCompare(b)));
}

describe("npm run export-terraform", function () {
  this.timeout(60_000);
  let tmp: string;
  let outputs: Record<string, unknown>;
  before(async () => {
    outputs = (await synth()).outputs;
  });
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "tfb-export-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** The Terraform files at the root of --out, the pipeline templates under ci/. */
  const expected = () => {
    const parsed = parseDeployedOutputs(outputs);
    assert.ok(parsed.ok);
    const options = { stack: "acme" };
    return Object.fromEntries(
      [
        ...renderHandoff(parsed.outputs, options),
        ...renderPipelineFiles(parsed.outputs, options).map((f) => ({
          ...f,
          path: `ci/${f.path}`,
        })),
      ]
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => [f.path, f.text]),
    );
  };

  it("reads `pulumi stack output --json` from stdin and writes the handoff to --out, the pipeline templates to --out/ci", async () => {
    const out = join(tmp, "terraform");
    const run = await script(
      "export-terraform",
      ["--stack", "acme", "--out", out],
      JSON.stringify(outputs),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /stack 'acme': 3 workspaces \(dev, prod, staging\), lock s3-lockfile, CI mode iam-user; 6 files written to .*, 13 pipeline templates to .*\/terraform\/ci$/m,
    );
    assert.deepEqual(readDir(out), expected());
    assert.ok(
      statSync(join(out, HANDOFF_FILES.selectWorkspace)).mode & 0o100,
      "script not executable",
    );
  });

  it("reads the outputs from --outputs FILE, and leaves other files in --out alone", async () => {
    const file = join(tmp, "outputs.json");
    writeFileSync(file, JSON.stringify(outputs, null, 2));
    const out = join(tmp, "repo");
    const run0 = await script("export-terraform", [
      "--stack",
      "acme",
      "--outputs",
      file,
      "--out",
      out,
    ]);
    assert.equal(run0.code, 0, run0.stderr);
    writeFileSync(join(out, "main.tf"), "# the user's own\n");
    mkdirSync(join(out, "ci", "github", ".github", "workflows"), { recursive: true });
    writeFileSync(join(out, "ci", "github", ".github", "workflows", "lint.yml"), "on: push\n");
    const run = await script("export-terraform", [
      "--stack",
      "acme",
      "--outputs",
      file,
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readDir(out), {
      ...expected(),
      "main.tf": "# the user's own\n",
      "ci/github/.github/workflows/lint.yml": "on: push\n",
    });
  });

  it("without --out, writes out/<stack>/terraform and out/<stack>/ci, where synth writes them", async () => {
    const stack = `export-default-${process.pid}`;
    const dir = join(ROOT, "out", stack);
    try {
      const run = await script("export-terraform", ["--stack", stack], JSON.stringify(outputs));
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        Object.keys(readDir(join(dir, "terraform"))).sort(),
        Object.values(HANDOFF_FILES).sort(),
      );
      assert.ok(existsSync(join(dir, "ci", "README.md")), "no ci/README.md");
      assert.equal(existsSync(join(dir, "terraform", "ci")), false, "templates inside terraform/");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const errors: {
    name: string;
    args: (tmp: string) => string[];
    stdin?: string;
    stderr: RegExp;
  }[] = [
    { name: "without --stack", args: () => [], stderr: /--stack NAME is required/ },
    {
      name: "with an unknown argument",
      args: () => ["--stack", "acme", "--nope", "x"],
      stderr: /unknown option '--nope'/,
    },
    {
      name: "when the outputs file does not exist",
      args: (dir) => ["--stack", "acme", "--outputs", join(dir, "nope.json")],
      stderr: /cannot read the outputs file .*nope\.json: ENOENT.*pass --outputs FILE/,
    },
    {
      name: "when stdin is empty",
      args: () => ["--stack", "acme"],
      stdin: "",
      stderr:
        /no outputs: stdin is empty\. Pass what `pulumi stack output --json --stack acme` prints/,
    },
    {
      name: "when the outputs are not JSON (`pulumi stack output` without --json)",
      args: () => ["--stack", "acme"],
      stdin: "Current stack outputs (7):\n    OUTPUT  VALUE\n",
      stderr: /not JSON .*the --json flag matters/,
    },
    {
      name: "when an output is missing, naming it and how to get the outputs",
      args: () => ["--stack", "acme"],
      stdin: JSON.stringify({ terraformAccountId: "111111111111" }),
      stderr:
        /\[TFB_OUTPUTS_INVALID\] the stack outputs from stdin cannot make the Terraform handoff \(4 problems\); no file was written:\n {2}- workspaces = \(missing\): is missing[\s\S]*- backend = \(missing\)[\s\S]*pulumi stack output --json --stack acme > outputs\.json/,
    },
    {
      name: "for the outputs of a stack deployed before the plan path, saying to run `pulumi up` first",
      args: () => ["--stack", "acme"],
      stdin: JSON.stringify({
        terraformAccountId: "111111111111",
        workspaces: {
          dev: {
            accountName: "dev",
            accountId: "222222222222",
            roleArn: "arn:aws:iam::222222222222:role/terraform",
          },
        },
        backend: {
          bucket: "acme-tfstate-111111111111-eu-west-1",
          region: "eu-west-1",
          key: "terraform.tfstate",
          workspaceKeyPrefix: "terraform",
          lockMode: "s3-lockfile",
          kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        ciRoleArn: "arn:aws:iam::111111111111:role/terraform-ci",
        ciUserName: "terraform-ci",
      }),
      stderr:
        /\(1 problem\); no file was written:\n {2}- ciPlanRoleArn = \(missing\): is missing, and so are `ci` and every workspace's `planRoleArn` and `environment`: the stack was deployed with a tf-bootstrap version from before the plan path\. Run `pulumi up` on the stack with this version first/,
    },
  ];
  for (const e of errors) {
    it(`exits 2 ${e.name}, writing nothing`, async () => {
      const out = join(tmp, "out");
      const run = await script("export-terraform", [...e.args(tmp), "--out", out], e.stdin ?? "");
      assert.equal(run.code, 2, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stderr, e.stderr);
      assert.equal(existsSync(out), false, "files were written");
    });
  }

  it("writes what `npm run synth` writes to out/<stack>/terraform/ and out/<stack>/ci/ from that stack's outputs.json", async () => {
    const synthOut = join(tmp, "synth");
    const synthRun = await script("synth", ["--out", synthOut]);
    assert.equal(synthRun.code, 0, synthRun.stderr);
    const out = join(tmp, "export");
    const run = await script("export-terraform", [
      "--stack",
      "example",
      "--outputs",
      join(synthOut, "outputs.json"),
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const exported = readDir(out);
    const prefixed = (dir: string) =>
      Object.fromEntries(
        Object.entries(readDir(join(synthOut, dir))).map(([k, v]) => [`${dir}/${k}`, v]),
      );
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(exported).map(([k, v]) => [k.startsWith("ci/") ? k : `terraform/${k}`, v]),
      ),
      { ...prefixed("terraform"), ...prefixed("ci") },
    );
  });
});

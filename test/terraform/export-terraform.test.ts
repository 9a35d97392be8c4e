import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HANDOFF_FILES, renderHandoff, parseDeployedOutputs } from "../../lib/terraform";
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

function readDir(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), "utf8")]),
  );
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

  const expected = () => {
    const parsed = parseDeployedOutputs(outputs);
    assert.ok(parsed.ok);
    return Object.fromEntries(
      renderHandoff(parsed.outputs, { stack: "acme" })
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => [f.path, f.text]),
    );
  };

  it("reads `pulumi stack output --json` from stdin and writes the handoff to --out", async () => {
    const out = join(tmp, "terraform");
    const run = await script(
      "export-terraform",
      ["--stack", "acme", "--out", out],
      JSON.stringify(outputs),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /stack 'acme': 3 workspaces \(dev, prod, staging\), lock s3-lockfile; 6 files written to /,
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
    const run = await script("export-terraform", [
      "--stack",
      "acme",
      "--outputs",
      file,
      "--out",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readDir(out), { ...expected(), "main.tf": "# the user's own\n" });
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
      stderr: /unexpected argument '--nope'/,
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
        /\[TFB_OUTPUTS_INVALID\] the stack outputs from stdin cannot make the Terraform handoff \(3 problems\); no file was written:\n {2}- workspaces = \(missing\): is missing[\s\S]*- backend = \(missing\)[\s\S]*pulumi stack output --json --stack acme > outputs\.json/,
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

  it("writes what `npm run synth` writes to out/<stack>/terraform/ from that stack's outputs.json", async () => {
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
    assert.deepEqual(readDir(join(synthOut, "terraform")), readDir(out));
  });
});

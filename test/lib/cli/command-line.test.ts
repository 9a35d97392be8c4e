import { strict as assert } from "node:assert";
import { formatUsage, parseCommandLine } from "../../../lib/cli/command-line";
import { colorEnabled, painter, startProgress } from "../../../lib/cli/terminal";
import { SYNTH_COMMAND } from "../../../scripts/synth/main";

describe("command line", () => {
  const runs: { argv: string[]; values: Record<string, unknown> }[] = [
    { argv: ["--stack", "acme"], values: { stack: "acme" } },
    { argv: ["--stack=acme"], values: { stack: "acme" } },
    { argv: ["-s", "acme"], values: { stack: "acme" } },
    { argv: ["acme"], values: { stack: "acme" } },
    { argv: ["acme", "--stack", "acme"], values: { stack: "acme" } },
    { argv: ["-o", "dir", "--json", "acme"], values: { stack: "acme", out: "dir", json: true } },
    { argv: ["--diff-ref=main"], values: { "diff-ref": "main" } },
  ];
  for (const r of runs) {
    it(`reads ${r.argv.join(" ")}`, () => {
      const parsed = parseCommandLine(SYNTH_COMMAND, r.argv);
      assert.equal(parsed.kind, "run", JSON.stringify(parsed));
      if (parsed.kind === "run") assert.deepEqual({ ...parsed.values }, r.values);
    });
  }

  const errors: { argv: string[]; message: RegExp }[] = [
    { argv: ["--stak", "acme"], message: /^unknown option '--stak'; did you mean '--stack'\?$/ },
    { argv: ["--stack"], message: /^--stack needs a value: --stack NAME$/ },
    { argv: ["--stack", "--json"], message: /^--stack needs a value/ },
    { argv: ["--stack="], message: /^--stack needs a value, not an empty string$/ },
    { argv: ["--json=yes"], message: /^--json takes no value$/ },
    { argv: ["a", "b"], message: /^one stack only; got 'a', 'b'$/ },
    {
      argv: ["-s", "a", "b"],
      message: /^the stack is given twice: 'a' \(--stack\) and 'b'; give it once$/,
    },
  ];
  for (const e of errors) {
    it(`refuses ${e.argv.join(" ") || "nothing"} with a message of its own`, () => {
      const parsed = parseCommandLine(SYNTH_COMMAND, e.argv);
      assert.equal(parsed.kind, "error");
      if (parsed.kind === "error") assert.match(parsed.message, e.message);
    });
  }

  it("answers --help, -h, --version and -v; an unknown option next to them is still an error", () => {
    assert.equal(parseCommandLine(SYNTH_COMMAND, ["--help", "--nope"]).kind, "error");
    assert.equal(parseCommandLine(SYNTH_COMMAND, ["-h", "acme"]).kind, "help");
    assert.equal(parseCommandLine(SYNTH_COMMAND, ["--version"]).kind, "version");
    assert.equal(parseCommandLine(SYNTH_COMMAND, ["-v"]).kind, "version");
  });

  it("renders every option in the usage text", () => {
    const usage = formatUsage(SYNTH_COMMAND);
    assert.match(usage, /^usage: npm run synth -- \[STACK\] \[options\]/);
    for (const o of SYNTH_COMMAND.options) assert.match(usage, new RegExp(`--${o.name}\\b`));
    assert.match(usage, /-v, --version/);
    assert.match(usage, /exit codes: 0 done; 1 a mandatory policy violation/);
  });
});

describe("terminal", () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };

  it("colours on a terminal only, never with NO_COLOR, always with FORCE_COLOR", () => {
    assert.equal(colorEnabled(tty, {}), true);
    assert.equal(colorEnabled(pipe, {}), false);
    assert.equal(colorEnabled(tty, { NO_COLOR: "1" }), false);
    assert.equal(colorEnabled(tty, { NO_COLOR: "" }), true);
    assert.equal(colorEnabled(pipe, { FORCE_COLOR: "1" }), true);
    assert.equal(colorEnabled(tty, { TERM: "dumb" }), false);
    assert.equal(painter(false)("error", "x"), "x");
    assert.match(painter(true)("error", "x"), /\x1b\[[\d;]+mx\x1b\[/);
  });

  it("draws progress in place on a terminal after two seconds, and clears it", () => {
    let now = 0;
    const written: string[] = [];
    const stream = { isTTY: true, write: (t: string) => written.push(t) };
    const progress = startProgress(stream, "synth", { now: () => now, timer: false });
    progress.update("running the program: 100 resources");
    assert.deepEqual(written, [], "drawn before two seconds");
    now = 2500;
    progress.update("running the program: 900 resources");
    assert.deepEqual(written, ["\r\x1b[Ksynth: running the program: 900 resources (2s)"]);
    now = 2550;
    progress.update("too soon to redraw");
    assert.equal(written.length, 1);
    progress.stop();
    assert.equal(written.at(-1), "\r\x1b[K");
  });

  it("draws nothing where the stream is not a terminal", () => {
    let now = 0;
    const written: string[] = [];
    const progress = startProgress(
      { isTTY: false, write: (t: string) => written.push(t) },
      "synth",
      {
        now: () => now,
      },
    );
    now = 60_000;
    progress.update("x");
    progress.stop();
    assert.deepEqual(written, []);
  });
});

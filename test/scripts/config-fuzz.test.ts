import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { runSynth } from "../../scripts/synth/main";
import { ROOT } from "../helpers/stack";

/**
 * Seeded config fuzzing: stack files made by breaking the example stack (its YAML text, or one
 * of its values) go through `npm run synth` as the shell runs it. Every one must end in exit 0,
 * 1 or 2; a rejected one with problem lines that each name the field (its config path or its
 * file:line:column), never a stack trace, never the validator's own text, never "could not run".
 * TFB_FUZZ_RUNS raises the number of configs (default 150); TFB_FUZZ_SEED changes the seed.
 */

const EXAMPLE = readFileSync(join(ROOT, "stacks", "Pulumi.example.yaml"), "utf8");
const SEED = Number(process.env.TFB_FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.TFB_FUZZ_RUNS ?? 150);

/** Every path into the example's config, containers included. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const here = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) {
    return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  }
  if (typeof value === "object" && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  }
  return here;
}

const CONFIG = (parse(EXAMPLE) as { config: Record<string, unknown> }).config;
const PATHS = pathsOf(CONFIG).filter((p) => !String(p[0]).startsWith("pulumi:"));
const LINES = EXAMPLE.split("\n");

/** A value of any shape a user might type. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.boolean(),
  fc.integer({ min: -5, max: 10 ** 13 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(
    "eu-west-9",
    "us-iso-east-1",
    "012345678901",
    "arn:aws:iam::111111111111:role/*",
    "dev",
    "elb",
    "aws:x",
    "*",
    "github-oidc",
    "gitlab-oidc",
    "dynamodb",
    "x".repeat(300),
  ),
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), {
    maxKeys: 3,
  }),
);

type Mutation =
  | { kind: "value"; at: number; value: unknown }
  | { kind: "delete"; at: number }
  | { kind: "rename"; at: number; cut: number }
  | { kind: "unprefix"; at: number }
  | { kind: "text"; line: number; edit: "tab" | "indent" | "dedent" | "duplicate" | "drop" }
  | { kind: "insert"; offset: number; char: string }
  | { kind: "truncate"; offset: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("value" as const), at: fc.nat(), value: anyValue }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("rename" as const), at: fc.nat(), cut: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unprefix" as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("text" as const),
      line: fc.nat(),
      edit: fc.constantFrom(
        "tab" as const,
        "indent" as const,
        "dedent" as const,
        "duplicate" as const,
        "drop" as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      offset: fc.nat(),
      char: fc.constantFrom(
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "#",
        "&a",
        "*a",
        "!",
        "|",
        ">",
        "'",
        '"',
        "%",
        "@",
        "`",
        "\t",
        " ",
        "\n",
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), offset: fc.nat() }) },
);

function setAt(
  root: Record<string, unknown>,
  path: (string | number)[],
  fn: (parent: any, key: string | number) => void,
) {
  let parent: any = root;
  for (const part of path.slice(0, -1)) parent = parent[part];
  fn(parent, path[path.length - 1]);
}

/** The stack file text `m` makes of the example, and the field it touched (when one). */
function apply(m: Mutation): { text: string; field?: string } {
  if (m.kind === "text") {
    const lines = [...LINES];
    const i = 3 + (m.line % (lines.length - 4));
    const line = lines[i] ?? "";
    if (m.edit === "tab") lines[i] = `\t${line.trimStart()}`;
    if (m.edit === "indent") lines[i] = `   ${line}`;
    if (m.edit === "dedent") lines[i] = line.trimStart();
    if (m.edit === "duplicate") lines.splice(i, 0, line);
    if (m.edit === "drop") lines.splice(i, 1);
    return { text: lines.join("\n") };
  }
  if (m.kind === "insert") {
    const at = m.offset % EXAMPLE.length;
    return { text: EXAMPLE.slice(0, at) + m.char + EXAMPLE.slice(at) };
  }
  if (m.kind === "truncate") return { text: EXAMPLE.slice(0, m.offset % EXAMPLE.length) };
  const config = structuredClone(CONFIG);
  const path = PATHS[m.at % PATHS.length] ?? [];
  const field = String(path[0]);
  setAt(config, path, (parent, key) => {
    if (m.kind === "value") parent[key] = m.value;
    if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    }
    if ((m.kind === "rename" || m.kind === "unprefix") && !Array.isArray(parent)) {
      const name = String(key);
      const renamed =
        m.kind === "unprefix"
          ? name.replace(/^tf-bootstrap:/, "")
          : name.slice(0, m.cut % name.length) + name.slice((m.cut % name.length) + 1);
      if (renamed !== "" && !(renamed in parent)) {
        parent[renamed] = parent[key];
        delete parent[key];
      }
    }
  });
  return { text: stringify({ config }), field };
}

/** A problem line names its field: `file:line:column` and a key, or a config path. */
const NAMES_A_FIELD = /^ {2}- (?:\S+\.yaml:\d+:\d+ \S|tf-bootstrap:\w|[\w-]+:\w)/;
const STACK_TRACE = /\n\s+at \S.*[(:]\d+|node_modules/;
const VALIDATOR_TEXT = /Invalid input|expected \w+, received|Too (?:small|big)|Unrecognized key/;

describe("config fuzzing through `npm run synth` (seeded)", function () {
  this.timeout(600_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "tfb-fuzz-"));
    mkdirSync(join(tmp, "stacks"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it(`ends every one of ${RUNS} broken stack files in exit 0, 1 or 2 with messages that name the field (seed ${SEED})`, async () => {
    const seen = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const { text } = apply(m);
        writeFileSync(join(tmp, "stacks", "Pulumi.fuzz.yaml"), text);
        let stdout = "";
        let stderr = "";
        const code = await runSynth(
          ["fuzz", "--stacks-dir", join(tmp, "stacks"), "--out", join(tmp, "out")],
          {
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { isTTY: false, write: (t: string) => (stderr += t) },
            env: {},
          },
        );
        const context = `mutation ${JSON.stringify(m)}\n--- stack file\n${text}\n--- stderr\n${stderr}`;
        assert.ok([0, 1, 2].includes(code), `exit ${code}\n${context}`);
        seen[code] = (seen[code] ?? 0) + 1;
        assert.doesNotMatch(stderr, STACK_TRACE, context);
        assert.doesNotMatch(stderr + stdout, VALIDATOR_TEXT, context);
        assert.doesNotMatch(stderr, /could not run/, context);
        if (code === 2) {
          const lines = stderr.split("\n").filter((l) => l.startsWith("  - "));
          assert.ok(lines.length > 0, `no problem line\n${context}`);
          for (const line of lines) assert.match(line, NAMES_A_FIELD, context);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The generator must reach all three outcomes' neighbourhood, or it tests little.
    assert.ok((seen[0] ?? 0) > 0 && (seen[2] ?? 0) > RUNS / 3, JSON.stringify(seen));
  });
});

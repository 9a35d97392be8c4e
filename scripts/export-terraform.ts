import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  formatOutputProblems,
  HANDOFF_FILES,
  handoffFromStackOutputs,
  PIPELINE_DIRECTORY,
  type HandoffFile,
} from "../lib/terraform";

const USAGE = `usage: pulumi stack output --json --stack NAME | npm run export-terraform -- --stack NAME [--out DIR]
       npm run export-terraform -- --stack NAME --outputs FILE [--out DIR]

Writes the Terraform handoff of a deployed stack (${Object.values(HANDOFF_FILES).join(", ")})
to DIR, and its CI pipeline templates to DIR/${PIPELINE_DIRECTORY}/, from the stack's outputs as
\`pulumi stack output --json\` prints them: read from FILE, or from stdin when FILE is '-' or not
given. Without --out: out/<NAME>/terraform and out/<NAME>/${PIPELINE_DIRECTORY}, where
\`npm run synth\` writes the same files for the synthesized stack. Files of the same names are
replaced; nothing else is touched.

Exit codes: 0 done; 2 the outputs are unusable (every problem is listed) or the files could not
be read or written.`;

interface Args {
  stack?: string;
  outputs?: string;
  out?: string;
}

const FLAGS: Record<string, keyof Args> = {
  "--stack": "stack",
  "--outputs": "outputs",
  "--out": "out",
};

function fail(message: string): never {
  console.error(`export-terraform: ${message}`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Args & { stack: string } {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const value = argv[i + 1];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const flag = FLAGS[arg];
    if (flag === undefined || value === undefined || (value.startsWith("--") && value !== "-")) {
      fail(`unexpected argument '${arg}'\n\n${USAGE}`);
    }
    args[flag] = value;
    i++;
  }
  if (args.stack === undefined) fail(`--stack NAME is required\n\n${USAGE}`);
  return { ...args, stack: args.stack };
}

function readOutputs(file: string | undefined, stack: string): { text: string; source: string } {
  const hint = `pipe \`pulumi stack output --json --stack ${stack}\` into this command or pass --outputs FILE`;
  if (file === undefined || file === "-") {
    if (process.stdin.isTTY) fail(`no outputs: stdin is a terminal; ${hint}`);
    try {
      return { text: readFileSync(0, "utf8"), source: "stdin" };
    } catch (error) {
      fail(`cannot read the outputs from stdin: ${String(error)}; ${hint}`);
    }
  }
  try {
    return { text: readFileSync(file, "utf8"), source: file };
  } catch (error) {
    fail(`cannot read the outputs file ${file}: ${(error as Error).message}; ${hint}`);
  }
}

function parseJson(text: string, source: string, stack: string): unknown {
  if (text.trim() === "") {
    fail(
      `no outputs: ${source} is empty. Pass what \`pulumi stack output --json --stack ${stack}\` prints (deploy the stack with \`pulumi up\` first).`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    fail(
      `the outputs from ${source} are not JSON (${(error as Error).message}). Pass what \`pulumi stack output --json --stack ${stack}\` prints: the --json flag matters.`,
    );
  }
}

function writeFiles(dir: string, files: readonly HandoffFile[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const path = join(dir, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.text);
      if (file.path.endsWith(".sh")) chmodSync(path, 0o755);
    }
  } catch (error) {
    fail(`cannot write the files to ${dir}: ${(error as Error).message}`);
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { text, source } = readOutputs(args.outputs, args.stack);
  const raw = parseJson(text, source, args.stack);
  const result = handoffFromStackOutputs(raw, { stack: args.stack });
  if (!result.ok) {
    console.error(formatOutputProblems(result.problems, source, args.stack));
    process.exit(2);
  }
  const root = resolve(__dirname, "..");
  const stackOut = join(root, "out", args.stack);
  const out = resolve(args.out ?? join(stackOut, "terraform"));
  const ciOut =
    args.out === undefined ? join(stackOut, PIPELINE_DIRECTORY) : join(out, PIPELINE_DIRECTORY);
  writeFiles(out, result.files);
  writeFiles(ciOut, result.pipelineFiles);
  const workspaces = result.outputs.workspaces.map((w) => w.workspace);
  console.log(
    `export-terraform: stack '${args.stack}': ${workspaces.length} workspaces (${workspaces.join(", ")}), lock ${result.outputs.backend.lockMode}, CI mode ${result.outputs.ci.mode}; ${result.files.length} files written to ${out}, ${result.pipelineFiles.length} pipeline templates to ${ciOut}`,
  );
}

main();

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatUsage, parseCommandLine, type CommandSpec } from "../lib/cli/command-line";
import { colorEnabled, painter } from "../lib/cli/terminal";
import { MANIFEST_FILE } from "../lib/output/write-plan";
import {
  formatOutputProblems,
  HANDOFF_FILES,
  handoffFromStackOutputs,
  PIPELINE_DIRECTORY,
} from "../lib/terraform";
import { displayPath, packageVersion, stackNameProblem } from "./inputs";
import { formatRefusals, writeOutput } from "./output/write-files";

/** The export command's options. */
export const EXPORT_COMMAND: CommandSpec = {
  invocation: "npm run export-terraform --",
  operand: "stack",
  description: `Writes the Terraform handoff of a deployed stack (${Object.values(HANDOFF_FILES).join(", ")})
to DIR, and its CI pipeline templates to DIR/${PIPELINE_DIRECTORY}/, from the stack's outputs as
\`pulumi stack output --json\` prints them: read from FILE, or from stdin when FILE is '-' or not
given:

  pulumi stack output --json --stack NAME | npm run export-terraform -- --stack NAME

Without --out: out/<NAME>/terraform and out/<NAME>/${PIPELINE_DIRECTORY}, where \`npm run synth\` writes the
same files for the synthesized stack. It replaces only files it generated (listed in
${MANIFEST_FILE}) and stops, writing nothing, when another file or one changed since is in the
way; other files are left alone.`,
  options: [
    {
      name: "stack",
      short: "s",
      type: "string",
      value: "NAME",
      description: "the deployed stack (required); also the first operand",
    },
    {
      name: "outputs",
      type: "string",
      value: "FILE",
      description: "the outputs' JSON (default: stdin; '-' is stdin)",
    },
    {
      name: "out",
      short: "o",
      type: "string",
      value: "DIR",
      description: "where to write (default: out/<NAME>/terraform and out/<NAME>/ci)",
    },
  ],
  exitCodes: `exit codes: 0 done; 2 the outputs are unusable (every problem is listed), a file is in the
way, or the files could not be read or written.`,
};

function fail(message: string): never {
  console.error(`${paint("error", "export-terraform:")} ${message}`);
  process.exit(2);
}

const paint = painter(colorEnabled(process.stderr, process.env));

function parseArgs(argv: readonly string[]): { stack: string; outputs?: string; out?: string } {
  const parsed = parseCommandLine(EXPORT_COMMAND, argv);
  if (parsed.kind === "help") {
    console.log(formatUsage(EXPORT_COMMAND));
    process.exit(0);
  }
  if (parsed.kind === "version") {
    console.log(`tf-bootstrap ${packageVersion()}`);
    process.exit(0);
  }
  if (parsed.kind === "error") fail(`${parsed.message}\n\n${formatUsage(EXPORT_COMMAND)}`);
  const { stack, outputs, out } = parsed.values;
  if (typeof stack !== "string") fail(`--stack NAME is required\n\n${formatUsage(EXPORT_COMMAND)}`);
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) fail(nameProblem);
  return {
    stack,
    ...(typeof outputs === "string" ? { outputs } : {}),
    ...(typeof out === "string" ? { out } : {}),
  };
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

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { text, source } = readOutputs(args.outputs, args.stack);
  const raw = parseJson(text, source, args.stack);
  const result = handoffFromStackOutputs(raw, { stack: args.stack });
  if (!result.ok) {
    console.error(formatOutputProblems(result.problems, source, args.stack));
    process.exit(2);
  }
  // Without --out, the files land where synth writes them, under one manifest with synth's.
  const root = resolve(__dirname, "..");
  const out = resolve(args.out ?? join(root, "out", args.stack));
  const handoffDir = args.out === undefined ? "terraform/" : "";
  const files = [
    ...result.files.map((f) => ({ path: `${handoffDir}${f.path}`, text: f.text })),
    ...result.pipelineFiles.map((f) => ({ path: `${PIPELINE_DIRECTORY}/${f.path}`, text: f.text })),
  ];
  let written;
  try {
    written = writeOutput(out, files, "export-terraform");
  } catch (error) {
    fail(`cannot write the files to ${out}: ${(error as Error).message}`);
  }
  if (!written.ok) fail(formatRefusals(displayPath(out), written.refusals));
  const handoffOut = join(out, handoffDir);
  const ciOut = join(out, PIPELINE_DIRECTORY);
  const workspaces = result.outputs.workspaces.map((w) => w.workspace);
  console.log(
    `export-terraform: stack '${args.stack}': ${workspaces.length} workspaces (${workspaces.join(", ")}), lock ${result.outputs.backend.lockMode}, CI mode ${result.outputs.ci.mode}; ${result.files.length} files written to ${handoffOut.replace(/\/$/, "")}, ${result.pipelineFiles.length} pipeline templates to ${ciOut}`,
  );
  console.log(
    `export-terraform: ${written.written.length} written, ${written.unchanged.length} unchanged, ${written.removed.length} removed; the files it wrote are listed in ${displayPath(join(out, MANIFEST_FILE))}`,
  );
}

main();

/**
 * `npm run org -- report`: the organisation split across stacks, read from its stack files
 * only (offline, no credentials): the core stack, each account-group stack with its accounts,
 * totals, and every way the files disagree (lib/org-stacks/report.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatUsage, parseCommandLine, type CommandSpec } from "../../lib/cli/command-line";
import { colorEnabled, painter } from "../../lib/cli/terminal";
import { checkStackFile } from "../../lib/config/check";
import { orgReport, renderOrgReport, type ReportInput } from "../../lib/org-stacks/report";
import { DEFAULT_STACKS_DIR, displayPath, packageVersion } from "../inputs";
import type { CommandIo } from "../synth/main";

/** The report command's options. */
export const REPORT_COMMAND: CommandSpec = {
  invocation: "npm run org -- report",
  description: `Reports on an organisation split across stacks, from its stack files only (no credentials,
no Pulumi CLI): the core stack, each account-group stack with its accounts (name, id,
environment, ou), totals, and every way the files disagree: an account in a group but not in
the core (the group's preview fails), an account in the core but in no group (its roles are
built nowhere), an account in two groups, a shared setting a group gives otherwise than the core
(organization, region, partition, terraformAccount, ci but ci.pipeline, terraformRole,
terraformPlanRole, state, audit, adminPrincipals, tags), and a group whose role definition
digest is not the core's.`,
  options: [
    {
      name: "stacks-dir",
      type: "string",
      value: "DIR",
      description: "where the Pulumi.<stack>.yaml files live (default: stacks/)",
    },
    {
      name: "core",
      type: "string",
      value: "NAME",
      description: "the core stack (default: the only stack file with orgStack.part: core)",
    },
    { name: "json", type: "boolean", description: "print the report as JSON on stdout" },
  ],
  exitCodes: `exit codes: 0 the stack files agree; 1 findings; 2 the report could not be made (no core
stack, a bad argument, an unreadable directory).`,
};

const STACK_FILE = /^Pulumi\.([A-Za-z0-9][A-Za-z0-9_.-]*)\.yaml$/;

/** Every stack file of `dir`, validated, or why the directory cannot be read. */
export function readReportInputs(
  dir: string,
): { ok: true; inputs: ReportInput[] } | { ok: false; message: string } {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return {
      ok: false,
      message: `--stacks-dir ${displayPath(dir)}: no such directory. Fix: pass the directory that holds the Pulumi.<stack>.yaml files (default: stacks).`,
    };
  }
  const inputs: ReportInput[] = [];
  for (const entry of entries) {
    const stack = STACK_FILE.exec(entry)?.[1];
    if (stack === undefined) continue;
    const file = displayPath(join(dir, entry));
    const checked = checkStackFile(readFileSync(join(dir, entry), "utf8"), file);
    inputs.push(
      checked.ok
        ? { ok: true, stack, file, config: checked.config }
        : { ok: false, stack, file, problems: checked.problems.length },
    );
  }
  return { ok: true, inputs };
}

/** Runs `npm run org -- report`; resolves to its exit code. */
export function runReport(argv: readonly string[], io: CommandIo): Promise<number> {
  return Promise.resolve(report(argv, io));
}

function report(argv: readonly string[], io: CommandIo): number {
  const paint = painter(colorEnabled(io.stderr, io.env));
  const parsed = parseCommandLine(REPORT_COMMAND, argv);
  if (parsed.kind === "help") {
    io.stdout.write(`${formatUsage(REPORT_COMMAND)}\n`);
    return 0;
  }
  if (parsed.kind === "version") {
    io.stdout.write(`tf-bootstrap ${packageVersion()}\n`);
    return 0;
  }
  const json = parsed.kind === "run" && parsed.values.json === true;
  const fail = (message: string): number => {
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ command: "org report", version: packageVersion(), exitCode: 2, message }, null, 2)}\n`,
      );
    }
    io.stderr.write(`${paint("error", "org report:")} ${message}\n`);
    return 2;
  };
  if (parsed.kind === "error") return fail(`${parsed.message}\n\n${formatUsage(REPORT_COMMAND)}`);
  const values = parsed.values;
  const dir = resolve(
    typeof values["stacks-dir"] === "string" ? values["stacks-dir"] : DEFAULT_STACKS_DIR,
  );
  const read = readReportInputs(dir);
  if (!read.ok) return fail(read.message);
  const made = orgReport(read.inputs, typeof values.core === "string" ? values.core : undefined);
  if (!made.ok) return fail(made.message);
  const exitCode = made.report.findings.length > 0 ? 1 : 0;
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ command: "org report", version: packageVersion(), exitCode, ...made.report }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(`${renderOrgReport(made.report)}\n`);
  }
  return exitCode;
}

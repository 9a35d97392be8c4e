/**
 * `npm run org -- <command>`: the commands of an organisation split across a core stack and
 * account-group stacks (docs/org-stacks.md). `preview` and `up` run the stacks on the Pulumi
 * engine (scripts/org/run.ts); `split` writes the stack files (scripts/org/split.ts); `report`
 * reports on them (scripts/org/report.ts).
 */
import { closest } from "../lib/config/closest";
import { packageVersion } from "./inputs";
import { runAsMain } from "./command-main";
import { runOrg, type OrgIo } from "./org/run";

/** A command that takes the rest of the arguments and the streams; resolves to its exit code. */
type Command = (argv: readonly string[], io: OrgIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Command }>> = {
  preview: {
    summary: "preview the core stack, then its groups, with the policy pack",
    load: () => (argv, io) => runOrg("preview", argv, io),
  },
  up: {
    summary: "update the core stack, then its groups, each after its preview",
    load: () => (argv, io) => runOrg("up", argv, io),
  },
  split: {
    summary: "write the core and group stack files of an organisation",
    // Loaded when used, so `preview` and `up` do not load (or need) the other commands.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load: () => (require("./org/split") as { runSplit: Command }).runSplit,
  },
  report: {
    summary: "report on the organisation's stacks",
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    load: () => (require("./org/report") as { runReport: Command }).runReport,
  },
};

/** The usage text of `npm run org`. */
export function orgUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    "usage: npm run org -- <command> [options]",
    "",
    "An organisation past one stack: a core stack (the Terraform account, the CI identities and",
    "roles for every product account) and account-group stacks (the product accounts' roles).",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    "",
    "`npm run org -- <command> --help` describes a command's options.",
  ].join("\n");
}

/** Runs `npm run org -- <command> …`; resolves to the exit code. */
export async function runOrgCommand(
  argv: readonly string[],
  io: OrgIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(`${orgUsage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write(`tf-bootstrap ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    const hint = closest(name, Object.keys(COMMANDS));
    io.stderr.write(
      `org: unknown command '${name}'${hint ? `; did you mean '${hint}'?` : ""}\n\n${orgUsage()}\n`,
    );
    return 2;
  }
  return command.load()(rest, io);
}

if (require.main === module) runAsMain("org", runOrgCommand);

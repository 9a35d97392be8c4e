import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import {
  configOfText,
  planAccountChange,
  type AccountChange,
  type PlannedChange,
} from "../lib/accounts/lifecycle";
import { renderDelta, resourceDelta } from "../lib/accounts/resource-delta";
import { renderStateMoveScript } from "../lib/accounts/state-move";
import { appendAccount } from "../lib/accounts/stack-edit";
import { flatConfigFromStackFile } from "../lib/config/stack-file";
import { proposeAccounts, type Proposal } from "../lib/org/propose";
import { readOrganization } from "./aws/read-organization";
import { DEFAULT_STACKS_DIR } from "./inputs";
import { synthesize } from "./synth/mock-runtime";

/**
 * `npm run accounts -- COMMAND`: adds, removes, renames and moves product accounts in a stack
 * file, and proposes the accounts of an AWS organization the stack does not cover yet
 * (docs/accounts.md). Shows the change to the file, what `pulumi up` would create, delete and
 * update (the program run offline before and after), and what else must happen; writes the
 * stack file only with --write.
 */

const USAGE = `usage: npm run accounts -- COMMAND [ARGS] --stack NAME [--write]

Commands:
  add NAME ID [--workspace W] [--environment E] [--bootstrap-role R]
                           bootstrap account ID under the key NAME
  remove NAME              stop managing account NAME: its roles go, its state stays
  rename NAME WORKSPACE    move account NAME to a new workspace (and state path); writes the
                           state move script with --write (--state-script FILE)
  move NAME --environment E
                           run account NAME's applies in CI environment E
  discover [--ou OU] [--include-management] [--json]
                           read the AWS organization (management account credentials) and
                           propose an entry for every active account the stack lacks, with
                           its OU; --write appends them

Options:
  -s, --stack NAME         the stack (stacks/Pulumi.<NAME>.yaml); required
      --stacks-dir DIR     where the stack files are (default: stacks/)
      --write              write the stack file (and the state move script); without it,
                           nothing is written
      --state-script FILE  rename: where to write the state move script
                           (default: move-state-<old>-to-<new>.sh)
      --no-resources       do not run the program to show the resource changes
  -h, --help               this text

Test and development only: --endpoint URL sends AWS requests to an emulator.

Exit codes: 0 done (or nothing to do); 1 discover found accounts the stack lacks and --write
was not given; 2 the command or the stack file is wrong, or AWS could not be read.`;

function fail(message: string): never {
  console.error(`accounts: ${message}`);
  process.exit(2);
}

const OPTIONS = {
  stack: { type: "string", short: "s" },
  "stacks-dir": { type: "string" },
  write: { type: "boolean" },
  workspace: { type: "string" },
  environment: { type: "string" },
  "bootstrap-role": { type: "string" },
  "state-script": { type: "string" },
  ou: { type: "string" },
  "include-management": { type: "boolean" },
  json: { type: "boolean" },
  "no-resources": { type: "boolean" },
  endpoint: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

function positionals(command: string, args: readonly string[], names: readonly string[]): string[] {
  if (args.length !== names.length) {
    fail(
      `'${command}' takes ${names.map((n) => n.toUpperCase()).join(" ")}; got ${args.length === 0 ? "nothing" : args.map((a) => `'${a}'`).join(" ")}\n\n${USAGE}`,
    );
  }
  return [...args];
}

function changeOf(command: string, args: string[], values: Values): AccountChange {
  switch (command) {
    case "add": {
      const [name = "", id = ""] = positionals(command, args, ["name", "id"]);
      return {
        kind: "add",
        entry: {
          name,
          id,
          ...(values.workspace !== undefined ? { workspace: values.workspace } : {}),
          ...(values.environment !== undefined ? { environment: values.environment } : {}),
          ...(values["bootstrap-role"] !== undefined
            ? { bootstrapRoleName: values["bootstrap-role"] }
            : {}),
        },
      };
    }
    case "remove": {
      const [name = ""] = positionals(command, args, ["name"]);
      return { kind: "remove", name };
    }
    case "rename": {
      const [name = "", to = ""] = positionals(command, args, ["name", "workspace"]);
      return { kind: "rename", name, to };
    }
    case "move": {
      const [name = ""] = positionals(command, args, ["name"]);
      if (values.environment === undefined) fail("'move' needs --environment ENV");
      return { kind: "move", name, environment: values.environment };
    }
    default:
      return fail(`unknown command '${command}'\n\n${USAGE}`);
  }
}

async function resourceLines(before: string, after: string, stack: string): Promise<string[]> {
  const run = (text: string) => synthesize(flatConfigFromStackFile(text), { stack });
  const [a, b] = [await run(before), await run(after)];
  return renderDelta(resourceDelta(a.resources, b.resources));
}

function fileDiff(path: string, before: string, after: string): string {
  return createTwoFilesPatch(path, path, before, after, "", "", { context: 2 })
    .split("\n")
    .slice(2)
    .join("\n");
}

function writeStackFile(path: string, original: string, text: string): void {
  if (readFileSync(path, "utf8") !== original) {
    fail(`${path} changed while this command ran; nothing was written. Run it again.`);
  }
  writeFileSync(path, text);
}

async function report(
  path: string,
  original: string,
  planned: PlannedChange,
  stack: string,
  values: Values,
): Promise<void> {
  console.log(fileDiff(path, original, planned.text));
  if (values["no-resources"] !== true) {
    console.log("What `pulumi up` would do (the program run offline before and after the change):");
    for (const line of await resourceLines(original, planned.text, stack)) console.log(`  ${line}`);
  }
  if (planned.notes.length > 0) {
    console.log("\nAlso:");
    for (const note of planned.notes) console.log(`  - ${note}`);
  }
}

function stateScripts(planned: PlannedChange, stack: string, values: Values) {
  const { after } = planned;
  return planned.stateMoves.map((move) => ({
    path: resolve(values["state-script"] ?? `move-state-${move.from}-to-${move.to}.sh`),
    text: renderStateMoveScript({
      stack,
      from: move.from,
      to: move.to,
      tool: after.ci.pipeline.tool,
      bucket: after.names.stateBucket,
      keyPrefix: after.state.keyPrefix,
      key: "terraform.tfstate",
    }),
  }));
}

async function lifecycle(
  command: string,
  args: string[],
  values: Values,
  stack: string,
  path: string,
  original: string,
): Promise<void> {
  const change = changeOf(command, args, values);
  const planned = planAccountChange(original, change);
  if (!planned.ok) fail(planned.message);
  await report(path, original, planned.planned, stack, values);
  const scripts = stateScripts(planned.planned, stack, values);
  for (const script of scripts) {
    if (existsSync(script.path)) {
      fail(
        `${script.path} exists already; nothing was written. Pass --state-script with a new file.`,
      );
    }
  }
  if (values.write !== true) {
    console.log(
      `\nNothing was written. Run again with --write to change ${path}${scripts.length > 0 ? " and write the state move script" : ""}.`,
    );
    return;
  }
  writeStackFile(path, original, planned.planned.text);
  for (const script of scripts) writeFileSync(script.path, script.text, { mode: 0o755 });
  console.log(`\nWrote ${path}.`);
  for (const script of scripts) {
    console.log(
      `Wrote ${script.path}: run it once in the Terraform root (after init, with the CI apply role's or an admin's credentials) before the pipeline runs the new workspace.`,
    );
  }
  console.log(
    "Next: `pulumi preview --policy-pack policy-pack`, then `pulumi up` (docs/accounts.md).",
  );
}

function renderProposal(proposal: Proposal): string[] {
  const lines: string[] = [];
  for (const p of proposal.proposed) {
    lines.push(`  + ${p.entry.name} (${p.account.id}): ${p.comment}`);
  }
  const skipped = new Map<string, string[]>();
  for (const s of proposal.skipped) {
    skipped.set(s.reason, [
      ...(skipped.get(s.reason) ?? []),
      `${s.account.id} (${s.account.name})`,
    ]);
  }
  for (const [reason, accounts] of skipped) {
    lines.push(`  skipped, ${reason}: ${accounts.join(", ")}`);
  }
  return lines;
}

async function discover(values: Values, path: string, original: string): Promise<void> {
  const current = configOfText(original);
  if (!current.ok) {
    fail(
      `the stack file is not a valid config; fix it first:\n${current.problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`,
    );
  }
  if (values.endpoint !== undefined) {
    console.error(`accounts: sending every AWS request to ${values.endpoint} (test/dev only)`);
  }
  const read = await readOrganization({
    partition: current.config.partition,
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
  });
  if (!read.ok)
    fail(`could not read the organization: ${read.code}: ${read.message}. ${read.hint}`);
  const proposal = proposeAccounts(
    read.snapshot,
    {
      terraformAccountId: current.config.terraformAccount.id,
      productAccounts: current.config.productAccounts,
    },
    {
      ...(values.ou !== undefined ? { ou: values.ou } : {}),
      ...(values["include-management"] === true ? { includeManagement: true } : {}),
    },
  );
  if (values.json === true) {
    console.log(
      JSON.stringify(
        {
          organizationId: read.snapshot.organizationId,
          managementAccountId: read.snapshot.managementAccountId,
          proposed: proposal.proposed.map((p) => ({ ...p.entry, ...accountFields(p.account) })),
          skipped: proposal.skipped.map((s) => ({ reason: s.reason, ...accountFields(s.account) })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(
      `Organization ${read.snapshot.organizationId}: ${read.snapshot.accounts.length} accounts; ${proposal.proposed.length} not in stack file ${path}:`,
    );
    for (const line of renderProposal(proposal)) console.log(line);
    for (const warning of proposal.proposed.flatMap((p) => p.warnings)) {
      console.log(`  ! ${warning}`);
    }
  }
  if (proposal.proposed.length === 0) return;
  let text = original;
  for (const p of proposal.proposed) {
    const appended = appendAccount(text, p.entry, p.comment);
    if (!appended.ok) fail(`${appended.message}; nothing was written`);
    text = appended.text;
  }
  const next = configOfText(text);
  if (!next.ok) {
    fail(
      `the proposed entries would make the stack invalid, so nothing was written:\n${next.problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`,
    );
  }
  if (values.write !== true) {
    if (values.json !== true) {
      console.log(`\n${fileDiff(path, original, text)}`);
      console.log(`Nothing was written. Run again with --write to add these entries to ${path}.`);
    }
    process.exitCode = 1;
    return;
  }
  writeStackFile(path, original, text);
  console.error(`accounts: wrote ${proposal.proposed.length} entries to ${path}`);
}

function accountFields(account: {
  id: string;
  name: string;
  ouPath: string;
  ouId: string;
  joinedMethod: string;
  status: string;
}) {
  return {
    accountId: account.id,
    accountName: account.name,
    ouPath: account.ouPath,
    ouId: account.ouId,
    joinedMethod: account.joinedMethod,
    status: account.status,
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals: rest } = parsed;
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const [command, ...args] = rest;
  if (command === undefined) fail(`a command is required\n\n${USAGE}`);
  if (values.stack === undefined) fail("--stack NAME is required");
  const path = join(
    resolve(values["stacks-dir"] ?? DEFAULT_STACKS_DIR),
    `Pulumi.${values.stack}.yaml`,
  );
  let original: string;
  try {
    original = readFileSync(path, "utf8");
  } catch {
    fail(`no stack file at ${path}; create it or pass --stack with an existing stack`);
  }
  if (command === "discover") {
    positionals(command, args, []);
    await discover(values, path, original);
    return;
  }
  await lifecycle(command, args, values, values.stack, path, original);
}

main().catch((error: unknown) => {
  console.error(
    `accounts: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(2);
});

/**
 * `npm run org -- split`: splits a stack file that holds a whole organisation into a core stack
 * file and account-group stack files, and with `--migrate` prepares and prints the migration of
 * the deployed stack onto them. Validates (the stack file, the arguments), plans
 * (lib/org-stacks/split.ts), then writes only new files — refusing, before writing anything,
 * when any of them exists — and with `--migrate` adds one key to the source file.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatUsage, parseCommandLine, type CommandSpec } from "../../lib/cli/command-line";
import { colorEnabled, painter } from "../../lib/cli/terminal";
import { formatProblems } from "../../lib/errors/config-error";
import {
  BASE_MEMORY_MB,
  DEFAULT_MAX_ACCOUNTS,
  MEMORY_PER_ACCOUNT_MB,
  migrationSteps,
  planSplit,
  type SplitBy,
  type SplitPlan,
} from "../../lib/org-stacks/split";
import { DEFAULT_STACKS_DIR, displayPath, packageVersion, readStackText } from "../inputs";
import type { CommandIo } from "../synth/main";

/** The split command's options. */
export const SPLIT_COMMAND: CommandSpec = {
  invocation: "npm run org -- split",
  operand: "stack",
  description: `Splits stacks/Pulumi.<STACK>.yaml, a stack that holds the whole organisation, into a core
stack (the Terraform account: state, lock, trail, CI identities and the CI roles that assume
every product account's roles) and account-group stacks (the product accounts' providers and
roles), so no single preview starts one pulumi-resource-aws process per account of the whole
organisation. Each file is the source config with only the split's edits (comments and order
kept): the core file adds orgStack {part: core}; a group file keeps only its accounts, drops
ci.pipeline (the core's) and adds orgStack {part: group, core: CORE}. A group stack is named
CORE-GROUP. It never overwrites a file: when any file it would write exists, it lists them all
and writes nothing.

--by ou: one group per organisational unit (productAccounts[].ou; the group is the OU's name in
lower case, [a-z0-9-]). Every account needs an ou: the command stops, naming each account
without one (set it, or use --by size).
--by size: groups of at most K accounts in config order (g1, g2, ...). K is --max-accounts, or
from --memory-budget MB: (MB - ${BASE_MEMORY_MB}) / ${MEMORY_PER_ACCOUNT_MB}, since a run takes about ${BASE_MEMORY_MB} MB plus up to
${MEMORY_PER_ACCOUNT_MB} MB per account (its own provider process, pulumi/pulumi#19534); default K = ${DEFAULT_MAX_ACCOUNTS}.

--migrate: for a stack that is deployed. The core keeps the source stack's name, so its state
(bucket, key, lock, trail, CI roles) never moves and no URN changes; the command adds
orgStack {part: core, handOver: true} to the source file (the only edit it makes there) and
writes the group files with adopt: true. Then, as it prints:
  1. pulumi up --stack STACK: no cloud change; the product roles get retainOnDelete in state.
  2. for each group: pulumi stack init GROUP; pulumi up --stack GROUP: its roles and policies
     are imported (read), nothing is created or replaced.
  3. remove handOver from the core file and adopt from the group files; pulumi up --stack
     STACK: the core's state drops the product roles, which stay in AWS and in the groups.
     pulumi preview --expect-no-changes on every stack then shows no changes.`,
  options: [
    {
      name: "stack",
      short: "s",
      type: "string",
      value: "NAME",
      description: "the stack to split (a whole organisation); also the first operand",
    },
    {
      name: "stacks-dir",
      type: "string",
      value: "DIR",
      description: "where Pulumi.<STACK>.yaml lives and the new files go (default: stacks/)",
    },
    {
      name: "by",
      type: "string",
      value: "ou|size",
      description: "group accounts by organisational unit, or in config order by size",
    },
    {
      name: "max-accounts",
      type: "string",
      value: "K",
      description: `--by size: at most K accounts per group (default: ${DEFAULT_MAX_ACCOUNTS})`,
    },
    {
      name: "memory-budget",
      type: "string",
      value: "MB",
      description: `--by size: K from the memory one run may take (${BASE_MEMORY_MB} MB + ${MEMORY_PER_ACCOUNT_MB} MB per account)`,
    },
    {
      name: "core",
      type: "string",
      value: "NAME",
      description: "the core stack's name (default: STACK-core; with --migrate: STACK)",
    },
    {
      name: "migrate",
      type: "boolean",
      description: "the stack is deployed: keep it as the core and print the migration steps",
    },
    {
      name: "dry-run",
      type: "boolean",
      description: "print the plan (groups, accounts, memory) and write nothing",
    },
  ],
  exitCodes: `exit codes: 0 done (or planned, with --dry-run); 2 the config or the arguments are invalid,
or a file is in the way (nothing written).`,
};

function count(value: string | boolean | undefined, option: string): number | string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value;
  if (!/^-?\d+$/.test(text)) {
    return `--${option} ${JSON.stringify(text)}: must be a whole number (for example --${option} ${option === "memory-budget" ? "8192" : "10"})`;
  }
  return Number(text);
}

function planLines(plan: SplitPlan, stacksDir: string): string[] {
  const lines = [
    `split: stack '${plan.source}' (${plan.groups.reduce((n, g) => n + g.accounts.length, 0)} product accounts, about ${plan.wholeMemoryMb.toLocaleString("en-US")} MB per run as one stack)`,
  ];
  if (plan.sizing) lines.push(`split: ${plan.sizing.arithmetic}`);
  lines.push(
    `  core  ${plan.core.stack}  the Terraform account, lists every product account  ~${plan.core.memoryMb.toLocaleString("en-US")} MB  ${stacksDir}/Pulumi.${plan.core.stack}.yaml${plan.core.inPlace ? " (the source file, orgStack added)" : ""}`,
  );
  for (const g of plan.groups) {
    lines.push(
      `  group ${g.stack}${g.ou ? ` (OU ${g.ou})` : ""}  ${g.accounts.length} account${g.accounts.length === 1 ? "" : "s"}: ${g.accounts.join(", ")}  ~${g.memoryMb.toLocaleString("en-US")} MB  ${stacksDir}/Pulumi.${g.stack}.yaml`,
    );
  }
  return lines;
}

/** Runs the command; resolves to its exit code. */
export async function runSplit(argv: readonly string[], io: CommandIo): Promise<number> {
  await Promise.resolve();
  const paint = painter(colorEnabled(io.stderr, io.env));
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (message: string): number => {
    io.stderr.write(`${paint("error", "split:")} ${message}\n`);
    return 2;
  };
  const parsed = parseCommandLine(SPLIT_COMMAND, argv);
  if (parsed.kind === "help") {
    out(formatUsage(SPLIT_COMMAND));
    return 0;
  }
  if (parsed.kind === "version") {
    out(`tf-bootstrap ${packageVersion()}`);
    return 0;
  }
  if (parsed.kind === "error") return fail(`${parsed.message}\n\n${formatUsage(SPLIT_COMMAND)}`);
  const values = parsed.values;

  const problems: string[] = [];
  const stack = typeof values.stack === "string" ? values.stack : undefined;
  if (stack === undefined) problems.push("--stack NAME is missing: name the stack to split");
  const by = values.by;
  if (by === undefined) problems.push("--by is missing: give --by ou or --by size");
  else if (by !== "ou" && by !== "size") {
    problems.push(
      `--by ${JSON.stringify(by)}: must be ou (one group per organisational unit) or size (groups of at most K accounts)`,
    );
  }
  const maxAccounts = count(values["max-accounts"], "max-accounts");
  const budget = count(values["memory-budget"], "memory-budget");
  for (const v of [maxAccounts, budget]) if (typeof v === "string") problems.push(v);
  if (problems.length > 0 || stack === undefined) {
    return fail(problems.map((p) => `\n  - ${p}`).join("") + "\n\nSee --help.");
  }

  const stacksDirArg = typeof values["stacks-dir"] === "string" ? values["stacks-dir"] : undefined;
  const dir = resolve(stacksDirArg ?? DEFAULT_STACKS_DIR);
  const dirShown = displayPath(dir);
  const read = readStackText(stack, dir);
  if (!read.ok) return fail(read.message);
  const migrate = values.migrate === true;
  const dryRun = values["dry-run"] === true;
  const result = planSplit({
    stack,
    text: read.text,
    file: read.display,
    by: by as SplitBy,
    ...(typeof maxAccounts === "number" ? { maxAccounts } : {}),
    ...(typeof budget === "number" ? { memoryBudgetMb: budget } : {}),
    ...(typeof values.core === "string" ? { core: values.core } : {}),
    migrate,
    commandLine: ["npm run org -- split", ...argv.filter((a) => a !== "--dry-run")].join(" "),
  });
  if (!result.ok) {
    if (result.problems) {
      const list = result.problems;
      return fail(
        list.length === 1
          ? `${list[0]}\nNothing was written.`
          : `${list.length} problems; nothing was written:${list.map((p) => `\n  - ${p}`).join("")}`,
      );
    }
    return fail(`${formatProblems(result.configProblems, read.display)}\nNothing was written.`);
  }
  const plan = result.plan;
  const files = [
    ...(plan.core.inPlace ? [] : [{ stack: plan.core.stack, text: plan.core.text }]),
    ...plan.groups.map((g) => ({ stack: g.stack, text: g.text })),
  ].map((f) => ({ ...f, path: join(dir, `Pulumi.${f.stack}.yaml`) }));
  const inTheWay = files.filter((f) => existsSync(f.path));
  if (inTheWay.length > 0) {
    return fail(
      `${inTheWay.length} of the files the split would write exist${inTheWay.length === 1 ? "s" : ""}; ` +
        `it never overwrites a file, so nothing was written:${inTheWay.map((f) => `\n  - ${displayPath(f.path)}`).join("")}\n` +
        `Fix: move them away (or pick another --core name) and run again.`,
    );
  }

  for (const line of planLines(plan, dirShown)) out(line);
  if (dryRun) {
    out("split: --dry-run: nothing written");
    return 0;
  }
  for (const f of files) writeFileSync(f.path, f.text, { flag: "wx" });
  out(`split: wrote ${files.map((f) => displayPath(f.path)).join(", ")}`);
  if (plan.core.inPlace) {
    writeFileSync(read.path, plan.core.text);
    out(
      `split: edited ${read.display} in place: added tf-bootstrap:orgStack {part: core, handOver: true}; nothing else changed`,
    );
    out("split: migrate the deployed stack in three steps, without replacing any resource:");
    for (const line of migrationSteps(plan, dirShown)) out(line);
  } else {
    out(
      `split: the core and group stacks are new stacks: pulumi stack init each (${[plan.core.stack, ...plan.groups.map((g) => g.stack)].join(", ")}), then pulumi up the core before its groups`,
    );
  }
  return 0;
}

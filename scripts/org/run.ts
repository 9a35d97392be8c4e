/**
 * `npm run org -- preview|up`: runs an organisation split across a core stack and account-group
 * stacks (docs/org-stacks.md) on the Pulumi engine through the Automation API. The core stack
 * runs first; then the groups, at most `--parallel` at once. Every run takes the policy pack and
 * keeps its preview (the pack's stack policies judge the preview). A failing group does not stop
 * the others; a failing core stops the groups. Progress goes to stderr, one line per event
 * worth showing, prefixed with the stack; the summary goes to stdout, as text or JSON.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { formatUsage, parseCommandLine, type CommandSpec } from "../../lib/cli/command-line";
import { colorEnabled, painter } from "../../lib/cli/terminal";
import { CORE_OUTPUT, readCoreContract } from "../../lib/org-stacks/core-contract";
import { displayPath, packageVersion } from "../inputs";
import type { CommandIo } from "../synth/main";
import {
  findPulumi,
  openStack,
  previewStack,
  stackOutputs,
  upStack,
  type EngineSettings,
} from "./engine";
import {
  accountsPendingInCore,
  findOrganisation,
  findProjectDir,
  projectStacksDir,
  readStackFiles,
  type OrgStackFile,
} from "./stacks";
import {
  notRunSummary,
  renderSummary,
  StackEvents,
  type OrgJson,
  type StackSummary,
} from "./summary";

/** The operations `npm run org` runs on the engine. */
export type OrgOperation = "preview" | "up";

/** The most groups run at once: each runs one provider process per account. */
export const MAX_PARALLEL = 16;

/** The streams and environment the command runs with. */
export interface OrgIo extends CommandIo {
  /** The working directory relative paths are taken from. Default: `process.cwd()`. */
  readonly cwd?: string;
}

/** The options of `org preview` and `org up`. */
export function orgCommand(operation: OrgOperation): CommandSpec {
  const what =
    operation === "preview"
      ? "Previews every stack of an organisation split across stacks"
      : "Updates every stack of an organisation split across stacks, each after its preview";
  return {
    invocation: `npm run org -- ${operation}`,
    description: `${what}:
the core stack first, then its account-group stacks, at most --parallel at once, each with the
policy pack. A failing group does not stop the others; a failing core stack stops the groups.
The groups are the stack files with orgStack.part: group whose orgStack.core names the core
stack. Pulumi runs in the project directory (the nearest one above --stacks-dir that holds
Pulumi.yaml) with this environment: the backend you are logged in to,
PULUMI_CONFIG_PASSPHRASE and the AWS credentials, as for \`pulumi ${operation}\`.${
      operation === "preview"
        ? `

A group whose accounts the core stack's pending update adds cannot be previewed before that
update (its check reads the core stack's deployed outputs): it is reported as waits-for-core,
and \`npm run org -- up\` updates the core stack first, then previews and updates the group.`
        : ""
    }`,
    options: [
      {
        name: "stacks-dir",
        type: "string",
        value: "DIR",
        description: "where the Pulumi.<stack>.yaml files are (default: stacks)",
      },
      {
        name: "core",
        type: "string",
        value: "NAME",
        description: "the core stack (default: the one stack file with orgStack.part: core)",
      },
      {
        name: "parallel",
        short: "p",
        type: "string",
        value: "N",
        description: `groups run at once, 1 to ${MAX_PARALLEL} (default: 2); each starts one aws provider per account`,
      },
      {
        name: "policy-pack",
        type: "string",
        value: "DIR",
        description: "the policy pack every run takes (default: policy-pack)",
      },
      {
        name: "pulumi",
        type: "string",
        value: "PATH",
        description: "the Pulumi CLI, <root>/bin/pulumi (default: pulumi on PATH)",
      },
      { name: "json", type: "boolean", description: "print the summary as JSON on stdout" },
    ],
    exitCodes: `exit codes: 0 every stack ${operation === "preview" ? "previewed (or waits for the core stack)" : "updated"}, no mandatory policy violation;
1 a stack failed or was not run; 2 the arguments or stack files are wrong, or Pulumi could not
be started.`,
  };
}

/** A stack to run, with its file. */
interface Member {
  readonly file: OrgStackFile;
  readonly part: "core" | "group";
}

/** Runs `tasks` with at most `limit` at once; resolves when every one has. */
async function pool(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      await task?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** Runs the command; resolves to its exit code. */
export async function runOrg(
  operation: OrgOperation,
  argv: readonly string[],
  io: OrgIo,
): Promise<number> {
  const spec = orgCommand(operation);
  const paint = painter(colorEnabled(io.stderr, io.env));
  const parsed = parseCommandLine(spec, argv);
  if (parsed.kind === "help") {
    io.stdout.write(`${formatUsage(spec)}\n`);
    return 0;
  }
  if (parsed.kind === "version") {
    io.stdout.write(`tf-bootstrap ${packageVersion()}\n`);
    return 0;
  }
  const json = parsed.kind === "run" && parsed.values.json === true;
  const base = { command: "org" as const, operation, version: packageVersion() };
  const cannotRun = (message: string): number => {
    if (json)
      io.stdout.write(
        `${JSON.stringify({ ...base, exitCode: 2, stacks: [], message } satisfies OrgJson, null, 2)}\n`,
      );
    io.stderr.write(`${paint("error", `org ${operation}:`)} ${message}\n`);
    return 2;
  };
  if (parsed.kind === "error") return cannotRun(`${parsed.message}\n\n${formatUsage(spec)}`);
  const values = parsed.values;
  const cwd = io.cwd ?? process.cwd();
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };

  const problems: string[] = [];
  const parallelText = text("parallel") ?? "2";
  const parallel = /^\d+$/.test(parallelText) ? Number(parallelText) : NaN;
  if (!(parallel >= 1 && parallel <= MAX_PARALLEL)) {
    problems.push(
      `--parallel ${parallelText}: must be a whole number from 1 to ${MAX_PARALLEL} (each group at once starts one aws provider process per account). Fix: --parallel 2`,
    );
  }
  const policyPack = resolve(cwd, text("policy-pack") ?? "policy-pack");
  if (!existsSync(join(policyPack, "PulumiPolicy.yaml"))) {
    problems.push(
      `--policy-pack ${text("policy-pack") ?? "policy-pack"}: ${displayPath(policyPack, cwd)} holds no PulumiPolicy.yaml. Fix: pass the policy pack directory (default: policy-pack, run from the project)`,
    );
  }
  const stacksDir = resolve(cwd, text("stacks-dir") ?? "stacks");
  const stacksShown = displayPath(stacksDir, cwd);
  const files = readStackFiles(stacksDir);
  if (!files.ok) problems.push(files.message);
  const found = files.ok ? findOrganisation(files.stacks, stacksShown, text("core")) : undefined;
  if (found && !found.ok) problems.push(found.message);
  const projectDir = findProjectDir(stacksDir) ?? findProjectDir(cwd);
  if (projectDir === undefined) {
    problems.push(
      `no Pulumi.yaml in ${stacksShown} or above it, nor in ${displayPath(cwd)} or above: the stacks' program cannot be found. Fix: keep --stacks-dir inside the project, or run from the project directory`,
    );
  }
  if (problems.length > 0 || !found?.ok || projectDir === undefined) {
    return cannotRun(
      problems.length === 1
        ? (problems[0] ?? "")
        : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  const org = found.org;
  // The stack files are the project's own, or named to the CLI one by one (--config-file).
  const ownDir = resolve(projectStacksDir(projectDir)) === stacksDir;
  const configFile = (m: Member) => (ownDir ? undefined : m.file.file);

  let settings: EngineSettings;
  try {
    const env = Object.fromEntries(
      Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    settings = { command: await findPulumi(text("pulumi")), projectDir, env };
  } catch (error) {
    return cannotRun(error instanceof Error ? error.message : String(error));
  }

  const progress = (stack: string, line: string) => io.stderr.write(`[${stack}] ${line}\n`);
  io.stderr.write(
    `org ${operation}: core ${org.core.name}, ${org.groups.length} group${org.groups.length === 1 ? "" : "s"} (${org.groups.map((g) => g.name).join(", ") || "none"}), ${parallel} at once\n`,
  );
  for (const other of org.otherGroups) {
    io.stderr.write(
      `org ${operation}: ${other.name} is left out: its orgStack.core is ${other.core ?? "unset"}, not ${org.core.name}\n`,
    );
  }

  const core: Member = { file: org.core, part: "core" };
  const groups: Member[] = org.groups.map((file) => ({ file, part: "group" }));
  const results = new Map<string, StackSummary>();

  /** Opens the stack and runs the operation; records its summary; true when it succeeded. */
  const run = async (member: Member): Promise<{ ok: boolean; stack?: Stack }> => {
    const name = member.file.name;
    const events = new StackEvents();
    const started = Date.now();
    progress(name, `${operation} started`);
    let stack: Stack;
    try {
      stack = await openStack(name, settings);
    } catch (error) {
      const why = `could not select or create the stack: ${error instanceof Error ? error.message.split("\n").find((l) => l.trim() !== "") : String(error)}`;
      progress(name, why);
      results.set(name, events.summary(name, member.part, "failed", Date.now() - started, why));
      return { ok: false };
    }
    const onEvent = (event: EngineEvent) => {
      const line = events.add(event);
      if (line !== undefined) progress(name, line);
    };
    const options = {
      policyPack,
      onEvent,
      ...(configFile(member) ? { configFile: configFile(member) } : {}),
    };
    const result =
      operation === "preview" ? await previewStack(stack, options) : await upStack(stack, options);
    const durationMs = Date.now() - started;
    const summaryNow = events.summary(name, member.part, "ok", durationMs);
    const ok = result.ok && summaryNow.mandatory === 0;
    const error = ok
      ? undefined
      : (events.firstError() ?? result.cliError ?? "the run failed with no error message");
    results.set(name, events.summary(name, member.part, ok ? "ok" : "failed", durationMs, error));
    progress(name, ok ? `${operation} ok` : `${operation} failed: ${error?.split("\n")[0] ?? ""}`);
    return { ok, stack };
  };

  const coreRun = await run(core);
  if (!coreRun.ok) {
    for (const g of groups) {
      results.set(
        g.file.name,
        notRunSummary(
          g.file.name,
          "group",
          "not-run",
          `not run: the core stack ${org.core.name} failed, and a group runs only after its core stack succeeds (its check reads the core stack's outputs). Fix the core stack's error, then run again.`,
        ),
      );
    }
  } else {
    let pending = new Map<string, string[]>();
    if (operation === "preview" && coreRun.stack) {
      const outputs = await stackOutputs(coreRun.stack).catch(() => ({}));
      const contract = readCoreContract(outputs, org.core.name);
      pending = accountsPendingInCore(
        org,
        contract.ok ? new Set(Object.keys(contract.contract.accounts)) : undefined,
      );
    }
    const tasks = groups.map((g) => async () => {
      const waiting = pending.get(g.file.name);
      if (waiting !== undefined) {
        const why = `not previewed: the core stack ${org.core.name}'s deployed ${CORE_OUTPUT} output does not list ${waiting.join(", ")} yet (its pending update adds ${waiting.length === 1 ? "it" : "them"}), and this group's check reads the deployed output. \`npm run org -- up\` updates the core stack first, then previews and updates this group with the policy pack.`;
        progress(g.file.name, "waits for the core stack's update");
        results.set(g.file.name, notRunSummary(g.file.name, "group", "waits-for-core", why));
        return;
      }
      await run(g);
    });
    await pool(tasks, parallel);
  }

  const stacks = [core, ...groups].flatMap((m) => {
    const s = results.get(m.file.name);
    return s ? [s] : [];
  });
  const exitCode = stacks.every((s) => s.status === "ok" || s.status === "waits-for-core") ? 0 : 1;
  if (json) {
    const doc: OrgJson = { ...base, exitCode, core: org.core.name, stacks };
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    for (const line of renderSummary(operation, stacks, exitCode)) io.stdout.write(`${line}\n`);
  }
  return exitCode;
}

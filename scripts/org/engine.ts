/**
 * Runs one stack of the organisation on the Pulumi engine through the Automation API
 * (`@pulumi/pulumi/automation`): selects or creates the stack in the project directory, then
 * previews or updates it with the policy pack, handing every engine event to the caller as it
 * comes.
 *
 * `Stack.up()` of the Automation API always passes `--skip-preview`, and stack-level policies
 * judge the preview (an update that skips it applies before they run). So `up` runs
 * `pulumi up --yes` through the workspace's own `PulumiCommand`, with the same environment the
 * workspace gives every command, and reads the engine's events from its `--event-log`.
 */
import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { StringDecoder } from "node:string_decoder";
import { basename, dirname, join, resolve } from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type EngineEvent,
  type Stack,
} from "@pulumi/pulumi/automation";
import { stripAnsi } from "./summary";

/** Where the engine runs: the CLI, the project directory and the environment. */
export interface EngineSettings {
  readonly command: PulumiCommand;
  /** The directory holding `Pulumi.yaml`. */
  readonly projectDir: string;
  /** The environment every Pulumi command gets (on top of this process's own). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The Pulumi CLI: `pulumi` on `PATH` (the Automation API's default), or the one at `path`,
 * which must be `<root>/bin/pulumi` as Pulumi installs it. Rejects with a message that says how
 * to point at one.
 */
export async function findPulumi(path?: string): Promise<PulumiCommand> {
  if (path !== undefined) {
    const full = resolve(path);
    if (basename(full) !== "pulumi" || basename(dirname(full)) !== "bin") {
      throw new Error(
        `--pulumi ${path}: name the CLI as Pulumi installs it, <root>/bin/pulumi (the language host plugins sit beside it)`,
      );
    }
    try {
      accessSync(full, constants.X_OK);
    } catch {
      throw new Error(
        `--pulumi ${path}: no executable file there. Fix: name the Pulumi CLI, <root>/bin/pulumi`,
      );
    }
    try {
      return await PulumiCommand.get({ root: dirname(dirname(full)) });
    } catch (error) {
      throw new Error(`--pulumi ${path}: ${firstLine(error)}`);
    }
  }
  try {
    return await PulumiCommand.get();
  } catch (error) {
    throw new Error(
      `the Pulumi CLI could not be run from PATH: ${firstLine(error)}. Fix: install it (https://www.pulumi.com/docs/install/) or pass --pulumi <root>/bin/pulumi`,
    );
  }
}

function firstLine(error: unknown): string {
  const text = stripAnsi(error instanceof Error ? error.message : String(error));
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? text
  );
}

/** Selects the stack `name` of the project, creating it when it does not exist yet. */
export function openStack(name: string, settings: EngineSettings): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack(
    { stackName: name, workDir: settings.projectDir },
    { pulumiCommand: settings.command, envVars: { ...settings.env } },
  );
}

/** The stack outputs, as plain values (secrets included, as the program exported them). */
export async function stackOutputs(stack: Stack): Promise<Record<string, unknown>> {
  const outputs = await stack.outputs();
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value as unknown]));
}

/** One preview or update of a stack. */
export interface StackRunOptions {
  /** The policy pack directory (`--policy-pack`). */
  readonly policyPack: string;
  /** The stack's config file, when it is not in the project's `stackConfigDir`. */
  readonly configFile?: string;
  readonly onEvent: (event: EngineEvent) => void;
}

/** How a run ended: the CLI's exit, and its output for the error when no event gave one. */
export interface StackRunResult {
  readonly ok: boolean;
  /** The CLI's own error lines (`error: …`), when it failed. */
  readonly cliError?: string;
}

/** The `error:` lines of the CLI's output (what it prints when a command fails). */
function cliErrorOf(error: unknown): string {
  const text = stripAnsi(error instanceof Error ? error.message : String(error));
  const lines = text.split("\n").filter((l) => /^\s*error:/.test(l));
  return (lines.length > 0 ? lines.join("\n") : firstLine(error)).trim();
}

/** `pulumi preview --policy-pack DIR` through the Automation API. */
export async function previewStack(
  stack: Stack,
  options: StackRunOptions,
): Promise<StackRunResult> {
  try {
    await stack.preview({
      policyPacks: [options.policyPack],
      color: "never",
      onEvent: options.onEvent,
      onOutput: () => undefined,
      ...(options.configFile ? { configFile: options.configFile } : {}),
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, cliError: cliErrorOf(error) };
  }
}

/**
 * `pulumi up --yes --policy-pack DIR`, its preview included: the workspace's CLI
 * (`PulumiCommand.command`) in the workspace's directory with the workspace's environment;
 * events read from `--event-log` as the CLI writes them.
 */
export async function upStack(stack: Stack, options: StackRunOptions): Promise<StackRunResult> {
  const workspace = stack.workspace;
  const logDir = mkdtempSync(join(tmpdir(), "tfb-org-events-"));
  const log = join(logDir, "events.jsonl");
  writeFileSync(log, "");
  const tail = tailJsonLines(log, options.onEvent);
  const args = [
    "up",
    "--yes",
    "--non-interactive",
    "--stack",
    stack.name,
    "--color",
    "never",
    "--policy-pack",
    options.policyPack,
    "--event-log",
    log,
    ...(options.configFile ? ["--config-file", options.configFile] : []),
  ];
  const env: Record<string, string> = {
    ...(workspace.pulumiHome ? { PULUMI_HOME: workspace.pulumiHome } : {}),
    ...workspace.envVars,
  };
  try {
    const run = await runCli(workspace.pulumiCommand.command, args, workspace.workDir, env);
    return run.code === 0
      ? { ok: true }
      : { ok: false, cliError: cliErrorOf(`${run.stdout}\n${run.stderr}`) };
  } finally {
    tail.stop();
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** Runs the CLI to its end; its output is kept for the error of a failed run. */
function runCli(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], {
      cwd,
      env: { ...process.env, ...env, PULUMI_AUTOMATION_API: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * Follows a file of JSON lines as another process appends to it: every 200 ms, and once more
 * on `stop()`, each complete new line is parsed and handed to `onLine`.
 */
function tailJsonLines(file: string, onLine: (event: EngineEvent) => void): { stop(): void } {
  let position = 0;
  let rest = "";
  const buffer = Buffer.alloc(1 << 16);
  const decoder = new StringDecoder("utf8");
  const drain = () => {
    const fd = openSync(file, "r");
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n <= 0) break;
        position += n;
        rest += decoder.write(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      try {
        onLine(JSON.parse(line) as EngineEvent);
      } catch {
        // A line the CLI is still writing is completed on the next read; others are not events.
      }
    }
  };
  const timer = setInterval(drain, 200);
  return {
    stop: () => {
      clearInterval(timer);
      drain();
    },
  };
}

/**
 * Runs one stack of the organisation on the Pulumi engine through the Automation API
 * (`@pulumi/pulumi/automation`): selects or creates the stack in the project directory, then
 * previews or updates it with the policy pack, handing every engine event to the caller as it
 * comes.
 *
 * `Stack.up()` of the Automation API always passes `--skip-preview`, and stack-level policies
 * judge the preview (an update that skips it applies before they run). So `up` runs
 * `pulumi up --yes` with the workspace's CLI, directory and environment, and takes the engine's
 * events over the same gRPC event stream the Automation API uses.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { basename, dirname, resolve } from "node:path";
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
 * events streamed to this process (`--event-log tcp://…`) as the Automation API has them.
 */
export async function upStack(stack: Stack, options: StackRunOptions): Promise<StackRunResult> {
  const workspace = stack.workspace;
  const events = await eventsServer(options.onEvent);
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
    events.address,
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
    events.stop();
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

/** Loads a module the way `@pulumi/pulumi` itself resolves it (one of its own dependencies). */
function sdkModule<T>(name: string): T {
  const sdk = dirname(require.resolve("@pulumi/pulumi/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(name, { paths: [sdk] })) as T;
}

/**
 * Receives the engine's events as the Automation API does for CLIs after 3.205: the CLI is
 * given `--event-log tcp://127.0.0.1:<port>` and streams each event, as JSON, to a gRPC
 * `Events` service here. `up` opens one stream for its preview and one for its update (a
 * file event log would be truncated between them).
 */
async function eventsServer(
  onEvent: (event: EngineEvent) => void,
): Promise<{ address: string; stop(): void }> {
  const grpc = sdkModule<typeof import("@grpc/grpc-js")>("@grpc/grpc-js");
  const { EventsService } = sdkModule<{ EventsService: import("@grpc/grpc-js").ServiceDefinition }>(
    "@pulumi/pulumi/proto/events_grpc_pb",
  );
  const { Empty } = sdkModule<{ Empty: new () => unknown }>(
    "google-protobuf/google/protobuf/empty_pb",
  );
  const server = new grpc.Server();
  server.addService(EventsService, {
    streamEvents: (
      call: NodeJS.EventEmitter,
      callback: (error: Error | null, value: unknown) => void,
    ) => {
      call.on("data", (request: { getEvent(): string }) => {
        try {
          onEvent(JSON.parse(request.getEvent()) as EngineEvent);
        } catch {
          // not an event: nothing to show
        }
      });
      call.on("end", () => callback(null, new Empty()));
      call.on("error", (error: Error) => callback(error, null));
    },
  });
  const port = await new Promise<number>((resolvePort, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolvePort(p),
    ),
  );
  return { address: `tcp://127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/**
 * Runs the Pulumi CLI built by `.ci/setup-tools` the way CI would: no input, no colour. The CLI
 * starts its plugins (language host, node, the policy pack, one provider per account) in process
 * groups of their own, so each run is marked with an environment variable every descendant
 * inherits, and whatever still carries the mark when the run ends or times out is killed: no
 * process outlives a test.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { killGroupOnExit } from "../harness/tools";
import { parseEventLog, type EngineEvent } from "./events";

/** The environment variable that marks every process of one run. */
export const RUN_MARK = "TFB_ENGINE_RUN";

/** The pids of live processes whose environment carries `RUN_MARK=<mark>` (Linux /proc). */
export function markedProcesses(mark: string): number[] {
  const needle = `${RUN_MARK}=${mark}`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Kills (SIGKILL) every process of the run `mark`; synchronous, so it is safe in "exit". */
export function killMarked(mark: string): void {
  for (const pid of markedProcesses(mark)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
}

/** What one `pulumi` command did. */
export interface PulumiResult {
  /** The command line, for messages. */
  readonly command: string;
  /** Exit code; `null` when it was killed (see `timedOut`). */
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The engine's events (`--event-log`), when the command was given `eventLog`. */
  readonly events: readonly EngineEvent[];
  readonly durationMs: number;
}

/** Options of {@link runPulumi}. */
export interface PulumiOptions {
  /** The CLI binary. */
  readonly pulumi: string;
  /** The project directory. */
  readonly cwd: string;
  /** The whole environment of the CLI (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** A file for `--event-log`; its events are returned, then it is removed. */
  readonly eventLog?: string;
  /** Kill the run (every process it started) after this long. Default: 10 minutes. */
  readonly timeoutMs?: number;
  /** The run's mark ({@link RUN_MARK}); default: a new one. */
  readonly mark?: string;
  /** Called with the CLI's pid once it has started (the benchmark samples its processes). */
  readonly onStart?: (pid: number, mark: string) => void;
}

/** Runs `pulumi <args>` and collects its output; never rejects for a non-zero exit. */
export function runPulumi(args: readonly string[], opts: PulumiOptions): Promise<PulumiResult> {
  const fullArgs = [
    ...args,
    "--non-interactive",
    "--color",
    "never",
    ...(opts.eventLog ? ["--event-log", opts.eventLog] : []),
  ];
  const command = `pulumi ${fullArgs.join(" ")}`;
  const started = Date.now();
  const mark = opts.mark ?? randomUUID();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.pulumi, fullArgs, {
      cwd: opts.cwd,
      env: { ...opts.env, [RUN_MARK]: mark },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const untrack = killGroupOnExit(child, () => killMarked(mark));
    if (child.pid !== undefined) opts.onStart?.(child.pid, mark);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killMarked(mark);
      },
      opts.timeoutMs ?? 10 * 60_000,
    );
    child.on("error", (error) => {
      clearTimeout(timer);
      untrack();
      killMarked(mark);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // The CLI stops its plugins when it exits; whatever would still run is killed here.
      killMarked(mark);
      untrack();
      let events: EngineEvent[] = [];
      if (opts.eventLog && existsSync(opts.eventLog)) {
        events = parseEventLog(readFileSync(opts.eventLog, "utf8"));
        rmSync(opts.eventLog, { force: true });
      }
      resolve({
        command,
        code,
        timedOut,
        stdout,
        stderr,
        events,
        durationMs: Date.now() - started,
      });
    });
  });
}

/** A readable account of a run, for assertion messages. */
export function describeRun(result: PulumiResult): string {
  const tail = (text: string) => (text.length > 6000 ? `…${text.slice(-6000)}` : text);
  return (
    `${result.command} exited ${result.timedOut ? "by timeout" : String(result.code)} after ` +
    `${Math.round(result.durationMs / 1000)}s\n--- stdout ---\n${tail(result.stdout)}` +
    `\n--- stderr ---\n${tail(result.stderr)}`
  );
}

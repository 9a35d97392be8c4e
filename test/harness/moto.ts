/**
 * A real AWS API emulator for tests: moto's server from the cached venv, on 127.0.0.1 and a
 * free port, in its own process group, stopped by the test run (also when it fails).
 *
 * Accounts: moto's default account is 123456789012. Credentials returned by `sts:AssumeRole`
 * for a role ARN in another account act in that account (the role need not exist), and so do
 * access keys of an IAM user created there; the `x-moto-account-id` header also selects the
 * account. `MOTO_ACCOUNT_ID` is never set: it would pin every request to one account.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ensureTools, killGroup, killGroupOnExit, SETUP_TIMEOUT_MS } from "./tools";

/** moto's default account (requests with unknown credentials land here). */
export const MOTO_DEFAULT_ACCOUNT = "123456789012";

/** One request as moto's recorder saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Full URL, e.g. `http://127.0.0.1:PORT/bucket/key?x-id=PutObject`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (form-encoded for STS/IAM, JSON for DynamoDB, the object for S3). */
  readonly body: string;
}

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** Clears every account's state and turns IAM enforcement off again. */
  reset(): Promise<void>;
  /** Stops the server (its whole process group). Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Turns moto's IAM enforcement on or off for requests from now on. When on, every request
   * must be signed by a known IAM user's access key or an `sts:AssumeRole` session (the
   * signature is checked), and identity policies (inline and attached, user's groups
   * included) are evaluated for Action and Resource; Conditions only in trust policies.
   */
  setIamEnforcement(on: boolean): Promise<void>;
  /** Starts recording every request (clears an earlier recording). */
  startRecording(): Promise<void>;
  /** Stops recording and returns what was recorded, in order. */
  stopRecording(): Promise<RecordedRequest[]>;
  /** The server's last log lines (its request log and any traceback), for failure messages. */
  logs(): string;
}

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /** Time to wait for the server to answer. Default: 30 s. */
  readonly readyTimeoutMs?: number;
}

const LOG_LINES = 200;

/** Starts moto's server on a free loopback port and waits until it answers. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const tools = await ensureTools();
  let lastError: unknown;
  // The free port is found before moto binds it; retry if another process took it meanwhile.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(tools.motoServer, await freePort(), options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) break;
    }
  }
  throw lastError;
}

/**
 * Registers mocha hooks in the calling `describe`: `before` starts moto (installing the tools
 * first if needed), `after` stops it even when tests or hooks failed. Returns a getter.
 */
export function useMoto(options: StartMotoOptions = {}): () => MotoServer {
  let server: MotoServer | undefined;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    server = await startMoto(options);
  });
  after(async function () {
    await server?.stop();
  });
  return () => {
    if (server === undefined)
      throw new Error("moto is not running: useMoto()'s before hook failed");
    return server;
  };
}

class PortInUseError extends Error {}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error(`unexpected address ${String(address)}`));
      });
    });
  });
}

async function startOnce(motoServer: string, port: number, readyTimeoutMs: number) {
  const workDir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-moto-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Recordings go to a file of this server, never into the working directory.
    MOTO_RECORDER_FILEPATH: path.join(workDir, "recording.jsonl"),
    PYTHONUNBUFFERED: "1",
  };
  delete env.MOTO_ACCOUNT_ID; // would pin every request to one account
  delete env.INITIAL_NO_AUTH_ACTION_COUNT; // IAM enforcement is off until asked for
  delete env.MOTO_ENABLE_RECORDING;

  const child = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port)], {
    cwd: workDir,
    env,
    detached: true, // own process group, so stop() ends everything it started
    stdio: ["ignore", "pipe", "pipe"],
  });
  const untrack = killGroupOnExit(child, () => rmSync(workDir, { recursive: true, force: true }));
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    lines.push(
      ...chunk
        .toString("utf8")
        .split("\n")
        .filter((line) => line !== ""),
    );
    if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `exited with ${code ?? signal}`;
      resolve();
    });
    child.once("error", (error) => {
      exited = `could not start: ${error.message}`;
      resolve();
    });
  });
  const logs = (): string => lines.join("\n");
  const endpoint = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    untrack();
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      const text = logs();
      if (/address already in use/i.test(text)) throw new PortInUseError(`port ${port} in use`);
      throw new Error(`moto_server (${motoServer}) ${exited} before it answered:\n${text}`);
    }
    if (await answers(`${endpoint}/moto-api/`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto_server did not answer on ${endpoint} in ${readyTimeoutMs} ms:\n${logs()}`,
      );
    }
    await sleep(100);
  }

  const post = async (apiPath: string, body = ""): Promise<string> => {
    const response = await fetch(`${endpoint}/moto-api/${apiPath}`, {
      method: "POST",
      body,
      headers: { "content-type": "text/plain" },
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`moto ${apiPath} answered ${response.status}: ${text}\n${logs()}`);
    }
    return text;
  };

  const server: MotoServer = {
    endpoint,
    port,
    async reset() {
      await post("reset");
      await post("reset-auth", "inf");
    },
    stop,
    async setIamEnforcement(on) {
      // moto enforces IAM once it has seen this many requests: 0 = from now, inf = never.
      await post("reset-auth", on ? "0" : "inf");
    },
    async startRecording() {
      await post("recorder/reset-recording");
      await post("recorder/start-recording");
    },
    async stopRecording() {
      await post("recorder/stop-recording");
      const response = await fetch(`${endpoint}/moto-api/recorder/download-recording`);
      return parseRecording(await response.text());
    },
    logs,
  };
  return server;
}

/** Parses moto's recording (one JSON object a line; bodies may be base64). */
export function parseRecording(text: string): RecordedRequest[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const entry = JSON.parse(line) as {
        method: string;
        url: string;
        headers: Record<string, string>;
        body: string | null;
        body_encoded: boolean;
      };
      const body = entry.body ?? "";
      return {
        method: entry.method,
        url: entry.url,
        headers: entry.headers,
        body: entry.body_encoded ? Buffer.from(body, "base64").toString("utf8") : body,
      };
    });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

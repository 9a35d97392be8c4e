/** Test-only: runs a `scripts/*.ts` command line as a child process, as `npm run` does. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../harness/tools";

/** What the command printed and how it exited. */
export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `scripts/<script>` with `args`; AWS credentials only from `credentials`. */
export function runScript(
  script: string,
  args: readonly string[],
  credentials?: { accessKeyId: string; secretAccessKey: string },
): Promise<ScriptRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("AWS_")) delete env[key];
  if (credentials !== undefined) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  }
  env.AWS_EC2_METADATA_DISABLED = "true";
  env.AWS_CONFIG_FILE = "/dev/null";
  env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(repoRoot, "scripts", script), ...args],
      { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A run, for assertion messages. */
export const describeScriptRun = (run: ScriptRun): string =>
  `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

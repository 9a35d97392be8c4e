/**
 * Runs the cached OpenTofu binary (and, through {@link runEngineBinary}, Terraform) the way CI
 * would, isolated from the machine: no input, no update checks, no provider downloads unless
 * asked for, no shared credentials, one data dir per test.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ensureTools, killGroup, killGroupOnExit } from "./tools";

/** What a finished `tofu` run produced. */
export interface TofuResult {
  /** Exit code; `null` when it was killed (see `signal`, `timedOut`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** Options for {@link runTofu}. */
export interface TofuOptions {
  /** Working directory (the Terraform root). */
  readonly cwd: string;
  /**
   * Variables added to the harness's clean environment. Must name `TF_CLI_CONFIG_FILE` and
   * `TF_DATA_DIR` (a {@link TofuSandbox}'s `env` does). Nothing is inherited from the test
   * process except `PATH`, `TMPDIR` and `LANG`.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Kill the run (its whole process group) after this long. Default: 120 s. */
  readonly timeoutMs?: number;
}

/** A per-test directory layout with an offline CLI config and the env that names it. */
export interface TofuSandbox {
  /** The sandbox directory; everything below is inside it. */
  readonly dir: string;
  /** An empty directory for the Terraform root. */
  readonly root: string;
  /** `TF_CLI_CONFIG_FILE`, `TF_DATA_DIR`, `TF_PLUGIN_CACHE_DIR`, `HOME`, empty AWS files. */
  readonly env: Readonly<Record<string, string>>;
  /** Removes the sandbox. */
  cleanup(): void;
}

/** Options for {@link writeCliConfig}. */
export interface CliConfigOptions {
  /** A local provider mirror to install providers from. Default: none (only built-ins). */
  readonly filesystemMirror?: string;
  /** `plugin_cache_dir`. Default: none. */
  readonly pluginCacheDir?: string;
  /**
   * Let `init` download providers from their registries (providers not in the mirror, when one
   * is given). Default: false, every download is refused.
   */
  readonly allowDownload?: boolean;
}

/**
 * Writes a CLI config (OpenTofu's and Terraform's format are the same) that installs providers
 * only from `filesystemMirror` when given and, unless `allowDownload`, forbids every download:
 * `direct` installation excludes every address. Returns `file`, to be named by
 * `TF_CLI_CONFIG_FILE`.
 */
export function writeCliConfig(file: string, options: CliConfigOptions = {}): string {
  const lines: string[] = [];
  if (options.pluginCacheDir !== undefined) {
    lines.push(`plugin_cache_dir = ${JSON.stringify(options.pluginCacheDir)}`);
  }
  lines.push("provider_installation {");
  if (options.filesystemMirror !== undefined) {
    lines.push("  filesystem_mirror {");
    lines.push(`    path    = ${JSON.stringify(options.filesystemMirror)}`);
    lines.push('    include = ["*/*/*"]');
    lines.push("  }");
  }
  if (options.allowDownload === true) {
    lines.push("  direct {}");
  } else {
    lines.push("  direct {");
    lines.push('    exclude = ["*/*/*"]');
    lines.push("  }");
  }
  lines.push("}");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** Options for {@link tofuSandbox}. */
export interface SandboxOptions extends CliConfigOptions {
  /**
   * Give the sandbox its own plugin cache (`TF_PLUGIN_CACHE_DIR`). Default: true unless
   * `pluginCacheDir` is given. A cache copies each provider it installs: leave it off for a
   * mirror of large providers (an unpacked mirror is linked, not copied).
   */
  readonly ownPluginCache?: boolean;
}

/**
 * Creates a temporary sandbox: `root/` for the configuration, a data dir, a plugin cache, an
 * offline CLI config, a private `HOME`, and empty AWS config files so no machine credentials
 * or profiles are read.
 */
export function tofuSandbox(prefix = "tofu", options: SandboxOptions = {}): TofuSandbox {
  const dir = mkdtempSync(path.join(tmpdir(), `tf-bootstrap-${prefix}-`));
  const sub = (name: string): string => {
    const p = path.join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const root = sub("root");
  const home = sub("home");
  const { ownPluginCache, ...cliOptions } = options;
  const pluginCacheDir =
    options.pluginCacheDir ?? ((ownPluginCache ?? true) ? sub("plugin-cache") : undefined);
  const awsConfig = path.join(home, "aws-config");
  const awsCredentials = path.join(home, "aws-credentials");
  writeFileSync(awsConfig, "");
  writeFileSync(awsCredentials, "");
  const cliConfig = writeCliConfig(path.join(dir, "cli.tfrc"), {
    ...cliOptions,
    ...(pluginCacheDir !== undefined ? { pluginCacheDir } : {}),
  });
  return {
    dir,
    root,
    env: {
      HOME: home,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_DATA_DIR: path.join(dir, "data"),
      ...(pluginCacheDir !== undefined ? { TF_PLUGIN_CACHE_DIR: pluginCacheDir } : {}),
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Variables every run gets (the caller cannot unset them). */
const FIXED_ENV = {
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  CHECKPOINT_DISABLE: "1",
  AWS_EC2_METADATA_DISABLED: "true",
} as const;

/**
 * Runs `tofu <args>` and resolves when it ends, with its exit code and output; it never
 * rejects for a non-zero exit. Rejects only when the tools cannot be set up or the env lacks
 * `TF_CLI_CONFIG_FILE`/`TF_DATA_DIR`.
 */
export async function runTofu(args: readonly string[], options: TofuOptions): Promise<TofuResult> {
  const tools = await ensureTools();
  return runEngineBinary(tools.tofu, args, options);
}

/**
 * Runs `binary <args>` (OpenTofu or Terraform) the way {@link runTofu} runs OpenTofu: a clean
 * environment, no input, its own process group, killed after the timeout. Never rejects for a
 * non-zero exit.
 */
export async function runEngineBinary(
  binary: string,
  args: readonly string[],
  options: TofuOptions,
): Promise<TofuResult> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "TMPDIR", "LANG"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.env)) {
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, FIXED_ENV);
  for (const required of ["TF_CLI_CONFIG_FILE", "TF_DATA_DIR"]) {
    if (env[required] === undefined) {
      throw new Error(`running ${binary} needs ${required} in options.env; use tofuSandbox().env`);
    }
  }

  const started = Date.now();
  const child = spawn(binary, [...args], {
    cwd: options.cwd,
    env,
    detached: true, // own process group: a timeout or an aborted run kills providers too
    stdio: ["ignore", "pipe", "pipe"],
  });
  const untrack = killGroupOnExit(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child, "SIGKILL");
  }, options.timeoutMs ?? 120_000);

  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      clearTimeout(timer);
      untrack();
      reject(new Error(`could not run ${binary}: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      untrack();
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        durationMs: Date.now() - started,
      });
    });
  });
}

/** A one-line-per-field summary of a run, for assertion messages. */
export function describeRun(args: readonly string[], result: TofuResult, command = "tofu"): string {
  return [
    `${command} ${args.join(" ")} → ${result.timedOut ? "timed out" : `exit ${result.code ?? result.signal}`}`,
    `--- stdout ---\n${result.stdout}`,
    `--- stderr ---\n${result.stderr}`,
  ].join("\n");
}

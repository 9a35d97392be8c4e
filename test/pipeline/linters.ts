/**
 * The linters the generated CI files must pass: actionlint for GitHub workflows (with
 * shellcheck on every `run:` script), check-jsonschema with the GitLab CI and GitHub workflow
 * schemas it ships, zizmor (GitHub Actions security audits, default persona) and shellcheck on
 * the support scripts and the GitLab jobs' scripts. All come from `.ci/setup-tools`.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { cacheDir, ensureTools, repoRoot, setupScript, type Tools } from "../harness/tools";

/** What a linter said. `code` 0 means no finding. */
export interface LintResult {
  readonly code: number;
  readonly output: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error === null) return resolve({ code: 0, output });
      if (typeof error.code === "number") return resolve({ code: error.code, output });
      reject(new Error(`could not run ${command}: ${error.message}\n${output}`));
    });
  });
}

/** The linters beside the harness's tools. */
export interface Linters extends Tools {
  readonly zizmor: string;
  readonly shellcheck: string;
}

function zizmorPath(): string {
  const version = /^ZIZMOR_VERSION="([^"]+)"$/m.exec(readFileSync(setupScript, "utf8"))?.[1];
  if (version === undefined) throw new Error(`${setupScript} does not pin ZIZMOR_VERSION`);
  return path.join(cacheDir(), `zizmor-${version}`, "venv", "bin", "zizmor");
}

function shellcheckPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "shellcheck");
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return undefined;
}

let pending: Promise<Linters> | undefined;

/**
 * The harness's tools plus zizmor and shellcheck, running `.ci/setup-tools` when either is
 * missing. Rejects (never skips) when they cannot be installed.
 */
export function ensureLinters(): Promise<Linters> {
  pending ??= (async () => {
    const tools = await ensureTools();
    const ready = () => existsSync(zizmorPath()) && shellcheckPath() !== undefined;
    if (!ready()) {
      const setup = await new Promise<number | null>((resolve, reject) => {
        const child = spawn("bash", [setupScript], { cwd: repoRoot, stdio: ["ignore", 2, 2] });
        child.on("error", reject);
        child.on("exit", resolve);
      });
      if (setup !== 0 || !ready()) {
        throw new Error(
          `zizmor or shellcheck could not be set up: ${setupScript} exited with ${setup}. Run \`bash .ci/setup-tools\` by hand to see why.`,
        );
      }
    }
    return { ...tools, zizmor: zizmorPath(), shellcheck: shellcheckPath() ?? "shellcheck" };
  })();
  return pending;
}

/** actionlint on `files` (paths relative to `cwd`), every check on, shellcheck included. */
export function actionlint(tools: Linters, cwd: string, files: readonly string[]) {
  return run(tools.actionlint, ["-no-color", "-shellcheck", tools.shellcheck, ...files], cwd);
}

/** check-jsonschema with one of its built-in schemas, e.g. `vendor.gitlab-ci`. */
export function checkJsonschema(
  tools: Tools,
  schema: "vendor.gitlab-ci" | "vendor.github-workflows",
  cwd: string,
  files: readonly string[],
) {
  return run(tools.checkJsonschema, ["--builtin-schema", schema, ...files], cwd);
}

/**
 * zizmor on `files` at its default persona, offline (the online audits need a GitHub token and
 * the network; what they check, that each pinned SHA is the tag it names, is checked by the
 * pins' own test). Exit 0 means no finding, suppressed ones aside.
 */
export function zizmor(tools: Linters, cwd: string, files: readonly string[]) {
  return run(tools.zizmor, ["--offline", "--no-progress", "--format", "plain", ...files], cwd, {
    ...process.env,
    NO_COLOR: "1",
  });
}

/** shellcheck on `files`, as `shell` (`bash` or `sh`), every optional check off, all severities. */
export function shellcheck(tools: Linters, cwd: string, files: readonly string[], shell = "bash") {
  return run(
    tools.shellcheck,
    ["--shell", shell, "--severity", "style", "--format", "gcc", ...files],
    cwd,
  );
}

/**
 * Writes each GitLab job's `before_script` and `script` (and the hidden `.terraform` job's) as
 * one POSIX sh file per job under `dir`, the way the runner joins them, and returns the paths.
 */
export function gitlabJobScripts(ciText: string, dir: string): string[] {
  const ci = parse(ciText) as Record<string, { before_script?: string[]; script?: string[] }>;
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [name, job] of Object.entries(ci)) {
    if (typeof job !== "object" || job === null || Array.isArray(job)) continue;
    const lines = [...(job.before_script ?? []), ...(job.script ?? [])];
    if (lines.length === 0) continue;
    const file = path.join(dir, `${name.replace(/[^A-Za-z0-9_-]/g, "_")}.sh`);
    writeFileSync(file, ["#!/bin/sh", "set -eu", ...lines, ""].join("\n"));
    files.push(file);
  }
  return files;
}

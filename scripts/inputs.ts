import { readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { formatProblems } from "../lib/errors/config-error";
import { parseStackFile } from "../lib/config/stack-file";

/** Where the stack files live unless a command is told otherwise. */
export const DEFAULT_STACKS_DIR = resolve(__dirname, "..", "stacks");

/** Stack names as Pulumi allows them: letters, digits, '-', '_' and '.'. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Why `stack` cannot name a stack file, or `undefined` when it can. */
export function stackNameProblem(stack: string): string | undefined {
  return STACK_NAME.test(stack) && stack.length <= 100
    ? undefined
    : `'${stack}' is not a stack name: use letters, digits, '-', '_' and '.', as in acme or acme-prod`;
}

/** How a path is shown: relative to the working directory when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** A stack file's text, or why it could not be read. */
export type StackTextResult =
  | { readonly ok: true; readonly path: string; readonly display: string; readonly text: string }
  | { readonly ok: false; readonly message: string };

/** Reads the text of `stacks/Pulumi.<stack>.yaml` (or the same file under `stacksDir`). */
export function readStackText(stack: string, stacksDir?: string): StackTextResult {
  const nameProblem = stackNameProblem(stack);
  if (nameProblem) return { ok: false, message: nameProblem };
  const path = join(resolve(stacksDir ?? DEFAULT_STACKS_DIR), `Pulumi.${stack}.yaml`);
  try {
    return { ok: true, path, display: displayPath(path), text: readFileSync(path, "utf8") };
  } catch {
    return {
      ok: false,
      message: `no stack config at ${path}; create it or pass --stack with an existing stack`,
    };
  }
}

/** A stack file read as Pulumi's flat config map, or why it could not be. */
export type StackFileResult =
  | { readonly ok: true; readonly path: string; readonly flat: Record<string, string> }
  | { readonly ok: false; readonly message: string };

/**
 * Reads `stacks/Pulumi.<stack>.yaml` (or the same file under `stacksDir`). A file that is not
 * valid YAML gives a message with one line per problem, each with its `file:line:column`.
 */
export function readStackFile(stack: string, stacksDir?: string): StackFileResult {
  const read = readStackText(stack, stacksDir);
  if (!read.ok) return read;
  const parsed = parseStackFile(read.text, read.display);
  if (!parsed.ok) return { ok: false, message: formatProblems(parsed.problems, read.display) };
  return { ok: true, path: read.path, flat: parsed.flat };
}

/** A policy pack config file (`--policy-pack-config`), or why it could not be read. */
export type PackConfigResult =
  | { readonly ok: true; readonly config: Record<string, unknown> }
  | { readonly ok: false; readonly message: string };

/** Reads a policy pack config: a JSON object keyed by policy name. No file, no config. */
export function readPackConfig(path: string | undefined): PackConfigResult {
  if (path === undefined) return { ok: true, config: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return {
      ok: false,
      message: `cannot read the policy pack config ${path}: ${(error as Error).message}`,
    };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: `${path} must hold a JSON object keyed by policy name` };
  }
  return { ok: true, config: parsed as Record<string, unknown> };
}

/** The project's version, from package.json: what `--version` prints. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, "..", "package.json"), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { flatConfigFromStackFile } from "../lib/config/stack-file";

/** Where the stack files live unless a command is told otherwise. */
export const DEFAULT_STACKS_DIR = resolve(__dirname, "..", "stacks");

/** A stack file read as Pulumi's flat config map, or why it could not be. */
export type StackFileResult =
  | { readonly ok: true; readonly path: string; readonly flat: Record<string, string> }
  | { readonly ok: false; readonly message: string };

/** Reads `stacks/Pulumi.<stack>.yaml` (or the same file under `stacksDir`). */
export function readStackFile(stack: string, stacksDir?: string): StackFileResult {
  const path = join(resolve(stacksDir ?? DEFAULT_STACKS_DIR), `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {
      ok: false,
      message: `no stack config at ${path}; create it or pass --stack with an existing stack`,
    };
  }
  return { ok: true, path, flat: flatConfigFromStackFile(text) };
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
    return { ok: false, message: `cannot read the policy pack config ${path}: ${String(error)}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: `${path} must hold a JSON object keyed by policy name` };
  }
  return { ok: true, config: parsed as Record<string, unknown> };
}

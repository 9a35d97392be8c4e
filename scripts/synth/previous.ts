/**
 * The synth to compare with for `--diff`: the one already in the output directory, or the
 * stack file as it was at a git ref, synthesized now.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { checkStackFile } from "../../lib/config/check";
import { formatProblems } from "../../lib/errors/config-error";
import { MANIFEST_FILE, parseManifest } from "../../lib/output/write-plan";
import type { SnapshotResource, SynthSnapshot } from "../../lib/synth-diff/synth-diff";
import type { StackTextResult } from "../inputs";
import { synthStack } from "./synth-stack";

/** A snapshot to compare with, what it is called in messages, or why there is none. */
export type Previous =
  | { readonly ok: true; readonly snapshot: SynthSnapshot; readonly label: string }
  | { readonly ok: false; readonly message: string };

const EMPTY: SynthSnapshot = { resources: [], files: new Map() };

function readIfFile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The previous synth in `out`: its `resources.json` and the files its manifest lists (or, with
 * no manifest, the files of `paths`). No previous synth compares with nothing.
 */
export function previousFromDirectory(out: string, paths: readonly string[]): Previous {
  const label = `the previous synth in ${out}`;
  const resourcesText = readIfFile(join(out, "resources.json"));
  if (resourcesText === undefined) {
    return { ok: true, snapshot: EMPTY, label: `${label} (there is none: everything is new)` };
  }
  let resources: SnapshotResource[];
  try {
    resources = JSON.parse(resourcesText) as SnapshotResource[];
    if (!Array.isArray(resources)) throw new Error("not a list");
  } catch (error) {
    return {
      ok: false,
      message: `cannot compare with ${join(out, "resources.json")}: it is not a synth's resource list (${(error as Error).message})`,
    };
  }
  const manifestText = readIfFile(join(out, MANIFEST_FILE));
  const manifest = manifestText === undefined ? undefined : parseManifest(manifestText);
  const files = new Map<string, string>();
  for (const path of manifest ? Object.keys(manifest.files) : paths) {
    const text = readIfFile(join(out, path));
    if (text !== undefined) files.set(path, text);
  }
  return { ok: true, snapshot: { resources, files }, label };
}

function git(
  cwd: string,
  args: readonly string[],
): { ok: boolean; stdout: string; stderr: string } {
  const run = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { ok: run.status === 0, stdout: run.stdout ?? "", stderr: (run.stderr ?? "").trim() };
}

/**
 * The stack file at git `ref`, synthesized now with this checkout's program: shows what the
 * config change does (program changes between the ref and now are not part of it). An
 * account-group stack's core stack file is read at the same ref too, or with `readStack` when
 * it did not exist there.
 */
export async function previousFromGit(
  stackFile: string,
  stack: string,
  ref: string,
  readStack: (name: string) => StackTextResult,
): Promise<Previous> {
  const dir = dirname(stackFile);
  if (!existsSync(dir)) return { ok: false, message: `${dir} does not exist` };
  const top = git(dir, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) {
    return {
      ok: false,
      message: `--diff-ref needs the stack file in a git repository: ${top.stderr}`,
    };
  }
  const verified = git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!verified.ok) {
    return {
      ok: false,
      message: `--diff-ref: '${ref}' is not a commit, branch or tag of ${top.stdout.trim()}`,
    };
  }
  const path = relative(top.stdout.trim(), stackFile).split("\\").join("/");
  const label = `${path} at ${ref}`;
  const shown = git(dir, ["show", `${ref}:${path}`]);
  if (!shown.ok) {
    return {
      ok: true,
      snapshot: EMPTY,
      label: `${label} (the file did not exist there: everything is new)`,
    };
  }
  const checked = checkStackFile(shown.stdout, label);
  if (!checked.ok) {
    return {
      ok: false,
      message: `cannot compare with ${label}: ${formatProblems(checked.problems, label)}`,
    };
  }
  const readAtRef = (name: string): StackTextResult => {
    const other = `${dirname(path) === "." ? "" : `${dirname(path)}/`}Pulumi.${name}.yaml`;
    const atRef = git(dir, ["show", `${ref}:${other}`]);
    return atRef.ok
      ? {
          ok: true,
          path: join(top.stdout.trim(), other),
          display: `${other} at ${ref}`,
          text: atRef.stdout,
        }
      : readStack(name);
  };
  const synth = await synthStack({
    stack,
    flat: checked.flat,
    config: checked.config,
    readStack: readAtRef,
  });
  if (!synth.ok) return { ok: false, message: `cannot compare with ${label}: ${synth.message}` };
  return { ok: true, snapshot: snapshotOf(synth.files), label };
}

/**
 * A synth's snapshot from its files, resources read back from `resources.json` as a later run
 * will read them, so both sides of a diff went through the same JSON.
 */
export function snapshotOf(files: readonly { path: string; text: string }[]): SynthSnapshot {
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  const resources = JSON.parse(byPath.get("resources.json") ?? "[]") as SnapshotResource[];
  return { resources, files: byPath };
}

/**
 * Writes generated files under an output directory without losing anything that is not
 * tf-bootstrap's: reads the disk, plans with lib/output/write-plan (which refuses when a file in
 * the way is not its own or was changed), then writes each file atomically, removes the files
 * it no longer generates and keeps its manifest up to date.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import {
  MANIFEST_FILE,
  parseManifest,
  parentsOf,
  planWrite,
  renderManifest,
  type DiskEntry,
  type Manifest,
  type Refusal,
  type WritePlan,
} from "../../lib/output/write-plan";

/** A file to write: path relative to the output directory (`/`-separated), and its text. */
export interface OutputFile {
  readonly path: string;
  readonly text: string;
}

/** What a write did, or every path in the way (then nothing was written). */
export type WriteResult =
  | {
      readonly ok: true;
      readonly written: readonly string[];
      readonly unchanged: readonly string[];
      readonly removed: readonly string[];
    }
  | { readonly ok: false; readonly refusals: readonly Refusal[] };

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function probe(root: string, path: string): DiskEntry {
  const full = join(root, path);
  let stat;
  try {
    stat = lstatSync(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return { kind: "missing" };
    throw error;
  }
  if (stat.isSymbolicLink()) return { kind: "other", what: "symbolic link" };
  if (stat.isDirectory()) return { kind: "directory" };
  if (!stat.isFile()) return { kind: "other", what: "special file" };
  return { kind: "file", sha256: sha256(readFileSync(full)) };
}

function readManifest(root: string): Manifest | undefined | "unreadable" {
  const at = probe(root, MANIFEST_FILE);
  if (at.kind === "missing") return undefined;
  if (at.kind !== "file") return "unreadable";
  return parseManifest(readFileSync(join(root, MANIFEST_FILE), "utf8")) ?? "unreadable";
}

/** Writes `text` to `path` through a temporary file beside it, so a reader never sees half. */
function writeAtomic(path: string, text: string): void {
  const temp = `${path}.tf-bootstrap-${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/** Plans the write without touching the disk: what {@link writeOutput} would do, or refuse. */
export function planOutput(
  root: string,
  files: readonly OutputFile[],
  writer: string,
): ({ ok: true } & WritePlan) | { ok: false; refusals: readonly Refusal[] } {
  const cache = new Map<string, DiskEntry>();
  const disk = (path: string) => {
    let entry = cache.get(path);
    if (!entry) cache.set(path, (entry = probe(root, path)));
    return entry;
  };
  const rootEntry = probe(dirname(root), root.slice(dirname(root).length + 1));
  if (rootEntry.kind !== "missing" && rootEntry.kind !== "directory") {
    return {
      ok: false,
      refusals: [
        {
          path: root,
          reason: `is a ${rootEntry.kind === "file" ? "file" : rootEntry.what}, not a directory`,
          fix: "choose another output directory",
        },
      ],
    };
  }
  return planWrite({
    writer,
    wanted: files.map((f) => ({ path: f.path, sha256: sha256(f.text) })),
    manifest: rootEntry.kind === "missing" ? undefined : readManifest(root),
    disk,
    manifestPath: rootEntry.kind === "missing" ? { kind: "missing" } : disk(MANIFEST_FILE),
  });
}

/**
 * Writes `files` under `root` for the command `writer`. Refuses, writing nothing, when a file in
 * the way is not one tf-bootstrap wrote or was changed since it did.
 */
export function writeOutput(
  root: string,
  files: readonly OutputFile[],
  writer: string,
): WriteResult {
  const plan = planOutput(root, files, writer);
  if (!plan.ok) return plan;
  mkdirSync(root, { recursive: true });
  writeAtomic(join(root, MANIFEST_FILE), renderManifest(plan.interim));
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const path of plan.write) {
    const full = join(root, path);
    for (const parent of parentsOf(path)) mkdirSync(join(root, parent), { recursive: true });
    writeAtomic(full, byPath.get(path)?.text ?? "");
    if (path.endsWith(".sh")) chmodSync(full, 0o755);
  }
  for (const path of plan.remove) unlinkSync(join(root, path));
  const directories = [...plan.final.directories].sort((a, b) => b.length - a.length);
  const kept: string[] = [];
  for (const dir of directories) {
    const full = join(root, dir);
    const entry = probe(root, dir);
    if (entry.kind === "directory" && readdirSync(full).length === 0) rmdirSync(full);
    else if (entry.kind === "directory") kept.push(dir);
  }
  writeAtomic(join(root, MANIFEST_FILE), renderManifest({ ...plan.final, directories: kept }));
  return { ok: true, written: plan.write, unchanged: plan.unchanged, removed: plan.remove };
}

/** The refusals as lines for the terminal: the path, why, and what to do. */
export function formatRefusals(root: string, refusals: readonly Refusal[]): string {
  return [
    `nothing was written to ${root}: ${refusals.length === 1 ? "a path is" : `${refusals.length} paths are`} in the way, and tf-bootstrap overwrites or deletes only files it wrote and nobody changed since (listed in ${MANIFEST_FILE}):`,
    ...refusals.map((r) => `  - ${r.path} ${r.reason}; ${r.fix}`),
  ].join("\n");
}

/**
 * Never lose a user's file: the commands that generate files (synth, export-terraform) keep a
 * manifest of what they wrote in the output directory, with each file's SHA-256. A run replaces
 * or deletes a file only when the manifest lists it and it is unchanged since; any other file in
 * the way stops the run before anything is written, with the reason and the fix. This is the
 * pure planning half: it reads a description of the disk and returns what to do, or why not.
 */

/** The manifest's file name, in the root of the output directory. */
export const MANIFEST_FILE = ".tf-bootstrap-files.json";

/** Manifest format version. */
export const MANIFEST_VERSION = 1;

/** One file the manifest lists. */
export interface ManifestEntry {
  /** The SHA-256 of every content the file may have as tf-bootstrap left it (hex). */
  readonly sha256: readonly string[];
  /** The command that wrote it last: `synth`, `export-terraform`. */
  readonly writer: string;
}

/** The manifest: files and directories tf-bootstrap wrote under the output directory. */
export interface Manifest {
  readonly about: string;
  readonly version: number;
  /** Files by path relative to the output directory, `/`-separated. */
  readonly files: Readonly<Record<string, ManifestEntry>>;
  /** Directories it created, so they can be removed when they end up empty. */
  readonly directories: readonly string[];
}

/** What is at a path now. */
export type DiskEntry =
  | { readonly kind: "missing" }
  | { readonly kind: "file"; readonly sha256: string }
  | { readonly kind: "directory" }
  | { readonly kind: "other"; readonly what: string };

/** A file a command wants to write. */
export interface WantedFile {
  readonly path: string;
  readonly sha256: string;
}

/** Why a path stops the run, and how to clear the way. */
export interface Refusal {
  readonly path: string;
  readonly reason: string;
  readonly fix: string;
}

/** What a run will do. */
export interface WritePlan {
  /** Files to create or replace. */
  readonly write: readonly string[];
  /** Files already as wanted. */
  readonly unchanged: readonly string[];
  /** Files it wrote before that the run no longer produces. */
  readonly remove: readonly string[];
  /** The manifest to leave while writing: old and new content both count as its own. */
  readonly interim: Manifest;
  /** The manifest once everything is written and removed. */
  readonly final: Manifest;
}

/** The plan, or every path in the way. */
export type WritePlanResult =
  | ({ readonly ok: true } & WritePlan)
  | { readonly ok: false; readonly refusals: readonly Refusal[] };

const ABOUT =
  "Files tf-bootstrap generated here. It replaces or deletes only the files listed, and only while their content is what it wrote (sha256). Edit a listed file and the next run stops instead of overwriting it.";

/** An empty manifest. */
export function emptyManifest(): Manifest {
  return { about: ABOUT, version: MANIFEST_VERSION, files: {}, directories: [] };
}

/** Reads a manifest's JSON text; `undefined` when it is not one. */
export function parseManifest(text: string): Manifest | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const m = data as Partial<Manifest>;
  if (m.version !== MANIFEST_VERSION || typeof m.files !== "object" || m.files === null) {
    return undefined;
  }
  const files: Record<string, ManifestEntry> = {};
  for (const [path, entry] of Object.entries(m.files)) {
    const e = entry as Partial<ManifestEntry> | null;
    if (!e || !Array.isArray(e.sha256) || typeof e.writer !== "string") return undefined;
    files[path] = { sha256: e.sha256.filter((h) => typeof h === "string"), writer: e.writer };
  }
  const directories = Array.isArray(m.directories)
    ? m.directories.filter((d): d is string => typeof d === "string")
    : [];
  return { about: ABOUT, version: MANIFEST_VERSION, files, directories };
}

/** The manifest as written to disk: stable key order, one file per line. */
export function renderManifest(manifest: Manifest): string {
  const files = Object.fromEntries(
    Object.keys(manifest.files)
      .sort()
      .map((p) => [p, manifest.files[p]]),
  );
  return `${JSON.stringify({ ...manifest, files, directories: [...manifest.directories].sort() }, null, 2)}\n`;
}

/** The directories above `path`: `a/b/c.json` → `a`, `a/b`. */
export function parentsOf(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Whether `path` is a plain relative path that stays inside the output directory. */
export function isContainedPath(path: string): boolean {
  return (
    path !== "" &&
    !path.startsWith("/") &&
    !path.includes("\\") &&
    path.split("/").every((part) => part !== "" && part !== "." && part !== "..")
  );
}

/**
 * Plans writing `wanted` under a directory whose state `disk` describes (every wanted path, its
 * parents, and every path the manifest lists), for the command `writer`. `manifest` is the one
 * found there (`undefined`: none; `"unreadable"`: a file of that name that is not a manifest).
 */
export function planWrite(input: {
  readonly writer: string;
  readonly wanted: readonly WantedFile[];
  readonly manifest: Manifest | undefined | "unreadable";
  readonly disk: (path: string) => DiskEntry;
  /** Whether the manifest file's own path is free to write (not a directory or link). */
  readonly manifestPath?: DiskEntry;
}): WritePlanResult {
  const refusals: Refusal[] = [];
  if (input.manifest === "unreadable") {
    refusals.push({
      path: MANIFEST_FILE,
      reason: "is not a manifest tf-bootstrap can read, so it cannot tell its own files from yours",
      fix: "move the file away (or delete it if you do not need it), check the directory and run again",
    });
    return { ok: false, refusals };
  }
  if (
    input.manifestPath &&
    input.manifestPath.kind !== "file" &&
    input.manifestPath.kind !== "missing"
  ) {
    refusals.push({
      path: MANIFEST_FILE,
      reason: `is a ${input.manifestPath.kind === "directory" ? "directory" : "special file"}, where tf-bootstrap keeps the list of files it wrote`,
      fix: "move it away or choose another output directory",
    });
  }
  const manifest = input.manifest ?? emptyManifest();
  const wantedPaths = new Set(input.wanted.map((w) => w.path));
  const write: string[] = [];
  const unchanged: string[] = [];
  const remove: string[] = [];
  const interimFiles: Record<string, ManifestEntry> = { ...manifest.files };
  const finalFiles: Record<string, ManifestEntry> = {};
  const checkedParents = new Set<string>();

  for (const file of input.wanted) {
    if (!isContainedPath(file.path) || file.path === MANIFEST_FILE) {
      throw new Error(`bug: generated file path '${file.path}' leaves the output directory`);
    }
    for (const parent of parentsOf(file.path)) {
      if (checkedParents.has(parent)) continue;
      checkedParents.add(parent);
      const at = input.disk(parent);
      if (at.kind === "missing" || at.kind === "directory") continue;
      refusals.push({
        path: parent,
        reason: `is a ${at.kind === "file" ? "file" : at.kind === "other" ? at.what : "path"} where tf-bootstrap needs a directory for ${file.path}`,
        fix: "move it away or choose another output directory",
      });
    }
    const at = input.disk(file.path);
    const entry = manifest.files[file.path];
    const own = { sha256: [file.sha256], writer: input.writer };
    if (at.kind === "missing") {
      write.push(file.path);
    } else if (at.kind === "file" && at.sha256 === file.sha256) {
      unchanged.push(file.path);
    } else if (at.kind === "file" && entry?.sha256.includes(at.sha256)) {
      write.push(file.path);
      interimFiles[file.path] = { sha256: [at.sha256, file.sha256], writer: input.writer };
      finalFiles[file.path] = own;
      continue;
    } else if (at.kind === "file") {
      refusals.push(
        entry
          ? {
              path: file.path,
              reason: "was changed after tf-bootstrap wrote it, and writing would lose the change",
              fix: "keep your version elsewhere (or undo the change) and run again",
            }
          : {
              path: file.path,
              reason:
                "was not written by tf-bootstrap (its list of generated files here does not name it)",
              fix: "move it away or choose another output directory",
            },
      );
      continue;
    } else {
      refusals.push({
        path: file.path,
        reason: `is a ${at.kind === "directory" ? "directory" : at.what} where tf-bootstrap writes a file`,
        fix: "move it away or choose another output directory",
      });
      continue;
    }
    interimFiles[file.path] = entry
      ? { sha256: [...new Set([...entry.sha256, file.sha256])], writer: input.writer }
      : own;
    finalFiles[file.path] = own;
  }

  for (const [path, entry] of Object.entries(manifest.files)) {
    if (wantedPaths.has(path)) continue;
    if (entry.writer !== input.writer) {
      finalFiles[path] = entry;
      continue;
    }
    const at = input.disk(path);
    if (at.kind === "missing") {
      delete interimFiles[path];
      continue;
    }
    if (at.kind === "file" && entry.sha256.includes(at.sha256)) {
      remove.push(path);
      continue;
    }
    refusals.push({
      path,
      reason:
        at.kind === "file"
          ? "is a file tf-bootstrap wrote and no longer generates, but it was changed since, and removing it would lose the change"
          : "is listed as a file tf-bootstrap wrote, but is no longer a file",
      fix: "move it away (or delete it if you do not need it) and run again",
    });
  }

  if (refusals.length > 0) return { ok: false, refusals };
  const newDirectories = [...checkedParents].filter((d) => input.disk(d).kind === "missing");
  const directories = [...new Set([...manifest.directories, ...newDirectories])];
  return {
    ok: true,
    write,
    unchanged,
    remove,
    interim: { ...emptyManifest(), files: interimFiles, directories },
    final: { ...emptyManifest(), files: finalFiles, directories },
  };
}

/**
 * Reading processes from Linux's /proc, for the engine benchmarks' memory figures: a file of a
 * process (gone processes read as absent) and a `kB` field of its `status`.
 */
import { readFileSync } from "node:fs";

/** `/proc/<pid>/<file>`, or `undefined` when the process is gone or unreadable. */
export function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "latin1");
  } catch {
    return undefined;
  }
}

/** A `kB` field (`VmRSS`, `VmHWM`) of a `/proc/<pid>/status` text; 0 when absent. */
export function kb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}

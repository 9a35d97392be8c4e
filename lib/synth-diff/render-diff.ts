/**
 * A synth diff as text for the terminal: the per-account summary first, then every resource
 * change (IAM documents statement by statement), then the handoff and pipeline files.
 */
import { renderStatementChanges } from "./statement-diff";
import { accountLine, isEmptyDiff, type SynthDiff } from "./synth-diff";

/** Longest file diff shown in full, in lines; longer ones are cut with a note. */
const FILE_DIFF_LINES = 60;

const SIGN = { added: "+", removed: "-", changed: "~" } as const;

function value(v: unknown): string {
  const text = v === undefined ? "(none)" : (JSON.stringify(v) ?? typeof v);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** The diff as lines; `against` names what it compares with (`the previous synth in out/x`). */
export function renderSynthDiff(d: SynthDiff, against: string): string {
  if (isEmptyDiff(d)) return `no change since ${against}`;
  const out = [`changes since ${against}:`, "", ...d.accounts.map(accountLine)];
  if (d.resources.length > 0) out.push("", "resources:");
  for (const r of d.resources) {
    out.push(`  ${SIGN[r.kind]} ${r.type} ${r.name}${r.account ? ` (${r.account})` : ""}`);
    for (const i of r.inputs) out.push(`      ${i.path}: ${value(i.before)} -> ${value(i.after)}`);
    for (const line of renderStatementChanges(r.statements ?? [])) out.push(`      ${line}`);
  }
  if (d.files.length > 0) out.push("", "files:");
  for (const f of d.files) {
    out.push(`  ${SIGN[f.kind]} ${f.path}`);
    if (f.kind !== "changed") continue;
    const lines = f.diff.split("\n");
    out.push(...lines.slice(0, FILE_DIFF_LINES).map((l) => `      ${l}`));
    if (lines.length > FILE_DIFF_LINES) {
      out.push(`      ... ${lines.length - FILE_DIFF_LINES} more lines of diff`);
    }
  }
  return out.join("\n");
}

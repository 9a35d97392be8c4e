/**
 * Comparing a declared policy document with the one read live, by value: both are normalized
 * and canonicalized (order, duplicates, string-or-array spelling do not matter), then diffed
 * line by line.
 */
import { renderDiff } from "../guard/text-diff";
import { canonicalJson } from "../iam/canonicalize";
import { normalizeDocument } from "../iam/normalize";
import type { PolicyDocument } from "../iam/types";

/** The canonical text of a document given as JSON text or an object; raw text if unreadable. */
export function canonicalText(document: string | PolicyDocument | undefined): string {
  if (document === undefined) return "(none)";
  const read = normalizeDocument(document);
  if (read.ok) return canonicalJson(read.document);
  return typeof document === "string" ? document : JSON.stringify(document, null, 2);
}

/**
 * The diff from `declared` to `live` (`-` declared, `+` live) after canonicalization, or
 * `undefined` when they are equal by value. An absent document is shown as `(none)`.
 */
export function documentDiff(
  declared: PolicyDocument | undefined,
  live: string | undefined,
): string | undefined {
  const before = canonicalText(declared);
  const after = canonicalText(live);
  return before === after ? undefined : renderDiff(before, after);
}

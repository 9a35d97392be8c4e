/**
 * A line diff for messages: which lines of `before` are gone (`-`) and which lines of `after`
 * are new (`+`), with a few unchanged lines of context around each change. Longest common
 * subsequence over lines; documents compared here are small.
 */

/** One line of a diff. */
export interface DiffLine {
  readonly op: " " | "-" | "+";
  readonly text: string;
}

/** The full line diff of `before` → `after`. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the LCS of before[i..] and after[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i -= 1) {
    const row = lcs[i] ?? [];
    const next = lcs[i + 1] ?? [];
    for (let j = m - 1; j >= 0; j -= 1) {
      row[j] =
        before[i] === after[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: " ", text: before[i] ?? "" });
      i += 1;
      j += 1;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      out.push({ op: "-", text: before[i] ?? "" });
      i += 1;
    } else {
      out.push({ op: "+", text: after[j] ?? "" });
      j += 1;
    }
  }
  return out;
}

/**
 * The diff as text: changed lines with `context` unchanged lines around them, `...` between
 * distant changes, and nothing when the texts are equal.
 */
export function renderDiff(before: string, after: string, context = 2): string {
  const lines = diffLines(before.split("\n"), after.split("\n"));
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.op === " ") return;
    for (
      let k = Math.max(0, index - context);
      k <= Math.min(lines.length - 1, index + context);
      k += 1
    ) {
      keep[k] = true;
    }
  });
  const out: string[] = [];
  let skipped = false;
  lines.forEach((line, index) => {
    if (!keep[index]) {
      skipped = true;
      return;
    }
    if (skipped && out.length > 0) out.push("  ...");
    skipped = false;
    out.push(`${line.op} ${line.text}`);
  });
  return out.join("\n");
}

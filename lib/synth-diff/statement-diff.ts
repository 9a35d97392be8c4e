/**
 * A semantic diff of two IAM policy documents, statement by statement. Both are normalized and
 * canonicalized first, so order, duplicates and string-or-array spelling never show as changes.
 * Statements are paired by `Sid`, else by everything but their actions and resources; a pair
 * shows which actions and resources it gained or lost, the rest are whole statements added or
 * removed.
 */
import { canonicalizeDocument } from "../iam/canonicalize";
import { normalizeDocument } from "../iam/normalize";
import type { Statement } from "../iam/types";

/** How one statement changed. */
export type StatementChange =
  | { readonly kind: "added"; readonly statement: Statement }
  | { readonly kind: "removed"; readonly statement: Statement }
  | {
      readonly kind: "changed";
      readonly before: Statement;
      readonly after: Statement;
      /** Entries gained and lost, by element (`Action`, `Resource`, `NotAction`...). */
      readonly gained: Readonly<Record<string, readonly string[]>>;
      readonly lost: Readonly<Record<string, readonly string[]>>;
    };

const LISTS = ["Action", "NotAction", "Resource", "NotResource"] as const;

function statementsOf(document: unknown): Statement[] | undefined {
  if (document === undefined) return [];
  const read = normalizeDocument(document);
  return read.ok ? canonicalizeDocument(read.document).Statement : undefined;
}

function shapeKey(s: Statement): string {
  const rest: Record<string, unknown> = { ...s };
  for (const list of LISTS) delete rest[list];
  delete rest.Sid;
  return JSON.stringify(rest);
}

function pairKey(s: Statement, shapes: Map<string, number>): string | undefined {
  if (s.Sid) return `sid:${s.Sid}`;
  const shape = shapeKey(s);
  return shapes.get(shape) === 1 ? `shape:${shape}` : undefined;
}

function countShapes(statements: readonly Statement[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of statements) {
    if (s.Sid) continue;
    counts.set(shapeKey(s), (counts.get(shapeKey(s)) ?? 0) + 1);
  }
  return counts;
}

/**
 * The statement changes from `before` to `after` (documents as JSON text or objects;
 * `undefined` for none), or `undefined` when a document cannot be read as a policy.
 */
export function statementDiff(before: unknown, after: unknown): StatementChange[] | undefined {
  const old = statementsOf(before);
  const now = statementsOf(after);
  if (!old || !now) return undefined;
  const same = (a: Statement, b: Statement) => JSON.stringify(a) === JSON.stringify(b);
  const oldShapes = countShapes(old);
  const newShapes = countShapes(now);
  const oldByKey = new Map<string, Statement>();
  for (const s of old) {
    const key = pairKey(s, oldShapes);
    if (key) oldByKey.set(key, s);
  }
  const changes: StatementChange[] = [];
  const paired = new Set<Statement>();
  for (const s of now) {
    if (old.some((o) => same(o, s))) {
      paired.add(old.find((o) => same(o, s)) as Statement);
      continue;
    }
    const key = pairKey(s, newShapes);
    const partner = key ? oldByKey.get(key) : undefined;
    if (partner && !paired.has(partner) && shapeKey(partner) === shapeKey(s)) {
      paired.add(partner);
      const gained: Record<string, string[]> = {};
      const lost: Record<string, string[]> = {};
      for (const list of LISTS) {
        const a = partner[list] ?? [];
        const b = s[list] ?? [];
        const plus = b.filter((v) => !a.includes(v));
        const minus = a.filter((v) => !b.includes(v));
        if (plus.length > 0) gained[list] = plus;
        if (minus.length > 0) lost[list] = minus;
      }
      changes.push({ kind: "changed", before: partner, after: s, gained, lost });
      continue;
    }
    changes.push({ kind: "added", statement: s });
  }
  for (const s of old) {
    if (!paired.has(s)) changes.push({ kind: "removed", statement: s });
  }
  return changes;
}

function principalText(p: Statement["Principal"]): string {
  if (p === undefined) return "";
  if (p === "*") return " for Principal *";
  return ` for ${Object.entries(p)
    .map(([type, values]) => `${type} ${(values as string[]).join(", ")}`)
    .join("; ")}`;
}

/** One statement in one line: `Allow sts:AssumeRole on arn:... for AWS arn:... when {...}`. */
export function statementLine(s: Statement): string {
  const actions = s.Action
    ? s.Action.join(", ")
    : `everything but ${(s.NotAction ?? []).join(", ")}`;
  const resources = s.Resource
    ? ` on ${s.Resource.join(", ")}`
    : s.NotResource
      ? ` on everything but ${s.NotResource.join(", ")}`
      : "";
  const condition = s.Condition ? ` when ${JSON.stringify(s.Condition)}` : "";
  const sid = s.Sid ? ` (${s.Sid})` : "";
  return `${s.Effect} ${actions}${resources}${principalText(s.Principal ?? s.NotPrincipal)}${condition}${sid}`;
}

/** The changes as indented lines: `+`/`-` whole statements, `~` a statement's gains and losses. */
export function renderStatementChanges(changes: readonly StatementChange[]): string[] {
  return changes.map((c) => {
    if (c.kind === "added") return `+ ${statementLine(c.statement)}`;
    if (c.kind === "removed") return `- ${statementLine(c.statement)}`;
    const parts = [
      ...Object.entries(c.gained).map(([list, v]) => `+${list} ${v.join(", ")}`),
      ...Object.entries(c.lost).map(([list, v]) => `-${list} ${v.join(", ")}`),
    ];
    return `~ ${c.after.Effect} ${changedLabel(c)}: ${parts.join("; ") || "conditions or principals changed"}`;
  });
}

/**
 * What names a changed statement: its Sid, else the list that did not change (its actions,
 * else its resources), so the reader can tell which statement it is.
 */
function changedLabel(c: Extract<StatementChange, { kind: "changed" }>): string {
  if (c.after.Sid) return `statement ${c.after.Sid}`;
  const short = (values: readonly string[]) =>
    values.length <= 3
      ? values.join(", ")
      : `${values.slice(0, 3).join(", ")} and ${values.length - 3} more`;
  const unchanged = (list: (typeof LISTS)[number]) =>
    c.after[list] !== undefined && !(list in c.gained) && !(list in c.lost);
  if (unchanged("Action")) return short(c.after.Action ?? []);
  if (unchanged("NotAction")) return `everything but ${short(c.after.NotAction ?? [])}`;
  if (unchanged("Resource")) return `statement on ${short(c.after.Resource ?? [])}`;
  return "statement";
}

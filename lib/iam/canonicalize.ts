/**
 * Canonical form of a normalized policy document, so two documents compare by value.
 *
 * - empty fields are dropped (empty `Sid`/`Id`, empty arrays, empty condition blocks);
 * - every array is deduplicated and sorted (by UTF-16 code units, locale-independent);
 * - condition operators and keys are sorted; principal types are sorted;
 * - statements are deduplicated and sorted by their canonical JSON without `Sid`, then by `Sid`;
 *   `Sid`s are kept.
 *
 * Spelling is never changed: `sts:AssumeRole` and `sts:assumerole` are both kept even though IAM
 * treats action names case-insensitively, and `"*"` stays apart from `{ "AWS": "*" }`. Every
 * step keeps the document's meaning: IAM reads arrays as sets and statements as an unordered
 * collection.
 */
import type { ConditionBlock, PolicyDocument, Principal, PrincipalMap, Statement } from "./types";
import { STATEMENT_KEYS } from "./types";

function compareStrings(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function canonicalPrincipal(principal: Principal): Principal | undefined {
  if (principal === "*") {
    return "*";
  }
  const map: PrincipalMap = {};
  const types = Object.keys(principal).sort(compareStrings) as (keyof PrincipalMap)[];
  for (const type of types) {
    const values = principal[type];
    if (values !== undefined && values.length > 0) {
      map[type] = sortedUnique(values);
    }
  }
  return Object.keys(map).length > 0 ? map : undefined;
}

function canonicalCondition(condition: ConditionBlock): ConditionBlock | undefined {
  const block: ConditionBlock = {};
  for (const operator of Object.keys(condition).sort(compareStrings)) {
    const keys = condition[operator];
    if (keys === undefined) {
      continue;
    }
    const entries: Record<string, string[]> = {};
    for (const key of Object.keys(keys).sort(compareStrings)) {
      const values = keys[key];
      if (values !== undefined && values.length > 0) {
        entries[key] = sortedUnique(values);
      }
    }
    if (Object.keys(entries).length > 0) {
      block[operator] = entries;
    }
  }
  return Object.keys(block).length > 0 ? block : undefined;
}

function canonicalList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) {
    return undefined;
  }
  return sortedUnique(values);
}

function canonicalStatement(statement: Statement): Statement {
  const result: Statement = { Effect: statement.Effect };
  if (statement.Sid !== undefined && statement.Sid !== "") {
    result.Sid = statement.Sid;
  }
  const principal = statement.Principal && canonicalPrincipal(statement.Principal);
  if (principal !== undefined) {
    result.Principal = principal;
  }
  const notPrincipal = statement.NotPrincipal && canonicalPrincipal(statement.NotPrincipal);
  if (notPrincipal !== undefined) {
    result.NotPrincipal = notPrincipal;
  }
  const lists = ["Action", "NotAction", "Resource", "NotResource"] as const;
  for (const field of lists) {
    const list = canonicalList(statement[field]);
    if (list !== undefined) {
      result[field] = list;
    }
  }
  const condition = statement.Condition && canonicalCondition(statement.Condition);
  if (condition !== undefined) {
    result.Condition = condition;
  }
  return result;
}

/**
 * Returns the canonical form of `doc` (see the module comment). The input is not modified.
 * Canonicalization is idempotent and insensitive to statement and array order.
 */
export function canonicalizeDocument(doc: PolicyDocument): PolicyDocument {
  const keyed = doc.Statement.map((statement) => {
    const canonical = canonicalStatement(statement);
    const withoutSid: Statement = { ...canonical };
    delete withoutSid.Sid;
    return { canonical, key: `${stringify(withoutSid, 0)}\u0000${canonical.Sid ?? ""}` };
  });
  keyed.sort((a, b) => compareStrings(a.key, b.key));
  const statements: Statement[] = [];
  let previous: string | undefined;
  for (const item of keyed) {
    if (item.key !== previous) {
      statements.push(item.canonical);
      previous = item.key;
    }
  }
  const result: PolicyDocument = { Version: doc.Version, Statement: statements };
  if (doc.Id !== undefined && doc.Id !== "") {
    result.Id = doc.Id;
  }
  return result;
}

/** Key order for known objects; keys not listed (condition operators, keys) sort after them. */
const KEY_ORDER: readonly string[] = ["Version", "Id", "Statement", ...STATEMENT_KEYS];

function orderedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort((a, b) => {
      const ia = KEY_ORDER.indexOf(a);
      const ib = KEY_ORDER.indexOf(b);
      if (ia >= 0 || ib >= 0) {
        return (ia < 0 ? KEY_ORDER.length : ia) - (ib < 0 ? KEY_ORDER.length : ib);
      }
      return compareStrings(a, b);
    });
}

function stringify(value: unknown, depth: number): string {
  const indent = "  ".repeat(depth + 1);
  const closing = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return "[]";
    }
    const items = value.map((item) => `${indent}${stringify(item, depth + 1)}`);
    return `[\n${items.join(",\n")}\n${closing}]`;
  }
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    const keys = orderedKeys(object);
    if (keys.length === 0) {
      return "{}";
    }
    const items = keys.map(
      (key) => `${indent}${JSON.stringify(key)}: ${stringify(object[key], depth + 1)}`,
    );
    return `{\n${items.join(",\n")}\n${closing}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The canonical JSON text of `doc`: canonicalized first, then printed with a stable key order
 * (the conventional IAM order for known elements, code-unit order for condition operators, keys
 * and principal types) and a 2-space indent. Equal text means equal documents by value.
 */
export function canonicalJson(doc: PolicyDocument): string {
  return stringify(canonicalizeDocument(doc), 0);
}

/** Whether two normalized documents are equal by value (same canonical JSON). */
export function documentsEqual(a: PolicyDocument, b: PolicyDocument): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

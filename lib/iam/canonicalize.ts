/**
 * Canonical form of a normalized policy document, so two documents that mean the same compare
 * equal (docs/canonical-form.md states it with its sources):
 *
 * - empty fields are dropped (empty `Id`, empty arrays, empty condition blocks);
 * - every array is deduplicated and sorted (by UTF-16 code units, locale-independent);
 *   condition operators and keys are sorted; principal types are sorted;
 * - `Sid`s are dropped: a Sid labels a statement and grants nothing, so renaming or removing
 *   one never changes what a document allows;
 * - statements that differ only in their `Action` list, or only in their `Resource` list, are
 *   merged: IAM reads a statement as every (action, resource) pair it names, so splitting a
 *   statement into two, or joining two, keeps the meaning. Within one group of statements with
 *   the same effect, principal and condition, each action is paired with the set of resources
 *   it is allowed (or denied) on, and the actions with the same set form one statement, which
 *   makes the form unique. Statements with `NotAction` or `NotResource` are kept as they are
 *   (their union is not their join);
 * - statements are deduplicated and sorted by their canonical JSON.
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

/** Marks "no Resource element" among resource sets (trust policies have none). */
const NO_RESOURCE = "\u0000none";

/**
 * Merges statements that differ only in their Action or Resource lists (see the module
 * comment). Statements with NotAction or NotResource, or without Action, pass through.
 */
function mergeStatements(statements: readonly Statement[]): Statement[] {
  const groups = new Map<string, { base: Statement; pairs: Map<string, Set<string>> }>();
  const kept: Statement[] = [];
  for (const statement of statements) {
    if (statement.Action === undefined || statement.NotResource !== undefined) {
      kept.push(statement);
      continue;
    }
    const base: Statement = { ...statement };
    delete base.Action;
    delete base.Resource;
    // A statement without Resource (a trust policy's) never merges with one that has a
    // Resource: folding it in would give it that statement's resources.
    const key = `${stringify(base, 0)}${statement.Resource === undefined ? NO_RESOURCE : ""}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { base, pairs: new Map() };
      groups.set(key, group);
    }
    const resources = statement.Resource ?? [NO_RESOURCE];
    for (const action of statement.Action) {
      const set = group.pairs.get(action) ?? new Set<string>();
      resources.forEach((r) => set.add(r));
      group.pairs.set(action, set);
    }
  }
  for (const { base, pairs } of groups.values()) {
    const byResources = new Map<string, { resources: string[]; actions: string[] }>();
    for (const [action, set] of pairs) {
      const resources = sortedUnique([...set]);
      const key = resources.join("\u0000");
      const entry = byResources.get(key) ?? { resources, actions: [] };
      entry.actions.push(action);
      byResources.set(key, entry);
    }
    for (const { resources, actions } of byResources.values()) {
      const merged: Statement = { ...base, Action: sortedUnique(actions) };
      if (!(resources.length === 1 && resources[0] === NO_RESOURCE)) {
        merged.Resource = resources.filter((r) => r !== NO_RESOURCE);
      }
      kept.push(merged);
    }
  }
  return kept;
}

/**
 * Returns the canonical form of `doc` (see the module comment). The input is not modified.
 * Canonicalization is idempotent, insensitive to statement and array order, to Sids, and to
 * how actions and resources are split across statements.
 */
export function canonicalizeDocument(doc: PolicyDocument): PolicyDocument {
  const merged = mergeStatements(doc.Statement.map(canonicalStatement));
  const keyed = merged.map((statement) => ({ statement, key: stringify(statement, 0) }));
  keyed.sort((a, b) => compareStrings(a.key, b.key));
  const statements: Statement[] = [];
  let previous: string | undefined;
  for (const item of keyed) {
    if (item.key !== previous) {
      statements.push(item.statement);
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

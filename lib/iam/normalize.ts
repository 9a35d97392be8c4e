/**
 * Reading a policy document as AWS accepts it and turning it into the normalized shape of
 * `./types`: every string-or-array field becomes an array, a single `Statement` object becomes a
 * one-element array, condition values (string, boolean or number) become string arrays.
 *
 * Normalization keeps meaning and spelling: `Principal: "*"` stays apart from
 * `{ "AWS": "*" }`, an account id stays an account id (it is not rewritten to a root ARN),
 * array order and duplicates are kept. Use `canonicalizeDocument` to compare by value.
 *
 * Bad input is reported as `DocumentProblem`s, never thrown.
 */
import type {
  ConditionBlock,
  DocumentProblem,
  PolicyDocument,
  Principal,
  PrincipalMap,
  Statement,
} from "./types";
import { STATEMENT_KEYS } from "./types";

/** Result of {@link normalizeDocument}. */
export type NormalizeResult =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly problems: DocumentProblem[] };

/** Policy language versions AWS accepts. A document without `Version` is read as 2008-10-17. */
export const KNOWN_POLICY_VERSIONS: readonly string[] = ["2012-10-17", "2008-10-17"];

/** The version AWS assumes when a document has no `Version` element. */
export const DEFAULT_POLICY_VERSION = "2008-10-17";

const DOCUMENT_FIELDS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_FIELDS = new Set<string>(STATEMENT_KEYS);
const PRINCIPAL_TYPES: readonly (keyof PrincipalMap)[] = [
  "AWS",
  "Service",
  "Federated",
  "CanonicalUser",
];

type Problems = DocumentProblem[];

function problem(problems: Problems, code: string, path: string, message: string): void {
  problems.push({ code, path, message });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

/**
 * Reads a policy document given as JSON text (a string) or as an already parsed object and
 * returns it in normalized form, or every problem found (paths like `Statement[0].Principal`).
 * (`input: unknown` is `string | unknown`: any string is read as JSON text.)
 */
export function normalizeDocument(input: unknown): NormalizeResult {
  const problems: Problems = [];
  let raw: unknown = input;
  if (typeof input === "string") {
    try {
      raw = JSON.parse(input) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problem(problems, "Document::InvalidJson", "", `The policy is not valid JSON: ${reason}.`);
      return { ok: false, problems };
    }
  }
  if (!isPlainObject(raw)) {
    problem(
      problems,
      "Document::NotObject",
      "",
      `A policy document must be a JSON object; got ${describe(raw)}.`,
    );
    return { ok: false, problems };
  }
  for (const key of Object.keys(raw)) {
    if (!DOCUMENT_FIELDS.has(key)) {
      problem(
        problems,
        "Document::UnknownField",
        key,
        `Unknown top-level element "${key}"; allowed: Version, Id, Statement.`,
      );
    }
  }
  const version = readVersion(raw["Version"], problems);
  const id = raw["Id"];
  if (id !== undefined && typeof id !== "string") {
    problem(problems, "Document::BadId", "Id", `Id must be a string; got ${describe(id)}.`);
  }
  const statements = readStatements(raw["Statement"], problems);
  if (problems.length > 0 || statements === undefined) {
    return { ok: false, problems };
  }
  const document: PolicyDocument = { Version: version, Statement: statements };
  if (typeof id === "string") {
    document.Id = id;
  }
  return { ok: true, document };
}

function readVersion(value: unknown, problems: Problems): string {
  if (value === undefined) {
    return DEFAULT_POLICY_VERSION;
  }
  if (typeof value !== "string" || !KNOWN_POLICY_VERSIONS.includes(value)) {
    problem(
      problems,
      "Document::BadVersion",
      "Version",
      `Version must be one of ${KNOWN_POLICY_VERSIONS.join(", ")}; got ${describe(value)}.`,
    );
  }
  return typeof value === "string" ? value : DEFAULT_POLICY_VERSION;
}

function readStatements(value: unknown, problems: Problems): Statement[] | undefined {
  if (value === undefined) {
    problem(problems, "Document::NoStatement", "Statement", "The document has no Statement.");
    return undefined;
  }
  const single = isPlainObject(value);
  if (!single && !Array.isArray(value)) {
    problem(
      problems,
      "Document::BadStatement",
      "Statement",
      `Statement must be an object or an array of objects; got ${describe(value)}.`,
    );
    return undefined;
  }
  const items: unknown[] = single ? [value] : (value as unknown[]);
  const statements: Statement[] = [];
  items.forEach((item, index) => {
    const statement = readStatement(item, `Statement[${index}]`, problems);
    if (statement !== undefined) {
      statements.push(statement);
    }
  });
  return statements;
}

function readStatement(value: unknown, path: string, problems: Problems): Statement | undefined {
  if (!isPlainObject(value)) {
    problem(
      problems,
      "Statement::NotObject",
      path,
      `Each statement must be an object; got ${describe(value)}.`,
    );
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!STATEMENT_FIELDS.has(key)) {
      problem(
        problems,
        "Statement::UnknownField",
        `${path}.${key}`,
        `Unknown statement element "${key}"; allowed: ${[...STATEMENT_FIELDS].join(", ")}.`,
      );
    }
  }
  const effect = value["Effect"];
  if (effect !== "Allow" && effect !== "Deny") {
    problem(
      problems,
      "Statement::BadEffect",
      `${path}.Effect`,
      `Effect must be "Allow" or "Deny" (exact case); got ${describe(effect)}.`,
    );
  }
  const statement: Statement = { Effect: effect === "Deny" ? "Deny" : "Allow" };
  const sid = value["Sid"];
  if (sid !== undefined) {
    if (typeof sid === "string") {
      statement.Sid = sid;
    } else {
      problem(
        problems,
        "Statement::BadSid",
        `${path}.Sid`,
        `Sid must be a string; got ${describe(sid)}.`,
      );
    }
  }
  readExclusive(value, path, "Principal", "NotPrincipal", false, problems, (key, raw) => {
    const principal = readPrincipal(raw, `${path}.${key}`, problems);
    if (principal !== undefined) {
      statement[key as "Principal" | "NotPrincipal"] = principal;
    }
  });
  readExclusive(value, path, "Action", "NotAction", true, problems, (key, raw) => {
    const list = readStringList(raw, `${path}.${key}`, problems);
    if (list !== undefined && list.length === 0) {
      problem(problems, "Statement::EmptyAction", `${path}.${key}`, `${key} must not be empty.`);
    } else if (list !== undefined) {
      statement[key as "Action" | "NotAction"] = list;
    }
  });
  readExclusive(value, path, "Resource", "NotResource", false, problems, (key, raw) => {
    const list = readStringList(raw, `${path}.${key}`, problems);
    if (list !== undefined) {
      statement[key as "Resource" | "NotResource"] = list;
    }
  });
  if (value["Condition"] !== undefined) {
    const condition = readCondition(value["Condition"], `${path}.Condition`, problems);
    if (condition !== undefined) {
      statement.Condition = condition;
    }
  }
  return statement;
}

function readExclusive(
  value: Record<string, unknown>,
  path: string,
  positive: string,
  negative: string,
  required: boolean,
  problems: Problems,
  read: (key: string, raw: unknown) => void,
): void {
  const hasPositive = value[positive] !== undefined;
  const hasNegative = value[negative] !== undefined;
  if (hasPositive && hasNegative) {
    problem(
      problems,
      `Statement::Both${positive}And${negative}`,
      path,
      `A statement may have ${positive} or ${negative}, not both.`,
    );
    return;
  }
  if (!hasPositive && !hasNegative) {
    if (required) {
      problem(
        problems,
        `Statement::No${positive}`,
        path,
        `A statement needs ${positive} or ${negative}.`,
      );
    }
    return;
  }
  const key = hasPositive ? positive : negative;
  read(key, value[key]);
}

function readStringList(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (typeof value === "string") {
    return [value];
  }
  if (!Array.isArray(value)) {
    problem(
      problems,
      "Value::NotStringOrArray",
      path,
      `Expected a string or an array of strings; got ${describe(value)}.`,
    );
    return undefined;
  }
  const list: string[] = [];
  let bad = false;
  value.forEach((item, index) => {
    if (typeof item === "string") {
      list.push(item);
    } else {
      bad = true;
      problem(
        problems,
        "Value::NotString",
        `${path}[${index}]`,
        `Expected a string; got ${describe(item)}.`,
      );
    }
  });
  return bad ? undefined : list;
}

function readPrincipal(value: unknown, path: string, problems: Problems): Principal | undefined {
  if (value === "*") {
    return "*";
  }
  if (!isPlainObject(value)) {
    problem(
      problems,
      "Principal::BadShape",
      path,
      `A principal must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:role/name"}; ` +
        `got ${describe(value)}.`,
    );
    return undefined;
  }
  const map: PrincipalMap = {};
  for (const key of Object.keys(value)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(key)) {
      problem(
        problems,
        "Principal::UnknownType",
        `${path}.${key}`,
        `Unknown principal type "${key}"; allowed: ${PRINCIPAL_TYPES.join(", ")} (exact case).`,
      );
      continue;
    }
    const list = readStringList(value[key], `${path}.${key}`, problems);
    if (list !== undefined && list.length > 0) {
      map[key as keyof PrincipalMap] = list;
    }
  }
  if (PRINCIPAL_TYPES.every((type) => map[type] === undefined)) {
    if (Object.keys(value).every((key) => (PRINCIPAL_TYPES as readonly string[]).includes(key))) {
      problem(problems, "Principal::Empty", path, "The principal names nobody.");
    }
    return undefined;
  }
  return map;
}

function readCondition(
  value: unknown,
  path: string,
  problems: Problems,
): ConditionBlock | undefined {
  if (!isPlainObject(value)) {
    problem(
      problems,
      "Condition::NotObject",
      path,
      `Condition must be an object of operator → key → values; got ${describe(value)}.`,
    );
    return undefined;
  }
  const block: ConditionBlock = {};
  for (const operator of Object.keys(value)) {
    const keys = value[operator];
    const operatorPath = `${path}.${operator}`;
    if (!isPlainObject(keys)) {
      problem(
        problems,
        "Condition::BadOperatorBlock",
        operatorPath,
        `Condition operator "${operator}" must map keys to values; got ${describe(keys)}.`,
      );
      continue;
    }
    const entries: Record<string, string[]> = {};
    for (const key of Object.keys(keys)) {
      const values = readConditionValues(keys[key], `${operatorPath}.${key}`, problems);
      if (values !== undefined) {
        entries[key] = values;
      }
    }
    if (Object.keys(entries).length > 0) {
      block[operator] = entries;
    }
  }
  return Object.keys(block).length > 0 ? block : undefined;
}

function conditionScalar(value: unknown): string | undefined {
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "boolean") {
    return value ? "true" : "false";
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

function readConditionValues(
  value: unknown,
  path: string,
  problems: Problems,
): string[] | undefined {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    problem(problems, "Condition::EmptyValues", path, "A condition key needs at least one value.");
    return undefined;
  }
  const values: string[] = [];
  let bad = false;
  items.forEach((item, index) => {
    const scalar = conditionScalar(item);
    if (scalar === undefined) {
      bad = true;
      problem(
        problems,
        "Condition::BadValue",
        Array.isArray(value) ? `${path}[${index}]` : path,
        `Condition values must be strings, booleans or numbers; got ${describe(item)}.`,
      );
    } else {
      values.push(scalar);
    }
  });
  return bad ? undefined : values;
}

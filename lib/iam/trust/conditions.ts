/**
 * Turning a statement's `Condition` block into a {@link Formula} over one caller attribute.
 *
 * Each caller kind describes, per context key, what it knows (a {@link KeyModel}): the key is
 * always absent, unknown (may be absent or carry any value the caller likes), or a *variable*
 * whose value the solver reasons about (e.g. `aws:PrincipalArn` for IAM callers). Entries over
 * unknown keys, and operators this module does not understand, evaluate to "unknown".
 *
 * The caller asks for an over-approximation (an `Allow`: unknown counts as true, so the set of
 * admitted callers can only grow) or an under-approximation (a `Deny`: unknown counts as false,
 * so a Deny only removes callers it certainly applies to). Negated operators flip the
 * approximation of the match inside them.
 *
 * Operator names are matched exactly as AWS spells them (`StringEquals`, `ForAnyValue:`,
 * `...IfExists`); any other spelling is not understood. Context key names are case-insensitive.
 * Sources: "IAM JSON policy elements: Condition", "IAM JSON policy elements: Condition
 * operators" and "Single-valued vs. multivalued context keys" in the AWS IAM User Guide.
 */
import type { ConditionBlock } from "../types";
import { FALSE, TRUE, and, not, or, type Formula } from "./glob-solver";

/** Whether a formula over-approximates (Allow) or under-approximates (Deny) the true set. */
export type Approximation = "over" | "under";

/** What this module understands of a condition operator. */
export interface OperatorInfo {
  /** `string`: String* operators; `arn`: Arn* operators; `null`: the Null operator. */
  readonly family: "string" | "arn" | "null";
  /** `StringNotEquals`, `ArnNotLike`, ... */
  readonly negated: boolean;
  /** Whether `*` and `?` in values are wildcards (StringLike, Arn*). */
  readonly wildcards: boolean;
  /** `StringEqualsIgnoreCase` and its negation. */
  readonly ignoreCase: boolean;
  /** The `...IfExists` suffix. */
  readonly ifExists: boolean;
  /** A `ForAnyValue:` or `ForAllValues:` prefix. */
  readonly qualifier: "ForAnyValue" | "ForAllValues" | undefined;
}

interface BaseInfo {
  readonly family: "string" | "arn";
  readonly negated: boolean;
  readonly wildcards: boolean;
  readonly ignoreCase: boolean;
}

const BASE_OPERATORS: ReadonlyMap<string, BaseInfo> = new Map<string, BaseInfo>([
  ["StringEquals", { family: "string", negated: false, wildcards: false, ignoreCase: false }],
  ["StringNotEquals", { family: "string", negated: true, wildcards: false, ignoreCase: false }],
  [
    "StringEqualsIgnoreCase",
    { family: "string", negated: false, wildcards: false, ignoreCase: true },
  ],
  [
    "StringNotEqualsIgnoreCase",
    { family: "string", negated: true, wildcards: false, ignoreCase: true },
  ],
  ["StringLike", { family: "string", negated: false, wildcards: true, ignoreCase: false }],
  ["StringNotLike", { family: "string", negated: true, wildcards: true, ignoreCase: false }],
  ["ArnEquals", { family: "arn", negated: false, wildcards: true, ignoreCase: false }],
  ["ArnLike", { family: "arn", negated: false, wildcards: true, ignoreCase: false }],
  ["ArnNotEquals", { family: "arn", negated: true, wildcards: true, ignoreCase: false }],
  ["ArnNotLike", { family: "arn", negated: true, wildcards: true, ignoreCase: false }],
]);

/**
 * Parses an operator name such as `ForAnyValue:StringLikeIfExists`. Returns `undefined` for
 * operators this analysis does not understand (numeric, date, IP, boolean, binary operators,
 * misspellings, `NullIfExists`).
 */
export function parseOperator(name: string): OperatorInfo | undefined {
  let rest = name;
  let qualifier: OperatorInfo["qualifier"];
  if (rest.startsWith("ForAnyValue:")) {
    qualifier = "ForAnyValue";
    rest = rest.slice("ForAnyValue:".length);
  } else if (rest.startsWith("ForAllValues:")) {
    qualifier = "ForAllValues";
    rest = rest.slice("ForAllValues:".length);
  }
  if (rest === "Null") {
    return qualifier === undefined
      ? {
          family: "null",
          negated: false,
          wildcards: false,
          ignoreCase: false,
          ifExists: false,
          qualifier,
        }
      : undefined;
  }
  const ifExists = rest.endsWith("IfExists");
  const base = BASE_OPERATORS.get(ifExists ? rest.slice(0, -"IfExists".length) : rest);
  return base === undefined ? undefined : { ...base, ifExists, qualifier };
}

/** One `operator → key → values` entry of a condition block. */
export interface ConditionEntry {
  /** The operator as written. */
  readonly operator: string;
  /** The context key as written. */
  readonly key: string;
  /** The context key lowercased (keys are case-insensitive). */
  readonly keyLower: string;
  readonly values: readonly string[];
  /** `undefined` when the operator is not understood. */
  readonly info: OperatorInfo | undefined;
}

/** Flattens a condition block into entries (all of which must hold). */
export function conditionEntries(block: ConditionBlock | undefined): ConditionEntry[] {
  const entries: ConditionEntry[] = [];
  if (block === undefined) {
    return entries;
  }
  for (const operator of Object.keys(block)) {
    const keys = block[operator] ?? {};
    const info = parseOperator(operator);
    for (const key of Object.keys(keys)) {
      entries.push({
        operator,
        key,
        keyLower: key.toLowerCase(),
        values: keys[key] ?? [],
        info,
      });
    }
  }
  return entries;
}

/** What a caller kind knows about one context key. */
export type KeyModel =
  | { readonly kind: "unknown" }
  | { readonly kind: "absent" }
  | {
      readonly kind: "variable";
      /** Operator families that compare this key meaningfully; others are not understood. */
      readonly families: readonly ("string" | "arn")[];
      /** True exactly when the key is absent from the request (FALSE if always present). */
      readonly absent: Formula;
      /** True exactly when the key is present (with any value). */
      readonly present: Formula;
      /**
       * The values a single condition value admits: matched under `op` (ignoring negation), as
       * an over- or under-approximation. Must be false when the key is absent.
       */
      readonly match: (value: string, op: OperatorInfo, approx: Approximation) => Formula;
    };

/** Key models of one caller kind, by lowercased key. */
export type KeyModels = (keyLower: string) => KeyModel;

/** A formula, or "unknown" when the entry cannot be evaluated for this caller kind. */
export type EntryFormula = Formula | "unknown";

function flip(approx: Approximation): Approximation {
  return approx === "over" ? "under" : "over";
}

/**
 * The requests (as a formula over the caller's variable) for which the entry holds, or
 * "unknown". `policyVariables` says whether `${...}` in values is substituted (Version
 * 2012-10-17); such values are treated as "any value" (over) or "no value" (under).
 */
export function entryFormula(
  entry: ConditionEntry,
  models: KeyModels,
  approx: Approximation,
  policyVariables: boolean,
): EntryFormula {
  const op = entry.info;
  if (op === undefined) {
    return "unknown";
  }
  const model = models(entry.keyLower);
  if (model.kind === "unknown") {
    return "unknown";
  }
  if (op.family === "null") {
    return nullFormula(entry.values, model);
  }
  if (op.qualifier === "ForAllValues") {
    return "unknown"; // vacuously true without a value; not used to narrow or to deny
  }
  if (model.kind === "absent") {
    if (op.qualifier === "ForAnyValue") {
      return op.negated ? "unknown" : FALSE;
    }
    return op.ifExists || op.negated ? TRUE : FALSE;
  }
  if (!model.families.includes(op.family)) {
    return "unknown";
  }
  if (op.qualifier === "ForAnyValue" && op.negated) {
    return "unknown";
  }
  const matchAny = (inner: Approximation): Formula =>
    or(
      ...entry.values.map((value) => {
        if (policyVariables && value.includes("${")) {
          return inner === "over" ? model.present : FALSE;
        }
        return model.match(value, op, inner);
      }),
    );
  if (!op.negated) {
    const match = matchAny(approx);
    return op.ifExists ? or(model.absent, match) : match;
  }
  const mismatch = not(matchAny(flip(approx)));
  return op.ifExists ? or(model.absent, mismatch) : mismatch;
}

function nullFormula(values: readonly string[], model: KeyModel): EntryFormula {
  const parts: Formula[] = [];
  for (const value of values) {
    const wantsAbsent = value.toLowerCase() === "true";
    if (!wantsAbsent && value.toLowerCase() !== "false") {
      return "unknown";
    }
    if (model.kind === "absent") {
      parts.push(wantsAbsent ? TRUE : FALSE);
    } else if (model.kind === "variable") {
      parts.push(wantsAbsent ? model.absent : model.present);
    } else {
      return "unknown";
    }
  }
  return or(...parts);
}

/** A statement's condition as one formula, with the entries that could not be evaluated. */
export interface ConditionFormula {
  readonly formula: Formula;
  readonly unknown: readonly ConditionEntry[];
}

/**
 * The conjunction of all entries. Unknown entries count as true for an over-approximation
 * (Allow) and as false for an under-approximation (Deny).
 */
export function conditionFormula(
  entries: readonly ConditionEntry[],
  models: KeyModels,
  approx: Approximation,
  policyVariables: boolean,
): ConditionFormula {
  const parts: Formula[] = [];
  const unknown: ConditionEntry[] = [];
  for (const entry of entries) {
    const f = entryFormula(entry, models, approx, policyVariables);
    if (f === "unknown") {
      unknown.push(entry);
      parts.push(approx === "over" ? TRUE : FALSE);
    } else {
      parts.push(f);
    }
  }
  return { formula: and(...parts), unknown };
}

/**
 * Whether an entry narrows `keyLower` positively: an understood, non-negated String/Arn operator
 * without `ForAllValues:` (plain or `ForAnyValue:`), and without `IfExists` unless
 * `keyAlwaysPresent`, so that a request passes only with a value matching one of its values.
 */
export function isPositiveNarrowing(
  entry: ConditionEntry,
  keyLower: string,
  keyAlwaysPresent: boolean,
): boolean {
  const op = entry.info;
  return (
    entry.keyLower === keyLower &&
    op !== undefined &&
    op.family !== "null" &&
    !op.negated &&
    (keyAlwaysPresent || !op.ifExists) &&
    op.qualifier !== "ForAllValues"
  );
}

/**
 * Judging one request against one policy document when part of the request context is not
 * known: the attacker chooses it (their source IP, the headers they send, the tags on their
 * session), or the document conditions on a key nobody models. Each statement is then known to
 * apply, known not to apply, or may apply; the judgment keeps the three apart, so a claim is
 * proved only from what is certain:
 *
 * - "this caller is refused by an explicit Deny" needs a Deny that applies whatever the
 *   unknown keys are (`deny: "yes"`): a Deny conditioned on something the caller chooses does
 *   not count;
 * - "this caller is not allowed" needs no Allow that may apply (`allow: "no"`), or a certain
 *   Deny: an Allow conditioned on something the caller chooses counts as allowing.
 *
 * `evaluatePolicy` (./evaluate.ts) answers for a fully known request, where an absent key is
 * absent; here a key is known only when the request lists it in `context` (with its values) or
 * in `absent`. Condition semantics are the same (AWS IAM User Guide, "IAM JSON policy elements:
 * Condition operators"); an operator neither function knows makes its statement "maybe".
 */
import { actionMatches, arnLike, wildcardMatch } from "./matching";
import type { ConditionBlock, PolicyDocument, Principal, Statement } from "./types";

/** Who makes a request, for policies that name principals. */
export type RequestPrincipal =
  | { readonly kind: "aws"; readonly arn: string; readonly accountId: string }
  | { readonly kind: "service"; readonly service: string }
  /** A web identity or SAML session of the identity provider `provider` (its ARN). */
  | { readonly kind: "federated"; readonly provider: string };

/** Three-valued truth. */
export type Tri = "yes" | "no" | "maybe";

/** A request whose context is known only for the keys it names. */
export interface PartialRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  /** Keys known to be present, with their values (compared case-insensitively by key). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Keys known to be absent from the request. Every other key is unknown. */
  readonly absent?: readonly string[];
  /** When true, every key not in `context` is known to be absent (a fully known request). */
  readonly closed?: boolean;
}

/** How a document treats a request. */
export interface Judgment {
  /** Whether some Allow statement applies. */
  readonly allow: Tri;
  /** Whether some Deny statement applies. */
  readonly deny: Tri;
  /** Sids (or `Statement[i]`) of the statements that certainly apply. */
  readonly certain: readonly string[];
  /** A condition operator this library does not know, met in a statement that may apply. */
  readonly unsupported?: string;
}

interface Known {
  readonly values: ReadonlyMap<string, readonly string[] | null>;
  readonly closed: boolean;
  /** Records an operator that could not be evaluated. */
  unsupported?: string;
}

/** Judges `request` against `doc` (see the module comment). */
export function judgeRequest(doc: PolicyDocument, request: PartialRequest): Judgment {
  const values = new Map<string, readonly string[] | null>();
  for (const key of request.absent ?? []) values.set(key.toLowerCase(), null);
  for (const [key, value] of Object.entries(request.context ?? {})) {
    values.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  const known: Known = { values, closed: request.closed === true };
  let allow: Tri = "no";
  let deny: Tri = "no";
  const certain: string[] = [];
  doc.Statement.forEach((statement, index) => {
    const applies = statementApplies(statement, request, known);
    if (applies === "no") return;
    if (applies === "yes") certain.push(statement.Sid ?? `Statement[${index}]`);
    if (statement.Effect === "Deny") deny = or(deny, applies);
    else allow = or(allow, applies);
  });
  return {
    allow,
    deny,
    certain,
    ...(known.unsupported !== undefined ? { unsupported: known.unsupported } : {}),
  };
}

function or(a: Tri, b: Tri): Tri {
  if (a === "yes" || b === "yes") return "yes";
  return a === "maybe" || b === "maybe" ? "maybe" : "no";
}

function and(a: Tri, b: Tri): Tri {
  if (a === "no" || b === "no") return "no";
  return a === "maybe" || b === "maybe" ? "maybe" : "yes";
}

function not(a: Tri): Tri {
  return a === "yes" ? "no" : a === "no" ? "yes" : "maybe";
}

function fromBoolean(value: boolean): Tri {
  return value ? "yes" : "no";
}

function statementApplies(statement: Statement, request: PartialRequest, known: Known): Tri {
  const actionHit = statement.Action
    ? statement.Action.some((p) => actionMatches(p, request.action))
    : !(statement.NotAction ?? []).some((p) => actionMatches(p, request.action));
  if (!actionHit) return "no";
  const resourceHit = statement.Resource
    ? statement.Resource.some((p) => p === "*" || wildcardMatch(p, request.resource))
    : statement.NotResource
      ? !statement.NotResource.some((p) => p === "*" || wildcardMatch(p, request.resource))
      : true;
  if (!resourceHit) return "no";
  if (statement.Principal !== undefined && !principalMatches(statement.Principal, request)) {
    return "no";
  }
  if (statement.NotPrincipal !== undefined && principalMatches(statement.NotPrincipal, request)) {
    return "no";
  }
  return conditionsHold(statement.Condition, known);
}

function principalMatches(principal: Principal, request: PartialRequest): boolean {
  if (principal === "*") return true;
  const who = request.principal;
  if (who === undefined) return false;
  if (who.kind === "service") return (principal.Service ?? []).includes(who.service);
  if (who.kind === "federated") {
    return (principal.Federated ?? []).some((p) => p === "*" || p === who.provider);
  }
  const partition = who.arn.split(":")[1] ?? "aws";
  return (principal.AWS ?? []).some(
    (p) =>
      p === "*" ||
      p === who.arn ||
      p === who.accountId ||
      p === `arn:${partition}:iam::${who.accountId}:root`,
  );
}

function conditionsHold(block: ConditionBlock | undefined, known: Known): Tri {
  let result: Tri = "yes";
  for (const [operator, entries] of Object.entries(block ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const lower = key.toLowerCase();
      const value = known.values.has(lower)
        ? known.values.get(lower)
        : known.closed
          ? null
          : undefined;
      const outcome = condition(operator, value, expected);
      if (outcome === undefined) {
        known.unsupported ??= operator;
        result = and(result, "maybe");
      } else {
        result = and(result, outcome);
      }
      if (result === "no") return "no";
    }
  }
  return result;
}

const MATCHERS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringEqualsIgnoreCase: (e, a) => e.toLowerCase() === a.toLowerCase(),
  StringLike: (e, a) => wildcardMatch(e, a),
  ArnEquals: (e, a) => arnLike(e, a),
  ArnLike: (e, a) => arnLike(e, a),
  Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
};

const NEGATIONS: Record<string, string> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

/**
 * One condition entry. `actual` is the key's values when known, `null` when the key is known to
 * be absent, `undefined` when unknown. Returns `undefined` for an operator this library does not
 * know.
 */
function condition(
  rawOperator: string,
  actual: readonly string[] | null | undefined,
  expected: readonly string[],
): Tri | undefined {
  let operator = rawOperator;
  let setOp: "any" | "all" | undefined;
  if (operator.startsWith("ForAnyValue:")) [setOp, operator] = ["any", operator.slice(12)];
  else if (operator.startsWith("ForAllValues:")) [setOp, operator] = ["all", operator.slice(13)];
  const ifExists = operator.endsWith("IfExists");
  if (ifExists) operator = operator.slice(0, -8);
  const negatedBase = NEGATIONS[operator];
  const base = MATCHERS[negatedBase ?? operator];
  if (operator !== "Null" && !base) return undefined;
  if (actual === undefined) return "maybe";

  if (operator === "Null") {
    const wantsAbsent = expected.some((e) => e.toLowerCase() === "true");
    return fromBoolean(wantsAbsent === (actual === null));
  }
  if (!base) return undefined;
  const matchOne = (value: string) => expected.some((e) => base(e, value));

  if (actual === null || actual.length === 0) {
    if (ifExists || setOp === "all") return "yes";
    return fromBoolean(negatedBase !== undefined);
  }
  if (setOp === "all") {
    return fromBoolean(actual.every((v) => (negatedBase ? !matchOne(v) : matchOne(v))));
  }
  const anyMatch = actual.some((v) => matchOne(v));
  if (setOp === "any") {
    return fromBoolean(negatedBase ? actual.some((v) => !matchOne(v)) : anyMatch);
  }
  return negatedBase ? not(fromBoolean(anyMatch)) : fromBoolean(anyMatch);
}

/**
 * Over the documents that together decide a request (identity policies, a resource policy):
 * whether an Allow may apply and no Deny certainly applies, whatever the unknown keys are.
 */
export function mayBeAllowed(docs: readonly PolicyDocument[], request: PartialRequest): boolean {
  const judged = docs.map((doc) => judgeRequest(doc, request));
  return !judged.some((j) => j.deny === "yes") && judged.some((j) => j.allow !== "no");
}

/** Over the documents: whether an Allow certainly applies and no Deny may apply. */
export function surelyAllowed(docs: readonly PolicyDocument[], request: PartialRequest): boolean {
  const judged = docs.map((doc) => judgeRequest(doc, request));
  return !judged.some((j) => j.deny !== "no") && judged.some((j) => j.allow === "yes");
}

/** Over the documents: whether a Deny certainly applies, whatever the unknown keys are. */
export function certainlyDenied(docs: readonly PolicyDocument[], request: PartialRequest): boolean {
  return docs.some((doc) => judgeRequest(doc, request).deny === "yes");
}

/**
 * A request of the IAM role or user `arn` of account `accountId`, with the principal's own
 * context keys (which a caller cannot choose) and `context` besides; every other key unknown.
 */
export function principalRequest(
  arn: string,
  accountId: string,
  action: string,
  resource: string,
  context: Readonly<Record<string, string>> = {},
): PartialRequest {
  return {
    action,
    resource,
    principal: { kind: "aws", arn, accountId },
    context: { "aws:PrincipalArn": arn, "aws:PrincipalAccount": accountId, ...context },
  };
}

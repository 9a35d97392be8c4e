import { actionMatches, arnLike, wildcardMatch } from "./matching";
import type { ConditionBlock, PolicyDocument, Principal, Statement } from "./types";

/**
 * Evaluates one request against one policy document (an identity policy, a bucket policy, a key
 * policy) the way IAM does within a single policy: an explicit Deny wins, then any Allow, else
 * the request is implicitly denied. It answers "what does this document say about this
 * request", which is how tf-bootstrap checks its own documents' security properties; it does
 * not combine several policies or evaluate trust (see `analyzeTrust` for that).
 *
 * Source: "Policy evaluation logic" and "IAM JSON policy elements: Condition operators",
 * AWS IAM User Guide.
 */

/** Who makes a request, for policies that name principals. */
export type RequestPrincipal =
  | { readonly kind: "aws"; readonly arn: string; readonly accountId: string }
  | { readonly kind: "service"; readonly service: string };

/** A request to evaluate. Context keys are compared case-insensitively. */
export interface EvaluationRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  /** Request context: `aws:SecureTransport`, `aws:PrincipalArn`, `kms:ViaService`, ... */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The outcome, with the statements that decided it. `indeterminate` means a statement that
 * could apply uses a condition operator this evaluator does not know. */
export type Evaluation =
  | { readonly decision: "explicit-deny"; readonly statements: readonly string[] }
  | { readonly decision: "allow"; readonly statements: readonly string[] }
  | { readonly decision: "implicit-deny" }
  | { readonly decision: "indeterminate"; readonly operator: string };

type Outcome = boolean | { unsupported: string };

/** Evaluates `request` against `doc`. */
export function evaluatePolicy(doc: PolicyDocument, request: EvaluationRequest): Evaluation {
  const context = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(request.context ?? {})) {
    context.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  const denies: string[] = [];
  const allows: string[] = [];
  let unsupported: string | undefined;
  doc.Statement.forEach((statement, index) => {
    const outcome = applies(statement, request, context);
    if (typeof outcome === "object") {
      unsupported ??= outcome.unsupported;
      return;
    }
    if (!outcome) return;
    const label = statement.Sid ?? `Statement[${index}]`;
    (statement.Effect === "Deny" ? denies : allows).push(label);
  });
  if (denies.length > 0) return { decision: "explicit-deny", statements: denies };
  if (unsupported !== undefined) return { decision: "indeterminate", operator: unsupported };
  if (allows.length > 0) return { decision: "allow", statements: allows };
  return { decision: "implicit-deny" };
}

function applies(
  statement: Statement,
  request: EvaluationRequest,
  context: ReadonlyMap<string, readonly string[]>,
): Outcome {
  const actionHit = statement.Action
    ? statement.Action.some((p) => actionMatches(p, request.action))
    : !(statement.NotAction ?? []).some((p) => actionMatches(p, request.action));
  if (!actionHit) return false;
  const resourceHit = statement.Resource
    ? statement.Resource.some((p) => resourceMatches(p, request.resource))
    : statement.NotResource
      ? !statement.NotResource.some((p) => resourceMatches(p, request.resource))
      : true;
  if (!resourceHit) return false;
  if (
    statement.Principal !== undefined &&
    !principalMatches(statement.Principal, request.principal)
  ) {
    return false;
  }
  if (
    statement.NotPrincipal !== undefined &&
    principalMatches(statement.NotPrincipal, request.principal)
  ) {
    return false;
  }
  return conditionsHold(statement.Condition, context);
}

function resourceMatches(pattern: string, resource: string): boolean {
  return pattern === "*" || wildcardMatch(pattern, resource);
}

function principalMatches(principal: Principal, who: RequestPrincipal | undefined): boolean {
  if (principal === "*") return true;
  if (!who) return false;
  if (who.kind === "service") return (principal.Service ?? []).includes(who.service);
  return (principal.AWS ?? []).some(
    (p) =>
      p === "*" ||
      p === who.arn ||
      p === who.accountId ||
      p === `arn:${who.arn.split(":")[1] ?? "aws"}:iam::${who.accountId}:root`,
  );
}

function conditionsHold(
  block: ConditionBlock | undefined,
  context: ReadonlyMap<string, readonly string[]>,
): Outcome {
  for (const [operator, entries] of Object.entries(block ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const outcome = condition(operator, context.get(key.toLowerCase()), expected);
      if (outcome !== true) return outcome;
    }
  }
  return true;
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

function condition(
  rawOperator: string,
  actual: readonly string[] | undefined,
  expected: readonly string[],
): Outcome {
  let operator = rawOperator;
  let setOp: "any" | "all" | undefined;
  if (operator.startsWith("ForAnyValue:")) [setOp, operator] = ["any", operator.slice(12)];
  else if (operator.startsWith("ForAllValues:")) [setOp, operator] = ["all", operator.slice(13)];
  const ifExists = operator.endsWith("IfExists");
  if (ifExists) operator = operator.slice(0, -8);

  if (operator === "Null") {
    const wantsAbsent = expected.some((e) => e.toLowerCase() === "true");
    return wantsAbsent === (actual === undefined);
  }
  const negatedBase = NEGATIONS[operator];
  const base = MATCHERS[negatedBase ?? operator];
  if (!base) return { unsupported: rawOperator };
  const matchOne = (value: string) => expected.some((e) => base(e, value));

  if (actual === undefined || actual.length === 0) {
    if (ifExists || setOp === "all") return true;
    // A missing key fails a positive operator and satisfies a negated one.
    return negatedBase !== undefined;
  }
  if (setOp === "all") {
    return actual.every((v) => (negatedBase ? !matchOne(v) : matchOne(v)));
  }
  const anyMatch = actual.some((v) => matchOne(v));
  if (setOp === "any") return negatedBase ? actual.some((v) => !matchOne(v)) : anyMatch;
  return negatedBase ? !anyMatch : anyMatch;
}

/**
 * A deliberately simple evaluator of one *concrete* assume-role request against a trust policy,
 * written straight from the AWS documentation ("Policy evaluation logic", "IAM JSON policy
 * elements: Condition operators"). It is the oracle for the analyzer's soundness property: if
 * it allows a request from a caller outside the allowed set, the analyzer must report a finding.
 *
 * Where AWS's behaviour is uncertain it takes the broadest reading: `{"AWS": "*"}` matches every
 * caller, and service or web identity requests may carry any `aws:Principal*` values the test
 * gives them.
 */
import { actionMatches, arnLike, parseArn, wildcardMatch } from "../../../../lib/iam/matching";
import type { PolicyDocument, Principal, Statement } from "../../../../lib/iam/types";

/** Who makes the request. */
export type Caller =
  | { readonly kind: "aws"; readonly arn: string; readonly session?: string }
  | { readonly kind: "service"; readonly name: string }
  | { readonly kind: "oidc"; readonly provider: string }
  | { readonly kind: "saml"; readonly provider: string };

/** A concrete request: the caller, the action, and every context key (lowercased) present. */
export interface Request {
  readonly caller: Caller;
  readonly action: string;
  readonly context: Readonly<Record<string, string>>;
}

/** The outcome of evaluating a request. */
export type Decision = "allow" | "explicit-deny" | "implicit-deny";

function principalMatches(principal: Principal, caller: Caller): boolean {
  if (principal === "*") {
    return true;
  }
  const aws = principal.AWS ?? [];
  if (aws.includes("*")) {
    return true;
  }
  switch (caller.kind) {
    case "service":
      return (principal.Service ?? []).includes(caller.name);
    case "oidc":
    case "saml":
      return (principal.Federated ?? []).includes(caller.provider);
    case "aws":
      return aws.some((value) => awsValueMatches(value, caller));
  }
}

function awsValueMatches(value: string, caller: Extract<Caller, { kind: "aws" }>): boolean {
  const callerArn = parseArn(caller.arn);
  if (!callerArn.ok) {
    return false;
  }
  if (/^\d{12}$/.test(value)) {
    return callerArn.arn.account === value;
  }
  const parsed = parseArn(value);
  if (!parsed.ok) {
    return false;
  }
  const { partition, service, account, resource } = parsed.arn;
  if (service === "iam" && resource === "root") {
    return callerArn.arn.partition === partition && callerArn.arn.account === account;
  }
  if (service === "sts" && resource.startsWith("assumed-role/")) {
    const [, roleName, session] = resource.split("/");
    return (
      callerArn.arn.partition === partition &&
      callerArn.arn.account === account &&
      callerArn.arn.resource.startsWith("role/") &&
      callerArn.arn.resource.split("/").pop() === roleName &&
      caller.session === session
    );
  }
  return value === caller.arn;
}

function valueMatches(operator: string, pattern: string, actual: string): boolean {
  if (operator.startsWith("Arn")) {
    return arnLike(pattern, actual);
  }
  if (operator.includes("IgnoreCase")) {
    return pattern.toLowerCase() === actual.toLowerCase();
  }
  if (operator.includes("Like")) {
    return wildcardMatch(pattern, actual);
  }
  return pattern === actual;
}

/** Evaluates one condition entry; `undefined` for operators the oracle does not know. */
function entryHolds(
  operator: string,
  values: readonly string[],
  actual: string | undefined,
): boolean | undefined {
  let base = operator;
  let qualifier = "";
  for (const prefix of ["ForAnyValue:", "ForAllValues:"]) {
    if (base.startsWith(prefix)) {
      qualifier = prefix;
      base = base.slice(prefix.length);
    }
  }
  if (base === "Null") {
    return values.some((v) => (v === "true" ? actual === undefined : actual !== undefined));
  }
  if (base === "Bool") {
    return actual !== undefined && values.includes(actual);
  }
  const ifExists = base.endsWith("IfExists");
  if (ifExists) {
    base = base.slice(0, -"IfExists".length);
  }
  const known = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnNotEquals",
    "ArnLike",
    "ArnNotLike",
  ];
  if (!known.includes(base)) {
    return undefined;
  }
  const negated = base.includes("Not");
  const positive = base.replace("Not", "");
  const matchesOne = (v: string): boolean => values.some((p) => valueMatches(positive, p, v));
  const requestValues = actual === undefined ? [] : [actual];
  if (qualifier === "ForAnyValue:") {
    return requestValues.some((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  if (qualifier === "ForAllValues:") {
    return requestValues.every((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  if (actual === undefined) {
    return ifExists || negated;
  }
  return negated ? !matchesOne(actual) : matchesOne(actual);
}

/**
 * Whether the statement's conditions hold. Operators the oracle does not know, and misspelt
 * operators, are resolved by `unknown` (AWS would reject such a policy; the property tries both).
 */
function conditionsHold(statement: Statement, request: Request, unknown: boolean): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(keys)) {
      const holds = entryHolds(operator, values, request.context[key.toLowerCase()]);
      if (!(holds ?? unknown)) {
        return false;
      }
    }
  }
  return true;
}

function statementMatches(statement: Statement, request: Request, unknown: boolean): boolean {
  const action =
    statement.Action !== undefined
      ? statement.Action.some((p) => actionMatches(p, request.action))
      : !(statement.NotAction ?? []).some((p) => actionMatches(p, request.action));
  if (!action) {
    return false;
  }
  if (statement.Resource !== undefined || statement.NotResource !== undefined) {
    return false; // the oracle is only used with policies without Resource
  }
  const principal =
    statement.Principal !== undefined
      ? principalMatches(statement.Principal, request.caller)
      : statement.NotPrincipal !== undefined
        ? !principalMatches(statement.NotPrincipal, request.caller)
        : true;
  return principal && conditionsHold(statement, request, unknown);
}

/**
 * AWS's decision for a request: any matching Deny denies; otherwise any matching Allow allows.
 * `unknownOperators` is how a condition with an unknown operator evaluates (for an Allow, the
 * worst case is `true`; for a Deny, `false`).
 */
export function evaluateRequest(doc: PolicyDocument, request: Request): Decision {
  const denied = doc.Statement.some(
    (s) => s.Effect === "Deny" && statementMatches(s, request, false),
  );
  if (denied) {
    return "explicit-deny";
  }
  const allowed = doc.Statement.some(
    (s) => s.Effect === "Allow" && statementMatches(s, request, true),
  );
  return allowed ? "allow" : "implicit-deny";
}

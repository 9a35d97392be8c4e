/**
 * IAM callers (users, role sessions, account root) that call `sts:AssumeRole`.
 *
 * Such a caller is identified by its `aws:PrincipalArn` — for a role session, the ARN of the
 * role, not of the session — which is always present in a signed request; `aws:PrincipalAccount`
 * is the account component of that ARN. The solver's variable is that ARN. Every other context
 * key (`aws:PrincipalOrgID`, `aws:userid`, `sts:ExternalId`, tags, ...) is unknown: we cannot
 * tell which identities it selects, so it never narrows an Allow nor makes a Deny certain.
 *
 * For each Allow statement and each AWS principal it names, the solver looks for an ARN outside
 * the allowed set that the principal and the conditions admit and no certain Deny removes.
 */
import { arnLike, hasWildcard, parseArn, splitArnComponents, wildcardMatch } from "../matching";
import type {
  ConditionEntry,
  KeyModel,
  KeyModels,
  OperatorInfo,
  Approximation,
} from "./conditions";
import { conditionFormula, isPositiveNarrowing } from "./conditions";
import {
  FALSE,
  TRUE,
  and,
  atom,
  literal,
  not,
  or,
  pattern,
  solve,
  star,
  type Formula,
  type GlobToken,
} from "./glob-solver";
import { describeUnknown, finding, principalRoute, type FindingSink } from "./findings";
import {
  classifyAwsPrincipal,
  coversAction,
  principalValues,
  statementLabel,
  type AwsPrincipal,
  type StatementInfo,
} from "./statements";
import type { AllowedCaller } from "./types";

const ACTION = "sts:AssumeRole";
const PRINCIPAL_ARN = "aws:principalarn";
const PRINCIPAL_ACCOUNT = "aws:principalaccount";

/** Tokens for one ARN component pattern whose wildcards stay inside the component. */
function componentTokens(text: string, wildcards: boolean): GlobToken[] {
  return wildcards ? pattern(text, { exclude: ":" }) : literal(text);
}

/** ARNs of principals in `account` (any partition unless given). */
function accountArns(account: GlobToken[], partition?: string): Formula {
  return atom([
    ...literal("arn:"),
    ...(partition === undefined ? [star(":")] : literal(partition)),
    ...literal(":"),
    star(":"),
    ...literal(":"),
    star(":"),
    ...literal(":"),
    ...account,
    ...literal(":"),
    star(),
  ]);
}

/** ArnLike semantics, exactly: six components, wildcards never cross a colon before the last. */
function arnComponentsAtom(value: string): Formula {
  const parts = splitArnComponents(value);
  if (parts === undefined) {
    return FALSE;
  }
  const tokens: GlobToken[] = [];
  parts.forEach((part, i) => {
    if (i > 0) {
      tokens.push(...literal(":"));
    }
    tokens.push(...(i < 5 ? componentTokens(part, true) : pattern(part)));
  });
  return atom(tokens);
}

function principalArnMatch(value: string, op: OperatorInfo, approx: Approximation): Formula {
  if (op.family === "arn") {
    // Whole-string matching admits a superset of ArnLike's per-component matching.
    return approx === "over" ? atom(pattern(value)) : arnComponentsAtom(value);
  }
  const options = { ignoreCase: op.ignoreCase };
  return atom(op.wildcards ? pattern(value, options) : literal(value, options));
}

function principalAccountMatch(value: string, op: OperatorInfo, approx: Approximation): Formula {
  if (value.includes(":")) {
    return approx === "over" ? TRUE : FALSE;
  }
  const tokens = op.wildcards
    ? pattern(value, { exclude: ":", ignoreCase: op.ignoreCase })
    : literal(value, { ignoreCase: op.ignoreCase });
  return accountArns(tokens);
}

const UNKNOWN: KeyModel = { kind: "unknown" };
const PRINCIPAL_ARN_MODEL: KeyModel = {
  kind: "variable",
  families: ["string", "arn"],
  absent: FALSE,
  present: TRUE,
  match: principalArnMatch,
};
const PRINCIPAL_ACCOUNT_MODEL: KeyModel = {
  kind: "variable",
  families: ["string"],
  absent: FALSE,
  present: TRUE,
  match: principalAccountMatch,
};

/** Key models for IAM callers: the principal ARN and account are known, the rest is not. */
export const AWS_KEY_MODELS: KeyModels = (key) => {
  if (key === PRINCIPAL_ARN) {
    return PRINCIPAL_ARN_MODEL;
  }
  return key === PRINCIPAL_ACCOUNT ? PRINCIPAL_ACCOUNT_MODEL : UNKNOWN;
};

/** The role ARN that a session principal stands for, preferring the allowed role's spelling. */
function sessionRoleArn(
  principal: Extract<AwsPrincipal, { kind: "session" }>,
  allowedArns: readonly string[],
): string {
  for (const arn of allowedArns) {
    const parsed = parseArn(arn);
    if (
      parsed.ok &&
      parsed.arn.service === "iam" &&
      parsed.arn.partition === principal.partition &&
      parsed.arn.account === principal.account &&
      parsed.arn.resource.startsWith("role/") &&
      parsed.arn.resource.split("/").pop() === principal.roleName
    ) {
      return arn; // role names are unique in an account, whatever the path
    }
  }
  return `arn:${principal.partition}:iam::${principal.account}:role/${principal.roleName}`;
}

/** The callers an Allow's AWS principal entry admits (over-approximation). */
function allowedBy(principal: AwsPrincipal, allowedArns: readonly string[]): Formula {
  switch (principal.kind) {
    case "any":
    case "opaque":
      return TRUE;
    case "account":
      return accountArns(literal(principal.account), principal.partition);
    case "arn":
      return atom(literal(principal.raw));
    case "session":
      return atom(literal(sessionRoleArn(principal, allowedArns)));
  }
}

/** The callers a Deny's AWS principal entry certainly covers (under-approximation). */
function deniedBy(principal: AwsPrincipal): Formula {
  switch (principal.kind) {
    case "any":
      return TRUE;
    case "account":
      return accountArns(literal(principal.account), principal.partition);
    case "arn":
      return atom(literal(principal.raw));
    case "session":
    case "opaque":
      return FALSE; // one session of a role, or an unresolvable value: not the whole caller
  }
}

/**
 * The IAM callers a Deny statement certainly covers by its principal element. NotPrincipal is
 * not supported in role trust policies, so a Deny that uses it is never relied on.
 */
function denyPrincipal(info: StatementInfo): Formula {
  const spec = info.principal;
  if (spec.kind !== "principal") {
    return FALSE;
  }
  if (spec.value === "*") {
    return TRUE;
  }
  return or(...principalValues(spec.value, "AWS").map(classifyAwsPrincipal).map(deniedBy));
}

/** For each Deny that covers AssumeRole: "not certainly denied" as a formula. */
function survivesDenies(statements: readonly StatementInfo[]): Formula[] {
  return statements
    .filter((s) => s.statement.Effect === "Deny" && s.coversAnyResource)
    .filter((s) => coversAction(s.statement, ACTION))
    .map((s) => {
      const condition = conditionFormula(s.conditions, AWS_KEY_MODELS, "under", s.policyVariables);
      return not(and(denyPrincipal(s), condition.formula));
    });
}

interface Admission {
  readonly id: string;
  readonly route: string;
  readonly path: string;
  readonly admits: Formula;
  /** Whether the principal admits more than a single named identity. */
  readonly broad: boolean;
}

function admissions(info: StatementInfo, allowedArns: readonly string[]): Admission[] {
  const spec = info.principal;
  if (spec.kind !== "principal" || spec.value === "*") {
    const route = principalRoute(info);
    return [{ id: route.id, route: route.text, path: route.path, admits: TRUE, broad: true }];
  }
  const path = `Statement[${info.index}].Principal`;
  const list: Admission[] = [];
  for (const raw of principalValues(spec.value, "AWS")) {
    const principal = classifyAwsPrincipal(raw);
    const admits = allowedBy(principal, allowedArns);
    switch (principal.kind) {
      case "any":
        list.push({
          id: "Principal::AWS:*",
          route: principalRoute(info).text,
          path,
          admits,
          broad: true,
        });
        break;
      case "account":
        list.push({
          id: `Principal::Account:${principal.account}`,
          route: `Principal AWS ${JSON.stringify(raw)} (every principal in account ${principal.account} whose own identity policy allows it)`,
          path,
          admits,
          broad: true,
        });
        break;
      case "opaque":
        list.push({
          id: `Principal::AWS:${raw}`,
          route: `Principal AWS ${JSON.stringify(raw)}, which ${principal.reason}`,
          path,
          admits,
          broad: true,
        });
        break;
      case "arn":
      case "session":
        list.push({
          id: `Principal::AWS:${raw}`,
          route: `Principal AWS ${JSON.stringify(raw)}`,
          path,
          admits,
          broad: false,
        });
    }
  }
  for (const raw of principalValues(spec.value, "CanonicalUser")) {
    list.push({
      id: `Principal::CanonicalUser:${raw}`,
      route: `Principal CanonicalUser ${JSON.stringify(raw)} (an account-level principal)`,
      path,
      admits: TRUE,
      broad: true,
    });
  }
  return list;
}

/** Why a PrincipalArn condition did not pin the caller, judged on the witness ARN. */
function principalArnCause(
  entries: readonly ConditionEntry[],
  witness: string,
  policyVariables: boolean,
): { id: string; value: string } | undefined {
  for (const entry of entries) {
    if (!isPositiveNarrowing(entry, PRINCIPAL_ARN, true) || entry.info === undefined) {
      continue;
    }
    const op = entry.info;
    for (const value of entry.values) {
      if (policyVariables && value.includes("${")) {
        return { id: "Condition::PrincipalArn:Pattern", value };
      }
      const matches =
        op.family === "arn"
          ? arnLike(value, witness) || wildcardMatch(value, witness)
          : op.wildcards
            ? wildcardMatch(value, witness, { caseInsensitive: op.ignoreCase })
            : op.ignoreCase
              ? value.toLowerCase() === witness.toLowerCase()
              : value === witness;
      if (matches) {
        const isPattern = (op.family === "arn" || op.wildcards) && hasWildcard(value);
        return isPattern
          ? { id: "Condition::PrincipalArn:Pattern", value }
          : { id: `Condition::PrincipalArn:${value}`, value };
      }
    }
  }
  return undefined;
}

function looksLikeArn(value: string): boolean {
  const parsed = parseArn(value);
  return parsed.ok && parsed.arn.partition !== "" && parsed.arn.resource !== "";
}

/** Findings for IAM callers using sts:AssumeRole. */
export function analyzeAwsCallers(
  statements: readonly StatementInfo[],
  allowed: readonly AllowedCaller[],
  sink: FindingSink,
): void {
  const allowedArns = allowed.flatMap((c) => (c.kind === "aws" ? [c.arn] : []));
  const outside = not(or(...allowedArns.map((arn) => atom(literal(arn)))));
  const survives = survivesDenies(statements);
  const allowedText =
    allowedArns.length === 0 ? "none" : allowedArns.map((a) => JSON.stringify(a)).join(", ");
  for (const info of statements) {
    if (info.statement.Effect !== "Allow" || !coversAction(info.statement, ACTION)) {
      continue;
    }
    const condition = conditionFormula(
      info.conditions,
      AWS_KEY_MODELS,
      "over",
      info.policyVariables,
    );
    for (const admission of admissions(info, allowedArns)) {
      const result = solve(and(outside, admission.admits, condition.formula, ...survives));
      if (result.kind === "unsat") {
        continue;
      }
      const witness = result.kind === "sat" ? result.witness : undefined;
      const example =
        witness !== undefined && looksLikeArn(witness) ? ` (for example ${witness})` : "";
      const unknownNote = describeUnknown(condition.unknown);
      const budget =
        result.kind === "unknown" ? " The analysis ran out of budget and assumes the worst." : "";
      const cause =
        admission.broad && witness !== undefined
          ? principalArnCause(info.conditions, witness, info.policyVariables)
          : undefined;
      if (cause !== undefined) {
        sink.add(
          finding(
            cause.id,
            `Statement[${info.index}].Condition`,
            `${statementLabel(info)} lets callers outside the allowed set assume the role with sts:AssumeRole: ` +
              `its aws:PrincipalArn condition value ${JSON.stringify(cause.value)} also matches ` +
              `principals that are not allowed${example}. Allowed callers: ${allowedText}.` +
              `${unknownNote}${budget} Fix: compare aws:PrincipalArn with ArnEquals or StringEquals ` +
              `against exactly the allowed role ARNs, without wildcards.`,
          ),
        );
        continue;
      }
      sink.add(
        finding(
          admission.id,
          admission.path,
          `${statementLabel(info)} lets callers outside the allowed set assume the role with sts:AssumeRole ` +
            `through ${admission.route}${example}. Allowed callers: ${allowedText}.` +
            `${unknownNote}${budget} Fix: name exactly the allowed role ARN in Principal, or keep ` +
            `the account root principal and add an ArnEquals aws:PrincipalArn condition listing ` +
            `exactly the allowed role ARNs.`,
        ),
      );
    }
  }
}

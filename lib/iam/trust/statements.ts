/**
 * The parts of a trust-policy statement the analyzer reads: which assume actions it covers,
 * whom its principal element names, its condition entries, and whether a Deny certainly covers
 * the role whatever its ARN.
 *
 * Sources: "IAM JSON policy elements: Principal", "IAM JSON policy elements: NotPrincipal",
 * "IAM JSON policy elements: Action / NotAction" in the AWS IAM User Guide.
 */
import { anyActionMatches, hasWildcard, parseArn } from "../matching";
import type { PolicyDocument, Principal, PrincipalMap, Statement } from "../types";
import { conditionEntries, type ConditionEntry } from "./conditions";

/** The actions by which a caller obtains the role's credentials. */
export const ASSUME_ACTIONS = [
  "sts:AssumeRole",
  "sts:AssumeRoleWithWebIdentity",
  "sts:AssumeRoleWithSAML",
] as const;

/** One of {@link ASSUME_ACTIONS}. */
export type AssumeAction = (typeof ASSUME_ACTIONS)[number];

/** Whom a statement's principal element names. */
export type PrincipalSpec =
  | { readonly kind: "none" }
  | { readonly kind: "principal"; readonly value: Principal }
  | { readonly kind: "notPrincipal"; readonly value: Principal };

/** A statement prepared for analysis. */
export interface StatementInfo {
  readonly index: number;
  readonly statement: Statement;
  readonly principal: PrincipalSpec;
  readonly conditions: readonly ConditionEntry[];
  /** Whether `${...}` in condition values is a policy variable (Version 2012-10-17). */
  readonly policyVariables: boolean;
  /**
   * Whether the statement applies to this role whatever its ARN: no Resource/NotResource, or a
   * Resource of `*`. (Trust policies normally have neither.) Only a Deny relies on this.
   */
  readonly coversAnyResource: boolean;
}

/** Prepares every statement of a normalized document. */
export function statementInfos(doc: PolicyDocument): StatementInfo[] {
  const policyVariables = doc.Version === "2012-10-17";
  return doc.Statement.map((statement, index) => ({
    index,
    statement,
    principal: principalSpec(statement),
    conditions: conditionEntries(statement.Condition),
    policyVariables,
    coversAnyResource:
      statement.NotResource === undefined &&
      (statement.Resource === undefined || statement.Resource.includes("*")),
  }));
}

function principalSpec(statement: Statement): PrincipalSpec {
  if (statement.Principal !== undefined) {
    return { kind: "principal", value: statement.Principal };
  }
  if (statement.NotPrincipal !== undefined) {
    return { kind: "notPrincipal", value: statement.NotPrincipal };
  }
  return { kind: "none" };
}

/** Whether the statement's Action/NotAction covers `action` (case-insensitive wildcards). */
export function coversAction(statement: Statement, action: AssumeAction): boolean {
  if (statement.Action !== undefined) {
    return anyActionMatches(statement.Action, action);
  }
  if (statement.NotAction !== undefined) {
    return !anyActionMatches(statement.NotAction, action);
  }
  return false;
}

/** The values of one principal type, or none. `"*"` yields nothing here. */
export function principalValues(principal: Principal, type: keyof PrincipalMap): readonly string[] {
  return principal === "*" ? [] : (principal[type] ?? []);
}

/** Whether the principal is `"*"` or lists `{"AWS": "*"}` (AWS documents them as equivalent). */
export function isWildcardPrincipal(principal: Principal): boolean {
  return principal === "*" || principalValues(principal, "AWS").includes("*");
}

/** An entry of a principal's `AWS` list, classified. */
export type AwsPrincipal =
  | { readonly kind: "any"; readonly raw: string }
  | {
      readonly kind: "account";
      readonly raw: string;
      readonly account: string;
      readonly partition?: string;
    }
  | { readonly kind: "arn"; readonly raw: string }
  | {
      readonly kind: "session";
      readonly raw: string;
      readonly partition: string;
      readonly account: string;
      readonly roleName: string;
    }
  | { readonly kind: "opaque"; readonly raw: string; readonly reason: string };

const ACCOUNT_ID = /^\d{12}$/;
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{8,}$/;

/**
 * Classifies an `AWS` principal value: `*`, an account (12-digit id, or the `:root` ARN), an
 * assumed-role session ARN (which stands for its role), another ARN (a role, user or federated
 * user, matched exactly), or something this analysis cannot resolve (wildcards, unique ids of
 * deleted principals, malformed values).
 */
export function classifyAwsPrincipal(raw: string): AwsPrincipal {
  if (raw === "*") {
    return { kind: "any", raw };
  }
  if (ACCOUNT_ID.test(raw)) {
    return { kind: "account", raw, account: raw };
  }
  const parsed = parseArn(raw);
  if (!parsed.ok) {
    const reason = UNIQUE_ID.test(raw)
      ? "looks like the unique id of a deleted IAM principal"
      : "is neither an account id nor an ARN";
    return { kind: "opaque", raw, reason };
  }
  if (hasWildcard(raw)) {
    return { kind: "opaque", raw, reason: "contains a wildcard, which IAM does not support here" };
  }
  const { partition, service, account, resource } = parsed.arn;
  if (service === "iam" && resource === "root" && ACCOUNT_ID.test(account)) {
    return { kind: "account", raw, account, partition };
  }
  if (service === "sts" && resource.startsWith("assumed-role/")) {
    const [, roleName, session] = resource.split("/");
    if (roleName !== undefined && roleName !== "" && session !== undefined) {
      return { kind: "session", raw, partition, account, roleName };
    }
  }
  return { kind: "arn", raw };
}

/** Whether a `Federated` principal names a SAML provider (used with AssumeRoleWithSAML). */
export function isSamlProvider(value: string): boolean {
  return value.includes(":saml-provider/");
}

/**
 * The prefix of an OIDC provider's condition keys: the part of the provider ARN after
 * `oidc-provider/` (e.g. `token.actions.githubusercontent.com`), or the value itself for the
 * built-in web identity providers (`accounts.google.com`, `cognito-identity.amazonaws.com`).
 * Lowercased, since context keys are case-insensitive.
 */
export function oidcKeyPrefix(provider: string): string {
  const marker = ":oidc-provider/";
  const at = provider.indexOf(marker);
  return (at >= 0 ? provider.slice(at + marker.length) : provider).toLowerCase();
}

/** `Statement[2]` or `Statement[2] (Sid "Ci")`, for messages. */
export function statementLabel(info: StatementInfo): string {
  const sid = info.statement.Sid;
  return sid === undefined || sid === ""
    ? `Statement[${info.index}]`
    : `Statement[${info.index}] (Sid ${JSON.stringify(sid)})`;
}

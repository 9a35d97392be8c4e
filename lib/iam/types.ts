/**
 * The IAM policy document model shared by the planners, the policy pack and the audit.
 *
 * Two shapes exist: the *raw* shape as AWS accepts it (string-or-array fields, one statement or
 * many), and the *normalized* shape in which every multi-valued field is an array. Builders in
 * this library emit normalized documents; `normalizeDocument` turns any raw document into one.
 */

/** The only policy language version this library writes. */
export const POLICY_VERSION = "2012-10-17";

export type Effect = "Allow" | "Deny";

/** A condition block: operator → context key → values (always arrays once normalized). */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/**
 * A principal once normalized. `"*"` (the bare wildcard) is kept apart from `{ AWS: ["*"] }`:
 * AWS treats them alike for most purposes, but they are written differently and a reviewer must
 * see which one a document uses.
 */
export type Principal = "*" | PrincipalMap;

export interface PrincipalMap {
  AWS?: string[];
  Service?: string[];
  Federated?: string[];
  CanonicalUser?: string[];
}

/** A statement in normalized form. Exactly one of Action/NotAction is set, at most one of
 * Principal/NotPrincipal, and at most one of Resource/NotResource. */
export interface Statement {
  Sid?: string;
  Effect: Effect;
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

/** The fields a statement may have, in the order documents are written. */
export const STATEMENT_KEYS = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
] as const;

/** A policy document in normalized form. */
export interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: Statement[];
}

/** A problem found while reading or validating a document. Never thrown; returned as data. */
export interface DocumentProblem {
  /** Stable identifier, e.g. `Document::NotObject`, `Statement::NoAction`. */
  code: string;
  /** What is wrong, in the reader's terms. */
  message: string;
  /** Where, e.g. `Statement[0].Principal`. */
  path: string;
}

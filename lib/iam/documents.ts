import { ConditionBlock, POLICY_VERSION, PolicyDocument, Principal, Statement } from "./types";

/**
 * Builders for normalized policy documents. They keep the planners short and make every
 * document the library writes take the same shape.
 */

/** A policy document holding `statements`, in order. */
export function policyDocument(...statements: Statement[]): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: statements };
}

/** Fields of a statement besides its effect. */
export interface StatementSpec {
  readonly sid: string;
  /** The actions; exactly one of `actions` and `notActions` is given. */
  readonly actions?: readonly string[];
  /** Every action except these (a Deny's carve-out). */
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  /** Every resource except these (a Deny's carve-out); excludes `resources`. */
  readonly notResources?: readonly string[];
  readonly principal?: Principal;
  readonly condition?: ConditionBlock;
}

/** An Allow statement. */
export function allow(spec: StatementSpec): Statement {
  return statement("Allow", spec);
}

/** A Deny statement. */
export function deny(spec: StatementSpec): Statement {
  return statement("Deny", spec);
}

function statement(effect: Statement["Effect"], spec: StatementSpec): Statement {
  const out: Statement = { Sid: spec.sid, Effect: effect };
  if (spec.principal !== undefined) out.Principal = spec.principal;
  if (spec.notActions !== undefined) out.NotAction = [...spec.notActions];
  else out.Action = [...(spec.actions ?? [])];
  if (spec.resources !== undefined) out.Resource = [...spec.resources];
  if (spec.notResources !== undefined) out.NotResource = [...spec.notResources];
  if (spec.condition !== undefined) out.Condition = spec.condition;
  return out;
}

/** The JSON text AWS receives: compact and deterministic. */
export function renderDocument(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/**
 * Policy documents as the guard reads them: parsed with the IAM library, and asked whether one
 * principal may make one request.
 */
import { evaluatePolicy } from "../iam/evaluate";
import { normalizeDocument } from "../iam/normalize";
import type { PolicyDocument } from "../iam/types";
import type { Findings } from "./finding";
import { describe } from "./finding";
import type { ResourceView } from "./view";

/**
 * Parses a document; on failure reports one `Document::<code>` finding per problem on
 * `resource` and returns `undefined` (an unreadable document fails closed).
 */
export function parseDocument(
  source: string | object,
  resource: ResourceView,
  what: string,
  out: Findings,
): PolicyDocument | undefined {
  const read = normalizeDocument(source);
  if (read.ok) return read.document;
  for (const problem of read.problems) {
    out.add(
      problem.code,
      `${describe(resource)}: ${what} cannot be read (${problem.code}${problem.path ? ` at ${problem.path}` : ""}): ` +
        `${problem.message} Until it is a valid policy document the policy cannot prove it safe ` +
        `and fails closed. Fix the document.`,
      resource,
    );
  }
  return undefined;
}

/** How a single document answers "may this caller do this?". */
export type Answer = "allow" | "deny" | "indeterminate";

/**
 * Whether `doc` (a trust or identity policy) lets the IAM principal `callerArn` of account
 * `callerAccount` make `action` on `resource`, over TLS. `indeterminate` when the document uses
 * a condition operator the evaluator does not know.
 */
export function answer(
  doc: PolicyDocument,
  action: string,
  resource: string,
  callerArn: string,
  callerAccount: string,
): Answer {
  const result = evaluatePolicy(doc, {
    action,
    resource,
    principal: { kind: "aws", arn: callerArn, accountId: callerAccount },
    context: {
      "aws:PrincipalArn": callerArn,
      "aws:PrincipalAccount": callerAccount,
      "aws:SecureTransport": "true",
    },
  });
  if (result.decision === "allow") return "allow";
  if (result.decision === "indeterminate") return "indeterminate";
  return "deny";
}

/** The account id in an IAM ARN (`arn:aws:iam::123456789012:role/x`), or `""`. */
export function accountOfArn(arn: string): string {
  return arn.split(":")[4] ?? "";
}

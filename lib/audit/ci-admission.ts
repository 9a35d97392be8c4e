/**
 * Does a role's trust policy admit the CI role or the CI identity? Used to find roles the
 * program does not declare that CI could nevertheless assume.
 *
 * Two questions are asked, and either "yes" counts:
 * - the single-policy evaluator: may this exact caller ARN make `sts:AssumeRole` on the role
 *   (an account root principal, `*`, the caller's own ARN all answer yes); an evaluation that
 *   meets an operator it does not know counts as yes;
 * - the trust analyzer: does allowing the caller remove findings, i.e. does the policy name the
 *   caller in a form the evaluator does not compare (a session ARN of the CI role)?
 *
 * An OIDC provider caller is admitted by any Allow of `sts:AssumeRoleWithWebIdentity` to it (or
 * to every federated principal), whatever its conditions: some job of the platform may present
 * a matching token, and only the declared CI roles are reviewed for which.
 */
import { answer } from "../guard/documents";
import { admitsWebIdentity } from "../guard/topology";
import { normalizeDocument } from "../iam/normalize";
import { analyzeTrust } from "../iam/trust";
import type { CiCaller } from "./targets";

/** How a trust policy admits a caller. */
export type AdmissionRoute = "evaluated" | "indeterminate" | "named" | "federated" | "unreadable";

/** One admitted caller. */
export interface Admission {
  readonly caller: CiCaller;
  readonly route: AdmissionRoute;
}

/** The callers among `callers` that the trust policy `trust` (JSON text) of `roleArn` admits. */
export function admittedCallers(
  trust: string,
  roleArn: string,
  callers: readonly CiCaller[],
): Admission[] {
  const read = normalizeDocument(trust);
  if (!read.ok) return callers.map((caller) => ({ caller, route: "unreadable" }));
  const doc = read.document;
  const open = analyzeTrust(doc, []).length;
  const admissions: Admission[] = [];
  for (const caller of callers) {
    if (caller.kind === "oidc") {
      if (admitsWebIdentity(doc, caller.arn)) admissions.push({ caller, route: "federated" });
      continue;
    }
    const verdict = answer(doc, "sts:AssumeRole", roleArn, caller.arn, caller.accountId);
    if (verdict === "allow") {
      admissions.push({ caller, route: "evaluated" });
    } else if (verdict === "indeterminate") {
      admissions.push({ caller, route: "indeterminate" });
    } else if (open > 0 && analyzeTrust(doc, [{ kind: "aws", arn: caller.arn }]).length < open) {
      admissions.push({ caller, route: "named" });
    }
  }
  return admissions;
}

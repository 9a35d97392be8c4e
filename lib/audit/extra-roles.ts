/**
 * `Role::TrustsCi`: a role the program does not declare whose trust admits a CI role, a CI
 * identity or the CI platform's OIDC provider. Whatever runs as CI (every plan of every pull request) can take its permissions,
 * outside the review the declared topology gets.
 */
import { AUDIT_CHECKS, type AuditFinding } from "./finding";
import { admittedCallers, type Admission } from "./ci-admission";
import type { AccountSnapshot, LiveRole } from "./snapshot";
import type { CiCaller } from "./targets";

const ROUTE_TEXT: Readonly<Record<Admission["route"], string>> = {
  evaluated: "its trust policy allows it sts:AssumeRole",
  indeterminate:
    "its trust policy may allow it sts:AssumeRole (a condition could not be evaluated)",
  named: "its trust policy names it (for example by a session ARN)",
  federated:
    "its trust policy admits web identities from it (sts:AssumeRoleWithWebIdentity), so jobs of the CI platform may take it",
  unreadable: "its trust policy cannot be read, so it is assumed to",
};

function grants(role: LiveRole): string {
  const parts = [
    ...role.inlinePolicies.map((p) => `inline policy '${p.name}'`),
    ...role.attachedPolicyArns.map((arn) => `managed policy ${arn}`),
  ];
  return parts.length === 0 ? "no policies" : parts.join(", ");
}

/** One finding per undeclared role of `snapshot` whose trust admits one of `callers`. */
export function extraRoleFindings(
  snapshot: AccountSnapshot,
  callers: readonly CiCaller[],
): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const role of snapshot.extraRoles) {
    const admissions = admittedCallers(role.trustPolicy, role.arn, callers);
    if (admissions.length === 0) continue;
    const who = admissions
      .map((a) => `the ${a.caller.label} ${a.caller.arn} (${ROUTE_TEXT[a.route]})`)
      .join("; ");
    out.push({
      check: AUDIT_CHECKS.live,
      id: "Role::TrustsCi",
      account: snapshot.key,
      accountId: snapshot.accountId,
      resource: role.arn,
      message:
        `The role ${role.arn} is not declared by tf-bootstrap, yet it can be assumed by ${who}. ` +
        `Anything that runs as CI can use its permissions (${grants(role)}), outside the ` +
        `reviewed topology.`,
      fix:
        "Delete the role, or narrow its trust policy so that it admits neither the CI roles nor " +
        "the CI identities (nor their account root without an aws:PrincipalArn condition, nor " +
        "the CI platform's OIDC provider). If " +
        "Terraform needs more permissions, grant them to the Terraform role through the stack " +
        "config.",
    });
  }
  return out;
}

/**
 * Trust checks: a role may be assumed by its allowed callers and nobody else.
 *
 * - `terraform-role-trust-restrictive`: every Terraform role (see `topology.ts`) may be assumed
 *   by the CI role(s) only.
 * - `ci-role-trust-restrictive`: every CI role may be assumed by the CI identity only.
 *
 * "Nobody else" is proved by the trust analyzer (`analyzeTrust`), which never answers
 * "restrictive" wrongly; "may be assumed" is checked with the single-policy evaluator.
 */
import { analyzeTrust, type AllowedCaller } from "../iam/trust";
import { accountOfArn, answer, parseDocument } from "./documents";
import { describe, type Findings } from "./finding";
import { readDocumentText, type PrincipalEntry } from "./iam-index";
import {
  principalArns,
  reportSeveralCiIdentities,
  reportSeveralCiRoles,
  requireCiIdentity,
  requireCiRole,
  requireTerraformAccount,
} from "./prerequisites";
import { principalLabel, type Topology } from "./topology";

function checkRoleTrust(
  role: PrincipalEntry,
  callers: readonly { readonly arn: string; readonly accountId: string }[],
  callerNoun: string,
  out: Findings,
): void {
  const what = `the trust policy of ${principalLabel(role)}`;
  const text = readDocumentText(role.resource, "assumeRolePolicy");
  if (out.unreadable(text, role.resource, what)) return;
  if (text.kind !== "value") {
    out.add(
      "Trust::Missing",
      `${describe(role.resource)} has no assumeRolePolicy; the policy cannot prove who may ` +
        `assume it and fails closed. Fix: set a trust policy that admits only the ${callerNoun}.`,
      role.resource,
    );
    return;
  }
  const doc = parseDocument(text.value, role.resource, what, out);
  if (doc === undefined) return;
  const allowed: AllowedCaller[] = callers.map((c) => ({ kind: "aws", arn: c.arn }));
  for (const finding of analyzeTrust(doc, allowed)) {
    out.add(
      finding.id,
      `${principalLabel(role)} may be assumed by more than the ${callerNoun} ` +
        `(${callers.map((c) => c.arn).join(", ")}). ${finding.message}` +
        (finding.path ? ` [at ${finding.path}]` : ""),
      role.resource,
    );
  }
  const resource = role.arn.kind === "value" ? role.arn.value : "*";
  for (const caller of callers) {
    const verdict = answer(doc, "sts:AssumeRole", resource, caller.arn, caller.accountId);
    if (verdict === "deny") {
      out.add(
        "Trust::CallerNotAdmitted",
        `${principalLabel(role)} cannot be assumed by the ${callerNoun} ${caller.arn}: no ` +
          `statement of its trust policy allows it sts:AssumeRole. Terraform would fail to reach ` +
          `this account. Fix: trust the Terraform account root narrowed by ` +
          `ArnEquals aws:PrincipalArn = ${caller.arn} (lib/plan/trust.ts trustOnly).`,
        role.resource,
      );
    }
  }
}

function callersOf(arns: readonly string[]): { arn: string; accountId: string }[] {
  return arns.map((arn) => ({ arn, accountId: accountOfArn(arn) }));
}

/** `terraform-role-trust-restrictive`. */
export function checkTerraformRoleTrust(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out) || !requireCiRole(topology, out)) return;
  reportSeveralCiRoles(topology, out);
  const arns = principalArns(topology.ciRoles, out, "CI role");
  if (arns === undefined) return;
  for (const role of topology.terraformRoles) {
    checkRoleTrust(role, callersOf(arns), "CI Terraform role", out);
  }
}

/** `ci-role-trust-restrictive`. */
export function checkCiRoleTrust(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out) || !requireCiIdentity(topology, out)) return;
  reportSeveralCiIdentities(topology, out);
  if (!requireCiRole(topology, out)) return;
  const arns = principalArns(topology.ciIdentities, out, "CI identity");
  if (arns === undefined) return;
  for (const role of topology.ciRoles) {
    checkRoleTrust(role, callersOf(arns), "CI identity", out);
  }
}

/**
 * `Permissions::ManagedPolicyDiffers`: a customer managed policy attached to (or bounding) the
 * Terraform role exists under the same name in every product account, but its default version
 * is not the same everywhere. The policy pack compares attachments by ARN only (it cannot read
 * documents that live in the accounts); live, the documents themselves are compared, after
 * replacing each account's own id with a placeholder.
 */
import { accountOfArn } from "../guard/documents";
import { ACCOUNT_PLACEHOLDER } from "../guard/role-permissions";
import { renderDiff } from "../guard/text-diff";
import type { TopologyPlan } from "../plan/model";
import { canonicalText } from "./document-diff";
import { AUDIT_CHECKS, type AuditFinding } from "./finding";
import type { AccountSnapshot } from "./snapshot";

interface Version {
  readonly snapshot: AccountSnapshot;
  readonly arn: string;
  readonly text: string;
}

/** Findings for customer managed policies whose documents differ between product accounts. */
export function managedPolicyParityFindings(
  plan: TopologyPlan,
  snapshots: readonly AccountSnapshot[],
): AuditFinding[] {
  const byPolicy = new Map<string, Version[]>();
  for (const snapshot of snapshots) {
    const product = plan.products.find((p) => p.accountId === snapshot.accountId);
    if (product === undefined) continue;
    const declared = product.terraformRole;
    const role = snapshot.roles.find((r) => r.name === declared.name && r.path === declared.path);
    if (role === undefined) continue;
    const arns = [...role.attachedPolicyArns, ...(role.boundaryArn ? [role.boundaryArn] : [])];
    for (const arn of arns) {
      if (accountOfArn(arn) !== snapshot.accountId) continue;
      const policy = snapshot.managedPolicies.find((p) => p.arn === arn);
      if (policy === undefined) continue;
      const local = (s: string) => s.split(snapshot.accountId).join(ACCOUNT_PLACEHOLDER);
      const key = local(arn);
      const versions = byPolicy.get(key) ?? [];
      versions.push({ snapshot, arn, text: local(canonicalText(policy.document)) });
      byPolicy.set(key, versions);
    }
  }
  const out: AuditFinding[] = [];
  for (const [key, versions] of byPolicy) {
    const counts = new Map<string, number>();
    for (const v of versions) counts.set(v.text, (counts.get(v.text) ?? 0) + 1);
    if (counts.size <= 1) continue;
    const norm = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
    const normAccounts = versions.filter((v) => v.text === norm).map((v) => v.snapshot.key);
    for (const version of versions) {
      if (version.text === norm) continue;
      out.push({
        check: AUDIT_CHECKS.live,
        id: "Permissions::ManagedPolicyDiffers",
        account: version.snapshot.key,
        accountId: version.snapshot.accountId,
        resource: version.arn,
        message:
          `The customer managed policy ${key} given to the Terraform role has a different ` +
          `default version in this account than in ${normAccounts.join(", ")}: the Terraform ` +
          `roles do not have identical permissions.`,
        diff: renderDiff(norm, version.text),
        fix:
          "Make the policy's default version the same in every product account (create a new " +
          "version with the common document and set it as default), or give the permission " +
          "through `terraformRole.allowedServices` in the stack config.",
      });
    }
  }
  return out;
}

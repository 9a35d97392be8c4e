/**
 * The organization against the stack, for the audit: active accounts the stack does not cover,
 * and stack accounts the organization does not have (or has closed). Pure.
 */
import type { AuditFinding } from "../audit/finding";
import type { OrgSnapshot } from "./model";
import { proposeAccounts, type StackAccounts } from "./propose";

/** The check name these findings carry. */
export const ORGANIZATION_CHECK = "organization-coverage";

/** The organization's accounts compared with the stack's. */
export interface OrganizationCoverage {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Active accounts (but the management account) that are neither product nor Terraform account. */
  readonly uncovered: readonly {
    readonly id: string;
    readonly name: string;
    readonly ouPath: string;
  }[];
  /** Stack accounts that are not active members of the organization. */
  readonly outside: readonly {
    readonly key: string;
    readonly id: string;
    readonly status: string;
  }[];
  /** Accounts named in `ignore` that would otherwise be uncovered. */
  readonly ignored: readonly string[];
  readonly findings: readonly AuditFinding[];
}

/**
 * Compares `snapshot` with the stack. `ignore` lists account ids that are left out on purpose
 * (a log archive, a security tooling account): they are not reported.
 */
export function organizationCoverage(
  snapshot: OrgSnapshot,
  stack: StackAccounts,
  ignore: readonly string[] = [],
): OrganizationCoverage {
  const ignored = new Set(ignore);
  const proposal = proposeAccounts(snapshot, stack);
  const uncovered = proposal.proposed
    .filter((p) => !ignored.has(p.account.id))
    .map((p) => ({ id: p.account.id, name: p.account.name, ouPath: p.account.ouPath }));
  const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
  const outside = [
    { key: "terraform", id: stack.terraformAccountId },
    ...stack.productAccounts.map((a) => ({ key: a.name, id: a.id })),
  ]
    .map((a) => ({ ...a, status: byId.get(a.id)?.status ?? "NOT_IN_ORGANIZATION" }))
    .filter((a) => a.status !== "ACTIVE");
  const findings: AuditFinding[] = [
    ...uncovered.map((a) => ({
      check: ORGANIZATION_CHECK,
      id: "Organization::AccountNotInStack",
      account: "organization",
      accountId: a.id,
      resource: `account ${a.id} (${a.name}, ${a.ouPath})`,
      message: `Account ${a.id} (${a.name}) is an active member of organization ${snapshot.organizationId} in ${a.ouPath}, and the stack does not bootstrap it: Terraform cannot manage it through the pipeline.`,
      fix: `Add it with \`npm run accounts -- discover --stack STACK --write\` (or by hand, docs/accounts.md), or leave it out on purpose with --organization-ignore ${a.id}.`,
    })),
    ...outside.map((a) => ({
      check: ORGANIZATION_CHECK,
      id:
        a.status === "NOT_IN_ORGANIZATION"
          ? "Organization::AccountNotInOrganization"
          : "Organization::AccountNotActive",
      account: a.key,
      accountId: a.id,
      resource: `account ${a.id}`,
      message:
        a.status === "NOT_IN_ORGANIZATION"
          ? `The stack's account ${a.key} (${a.id}) is not a member of organization ${snapshot.organizationId}.`
          : `The stack's account ${a.key} (${a.id}) is ${a.status} in organization ${snapshot.organizationId}.`,
      fix:
        a.key === "terraform"
          ? "Check the stack's terraformAccount.id."
          : `If the account is gone, remove it from the stack: \`npm run accounts -- remove ${a.key} --stack STACK\` (docs/accounts.md); its state is kept.`,
    })),
  ];
  return {
    organizationId: snapshot.organizationId,
    managementAccountId: snapshot.managementAccountId,
    uncovered,
    outside,
    ignored: proposal.proposed.filter((p) => ignored.has(p.account.id)).map((p) => p.account.id),
    findings,
  };
}

/** The coverage as text, after the audit's report. */
export function renderCoverageText(coverage: OrganizationCoverage): string {
  const lines = [
    "",
    `Organization ${coverage.organizationId} (management account ${coverage.managementAccountId}):`,
  ];
  if (coverage.findings.length === 0) {
    lines.push(
      `  every active account is in the stack${coverage.ignored.length > 0 ? ` (ignored on purpose: ${coverage.ignored.join(", ")})` : ""}.`,
    );
  }
  for (const finding of coverage.findings) {
    lines.push(
      `  ${finding.id}  ${finding.resource}`,
      `    ${finding.message}`,
      `    Fix: ${finding.fix}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

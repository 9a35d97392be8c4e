/**
 * The audit's organization check (`npm run audit -- --organization`): reads AWS Organizations
 * with the caller's credentials and compares it with the stack (`lib/org/coverage.ts`).
 */
import type { TopologyConfig } from "../../lib/config/parse";
import { organizationCoverage, type OrganizationCoverage } from "../../lib/org/coverage";
import { readOrganization } from "./read-organization";

/** The check's outcome: the coverage, or why the organization could not be read. */
export type OrganizationAudit =
  | { readonly kind: "read"; readonly coverage: OrganizationCoverage }
  | {
      readonly kind: "failed";
      readonly code: string;
      readonly message: string;
      readonly hint: string;
    };

/** Options of {@link auditOrganization}. */
export interface AuditOrganizationOptions {
  readonly config: TopologyConfig;
  /** Account ids left out of the stack on purpose. */
  readonly ignore?: readonly string[];
  /** Test/dev only: an emulator's URL. */
  readonly endpoint?: string;
}

/** Reads the organization and compares it with the stack; never rejects. */
export async function auditOrganization(
  options: AuditOrganizationOptions,
): Promise<OrganizationAudit> {
  const read = await readOrganization({
    partition: options.config.partition,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  });
  if (!read.ok) return { kind: "failed", code: read.code, message: read.message, hint: read.hint };
  return {
    kind: "read",
    coverage: organizationCoverage(
      read.snapshot,
      {
        terraformAccountId: options.config.terraformAccount.id,
        productAccounts: options.config.productAccounts,
      },
      options.ignore ?? [],
    ),
  };
}

/** The exit code with the organization check folded in: findings 1, not read 2. */
export function withOrganizationExit(exitCode: number, audit: OrganizationAudit): number {
  const own = audit.kind === "failed" ? 2 : audit.coverage.findings.length > 0 ? 1 : 0;
  return Math.max(exitCode, own);
}

/** The check as text, after the audit's report. */
export function organizationText(
  audit: OrganizationAudit,
  render: (c: OrganizationCoverage) => string,
): string {
  return audit.kind === "read"
    ? render(audit.coverage)
    : `\nOrganization: not read: ${audit.code}: ${audit.message}\n  ${audit.hint}\n`;
}

/** A JSON report with the organization check added, and the exit code that counts it. */
export function withOrganization<T extends { exitCode: number }>(
  report: T,
  audit: OrganizationAudit,
): T & { organization: OrganizationAudit } {
  return { ...report, exitCode: withOrganizationExit(report.exitCode, audit), organization: audit };
}

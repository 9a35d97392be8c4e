/**
 * The human report: a summary line, then every account with its findings (id, resource, what is
 * wrong, how to fix it, and the diff of a changed document), then what could not be checked.
 */
import type { AuditFinding } from "./finding";
import type { AccountReport, AuditReport } from "./report";

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

function renderFinding(finding: AuditFinding): string {
  const level =
    finding.level !== undefined && finding.level !== "mandatory" ? ` (${finding.level})` : "";
  const lines = [
    `  - ${finding.id}  [${finding.check}]${level}`,
    `    resource: ${finding.resource}`,
    indent(`what: ${finding.message}`, "    "),
  ];
  if (finding.diff !== undefined) {
    lines.push("    diff (- declared, + live):", indent(finding.diff, "      "));
  }
  lines.push(indent(`fix: ${finding.fix}`, "    "));
  return lines.join("\n");
}

function renderAccount(account: AccountReport): string {
  const title = `${account.key} (${account.accountId})`;
  if (account.status === "not-audited") {
    const failure = account.failure;
    return [
      `== ${title}: NOT AUDITED`,
      `  could not ${failure?.stage ?? "audit"}: ${failure?.code ?? "?"}: ${failure?.message ?? ""}`,
      "  fix: make sure the audit role exists in the account, trusts the identity running the " +
        "audit, and allows the reads listed in docs/audit.md; then run the audit again.",
    ].join("\n");
  }
  if (account.findings.length === 0) return `== ${title}: clean`;
  const count = account.findings.length;
  return [
    `== ${title}: ${count} finding${count === 1 ? "" : "s"}`,
    ...account.findings.map(renderFinding),
  ].join("\n");
}

/** The one-line summary: accounts audited and not reached, findings, verdict. */
export function summaryLine(report: AuditReport): string {
  const audited = report.accounts.filter((a) => a.status === "audited").length;
  const missed = report.accounts.filter((a) => a.status === "not-audited");
  const findings = report.accounts.reduce((n, a) => n + a.findings.length, 0);
  const verdict =
    report.exitCode === 2
      ? `INCOMPLETE: not audited: ${missed.map((a) => `${a.key} (${a.accountId})`).join(", ")}`
      : report.exitCode === 1
        ? "FINDINGS"
        : "clean";
  return (
    `audit of stack '${report.stack}': ${audited} of ${report.accounts.length} accounts ` +
    `audited, ${findings} finding${findings === 1 ? "" : "s"}; ${verdict}`
  );
}

/** The full human report. */
export function renderText(report: AuditReport): string {
  const parts = [summaryLine(report), "", ...report.accounts.map(renderAccount)];
  if (report.accepted.length > 0) {
    parts.push(
      "",
      "Accepted by exceptions (policy pack config):",
      ...report.accepted.map(
        (a) => `  - ${a.id} [${a.check}] on ${a.resource}${a.reason ? `: ${a.reason}` : ""}`,
      ),
    );
  }
  if (report.notes.length > 0) parts.push("", "Notes:", ...report.notes.map((n) => `  - ${n}`));
  return `${parts.join("\n")}\n`;
}

/** The report as JSON for machines (the {@link AuditReport} object, 2-space indent). */
export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

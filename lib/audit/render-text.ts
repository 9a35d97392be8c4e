/**
 * The human report: a summary line, then every account with its findings (id, resource, what is
 * wrong, how to fix it, and the diff of a changed document), then what could not be checked.
 */
import { FAILURE_HINTS, FAILURE_LABELS } from "./failure-class";
import type { AuditFinding } from "./finding";
import type { AccountReport, AuditReport } from "./report";
import type { AccountFailure } from "./snapshot";

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

/** One failed read: `stage: code: message`, with the message's lines indented. */
function renderFailure(failure: AccountFailure, prefix: string): string {
  return indent(`${failure.stage}: ${failure.code}: ${failure.message}`, "    ").replace(
    /^ {4}/,
    prefix,
  );
}

function renderNotAudited(account: AccountReport, title: string): string {
  const failure = account.failure ?? {
    stage: "audit",
    code: "NotRun",
    message: "the account was not audited",
    class: "error" as const,
  };
  const others = (account.failures ?? []).filter((f) => f !== failure && !sameFailure(f, failure));
  const lines = [
    `== ${title}: NOT AUDITED (${FAILURE_LABELS[failure.class]})`,
    renderFailure(failure, "  could not "),
  ];
  if (others.length > 0) {
    lines.push(`  also failed (${others.length}):`, ...others.map((f) => renderFailure(f, "  - ")));
  }
  const classes = [...new Set([failure, ...others].map((f) => f.class))];
  lines.push(
    ...classes.map((c) => indent(`fix: ${FAILURE_HINTS[c]}`, "    ").replace(/^ {4}/, "  ")),
  );
  return lines.join("\n");
}

function sameFailure(a: AccountFailure, b: AccountFailure): boolean {
  return a.stage === b.stage && a.code === b.code && a.message === b.message;
}

function renderAccount(account: AccountReport): string {
  const title = `${account.key} (${account.accountId})`;
  if (account.status === "not-audited") return renderNotAudited(account, title);
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
  const why = (a: AccountReport) =>
    `${a.key} (${a.accountId}, ${FAILURE_LABELS[a.failure?.class ?? "error"]})`;
  const interrupted =
    report.interrupted !== undefined ? ` (interrupted by ${report.interrupted})` : "";
  const verdict =
    report.exitCode === 2
      ? `INCOMPLETE${interrupted}: not audited: ${missed.length > 0 ? missed.map(why).join(", ") : "none"}`
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

/**
 * Guard verdicts as text: a Markdown section for the synth report and a one-line summary.
 */
import { hasMandatoryViolation, type GuardReport, type PolicyVerdict } from "./run";

function verdictWord(verdict: PolicyVerdict): string {
  if (verdict.level === "disabled") return "disabled";
  if (verdict.findings.length === 0) return "pass";
  return verdict.level === "advisory" ? "warn" : "FAIL";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The "Policy verdicts" Markdown section. */
export function renderVerdicts(report: GuardReport): string {
  const lines = [
    "## Policy verdicts",
    "",
    "The policy pack's checks (`policy-pack/`, implemented in `lib/guard/`), run offline on the resources above.",
    "",
    "| policy | level | verdict | findings | accepted |",
    "|---|---|---|---:|---:|",
    ...report.verdicts.map(
      (v) =>
        `| ${v.policy.name} | ${v.level} | ${verdictWord(v)} | ${v.findings.length} | ${v.accepted.length} |`,
    ),
    "",
  ];
  const findings = report.verdicts.flatMap((v) =>
    v.findings.map((f) => ({ level: v.level, finding: f })),
  );
  if (findings.length > 0) {
    lines.push("### Findings", "");
    for (const { level, finding } of findings) {
      const where = finding.resource ? ` on \`${finding.resource.name}\`` : "";
      lines.push(`- **${finding.policy}** (${level}) \`${finding.id}\`${where}:`, "", "  ```text");
      lines.push(...finding.message.split("\n").map((l) => `  ${l}`), "  ```", "");
    }
  }
  const accepted = report.verdicts.flatMap((v) => v.accepted);
  if (accepted.length > 0) {
    lines.push("### Accepted by exceptions", "");
    for (const { finding, exception } of accepted) {
      const where = finding.resource ? ` on \`${finding.resource.name}\`` : "";
      lines.push(
        `- **${finding.policy}** \`${cell(finding.id)}\`${where}${exception.reason ? `: ${exception.reason}` : ""}`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** `policies: 8 run, 8 pass, 0 mandatory violations, 0 advisory` */
export function verdictSummary(report: GuardReport): string {
  const run = report.verdicts.filter((v) => v.level !== "disabled");
  const pass = run.filter((v) => v.findings.length === 0).length;
  const mandatory = run
    .filter((v) => v.level !== "advisory")
    .reduce((n, v) => n + v.findings.length, 0);
  const advisory = run
    .filter((v) => v.level === "advisory")
    .reduce((n, v) => n + v.findings.length, 0);
  const failing = run
    .filter((v) => v.findings.length > 0)
    .map((v) => v.policy.name)
    .join(", ");
  return (
    `policies: ${run.length} run, ${pass} pass, ${mandatory} mandatory and ${advisory} advisory ` +
    `violations${failing ? ` (${failing})` : ""}; verdict: ${hasMandatoryViolation(report) ? "BLOCKED" : "ok"}`
  );
}

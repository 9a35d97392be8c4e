/**
 * What the audit reports: one finding per problem, attributed to an account, with a stable id,
 * the resource, what is wrong and how to fix it.
 */

/** Where a finding comes from besides the guard's policies. */
export const AUDIT_CHECKS = {
  /** Live state differs from the declared topology. */
  drift: "declared-state-drift",
  /** Problems only live data shows (old keys, unique-id principals, undeclared roles). */
  live: "live-state",
} as const;

/** One problem found by the audit. */
export interface AuditFinding {
  /** A guard policy name (`state-backend-hardened`) or one of {@link AUDIT_CHECKS}. */
  readonly check: string;
  /** Stable id of the cause: `Versioning::Suspended`, `Drift::TrustPolicy`... */
  readonly id: string;
  /** The account's key (`terraform`, `dev`). */
  readonly account: string;
  readonly accountId: string;
  /** The resource, as an ARN or an ARN with the setting (`arn:aws:s3:::b (versioning)`). */
  readonly resource: string;
  /** What is wrong, with the offending value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** For changed documents: a line diff from the declared document (`-`) to the live one (`+`). */
  readonly diff?: string;
  /** For guard findings: the policy's enforcement level. Audit checks have none (they count). */
  readonly level?: string;
}

/** The standard advice for a live resource that no longer matches the program. */
export const RESTORE_FIX =
  "Restore the declared state with `pulumi up --refresh` (it re-applies the program's " +
  "documents and settings; exclusive attachment resources remove policies added out of band), " +
  "then find who changed it in the audit trail's logs.";

/**
 * Splits a guard message into what is wrong and how to fix it, at its last `Fix:`; a message
 * without one gets `fallback` as its fix.
 */
export function splitFix(message: string, fallback: string): { message: string; fix: string } {
  const at = message.lastIndexOf("Fix:");
  if (at < 0) return { message: message.trim(), fix: fallback };
  return {
    message: message.slice(0, at).trim(),
    fix: message.slice(at + "Fix:".length).trim(),
  };
}

/** Orders findings by account, check, id and resource, for stable output. */
export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  const keys: (keyof AuditFinding)[] = ["account", "check", "id", "resource"];
  for (const key of keys) {
    const x = String(a[key] ?? "");
    const y = String(b[key] ?? "");
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Assembling the audit: the guard's policies on the live view, drift from the declared
 * topology and the live-only checks, attributed to accounts, with the exit code.
 */
import { GUARD_POLICIES, runGuard } from "../guard";
import { type IntentRead } from "../guard/intent";
import type { TopologyPlan } from "../plan/model";
import { accessKeyFindings } from "./access-key-age";
import { driftFindings } from "./drift";
import { extraRoleFindings } from "./extra-roles";
import { compareFindings, RESTORE_FIX, splitFix, type AuditFinding } from "./finding";
import { liveStackView, PREVIEW_ONLY_FINDING, type LiveView } from "./live-view";
import { managedPolicyParityFindings } from "./managed-policy-parity";
import type { AccountFailure, AccountOutcome, AccountSnapshot } from "./snapshot";
import type { AuditTarget } from "./targets";
import { uniqueIdFindings } from "./unique-id-principals";

/** Exit codes of the audit. */
export const EXIT = { clean: 0, findings: 1, incomplete: 2 } as const;

/** What the audit found in one account. */
export interface AccountReport {
  readonly key: string;
  readonly accountId: string;
  readonly kind: "terraform" | "product";
  readonly status: "audited" | "not-audited";
  /** Why the account could not be audited. */
  readonly failure?: AccountFailure;
  /** Not audited: every read that failed, `failure` first. */
  readonly failures?: readonly AccountFailure[];
  readonly findings: readonly AuditFinding[];
}

/** A guard finding accepted by an exception of the policy pack config. */
export interface AcceptedAuditFinding {
  readonly check: string;
  readonly id: string;
  readonly resource: string;
  readonly reason?: string;
}

/** The whole audit. */
export interface AuditReport {
  readonly stack: string;
  /** When the audit judged the accounts (ISO 8601); access key ages are measured from it. */
  readonly auditedAt: string;
  readonly terraformAccountId: string;
  readonly accounts: readonly AccountReport[];
  readonly accepted: readonly AcceptedAuditFinding[];
  /** Checks that could not run, and why. */
  readonly notes: readonly string[];
  /** The signal that interrupted the audit (`SIGINT`, `SIGTERM`): the report is partial. */
  readonly interrupted?: string;
  readonly exitCode: 0 | 1 | 2;
}

/** Inputs of {@link buildAuditReport}. */
export interface AuditInput {
  readonly stack: string;
  readonly plan: TopologyPlan;
  readonly targets: readonly AuditTarget[];
  /** One outcome per target, in the same order. */
  readonly outcomes: readonly AccountOutcome[];
  readonly now: Date;
  readonly maxKeyAgeDays: number;
  /** A policy pack config (`{ "<policy>": level | { enforcementLevel?, exceptions? } }`). */
  readonly packConfig?: Readonly<Record<string, unknown>>;
  /**
   * What the stack config means the topology to be (`lib/guard/intent.ts`): the checks judge
   * the live documents against it, as the pack judges the planned ones.
   */
  readonly intent: IntentRead;
  /** The signal that interrupted the reads, if one did. */
  readonly interrupted?: string;
}

/** The pack config with every stack policy pinned to the Terraform account of the config. */
export function pinnedPackConfig(
  packConfig: Readonly<Record<string, unknown>>,
  terraformAccountId: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...packConfig };
  for (const policy of GUARD_POLICIES) {
    if (policy.scope !== "stack") continue;
    const entry = packConfig[policy.name];
    if (typeof entry === "string") {
      out[policy.name] = { enforcementLevel: entry, terraformAccountId };
    } else if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
      out[policy.name] = { ...(entry as Record<string, unknown>), terraformAccountId };
    } else {
      out[policy.name] = { terraformAccountId };
    }
  }
  return out;
}

function guardFindings(
  live: LiveView,
  plan: TopologyPlan,
  tfAudited: boolean,
  packConfig: Readonly<Record<string, unknown>>,
  intent: IntentRead,
): { findings: AuditFinding[]; accepted: AcceptedAuditFinding[] } {
  const tf = plan.terraform;
  const report = runGuard(live.view, pinnedPackConfig(packConfig, tf.accountId), intent);
  const findings: AuditFinding[] = [];
  const accepted: AcceptedAuditFinding[] = [];
  for (const verdict of report.verdicts) {
    for (const finding of verdict.findings) {
      if (PREVIEW_ONLY_FINDING.test(finding.id)) continue;
      const urn = finding.resource?.urn;
      if (urn !== undefined && live.placeholders.has(urn)) continue;
      if (urn === undefined && !tfAudited) continue;
      const account = (urn && live.accountOf.get(urn)) || { key: tf.key, accountId: tf.accountId };
      const { message, fix } = splitFix(
        finding.message,
        `See docs/policies.md (${verdict.policy.name}). ${RESTORE_FIX}`,
      );
      findings.push({
        check: verdict.policy.name,
        id: finding.id,
        account: account.key,
        accountId: account.accountId,
        resource: finding.resource?.name ?? `account ${account.accountId}`,
        message,
        fix,
        level: verdict.level,
      });
    }
    for (const item of verdict.accepted) {
      accepted.push({
        check: verdict.policy.name,
        id: item.finding.id,
        resource: item.finding.resource?.name ?? "",
        ...(item.exception.reason !== undefined ? { reason: item.exception.reason } : {}),
      });
    }
  }
  return { findings, accepted };
}

/** Judges the live accounts (see the module comment). Pure: same input, same report. */
export function buildAuditReport(input: AuditInput): AuditReport {
  const { plan } = input;
  const tf = plan.terraform;
  const snapshots: AccountSnapshot[] = input.outcomes.flatMap((o) =>
    o.kind === "audited" ? [o.snapshot] : [],
  );
  const tfAudited = snapshots.some((s) => s.accountId === tf.accountId);
  const live = liveStackView(plan, input.outcomes);
  const guard = guardFindings(
    live,
    plan,
    tfAudited,
    input.packConfig ?? {},
    input.intent,
  );
  const callers = input.targets[0]?.ciCallers ?? [];
  const findings: AuditFinding[] = [
    ...guard.findings,
    ...driftFindings(plan, snapshots),
    ...managedPolicyParityFindings(plan, snapshots),
    ...snapshots.flatMap((s) => [
      ...extraRoleFindings(s, callers),
      ...uniqueIdFindings(s, plan.partition),
      ...accessKeyFindings(s, input.now, input.maxKeyAgeDays),
    ]),
  ].sort(compareFindings);

  const accounts = input.targets.map((target, index): AccountReport => {
    const outcome = input.outcomes[index];
    const base = { key: target.key, accountId: target.accountId, kind: target.kind };
    if (outcome === undefined || outcome.kind === "failed") {
      const failure = outcome?.failure ?? {
        stage: "audit",
        code: "NotRun",
        message: "the account was not audited",
        class: "error" as const,
      };
      return {
        ...base,
        status: "not-audited",
        failure,
        failures: outcome?.failures ?? [failure],
        findings: [],
      };
    }
    return {
      ...base,
      status: "audited",
      findings: findings.filter((f) => f.accountId === target.accountId),
    };
  });
  const notes: string[] = [];
  if (!tfAudited) {
    notes.push(
      `The Terraform account ${tf.accountId} was not audited, so the checks of the CI identity, ` +
        `the CI role, the state backend and the audit trail did not run, and the Terraform ` +
        `roles' trust was checked against the declared CI role only.`,
    );
  }
  if (input.interrupted !== undefined) {
    notes.push(
      `The audit was interrupted (${input.interrupted}): this report shows the accounts read ` +
        `before it stopped; the others are not audited.`,
    );
  }
  const incomplete =
    input.interrupted !== undefined || accounts.some((a) => a.status === "not-audited");
  const failing = accounts.some((a) => a.findings.some((f) => f.level !== "advisory"));
  return {
    stack: input.stack,
    auditedAt: input.now.toISOString(),
    terraformAccountId: tf.accountId,
    accounts,
    accepted: guard.accepted,
    notes,
    ...(input.interrupted !== undefined ? { interrupted: input.interrupted } : {}),
    exitCode: incomplete ? EXIT.incomplete : failing ? EXIT.findings : EXIT.clean,
  };
}

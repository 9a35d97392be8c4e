/**
 * One audit of a stack, from its validated config to the report: the part of `npm run audit`
 * that the command line and the tests share.
 */
import type { AuditLimits } from "../../lib/audit/limits";
import { buildAuditReport, type AuditReport } from "../../lib/audit/report";
import { auditTargets } from "../../lib/audit/targets";
import type { TopologyConfig } from "../../lib/config/parse";
import { intentOf } from "../../lib/guard/intent";
import { planTopology } from "../../lib/plan/topology";
import type { AwsCredentialIdentity } from "./clients";
import { readAccounts } from "./read-accounts";

/** Options of {@link auditStack}. */
export interface AuditStackOptions {
  readonly stack: string;
  readonly config: TopologyConfig;
  /** Role assumed in every account; default: each account's bootstrap role. */
  readonly auditRole?: string;
  readonly concurrency: number;
  readonly maxKeyAgeDays: number;
  readonly now: Date;
  readonly packConfig?: Readonly<Record<string, unknown>>;
  /** Test/dev only: an emulator's URL. */
  readonly endpoint?: string;
  /** The caller's credentials; default: the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity;
  readonly progress?: (line: string) => void;
  /** Timeouts and retries; default `DEFAULT_LIMITS` (lib/audit/limits.ts). */
  readonly limits?: AuditLimits;
  /**
   * Aborted to interrupt the audit (its reason, `SIGINT` or `SIGTERM`, is reported): the report
   * then holds the accounts read so far, the others not audited.
   */
  readonly signal?: AbortSignal;
}

/**
 * Reads every account of the stack and judges it. Never rejects for one account's failure, and
 * resolves soon after `signal` is aborted.
 */
export async function auditStack(options: AuditStackOptions): Promise<AuditReport> {
  const plan = planTopology(options.config);
  const targets = auditTargets(options.config, plan, options.auditRole);
  options.progress?.(
    `stack '${options.stack}': ${targets.length} accounts, ${options.concurrency} at a time`,
  );
  const outcomes = await readAccounts({
    targets,
    concurrency: options.concurrency,
    region: options.config.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const cut = outcomes.some((o) => o.kind === "failed" && o.failure.class === "interrupted");
  return buildAuditReport({
    stack: options.stack,
    plan,
    targets,
    outcomes,
    now: options.now,
    maxKeyAgeDays: options.maxKeyAgeDays,
    intent: { kind: "known", intent: intentOf(options.config, plan) },
    ...(options.packConfig !== undefined ? { packConfig: options.packConfig } : {}),
    ...(cut && options.signal !== undefined ? { interrupted: String(options.signal.reason) } : {}),
  });
}

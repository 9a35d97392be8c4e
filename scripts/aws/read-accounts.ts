/**
 * Reaching and reading every account of a stack: assume the audit role, check that the
 * credentials act in the expected account, read it; at most `concurrency` accounts at once.
 *
 * Each account has a deadline (`accountTimeoutMs`). When it passes, or when the audit is
 * interrupted, the account's requests are aborted and its outcome is settled at once: not
 * audited, timed out (or interrupted), with the reads that were still waiting and those that had
 * failed. An account that cannot be reached or read is returned as a failure; the others go on.
 */
import { setMaxListeners } from "node:events";
import { DEFAULT_LIMITS } from "../../lib/audit/limits";
import { mapWithConcurrency } from "../../lib/audit/pool";
import type { AccountFailure, AccountOutcome } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import { AccountSession, type StopReason } from "./account-session";
import type { AwsCredentialIdentity, AwsSettings } from "./clients";
import { collectAccount } from "./collect-account";
import { failureOf, ReadFailure } from "./errors";

/** Options of {@link readAccounts}. */
export interface ReadAccountsOptions extends AwsSettings {
  readonly targets: readonly AuditTarget[];
  readonly concurrency: number;
  /** Called with one line per step (for stderr). */
  readonly progress?: (line: string) => void;
  /** The caller's credentials; default: the SDK's default chain (environment, profile...). */
  readonly credentials?: AwsCredentialIdentity;
  /**
   * Aborted to interrupt the audit; its reason (a string such as `SIGINT`) is reported. Accounts
   * in flight stop at once and accounts not started are not started.
   */
  readonly signal?: AbortSignal;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

function failed(target: AuditTarget, failures: readonly AccountFailure[]): AccountOutcome {
  const [failure, ...others] = failures;
  return {
    kind: "failed",
    key: target.key,
    accountId: target.accountId,
    failure: failure ?? {
      stage: "read the account",
      code: "NotRun",
      message: "the account was not read",
      class: "error",
    },
    ...(others.length > 0 ? { failures } : {}),
  };
}

function waiting(session: AccountSession): string {
  const stages = session.inFlight();
  if (stages.length === 0) return "no read was waiting for an answer";
  const shown = stages.slice(0, 5).join("; ");
  const more = stages.length > 5 ? `; and ${stages.length - 5} more` : "";
  return `still waiting for ${stages.length} read${stages.length === 1 ? "" : "s"}: ${shown}${more}`;
}

async function readOne(
  target: AuditTarget,
  session: AccountSession,
  progress: (line: string) => void,
): Promise<AccountOutcome> {
  const started = Date.now();
  const label = `${target.key} (${target.accountId})`;
  progress(`${label}: assuming ${target.auditRoleArn}`);
  try {
    await session.open();
  } catch (error) {
    const failure = failureOf(`assume ${target.auditRoleArn}`, error);
    progress(`${label}: NOT REACHED: ${failure.class}: ${failure.code} (${failure.stage})`);
    return failed(target, session.failures.length > 0 ? session.failures : [failure]);
  }
  try {
    const snapshot = await collectAccount(target, session);
    progress(`${label}: read in ${seconds(Date.now() - started)}`);
    return { kind: "audited", snapshot };
  } catch (error) {
    const first = failureOf("read the account", error);
    const failures = session.failures.length > 0 ? session.failures : [first];
    const failure = failures[0] ?? first;
    const more = failures.length > 1 ? ` and ${failures.length - 1} more` : "";
    progress(`${label}: NOT AUDITED: ${failure.class}: ${failure.code} (${failure.stage})${more}`);
    return failed(target, failures);
  }
}

/** One account within its deadline and the run's interruption. Never rejects. */
async function auditAccount(
  target: AuditTarget,
  settings: AwsSettings,
  progress: (line: string) => void,
  caller: AwsCredentialIdentity | undefined,
  run: AbortSignal | undefined,
): Promise<AccountOutcome> {
  const label = `${target.key} (${target.accountId})`;
  if (run?.aborted === true) {
    return failed(target, [
      {
        stage: "start reading the account",
        code: "Interrupted",
        message: `the audit was interrupted (${String(run.reason)}) before this account was started`,
        class: "interrupted",
      },
    ]);
  }
  const timeoutMs = (settings.limits ?? DEFAULT_LIMITS).accountTimeoutMs;
  const controller = new AbortController();
  // Every request in flight listens to the account's signal: many at once is expected.
  setMaxListeners(0, controller.signal);
  const session = new AccountSession({
    target,
    settings,
    signal: controller.signal,
    ...(caller !== undefined ? { caller } : {}),
  });
  const stop = (failure: Omit<AccountFailure, "message">, why: string): void => {
    if (controller.signal.aborted) return;
    const reason: StopReason = { failure: { ...failure, message: `${why}; ${waiting(session)}` } };
    controller.abort(reason);
  };
  const timer = setTimeout(
    () =>
      stop(
        {
          stage: `finish the account within its deadline (--account-timeout ${seconds(timeoutMs)})`,
          code: "AccountTimeout",
          class: "timeout",
        },
        `the account was not read in ${seconds(timeoutMs)}`,
      ),
    timeoutMs,
  );
  const interrupt = () =>
    stop(
      { stage: "finish reading the account", code: "Interrupted", class: "interrupted" },
      `the audit was interrupted (${String(run?.reason)})`,
    );
  run?.addEventListener("abort", interrupt, { once: true });
  const stopped = new Promise<AccountOutcome>((resolve) => {
    controller.signal.addEventListener(
      "abort",
      () => {
        const reason = (controller.signal.reason as StopReason).failure;
        progress(`${label}: NOT AUDITED: ${reason.class}: ${reason.message}`);
        resolve(failed(target, [reason, ...session.failures]));
      },
      { once: true },
    );
  });
  const work = readOne(target, session, progress).catch((error: unknown): AccountOutcome =>
    failed(target, [
      error instanceof ReadFailure ? error.toFailure() : failureOf("read the account", error),
    ]),
  );
  try {
    return await Promise.race([work, stopped]);
  } finally {
    clearTimeout(timer);
    run?.removeEventListener("abort", interrupt);
    session.close();
  }
}

/** Reads every target; one outcome per target, in order. Never rejects for an account's error. */
export async function readAccounts(options: ReadAccountsOptions): Promise<AccountOutcome[]> {
  const settings: AwsSettings = {
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  };
  const progress = options.progress ?? (() => undefined);
  if (options.signal !== undefined) setMaxListeners(0, options.signal);
  return mapWithConcurrency(options.targets, options.concurrency, (target) =>
    auditAccount(target, settings, progress, options.credentials, options.signal),
  );
}

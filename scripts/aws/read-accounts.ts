/**
 * Reaching and reading every account of a stack: assume the audit role, check that the
 * credentials act in the expected account, read it; at most `concurrency` accounts at once. An
 * account that cannot be reached or read is returned as a failure, with every read that failed;
 * the others go on.
 */
import { mapWithConcurrency } from "../../lib/audit/pool";
import type { AccountFailure, AccountOutcome } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import { AccountSession } from "./account-session";
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

/** One account. Never rejects. */
async function auditAccount(
  target: AuditTarget,
  settings: AwsSettings,
  progress: (line: string) => void,
  caller: AwsCredentialIdentity | undefined,
): Promise<AccountOutcome> {
  const session = new AccountSession({
    target,
    settings,
    signal: new AbortController().signal,
    ...(caller !== undefined ? { caller } : {}),
  });
  try {
    return await readOne(target, session, progress);
  } catch (error) {
    return failed(target, [
      error instanceof ReadFailure ? error.toFailure() : failureOf("read the account", error),
    ]);
  } finally {
    session.close();
  }
}

/** Reads every target; one outcome per target, in order. Never rejects for an account's error. */
export async function readAccounts(options: ReadAccountsOptions): Promise<AccountOutcome[]> {
  const settings: AwsSettings = {
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  };
  const progress = options.progress ?? (() => undefined);
  return mapWithConcurrency(options.targets, options.concurrency, (target) =>
    auditAccount(target, settings, progress, options.credentials),
  );
}

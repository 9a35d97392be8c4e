/**
 * Reaching and reading every account of a stack: assume the audit role, check that the
 * credentials act in the expected account, read it; at most `concurrency` accounts at once. An
 * account that cannot be reached or read is returned as a failure; the others go on.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { mapWithConcurrency } from "../../lib/audit/pool";
import type { AccountOutcome } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import {
  accountClients,
  callerSts,
  destroyClients,
  type AccountClients,
  type AwsCredentialIdentity,
  type AwsSettings,
} from "./clients";
import { collectAccount } from "./collect-account";
import { classOf, errorCode, errorMessage, failureOf } from "./errors";

/** Session name of the audit's role sessions, so the trail shows who read. */
export const AUDIT_SESSION_NAME = "tf-bootstrap-audit";

/** Options of {@link readAccounts}. */
export interface ReadAccountsOptions extends AwsSettings {
  readonly targets: readonly AuditTarget[];
  readonly concurrency: number;
  /** Called with one line per step (for stderr). */
  readonly progress?: (line: string) => void;
  /** The caller's credentials; default: the SDK's default chain (environment, profile...). */
  readonly credentials?: AwsCredentialIdentity;
}

type Reached =
  | { readonly ok: true; readonly clients: AccountClients }
  | { readonly ok: false; readonly outcome: AccountOutcome };

async function reach(
  settings: AwsSettings,
  target: AuditTarget,
  caller: AwsCredentialIdentity | undefined,
): Promise<Reached> {
  const failed = (stage: string, code: string, message: string, error?: unknown): Reached => ({
    ok: false,
    outcome: {
      kind: "failed",
      key: target.key,
      accountId: target.accountId,
      failure: {
        stage,
        code,
        message,
        class: code === "WrongAccount" ? "wrong-account" : classOf(code, error),
      },
    },
  });
  const sts = callerSts(settings, caller);
  let credentials;
  try {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: target.auditRoleArn, RoleSessionName: AUDIT_SESSION_NAME }),
    );
    credentials = out.Credentials;
  } catch (error) {
    return failed(`assume ${target.auditRoleArn}`, errorCode(error), errorMessage(error), error);
  } finally {
    sts.destroy();
  }
  if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
    return failed(`assume ${target.auditRoleArn}`, "NoCredentials", "STS returned no credentials");
  }
  const clients = accountClients(settings, {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken !== undefined ? { sessionToken: credentials.SessionToken } : {}),
  });
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (identity.Account !== target.accountId) {
      destroyClients(clients);
      return failed(
        "verify the account (sts:GetCallerIdentity)",
        "WrongAccount",
        `the credentials of ${target.auditRoleArn} act in account ${identity.Account ?? "?"}, ` +
          `not ${target.accountId}; nothing was read`,
      );
    }
  } catch (error) {
    destroyClients(clients);
    return failed(
      "verify the account (sts:GetCallerIdentity)",
      errorCode(error),
      errorMessage(error),
      error,
    );
  }
  return { ok: true, clients };
}

async function readOne(
  settings: AwsSettings,
  target: AuditTarget,
  progress: (line: string) => void,
  caller: AwsCredentialIdentity | undefined,
): Promise<AccountOutcome> {
  const started = Date.now();
  const label = `${target.key} (${target.accountId})`;
  progress(`${label}: assuming ${target.auditRoleArn}`);
  const reached = await reach(settings, target, caller);
  if (!reached.ok) {
    const f = reached.outcome.kind === "failed" ? reached.outcome.failure : undefined;
    progress(`${label}: NOT REACHED: ${f?.code ?? "?"} (${f?.stage ?? ""})`);
    return reached.outcome;
  }
  try {
    const snapshot = await collectAccount(target, reached.clients);
    progress(`${label}: read in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { kind: "audited", snapshot };
  } catch (error) {
    const failure = failureOf("read the account", error);
    progress(`${label}: NOT AUDITED: ${failure.code} (${failure.stage})`);
    return { kind: "failed", key: target.key, accountId: target.accountId, failure };
  } finally {
    destroyClients(reached.clients);
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
    readOne(settings, target, progress, options.credentials).catch(
      (error: unknown): AccountOutcome => ({
        kind: "failed",
        key: target.key,
        accountId: target.accountId,
        failure: failureOf("audit the account", error),
      }),
    ),
  );
}

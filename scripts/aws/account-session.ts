/**
 * One account's reads: the audit role's session in the account, and every read made through it.
 *
 * - Opening assumes the audit role and checks with `sts:GetCallerIdentity` that the credentials
 *   act in the expected account.
 * - Every read is sent with the account's abort signal (its deadline, or an interruption) through
 *   clients that check each answer's shape (`response-shapes.ts`), and its answer comes back
 *   checked and typed. A declared "does not exist" code is data; any other failure is recorded
 *   with its stage and class, and thrown as a {@link ReadFailure}.
 * - A read refused because the session expired assumes the audit role again, once per account,
 *   and is sent once more with the new session.
 * - IAM lists are read page by page, following `Marker` while `IsTruncated` says so; a Marker
 *   that repeats ends the read as malformed instead of looping.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { EXPIRED_SESSION_CODES, FAILURE_LABELS } from "../../lib/audit/failure-class";
import type { AccountFailure } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import {
  accountClients,
  callerSts,
  destroyClients,
  type AccountClients,
  type AwsCredentialIdentity,
  type AwsSettings,
} from "./clients";
import { errorFacts, readFailure, ReadFailure } from "./errors";
import {
  checkAnswer,
  checkResponses,
  MalformedResponseError,
  operationLabel,
  type Answer,
  type Operation,
} from "./response-shapes";

/** Session name of the audit's role sessions, so the trail shows who read. */
export const AUDIT_SESSION_NAME = "tf-bootstrap-audit";

/** Pages of one IAM list beyond which the audit stops and reports the list as malformed. */
export const MAX_PAGES = 1_000;

/** Options of a send: the account's abort signal. */
export interface SendOptions {
  readonly abortSignal: AbortSignal;
}

/** Why an account's reads stopped before they finished. */
export interface StopReason {
  readonly failure: AccountFailure;
}

/** How to reach an account. */
export interface SessionOptions {
  readonly target: AuditTarget;
  readonly settings: AwsSettings;
  /** The caller's credentials; default: the SDK's default chain. */
  readonly caller?: AwsCredentialIdentity;
  /** Aborted at the account's deadline or on interruption, with a {@link StopReason}. */
  readonly signal: AbortSignal;
}

type Call = (clients: AccountClients, options: SendOptions) => Promise<unknown>;

type PagedOperation = {
  [K in Operation]: Answer<K> extends { IsTruncated?: boolean; Marker?: string } ? K : never;
}[Operation];

/** The reads of one account through its audit role session. */
export class AccountSession {
  /** Every read that failed, in the order they failed. */
  readonly failures: AccountFailure[] = [];
  private clients: AccountClients | undefined;
  private generation = 0;
  private renewal: Promise<boolean> | undefined;
  private renewalSettled = false;
  private readonly made: AccountClients[] = [];
  private readonly running = new Map<number, string>();
  private nextId = 0;

  constructor(private readonly options: SessionOptions) {}

  /** The stages of the reads in flight now (for a timeout's message). */
  inFlight(): string[] {
    return [...new Set(this.running.values())];
  }

  /** Assumes the audit role and checks the account; throws a {@link ReadFailure}. */
  async open(): Promise<void> {
    this.clients = await this.assume(`assume ${this.options.target.auditRoleArn}`);
  }

  /**
   * Sends one read. Returns its checked answer, or `undefined` when it fails with one of
   * `absentCodes` (the resource or setting does not exist).
   */
  async read<K extends Operation>(
    operation: K,
    stage: string,
    call: Call,
    absentCodes: readonly string[] = [],
  ): Promise<Answer<K> | undefined> {
    const id = this.nextId++;
    this.running.set(id, stage);
    try {
      const generation = this.generation;
      const first = await this.attempt(operation, stage, call, absentCodes);
      if (first.kind !== "expired") return first.value;
      if (!(await this.renew(generation))) throw this.failed(stage, first.error);
      const second = await this.attempt(operation, stage, call, absentCodes);
      if (second.kind !== "expired") return second.value;
      throw this.failed(stage, second.error);
    } finally {
      this.running.delete(id);
    }
  }

  /** Like {@link read}, for a read that has no "absent" outcome. */
  async must<K extends Operation>(operation: K, stage: string, call: Call): Promise<Answer<K>> {
    const answer = await this.read(operation, stage, call);
    if (answer === undefined) throw this.failed(stage, new Error("no answer"));
    return answer;
  }

  /**
   * Every item of an IAM list: pages are read while `IsTruncated` says there are more, each with
   * the `Marker` of the page before.
   */
  async list<K extends PagedOperation, T>(
    operation: K,
    stage: string,
    call: (
      clients: AccountClients,
      options: SendOptions,
      marker: string | undefined,
    ) => Promise<unknown>,
    items: (page: Answer<K>) => readonly T[],
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let marker: string | undefined;
    for (let page = 1; ; page += 1) {
      const at = marker;
      const answer = await this.must(
        operation,
        page === 1 ? stage : `${stage}, page ${page}`,
        (c, o) => call(c, o, at),
      );
      out.push(...items(answer));
      const { IsTruncated, Marker } = answer as { IsTruncated?: boolean; Marker?: string };
      if (IsTruncated !== true || Marker === undefined) return out;
      if (seen.has(Marker) || page >= MAX_PAGES) {
        const label = operationLabel(undefined, operation);
        const problem = seen.has(Marker)
          ? `repeats the Marker of an earlier page: the list does not advance`
          : `still says IsTruncated after ${MAX_PAGES} pages`;
        throw this.failed(stage, new MalformedResponseError(label, problem, 200));
      }
      seen.add(Marker);
      marker = Marker;
    }
  }

  /** Closes the connections of every client the session made. */
  close(): void {
    for (const clients of this.made) destroyClients(clients);
    this.made.length = 0;
  }

  private async attempt<K extends Operation>(
    operation: K,
    stage: string,
    call: Call,
    absentCodes: readonly string[],
  ): Promise<
    | { readonly kind: "answer"; readonly value: Answer<K> | undefined }
    | { readonly kind: "expired"; readonly error: unknown }
  > {
    this.throwIfStopped(stage);
    const clients = this.clients;
    if (clients === undefined) throw new Error("bug: a read before the session was opened");
    let output: unknown;
    try {
      output = await call(clients, { abortSignal: this.options.signal });
    } catch (error) {
      const code = errorFacts(error).name;
      if (absentCodes.includes(code)) return { kind: "answer", value: undefined };
      if (EXPIRED_SESSION_CODES.includes(code)) return { kind: "expired", error };
      throw this.failed(stage, error);
    }
    try {
      return { kind: "answer", value: checkAnswer(operation, output) };
    } catch (error) {
      throw this.failed(stage, error);
    }
  }

  /**
   * Assumes the audit role again after a read found the session expired, once per account. True
   * when the reads may go on with a newer session than the one of `generation`.
   */
  private renew(generation: number): Promise<boolean> {
    if (generation !== this.generation) return Promise.resolve(true);
    if (this.renewal !== undefined) {
      return this.renewalSettled ? Promise.resolve(false) : this.renewal;
    }
    const stage = `assume ${this.options.target.auditRoleArn} again (the session expired)`;
    this.renewal = this.assume(stage).then(
      (clients) => {
        this.clients = clients;
        this.generation += 1;
        this.renewalSettled = true;
        return true;
      },
      () => {
        this.renewalSettled = true;
        return false;
      },
    );
    return this.renewal;
  }

  /** Assumes the audit role and checks the account of its credentials. */
  private async assume(stage: string): Promise<AccountClients> {
    const { target, settings, caller, signal } = this.options;
    this.throwIfStopped(stage);
    const sts = callerSts(settings, caller);
    checkResponses(sts);
    let credentials: Answer<"AssumeRoleCommand">["Credentials"];
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: target.auditRoleArn,
          RoleSessionName: AUDIT_SESSION_NAME,
        }),
        { abortSignal: signal },
      );
      credentials = checkAnswer("AssumeRoleCommand", out).Credentials;
    } catch (error) {
      throw this.failed(stage, error);
    } finally {
      sts.destroy();
    }
    const clients = accountClients(settings, {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    });
    checkResponses(clients.sts);
    checkResponses(clients.iam);
    checkResponses(clients.s3);
    checkResponses(clients.kms);
    checkResponses(clients.cloudtrail);
    checkResponses(clients.dynamodb);
    this.made.push(clients);
    const verify = "verify the account (sts:GetCallerIdentity)";
    let account: string;
    try {
      const out = await clients.sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
      account = checkAnswer("GetCallerIdentityCommand", out).Account;
    } catch (error) {
      throw this.failed(verify, error);
    }
    if (account !== target.accountId) {
      throw this.record(
        new ReadFailure(
          verify,
          "WrongAccount",
          `the credentials of ${target.auditRoleArn} act in account ${account}, not ` +
            `${target.accountId}; nothing was read with them`,
          "wrong-account",
        ),
      );
    }
    return clients;
  }

  /** The failure of `error` at `stage`, recorded unless the account's reads were stopped. */
  private failed(stage: string, error: unknown): ReadFailure {
    const stopped = this.stopped(stage);
    if (stopped !== undefined) return stopped;
    return this.record(readFailure(stage, error));
  }

  private record(failure: ReadFailure): ReadFailure {
    if (!this.failures.some((f) => f.stage === failure.stage))
      this.failures.push(failure.toFailure());
    return failure;
  }

  private stopped(stage: string): ReadFailure | undefined {
    const { signal } = this.options;
    if (!signal.aborted) return undefined;
    const reason = (signal.reason as StopReason | undefined)?.failure;
    const failureClass = reason?.class ?? "interrupted";
    return new ReadFailure(
      stage,
      reason?.code ?? "Stopped",
      FAILURE_LABELS[failureClass],
      failureClass,
    );
  }

  private throwIfStopped(stage: string): void {
    const stopped = this.stopped(stage);
    if (stopped !== undefined) throw stopped;
  }
}

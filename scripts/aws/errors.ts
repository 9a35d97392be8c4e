/**
 * SDK errors as the audit sees them: "this resource does not exist" is data (a declared resource
 * that is missing); anything else is a read failure with a stage, a code and a failure class.
 */
import { classifyError, type ErrorFacts, type FailureClass } from "../../lib/audit/failure-class";
import type { AccountFailure } from "../../lib/audit/snapshot";

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
}

/** The AWS error code of an SDK error (`AccessDenied`, `NoSuchEntity`...). */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = typeof e.Code === "string" ? e.Code : typeof e.name === "string" ? e.name : "";
  // Some emulators answer a JSON-protocol denial with an XML body the SDK cannot parse.
  if (status === 403 && (name === "" || name === "SyntaxError" || name === "Error")) {
    return "AccessDenied";
  }
  if (name !== "" && name !== "Error") return name;
  const errno = systemCode(e);
  if (errno !== undefined) return errno;
  return typeof status === "number" ? `HTTP${status}` : "Error";
}

/** A Node.js system error code on the error or its causes (`ECONNREFUSED`...). */
function systemCode(e: SdkErrorShape, depth = 0): string | undefined {
  if (typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (depth < 5 && typeof e.cause === "object" && e.cause !== null) {
    return systemCode(e.cause, depth + 1);
  }
  return undefined;
}

/** The facts of an error that decide its class. */
export function errorFacts(error: unknown): ErrorFacts {
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const errno = systemCode(e);
  return {
    name: errorCode(error),
    ...(errno !== undefined ? { errno } : {}),
    ...(typeof status === "number" ? { httpStatus: status } : {}),
  };
}

/** The message of an error, one line, with the attempts the SDK made when it retried. */
export function errorMessage(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  const raw = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
  const line = (raw.split("\n")[0] ?? raw).replace(/^@smithy\/node-http-handler - /, "");
  const errno = systemCode(e);
  const withCode = errno !== undefined && !line.includes(errno) ? `${line} (${errno})` : line;
  const attempts = e.$metadata?.attempts;
  return typeof attempts === "number" && attempts > 1
    ? `${withCode} (after ${attempts} attempts)`
    : withCode;
}

/** A read that failed; carries the stage and the class for the report. */
export class ReadFailure extends Error {
  constructor(
    readonly stage: string,
    readonly code: string,
    message: string,
    readonly failureClass: FailureClass,
  ) {
    super(message);
  }

  /** As an account failure. */
  toFailure(): AccountFailure {
    return { stage: this.stage, code: this.code, message: this.message, class: this.failureClass };
  }
}

/** Any error at `stage` as a {@link ReadFailure}. */
export function readFailure(stage: string, error: unknown): ReadFailure {
  if (error instanceof ReadFailure) return error;
  return new ReadFailure(
    stage,
    errorCode(error),
    errorMessage(error),
    classifyError(errorFacts(error)),
  );
}

/** Any error as an account failure at `stage`. */
export function failureOf(stage: string, error: unknown): AccountFailure {
  return readFailure(stage, error).toFailure();
}

/**
 * Like `Promise.all`, but waits for every promise before it rejects with the first failure, so
 * every failed read of an account is recorded, not only the first.
 */
export async function all<T extends readonly unknown[] | []>(
  values: T,
): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
  const settled = await Promise.allSettled(values);
  for (const result of settled) if (result.status === "rejected") throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [P in keyof T]: Awaited<T[P]>;
  };
}

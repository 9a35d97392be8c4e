/**
 * SDK errors as the audit sees them: "this resource does not exist" is data (a declared
 * resource that is missing), anything else stops the account's audit with a stage and a code.
 */
import { classifyError } from "../../lib/audit/failure-class";
import type { AccountFailure } from "../../lib/audit/snapshot";

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
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
  return typeof status === "number" ? `HTTP${status}` : "Error";
}

/** The message of an error, one line. */
export function errorMessage(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  const text = typeof e.message === "string" ? e.message : String(error);
  return text.split("\n")[0] ?? text;
}

/** A read that failed; carries the stage for the report. */
export class ReadFailure extends Error {
  constructor(
    readonly stage: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** As an account failure. */
  toFailure(): AccountFailure {
    return {
      stage: this.stage,
      code: this.code,
      message: this.message,
      class: classifyError({ name: this.code }),
    };
  }
}

/**
 * Runs one read. Returns `undefined` when it fails with one of `absentCodes` (the resource or
 * setting does not exist); throws a {@link ReadFailure} naming `stage` for any other error.
 */
export async function read<T>(
  stage: string,
  call: () => Promise<T>,
  absentCodes: readonly string[] = [],
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const code = errorCode(error);
    if (absentCodes.includes(code)) return undefined;
    throw new ReadFailure(stage, code, errorMessage(error));
  }
}

/** Like {@link read}, for a read that has no "absent" outcome. */
export async function must<T>(stage: string, call: () => Promise<T>): Promise<T> {
  const value = await read(stage, call);
  if (value === undefined) throw new ReadFailure(stage, "Empty", "the response was empty");
  return value;
}

/** Any error as an account failure at `stage`. */
export function failureOf(stage: string, error: unknown): AccountFailure {
  if (error instanceof ReadFailure) return error.toFailure();
  const code = errorCode(error);
  return { stage, code, message: errorMessage(error), class: classOf(code, error) };
}

/** The failure class of an SDK error with `code`. */
export function classOf(code: string, error: unknown): ReturnType<typeof classifyError> {
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  return classifyError({
    name: code,
    ...(typeof e.code === "string" ? { errno: e.code } : {}),
    ...(typeof status === "number" ? { httpStatus: status } : {}),
  });
}

/**
 * The audit's command line, parsed into options or a usage error. Pure, so every flag is
 * tested without running the audit.
 */
import { DEFAULT_MAX_KEY_AGE_DAYS } from "./access-key-age";
import {
  DEFAULT_LIMITS,
  LIMIT_BOUNDS,
  RETRY_MODES,
  type AuditLimits,
  type RetryMode,
} from "./limits";

/** Accounts audited at once unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 8;

/** Environment variable that points the SDK at an emulator (test/dev only), like `--endpoint`. */
export const ENDPOINT_ENV = "TF_BOOTSTRAP_AUDIT_ENDPOINT";

/** The audit's usage text. */
export const USAGE = `usage: npm run audit -- --stack NAME [--json] [--concurrency N] [--audit-role NAME]
                         [--max-key-age-days N] [--policy-pack-config FILE] [--stacks-dir DIR]
                         [--request-timeout S] [--account-timeout S] [--max-attempts N]
                         [--retry-mode standard|adaptive]

Reads every account of stacks/Pulumi.<NAME>.yaml through a read-only audit role and checks that
what is deployed is what the stack declares and is still least-privilege: the policy pack's
checks on the live documents, drift from the declared topology, undeclared roles that trust CI,
principals turned into unique ids, old access keys, a stopped trail. Credentials come from the
AWS SDK's default chain (environment, profile, SSO...). Progress goes to stderr.

  --stack NAME               the stack whose config declares the accounts (required)
  --json                     print the report as JSON instead of text
  --concurrency N            accounts audited at once (default ${DEFAULT_CONCURRENCY})
  --audit-role NAME          role assumed in every account (default: each account's bootstrap
                             role from the config)
  --max-key-age-days N       oldest allowed active access key (default ${DEFAULT_MAX_KEY_AGE_DAYS})
  --policy-pack-config FILE  the policy pack's JSON config (levels, exceptions)
  --stacks-dir DIR           where Pulumi.<NAME>.yaml lives (default: stacks/)
  --request-timeout S        seconds one request attempt may take (default ${DEFAULT_LIMITS.requestTimeoutMs / 1000})
  --account-timeout S        seconds one account may take; then it is reported timed out and
                             the others go on (default ${DEFAULT_LIMITS.accountTimeoutMs / 1000})
  --max-attempts N           attempts per request on throttling and transient errors
                             (default ${DEFAULT_LIMITS.maxAttempts})
  --retry-mode MODE          the AWS SDK's retry mode: standard or adaptive (default ${DEFAULT_LIMITS.retryMode})
  --organization             also read AWS Organizations (the caller's credentials: the
                             management account's) and report active accounts the stack does
                             not cover and stack accounts outside the organization
  --organization-ignore IDS  account ids (comma-separated) left out of the stack on purpose

Test and development only (never against real accounts):
  --endpoint URL             send every AWS request to URL (an emulator); or ${ENDPOINT_ENV}
  --now ISO-TIME             judge key ages as of this time instead of the clock

Exit codes: 0 clean; 1 findings; 2 could not complete: the config is unreadable, or an account
was not audited (access denied, credentials, throttling, timeout, network, server errors,
malformed responses; the other accounts are still audited and reported), or the audit was
interrupted (SIGINT, SIGTERM: the partial report is printed). docs/audit.md explains each.`;

/** The parsed command line. */
export interface AuditArgs {
  readonly stack: string;
  readonly json: boolean;
  readonly concurrency: number;
  readonly auditRole?: string;
  readonly maxKeyAgeDays: number;
  readonly policyPackConfig?: string;
  readonly stacksDir?: string;
  readonly endpoint?: string;
  readonly now?: Date;
  /** Timeouts and retries; {@link DEFAULT_LIMITS} where no flag is given. */
  readonly limits: AuditLimits;
  /** Also compare AWS Organizations with the stack. */
  readonly organization?: boolean;
  /** Account ids the organization check does not report. */
  readonly organizationIgnore?: readonly string[];
}

/** The outcome of parsing. */
export type ParsedArgs =
  | { readonly kind: "args"; readonly args: AuditArgs }
  | { readonly kind: "help" }
  | { readonly kind: "error"; readonly message: string };

const VALUE_FLAGS = [
  "--stack",
  "--concurrency",
  "--audit-role",
  "--max-key-age-days",
  "--policy-pack-config",
  "--stacks-dir",
  "--endpoint",
  "--now",
  "--request-timeout",
  "--account-timeout",
  "--max-attempts",
  "--retry-mode",
  "--organization-ignore",
] as const;

type ValueFlag = (typeof VALUE_FLAGS)[number];

function wholeNumber(flag: string, text: string, min: number, max?: number): number | string {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || (max !== undefined && n > max)) {
    const range = max !== undefined ? `from ${min} to ${max}` : `of at least ${min}`;
    return `${flag} must be a whole number ${range}; got '${text}'`;
  }
  return n;
}

function seconds(
  flag: string,
  text: string,
  bounds: { min: number; max: number },
): number | string {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n < bounds.min || n > bounds.max) {
    return `${flag} must be a number of seconds from ${bounds.min} to ${bounds.max}; got '${text}'`;
  }
  return Math.round(n * 1000);
}

/**
 * Parses `argv` (without `node` and the script); `env` supplies the endpoint override. Every
 * problem is reported at once, one a line.
 */
export function parseAuditArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  const values = new Map<ValueFlag, string>();
  const problems: string[] = [];
  let json = false;
  let organization = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--json") {
      json = true;
      continue;
    }
    if (arg === "--organization") {
      organization = true;
      continue;
    }
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) {
      problems.push(`unexpected argument '${arg}'`);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      problems.push(`${flag} needs a value`);
      continue;
    }
    if (inline === undefined) i += 1;
    values.set(flag as ValueFlag, value);
  }
  const check = <T>(result: T | string): T | undefined => {
    if (typeof result === "string") {
      problems.push(result);
      return undefined;
    }
    return result;
  };
  const stack = values.get("--stack");
  if (stack === undefined && !problems.some((p) => p.startsWith("--stack "))) {
    problems.push("--stack NAME is required");
  }
  const concurrency = check(
    wholeNumber("--concurrency", values.get("--concurrency") ?? String(DEFAULT_CONCURRENCY), 1),
  );
  const maxKeyAgeDays = check(
    wholeNumber(
      "--max-key-age-days",
      values.get("--max-key-age-days") ?? String(DEFAULT_MAX_KEY_AGE_DAYS),
      0,
    ),
  );
  const nowText = values.get("--now");
  const now = nowText === undefined ? undefined : new Date(nowText);
  if (now !== undefined && Number.isNaN(now.getTime())) {
    problems.push(`--now must be an ISO 8601 time; got '${nowText}'`);
  }
  const endpoint = values.get("--endpoint") ?? (env[ENDPOINT_ENV] || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    problems.push(`--endpoint must be an http(s) URL; got '${endpoint}'`);
  }
  const limits = parseLimits(values, check);
  const ignoreText = values.get("--organization-ignore");
  const organizationIgnore = ignoreText?.split(",").map((id) => id.trim());
  if (organizationIgnore?.some((id) => !/^\d{12}$/.test(id))) {
    problems.push(
      `--organization-ignore takes 12-digit account ids separated by commas; got '${ignoreText}'`,
    );
  }
  if (problems.length > 0 || stack === undefined || limits === undefined) {
    return { kind: "error", message: problems.join("\n") };
  }
  const auditRole = values.get("--audit-role");
  const policyPackConfig = values.get("--policy-pack-config");
  const stacksDir = values.get("--stacks-dir");
  return {
    kind: "args",
    args: {
      stack,
      json,
      concurrency: concurrency ?? DEFAULT_CONCURRENCY,
      maxKeyAgeDays: maxKeyAgeDays ?? DEFAULT_MAX_KEY_AGE_DAYS,
      ...(auditRole !== undefined ? { auditRole } : {}),
      ...(policyPackConfig !== undefined ? { policyPackConfig } : {}),
      ...(stacksDir !== undefined ? { stacksDir } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(now !== undefined ? { now } : {}),
      limits,
      ...(organization ? { organization } : {}),
      ...(organizationIgnore !== undefined ? { organizationIgnore } : {}),
    },
  };
}

function retryModeOf(
  mode: string,
  check: <T>(result: T | string) => T | undefined,
): RetryMode | undefined {
  const known = RETRY_MODES.find((m) => m === mode);
  if (known !== undefined) return known;
  check(`--retry-mode must be one of ${RETRY_MODES.join(", ")}; got '${mode}'`);
  return undefined;
}

/** The limits flags over {@link DEFAULT_LIMITS}; `undefined` when one is invalid. */
function parseLimits(
  values: ReadonlyMap<ValueFlag, string>,
  check: <T>(result: T | string) => T | undefined,
): AuditLimits | undefined {
  const text = (flag: ValueFlag) => values.get(flag);
  const request = text("--request-timeout");
  const account = text("--account-timeout");
  const attempts = text("--max-attempts");
  const mode = text("--retry-mode");
  const requestTimeoutMs =
    request === undefined
      ? DEFAULT_LIMITS.requestTimeoutMs
      : check(seconds("--request-timeout", request, LIMIT_BOUNDS.requestTimeoutSeconds));
  const accountTimeoutMs =
    account === undefined
      ? DEFAULT_LIMITS.accountTimeoutMs
      : check(seconds("--account-timeout", account, LIMIT_BOUNDS.accountTimeoutSeconds));
  const maxAttempts =
    attempts === undefined
      ? DEFAULT_LIMITS.maxAttempts
      : check(
          wholeNumber(
            "--max-attempts",
            attempts,
            LIMIT_BOUNDS.maxAttempts.min,
            LIMIT_BOUNDS.maxAttempts.max,
          ),
        );
  const retryMode = mode === undefined ? DEFAULT_LIMITS.retryMode : retryModeOf(mode, check);
  if (
    requestTimeoutMs === undefined ||
    accountTimeoutMs === undefined ||
    maxAttempts === undefined ||
    retryMode === undefined
  ) {
    return undefined;
  }
  return { requestTimeoutMs, accountTimeoutMs, maxAttempts, retryMode };
}

/**
 * The audit's command line, parsed into options or a usage error. Pure, so every flag is
 * tested without running the audit.
 */
import { DEFAULT_MAX_KEY_AGE_DAYS } from "./access-key-age";

/** Accounts audited at once unless `--concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 8;

/** Environment variable that points the SDK at an emulator (test/dev only), like `--endpoint`. */
export const ENDPOINT_ENV = "TF_BOOTSTRAP_AUDIT_ENDPOINT";

/** The audit's usage text. */
export const USAGE = `usage: npm run audit -- --stack NAME [--json] [--concurrency N] [--audit-role NAME]
                         [--max-key-age-days N] [--policy-pack-config FILE] [--stacks-dir DIR]

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
  --organization             also read AWS Organizations (the caller's credentials: the
                             management account's) and report active accounts the stack does
                             not cover and stack accounts outside the organization
  --organization-ignore IDS  account ids (comma-separated) left out of the stack on purpose

Test and development only (never against real accounts):
  --endpoint URL             send every AWS request to URL (an emulator); or ${ENDPOINT_ENV}
  --now ISO-TIME             judge key ages as of this time instead of the clock

Exit codes: 0 clean; 1 findings; 2 could not complete (config unreadable, or an account not
reached or a read denied: the other accounts are still audited and reported).`;

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
  "--organization-ignore",
] as const;

type ValueFlag = (typeof VALUE_FLAGS)[number];

function wholeNumber(flag: string, text: string, min: number): number | string {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    return `${flag} must be a whole number of at least ${min}; got '${text}'`;
  }
  return Number(text);
}

/** Parses `argv` (without `node` and the script); `env` supplies the endpoint override. */
export function parseAuditArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  const values = new Map<ValueFlag, string>();
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
      return { kind: "error", message: `unexpected argument '${arg}'` };
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      return { kind: "error", message: `${flag} needs a value` };
    }
    if (inline === undefined) i += 1;
    values.set(flag as ValueFlag, value);
  }
  const stack = values.get("--stack");
  if (stack === undefined) return { kind: "error", message: "--stack NAME is required" };
  const concurrency = wholeNumber(
    "--concurrency",
    values.get("--concurrency") ?? String(DEFAULT_CONCURRENCY),
    1,
  );
  if (typeof concurrency === "string") return { kind: "error", message: concurrency };
  const maxKeyAgeDays = wholeNumber(
    "--max-key-age-days",
    values.get("--max-key-age-days") ?? String(DEFAULT_MAX_KEY_AGE_DAYS),
    0,
  );
  if (typeof maxKeyAgeDays === "string") return { kind: "error", message: maxKeyAgeDays };
  const nowText = values.get("--now");
  const now = nowText === undefined ? undefined : new Date(nowText);
  if (now !== undefined && Number.isNaN(now.getTime())) {
    return { kind: "error", message: `--now must be an ISO 8601 time; got '${nowText}'` };
  }
  const endpoint = values.get("--endpoint") ?? (env[ENDPOINT_ENV] || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    return { kind: "error", message: `--endpoint must be an http(s) URL; got '${endpoint}'` };
  }
  const auditRole = values.get("--audit-role");
  const policyPackConfig = values.get("--policy-pack-config");
  const stacksDir = values.get("--stacks-dir");
  const ignoreText = values.get("--organization-ignore");
  const organizationIgnore = ignoreText?.split(",").map((id) => id.trim());
  if (organizationIgnore?.some((id) => !/^\d{12}$/.test(id))) {
    return {
      kind: "error",
      message: `--organization-ignore takes 12-digit account ids separated by commas; got '${ignoreText}'`,
    };
  }
  return {
    kind: "args",
    args: {
      stack,
      json,
      concurrency,
      maxKeyAgeDays,
      ...(auditRole !== undefined ? { auditRole } : {}),
      ...(policyPackConfig !== undefined ? { policyPackConfig } : {}),
      ...(stacksDir !== undefined ? { stacksDir } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(now !== undefined ? { now } : {}),
      ...(organization ? { organization } : {}),
      ...(organizationIgnore !== undefined ? { organizationIgnore } : {}),
    },
  };
}

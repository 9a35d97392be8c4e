/**
 * A guard policy's configuration (`--policy-pack-config`, keyed by policy name) and exceptions.
 *
 * ```json
 * {
 *   "terraform-role-trust-restrictive": {
 *     "exceptions": [
 *       "Principal::*",
 *       { "id": "Trust::CallerNotAdmitted", "resource": "sandbox-terraform-role", "reason": "INC-42" }
 *     ]
 *   },
 *   "state-backend-hardened": { "terraformAccountId": "111111111111" }
 * }
 * ```
 *
 * An exception accepts the findings with that id: a string accepts it on every resource, an
 * object on the one resource named by logical name or URN.
 */

/** CrossGuard enforcement levels. */
export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;

/** One of {@link ENFORCEMENT_LEVELS}. */
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

/** An accepted finding. */
export interface GuardException {
  /** The finding id, exactly as reported (`Principal::*`). */
  readonly id: string;
  /** The resource's logical name or URN; every resource when absent. */
  readonly resource?: string;
  /** Why it is accepted (a ticket, a date); shown in reports. */
  readonly reason?: string;
}

/** A policy's validated configuration. */
export interface GuardPolicyConfig {
  readonly exceptions: readonly GuardException[];
  /** Pins the Terraform account instead of deriving it (stack policies). */
  readonly terraformAccountId?: string;
}

/** The outcome of {@link parsePolicyConfig}. */
export type ParsedConfig =
  | { readonly ok: true; readonly config: GuardPolicyConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

const ACCOUNT_ID = /^\d{12}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseException(
  item: unknown,
  index: number,
  problems: string[],
): GuardException | undefined {
  if (typeof item === "string" && item !== "") return { id: item };
  if (!isRecord(item) || typeof item.id !== "string" || item.id === "") {
    problems.push(
      `exceptions[${index}] must be a finding id string or { id, resource?, reason? }; got ${JSON.stringify(item)}`,
    );
    return undefined;
  }
  for (const key of Object.keys(item)) {
    if (!["id", "resource", "reason"].includes(key)) {
      problems.push(`exceptions[${index}] has unknown key "${key}"; allowed: id, resource, reason`);
    }
  }
  if (item.resource !== undefined && typeof item.resource !== "string") {
    problems.push(`exceptions[${index}].resource must be a resource name or URN string`);
  }
  if (item.reason !== undefined && typeof item.reason !== "string") {
    problems.push(`exceptions[${index}].reason must be a string`);
  }
  return {
    id: item.id,
    ...(typeof item.resource === "string" ? { resource: item.resource } : {}),
    ...(typeof item.reason === "string" ? { reason: item.reason } : {}),
  };
}

/**
 * Validates one policy's config (what CrossGuard's `getConfig()` returns, without
 * `enforcementLevel`). Unknown keys and bad values are problems: a typo must not silently
 * disable an exception or a pin.
 */
export function parsePolicyConfig(raw: unknown): ParsedConfig {
  const problems: string[] = [];
  const input = raw === undefined || raw === null ? {} : raw;
  if (!isRecord(input)) {
    return { ok: false, problems: [`config must be an object; got ${JSON.stringify(raw)}`] };
  }
  for (const key of Object.keys(input)) {
    if (!["exceptions", "terraformAccountId", "enforcementLevel"].includes(key)) {
      problems.push(`unknown key "${key}"; allowed: exceptions, terraformAccountId`);
    }
  }
  const level = input.enforcementLevel;
  if (level !== undefined && !(ENFORCEMENT_LEVELS as readonly unknown[]).includes(level)) {
    problems.push(
      `enforcementLevel must be one of ${ENFORCEMENT_LEVELS.join(", ")}; got ${JSON.stringify(level)}`,
    );
  }
  const exceptions: GuardException[] = [];
  if (input.exceptions !== undefined) {
    if (!Array.isArray(input.exceptions)) {
      problems.push("exceptions must be a list");
    } else {
      input.exceptions.forEach((item, index) => {
        const parsed = parseException(item, index, problems);
        if (parsed) exceptions.push(parsed);
      });
    }
  }
  const tf = input.terraformAccountId;
  if (tf !== undefined && (typeof tf !== "string" || !ACCOUNT_ID.test(tf))) {
    problems.push(
      `terraformAccountId must be a 12-digit account id string; got ${JSON.stringify(tf)}`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { exceptions, ...(typeof tf === "string" ? { terraformAccountId: tf } : {}) },
  };
}

/** The JSON schema (draft 7) of the `exceptions` property, for CrossGuard's `configSchema`. */
export const EXCEPTIONS_SCHEMA = {
  type: "array",
  description:
    "Findings to accept: a finding id (every resource) or { id, resource (logical name or URN), reason }.",
  items: {
    anyOf: [
      { type: "string", minLength: 1 },
      {
        type: "object",
        properties: {
          id: { type: "string", minLength: 1 },
          resource: { type: "string" },
          reason: { type: "string" },
        },
        required: ["id"],
        additionalProperties: false,
      },
    ],
  },
  default: [],
} as const;

/** The JSON schema of `terraformAccountId`. */
export const TERRAFORM_ACCOUNT_SCHEMA = {
  type: "string",
  pattern: "^[0-9]{12}$",
  description:
    "Pins the Terraform account; default: the account of the stack's S3 buckets and trails.",
} as const;

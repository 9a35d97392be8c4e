/**
 * Who may do what to the Terraform account's state bucket, log bucket, state key and trail key:
 * the access matrix, written once. The policy pack, the offline synth and the audit judge every
 * resource policy against it by evaluation (`resource-access.ts`), and the docs show it
 * (`renderAccessMatrix`); nothing here looks at a statement's Sid or shape.
 *
 * Each cell says what the resource policy must do with the requests of one action class made
 * by one class of caller:
 * - `refused`: the request fails whatever the caller sends. For a bucket and a caller of the
 *   Terraform account that takes an explicit Deny (the account's IAM policies could allow it);
 *   for another account, or for a KMS key (its policy is the only authority), no Allow may
 *   apply either.
 * - `allowed`: the legitimate request is allowed by the resource policy itself (a KMS key's
 *   users, the AWS services that deliver logs).
 * - `not-denied`: the legitimate request is not refused by the resource policy (on a bucket the
 *   caller's own IAM policy grants it).
 * Cells left out make no claim.
 */

/** The resources the matrix covers. */
export type MatrixResource = "state-bucket" | "log-bucket" | "state-key" | "trail-key";

/** The classes of callers the matrix distinguishes. */
export type CallerClass =
  | "outsider"
  | "account-principal"
  | "ci-plan-role"
  | "ci-apply-role"
  | "admin-principal"
  | "bootstrap-role"
  | "cloudtrail"
  | "cloudtrail-elsewhere"
  | "s3-logging"
  | "s3-logging-elsewhere";

/** What a cell requires. */
export type Expectation = "refused" | "allowed" | "not-denied";

/** The classes of actions the matrix distinguishes. */
export type ActionClass =
  | "read-state"
  | "write-state"
  | "write-lockfile"
  | "change-state-object"
  | "delete-state-version"
  | "write-state-sse-c"
  | "write-state-sse-s3"
  | "write-state-aws-managed-key"
  | "write-state-foreign-key"
  | "read-logs"
  | "delete-logs"
  | "deliver-trail-logs"
  | "deliver-access-logs"
  | "change-bucket-configuration"
  | "delete-bucket"
  | "use-key-through-storage"
  | "use-key-directly"
  | "create-grant-directly"
  | "administer-key"
  | "encrypt-trail-logs"
  | "read-without-tls";

/** One cell. */
export interface MatrixCell {
  readonly caller: CallerClass;
  readonly action: ActionClass;
  readonly expect: Expectation;
}

/** The matrix of one resource. */
export interface ResourceMatrix {
  readonly resource: MatrixResource;
  /** How findings and docs name the resource (`StateBucket`). */
  readonly id: string;
  readonly label: string;
  readonly cells: readonly MatrixCell[];
}

/** How docs and findings name each caller class. */
export const CALLER_CLASSES: Readonly<Record<CallerClass, { id: string; label: string }>> = {
  outsider: { id: "Outsider", label: "a principal of another account" },
  "account-principal": {
    id: "AccountPrincipal",
    label:
      "any other principal of the Terraform account (not a CI role, an admin principal or the bootstrap role), whatever its IAM policies allow",
  },
  "ci-plan-role": { id: "CiPlanRole", label: "the CI plan role" },
  "ci-apply-role": { id: "CiApplyRole", label: "the CI apply role" },
  "admin-principal": { id: "AdminPrincipal", label: "an admin principal (adminPrincipals)" },
  "bootstrap-role": {
    id: "BootstrapRole",
    label: "the Terraform account's bootstrap role (through which `pulumi up` acts)",
  },
  cloudtrail: { id: "CloudTrail", label: "CloudTrail, for the stack's trail" },
  "cloudtrail-elsewhere": {
    id: "CloudTrailElsewhere",
    label: "CloudTrail, for a trail of another account",
  },
  "s3-logging": { id: "S3Logging", label: "S3 server access logging, for the state bucket" },
  "s3-logging-elsewhere": {
    id: "S3LoggingElsewhere",
    label: "S3 server access logging, for a bucket of another account",
  },
};

/** How docs and findings name each action class. */
export const ACTION_CLASSES: Readonly<Record<ActionClass, { id: string; label: string }>> = {
  "read-state": { id: "ReadState", label: "read a state object or version" },
  "write-state": { id: "WriteState", label: "write a state object" },
  "write-lockfile": { id: "WriteLockfile", label: "put or delete a lockfile" },
  "change-state-object": {
    id: "ChangeStateObject",
    label:
      "any other object write: tags, ACLs, retention, legal hold, restore, and object actions AWS adds later",
  },
  "delete-state-version": { id: "DeleteStateVersion", label: "delete a version of state" },
  "write-state-sse-c": {
    id: "WriteStateSseC",
    label: "write state with a customer-provided key (SSE-C)",
  },
  "write-state-sse-s3": { id: "WriteStateSseS3", label: "write state with SSE-S3" },
  "write-state-aws-managed-key": {
    id: "WriteStateAwsManagedKey",
    label: "write state with the AWS managed aws/s3 key",
  },
  "write-state-foreign-key": {
    id: "WriteStateForeignKey",
    label: "write state under a KMS key of another account",
  },
  "read-logs": { id: "ReadLogs", label: "read log objects" },
  "delete-logs": { id: "DeleteLogs", label: "delete a log object or version" },
  "deliver-trail-logs": { id: "DeliverTrailLogs", label: "deliver CloudTrail logs" },
  "deliver-access-logs": { id: "DeliverAccessLogs", label: "deliver server access logs" },
  "change-bucket-configuration": {
    id: "ChangeBucketConfiguration",
    label:
      "change the bucket: policy, lifecycle, versioning, replication, encryption, public access, ownership, logging, object lock, tags, and bucket actions AWS adds later",
  },
  "delete-bucket": { id: "DeleteBucket", label: "delete the bucket" },
  "use-key-through-storage": {
    id: "UseKeyThroughStorage",
    label: "encrypt and decrypt through S3 (and DynamoDB)",
  },
  "use-key-directly": { id: "UseKeyDirectly", label: "decrypt or encrypt with KMS directly" },
  "create-grant-directly": { id: "CreateGrant", label: "create a grant on the key" },
  "administer-key": {
    id: "AdministerKey",
    label:
      "administer the key: its policy, deletion, disabling, rotation, aliases, tags, and KMS actions AWS adds later",
  },
  "encrypt-trail-logs": { id: "EncryptTrailLogs", label: "encrypt trail logs" },
  "read-without-tls": { id: "WithoutTls", label: "any request without TLS" },
};

function cells(
  action: ActionClass,
  expectations: Partial<Record<CallerClass, Expectation>>,
): MatrixCell[] {
  return Object.entries(expectations).map(([caller, expect]) => ({
    caller: caller as CallerClass,
    action,
    expect,
  }));
}

const EVERYONE_REFUSED: Partial<Record<CallerClass, Expectation>> = {
  outsider: "refused",
  "account-principal": "refused",
  "ci-plan-role": "refused",
  "ci-apply-role": "refused",
  "admin-principal": "refused",
  "bootstrap-role": "refused",
};

const ONLY_ADMINISTRATORS: Partial<Record<CallerClass, Expectation>> = {
  outsider: "refused",
  "account-principal": "refused",
  "ci-plan-role": "refused",
  "ci-apply-role": "refused",
  "admin-principal": "not-denied",
  "bootstrap-role": "not-denied",
};

const STATE_WRITERS_REFUSED: Partial<Record<CallerClass, Expectation>> = {
  outsider: "refused",
  "account-principal": "refused",
  "ci-apply-role": "refused",
  "admin-principal": "refused",
};

/** The matrix. */
export const ACCESS_MATRIX: readonly ResourceMatrix[] = [
  {
    resource: "state-bucket",
    id: "StateBucket",
    label: "state bucket (bucket policy)",
    cells: [
      ...cells("read-state", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "not-denied",
        "ci-apply-role": "not-denied",
        "admin-principal": "not-denied",
      }),
      ...cells("write-state", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "refused",
        "ci-apply-role": "not-denied",
        "admin-principal": "not-denied",
      }),
      ...cells("write-lockfile", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "not-denied",
        "ci-apply-role": "not-denied",
      }),
      ...cells("change-state-object", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "refused",
      }),
      ...cells("delete-state-version", EVERYONE_REFUSED),
      ...cells("write-state-sse-c", STATE_WRITERS_REFUSED),
      ...cells("write-state-sse-s3", STATE_WRITERS_REFUSED),
      ...cells("write-state-aws-managed-key", STATE_WRITERS_REFUSED),
      ...cells("write-state-foreign-key", STATE_WRITERS_REFUSED),
      ...cells("change-bucket-configuration", ONLY_ADMINISTRATORS),
      ...cells("delete-bucket", EVERYONE_REFUSED),
      // Requests without TLS: Tls::NotDenied (state-backend-hardened) probes every principal
      // the policy names.
    ],
  },
  {
    resource: "log-bucket",
    id: "LogBucket",
    label: "log bucket (bucket policy)",
    cells: [
      ...cells("read-logs", { outsider: "refused" }),
      ...cells("delete-logs", EVERYONE_REFUSED),
      ...cells("deliver-trail-logs", { cloudtrail: "allowed", "cloudtrail-elsewhere": "refused" }),
      ...cells("deliver-access-logs", {
        "s3-logging": "allowed",
        "s3-logging-elsewhere": "refused",
      }),
      ...cells("change-bucket-configuration", ONLY_ADMINISTRATORS),
      ...cells("delete-bucket", EVERYONE_REFUSED),
      ...cells("read-without-tls", EVERYONE_REFUSED),
    ],
  },
  {
    resource: "state-key",
    id: "StateKey",
    label: "state key (key policy)",
    cells: [
      ...cells("use-key-through-storage", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "allowed",
        "ci-apply-role": "allowed",
        "admin-principal": "allowed",
      }),
      ...cells("use-key-directly", {
        outsider: "refused",
        "account-principal": "refused",
        "bootstrap-role": "refused",
        "ci-plan-role": "refused",
        "ci-apply-role": "refused",
        "admin-principal": "refused",
      }),
      ...cells("create-grant-directly", {
        outsider: "refused",
        "account-principal": "refused",
        "ci-plan-role": "refused",
        "ci-apply-role": "refused",
      }),
      ...cells("administer-key", ONLY_ADMINISTRATORS),
    ],
  },
  {
    resource: "trail-key",
    id: "TrailKey",
    label: "trail key (key policy)",
    cells: [
      ...cells("encrypt-trail-logs", { cloudtrail: "allowed", "cloudtrail-elsewhere": "refused" }),
      ...cells("use-key-directly", { outsider: "refused" }),
      ...cells("create-grant-directly", {
        outsider: "refused",
        "account-principal": "refused",
        "ci-plan-role": "refused",
        "ci-apply-role": "refused",
      }),
      ...cells("administer-key", ONLY_ADMINISTRATORS),
    ],
  },
];

/** The matrix of one resource. */
export function matrixOf(resource: MatrixResource): ResourceMatrix {
  const matrix = ACCESS_MATRIX.find((m) => m.resource === resource);
  if (matrix === undefined) throw new Error(`bug: no access matrix for ${resource}`);
  return matrix;
}

/** The finding id of a cell: `Access::StateBucket:ReadState:AccountPrincipal`. */
export function cellId(matrix: ResourceMatrix, cell: MatrixCell): string {
  return `Access::${matrix.id}:${ACTION_CLASSES[cell.action].id}:${CALLER_CLASSES[cell.caller].id}`;
}

const SHORT: Readonly<Record<Expectation, string>> = {
  refused: "refused",
  allowed: "allowed",
  "not-denied": "not denied",
};

/**
 * The matrix as Markdown tables, one per resource: action classes down, caller classes across.
 * `docs/policies.md` embeds exactly this text (a test compares them).
 */
export function renderAccessMatrix(): string {
  const out: string[] = [];
  for (const matrix of ACCESS_MATRIX) {
    const callers = [...new Set(matrix.cells.map((c) => c.caller))];
    const actions = [...new Set(matrix.cells.map((c) => c.action))];
    out.push(`**${matrix.label}** (finding ids \`Access::${matrix.id}:<action>:<caller>\`)`, "");
    out.push(
      `| action | ${callers.map((c) => `${CALLER_CLASSES[c].id}`).join(" | ")} |`,
      `| --- | ${callers.map(() => "---").join(" | ")} |`,
    );
    for (const action of actions) {
      const row = callers.map((caller) => {
        const cell = matrix.cells.find((c) => c.caller === caller && c.action === action);
        return cell ? SHORT[cell.expect] : "";
      });
      out.push(
        `| ${ACTION_CLASSES[action].id}: ${ACTION_CLASSES[action].label} | ${row.join(" | ")} |`,
      );
    }
    out.push("");
  }
  out.push(
    "Callers: " +
      Object.values(CALLER_CLASSES)
        .map((c) => `${c.id}: ${c.label}`)
        .join("; ") +
      ".",
  );
  return out.join("\n");
}

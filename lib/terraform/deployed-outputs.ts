import { z } from "zod";
import { ACCOUNT_ID, KEY_PREFIX, REGION, TABLE_NAME, WORKSPACE, follows } from "../config/rules";
import { LOCK_MODES } from "../config/schema";

/**
 * The stack outputs the Terraform handoff is made from, as `pulumi stack output --json` prints
 * them (and as `npm run synth` writes them to `out/<stack>/outputs.json`). Only the outputs the
 * handoff needs are read; the others (and secrets, which that command prints as `[secret]`)
 * are ignored and never copied into a generated file.
 */

/** How Terraform locks state. */
export type LockMode = (typeof LOCK_MODES)[number];

/** One product account as Terraform sees it: a workspace. */
export interface WorkspaceAccount {
  /** The Terraform workspace. */
  readonly workspace: string;
  /** The account's stable key in the stack config. */
  readonly accountName: string;
  readonly accountId: string;
  /** The role Terraform assumes in the account. */
  readonly roleArn: string;
}

/** Where state lives and how it is locked. */
export interface BackendOutputs {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  readonly workspaceKeyPrefix: string;
  readonly lockMode: LockMode;
  /** The DynamoDB lock table; set exactly when `lockMode` is `dynamodb` or `both`. */
  readonly lockTable?: string;
  readonly kmsKeyArn: string;
}

/** The validated outputs the handoff is rendered from. */
export interface DeployedOutputs {
  readonly terraformAccountId: string;
  /** Every product account, sorted by workspace. */
  readonly workspaces: readonly WorkspaceAccount[];
  readonly backend: BackendOutputs;
  /** The CI Terraform role: the backend assumes it. */
  readonly ciRoleArn: string;
}

/** One thing wrong with the outputs. */
export interface OutputProblem {
  /** Output path, e.g. `backend.kmsKeyArn` or `workspaces.dev.roleArn`. */
  readonly path: string;
  /** The value found there (`undefined` when it is missing). */
  readonly value: unknown;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** Outcome of {@link parseDeployedOutputs}. */
export type OutputsResult =
  | { readonly ok: true; readonly outputs: DeployedOutputs }
  | { readonly ok: false; readonly problems: readonly OutputProblem[] };

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7E]+\/)?[\w+=,.@-]+$/;
const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;

const text = (what: string) => z.string({ error: `must be ${what} (a string)` });
const ruled = (rule: { pattern: RegExp; maxLength: number; allowed: string }, what: string) =>
  text(what).refine((v) => follows({ ...rule, example: "" }, v), {
    error: `must be ${what}: ${rule.allowed}`,
  });
const roleArn = text("an IAM role ARN").regex(ROLE_ARN, {
  error: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/terraform",
});

const workspaceSchema = z.object(
  {
    accountName: text("the account's name"),
    accountId: ruled(ACCOUNT_ID, "a 12-digit AWS account id"),
    roleArn,
  },
  { error: "must be an object { accountName, accountId, roleArn }" },
);

const outputsSchema = z.object(
  {
    terraformAccountId: ruled(ACCOUNT_ID, "a 12-digit AWS account id"),
    workspaces: z.record(
      z.string().refine((w) => follows({ ...WORKSPACE, example: "" }, w)),
      workspaceSchema,
      {
        error: (issue) =>
          issue.code === "invalid_type" ? "must be an object keyed by workspace name" : undefined,
      },
    ),
    backend: z.object(
      {
        bucket: text("the state bucket's name").min(3, { error: "must be a bucket name" }),
        region: ruled(REGION, "an AWS region code"),
        key: text("the state object's name").min(1, { error: "must not be empty" }),
        workspaceKeyPrefix: ruled(KEY_PREFIX, "the workspace key prefix"),
        lockMode: z.enum(LOCK_MODES, { error: `must be one of ${LOCK_MODES.join(", ")}` }),
        lockTable: ruled(TABLE_NAME, "a DynamoDB table name").optional(),
        kmsKeyArn: text("a KMS key ARN").regex(KMS_KEY_ARN, {
          error:
            "must be the state key's ARN, such as arn:aws:kms:eu-west-1:123456789012:key/<key id>",
        }),
      },
      { error: "must be an object { bucket, region, key, workspaceKeyPrefix, lockMode, ... }" },
    ),
    ciRoleArn: roleArn,
  },
  { error: "must be a JSON object of stack outputs" },
);

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/**
 * Validates what `pulumi stack output --json` printed (already parsed from JSON) and returns
 * the outputs the handoff needs, or every problem found: missing outputs, values of the wrong
 * shape, and values that disagree with each other (a role ARN in another account than its
 * account id, a key in another region than the bucket, a lock table the lock mode does not use).
 */
export function parseDeployedOutputs(raw: unknown): OutputsResult {
  const parsed = outputsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const value = valueAt(raw, issue.path);
        const message =
          issue.code === "invalid_key"
            ? `is not a workspace name Terraform accepts: ${WORKSPACE.allowed}`
            : issue.message;
        return {
          path: pathOf(issue.path) || "(the outputs)",
          value,
          message:
            value === undefined && issue.path.length > 0
              ? `is missing: the stack must export it (${message})`
              : message,
        };
      }),
    };
  }
  const data = parsed.data;
  const problems: OutputProblem[] = [];
  const workspaces = Object.entries(data.workspaces)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([workspace, account]) => ({ workspace, ...account }));
  if (workspaces.length === 0) {
    problems.push({
      path: "workspaces",
      value: data.workspaces,
      message: "lists no workspace: the stack must have at least one product account",
    });
  }
  for (const w of workspaces) {
    const account = ROLE_ARN.exec(w.roleArn)?.[2];
    if (account !== w.accountId) {
      problems.push({
        path: `workspaces.${w.workspace}.roleArn`,
        value: w.roleArn,
        message: `is a role in account ${account} but the workspace's accountId is ${w.accountId}; they must agree`,
      });
    }
  }
  const ciAccount = ROLE_ARN.exec(data.ciRoleArn)?.[2];
  if (ciAccount !== data.terraformAccountId) {
    problems.push({
      path: "ciRoleArn",
      value: data.ciRoleArn,
      message: `is a role in account ${ciAccount}, not in the Terraform account ${data.terraformAccountId}`,
    });
  }
  const key = KMS_KEY_ARN.exec(data.backend.kmsKeyArn);
  if (key?.[2] !== data.backend.region || key[3] !== data.terraformAccountId) {
    problems.push({
      path: "backend.kmsKeyArn",
      value: data.backend.kmsKeyArn,
      message: `must be a key of the Terraform account ${data.terraformAccountId} in the state's region ${data.backend.region}`,
    });
  }
  const usesTable = data.backend.lockMode !== "s3-lockfile";
  if (usesTable && data.backend.lockTable === undefined) {
    problems.push({
      path: "backend.lockTable",
      value: undefined,
      message: `is missing: lock mode '${data.backend.lockMode}' locks with a DynamoDB table and needs its name`,
    });
  }
  if (!usesTable && data.backend.lockTable !== undefined) {
    problems.push({
      path: "backend.lockTable",
      value: data.backend.lockTable,
      message: "is set but lock mode 's3-lockfile' uses no table; the outputs disagree",
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  const { lockTable, ...backend } = data.backend;
  return {
    ok: true,
    outputs: {
      terraformAccountId: data.terraformAccountId,
      workspaces,
      backend: { ...backend, ...(usesTable && lockTable !== undefined ? { lockTable } : {}) },
      ciRoleArn: data.ciRoleArn,
    },
  };
}

import { z } from "zod";
import {
  ACCOUNT_ID,
  ACCOUNT_NAME,
  IAM_NAME,
  IAM_PATH,
  KEY_PREFIX,
  KMS_ALIAS,
  NameRule,
  POLICY_NAME,
  REGION,
  SERVICE_PREFIX,
  TABLE_NAME,
  TRAIL_NAME,
  WORKSPACE,
  follows,
} from "./rules";

/**
 * The stack config schema: one Pulumi stack per organisation, every key under the project's
 * namespace (`tf-bootstrap:`). Defaults live here and nowhere else.
 */

/** The AWS partitions tf-bootstrap supports, with the region prefix each one uses. */
export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;

/** How Terraform locks state. */
export const LOCK_MODES = ["s3-lockfile", "dynamodb", "both"] as const;

/** How CI authenticates to the Terraform account. */
export const CI_MODES = ["iam-user"] as const;

/** The role Organizations creates in every member account; the default bootstrap role. */
export const DEFAULT_BOOTSTRAP_ROLE = "OrganizationAccountAccessRole";

/** Builds the message for a value that breaks a naming rule. */
export function ruleMessage(rule: NameRule): string {
  return `must be ${rule.allowed}; for example ${rule.example}`;
}

function named(rule: NameRule) {
  const error = ruleMessage(rule);
  return z.string({ error }).refine((v) => follows(rule, v), { error });
}

const positiveInt = (what: string, min: number, max: number) =>
  z
    .number({ error: `must be a whole number of ${what} from ${min} to ${max}` })
    .int({ error: `must be a whole number of ${what} from ${min} to ${max}` })
    .min(min, { error: `must be at least ${min} ${what}` })
    .max(max, { error: `must be at most ${max} ${what}` });

/** An AWS managed policy ARN; customer policies are named per account instead. */
export const AWS_MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::aws:policy\/[\w+=,.@/-]+$/;

const iamArn = z.string({ error: "must be an IAM ARN string" }).regex(/^arn:aws[a-z-]*:iam::/, {
  error: "must be an IAM ARN such as arn:aws:iam::123456789012:role/Admin",
});

const terraformAccountSchema = z.strictObject({
  /** The Terraform account's id. */
  id: named(ACCOUNT_ID),
  /** Role the deployer assumes in the account. Default: OrganizationAccountAccessRole. */
  bootstrapRoleName: named(IAM_NAME).default(DEFAULT_BOOTSTRAP_ROLE),
});

const productAccountSchema = z.strictObject({
  /** Stable key of the account: names its resources and outputs. Never rename it. */
  name: named(ACCOUNT_NAME),
  id: named(ACCOUNT_ID),
  /** Terraform workspace of the account. Default: the account name. */
  workspace: named(WORKSPACE).optional(),
  /** Role the deployer assumes in the account. Default: the Terraform account's. */
  bootstrapRoleName: named(IAM_NAME).optional(),
});

const ciSchema = z
  .strictObject({
    mode: z.enum(CI_MODES, { error: `must be one of ${CI_MODES.join(", ")}` }).default("iam-user"),
    /** Name of the CI IAM user. Default: terraform-ci. */
    userName: named(IAM_NAME).default("terraform-ci"),
    /** Name of the CI Terraform role. Default: terraform-ci. */
    roleName: named(IAM_NAME).default("terraform-ci"),
    /** IAM path of the CI user and role. Default: /. */
    path: named(IAM_PATH).default("/"),
    /** Create an access key for the CI user and return it as a secret output. Default: false. */
    createAccessKey: z.boolean({ error: "must be true or false" }).default(false),
    /** Max session of the CI role, in seconds. Default: 3600. */
    maxSessionDurationSeconds: positiveInt("seconds", 3600, 43200).default(3600),
  })
  .prefault({});

const terraformRoleSchema = z.strictObject({
  /** Name of the Terraform role in every product account. Default: terraform. */
  name: named(IAM_NAME).default("terraform"),
  /** IAM path of the role. Default: /. */
  path: named(IAM_PATH).default("/"),
  /** AWS managed policies attached to the role in every product account. Default: none. */
  managedPolicyArns: z
    .array(
      z
        .string({ error: "must be an AWS managed policy ARN string" })
        .regex(AWS_MANAGED_POLICY_ARN, {
          error:
            "must be an AWS managed policy ARN such as arn:aws:iam::aws:policy/PowerUserAccess; list a policy of your own by name in 'customerManagedPolicies'",
        }),
    )
    .default([]),
  /**
   * Customer managed policies, by name (optionally `path/name`), that exist under the same name
   * in every product account and are attached to the role there. Default: none.
   */
  customerManagedPolicies: z.array(named(POLICY_NAME)).default([]),
  /** Services Terraform may manage: each becomes `<service>:*` in the role's policy. */
  allowedServices: z.array(named(SERVICE_PREFIX)).default([]),
  /**
   * Permissions boundary: an AWS managed policy ARN, or the name (optionally `path/name`) of a
   * customer managed policy that exists in every product account. Default: none.
   */
  permissionsBoundary: z
    .string({ error: "must be a policy ARN or name string" })
    .refine((v) => AWS_MANAGED_POLICY_ARN.test(v) || follows(POLICY_NAME, v), {
      error: `must be an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME) or ${POLICY_NAME.allowed}; for example ${POLICY_NAME.example}`,
    })
    .optional(),
  /** Max session of the Terraform role, in seconds. Default: 3600. */
  maxSessionDurationSeconds: positiveInt("seconds", 3600, 43200).default(3600),
});

const stateSchema = z
  .strictObject({
    /** Exact state bucket name. Default: `<bucketPrefix>-<account id>-<region>`. */
    bucketName: z.string({ error: "must be a bucket name string" }).optional(),
    /** Prefix of the generated bucket name. Default: `<organization>-tfstate`. */
    bucketPrefix: z.string({ error: "must be a string" }).optional(),
    /** Key prefix under which every workspace's state lives. Default: terraform. */
    keyPrefix: named(KEY_PREFIX).default("terraform"),
    /** State locking. Default: s3-lockfile (Terraform/OpenTofu 1.10+). */
    lock: z
      .enum(LOCK_MODES, {
        error: `must be one of ${LOCK_MODES.join(", ")} ('s3-lockfile' needs Terraform/OpenTofu 1.10+, 'dynamodb' works with older versions)`,
      })
      .default("s3-lockfile"),
    /** Lock table name, used when `lock` is dynamodb or both. Default: terraform-locks. */
    lockTableName: named(TABLE_NAME).default("terraform-locks"),
    /** Days before noncurrent state versions expire. Default: 90. */
    noncurrentVersionRetentionDays: positiveInt("days", 1, 36500).default(90),
    /** KMS alias of the state key (without `alias/`). Default: terraform-state. */
    kmsAlias: named(KMS_ALIAS).default("terraform-state"),
  })
  .prefault({});

const auditSchema = z
  .strictObject({
    /** CloudTrail trail name. Default: terraform-audit. */
    trailName: named(TRAIL_NAME).default("terraform-audit"),
    /** Exact log bucket name. Default: `<state bucket name>-logs` shortened to fit. */
    logBucketName: z.string({ error: "must be a bucket name string" }).optional(),
    /** KMS alias of the trail key (without `alias/`). Default: terraform-audit. */
    kmsAlias: named(KMS_ALIAS).default("terraform-audit"),
    /** Days before log objects expire; omit to keep logs forever. */
    logRetentionDays: positiveInt("days", 1, 36500).optional(),
  })
  .prefault({});

/** Schema of the whole stack config, keyed by the config key without the namespace. */
export const stackConfigSchema = z.strictObject({
  /** Short organisation name: tags resources and prefixes generated bucket names. */
  organization: named(ACCOUNT_NAME),
  /** Region of the state backend, the trail and every provider. */
  region: named(REGION),
  partition: z
    .enum(PARTITIONS, { error: `must be one of ${PARTITIONS.join(", ")}` })
    .default("aws"),
  terraformAccount: terraformAccountSchema,
  productAccounts: z
    .array(productAccountSchema, { error: "must be a list of product accounts" })
    .min(1, {
      error:
        "must list at least one product account; add an entry { name, id } for each account Terraform manages",
    }),
  ci: ciSchema,
  terraformRole: terraformRoleSchema,
  state: stateSchema,
  audit: auditSchema,
  /** IAM role or user ARNs that may read and repair state (break-glass). Default: none. */
  adminPrincipals: z.array(iamArn).default([]),
  /** Tags on every resource, in addition to `ManagedBy` and `Organization`. */
  tags: z.record(z.string(), z.string({ error: "tag values must be strings" })).default({}),
});

/** The stack config as written, before defaults. */
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** The stack config with every default applied. */
export type StackConfig = z.output<typeof stackConfigSchema>;

/** The known top-level keys, for "did you mean" hints. */
export const STACK_CONFIG_KEYS = Object.keys(stackConfigSchema.shape);

import { z } from "zod";
import {
  ACCOUNT_ID,
  ACCOUNT_NAME,
  IAM_NAME,
  CI_ENVIRONMENT,
  CODE_OWNER,
  GIT_BRANCH,
  IAM_PATH,
  KEY_PREFIX,
  KMS_ALIAS,
  NameRule,
  OIDC_AUDIENCE,
  READ_ONLY_MANAGED_POLICIES,
  isReadOnlyManagedPolicy,
  POLICY_NAME,
  REGION,
  SERVICE_PREFIX,
  TERRAFORM_DIRECTORY,
  TABLE_NAME,
  TOOL_VERSION,
  TRAIL_NAME,
  WORKSPACE,
  follows,
} from "./rules";
import {
  CRON_SCHEDULE,
  MAX_PARALLEL_LIMIT,
  REPOSITORY_PATH,
  ROOT_NAME,
  SHA256_HEX,
  SHARED_STATE_KEY,
} from "./pipeline-rules";
import { tagsSchema } from "./tags";

/**
 * The stack config schema: one Pulumi stack per organisation, every key under the project's
 * namespace (`tf-bootstrap:`). Defaults live here and nowhere else.
 */

/** The AWS partitions tf-bootstrap supports, with the region prefix each one uses. */
export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;

/** How Terraform locks state. */
export const LOCK_MODES = ["s3-lockfile", "dynamodb", "both"] as const;

/**
 * How CI authenticates to the Terraform account: with the access keys of two IAM users (one per
 * path), or keyless, with the OIDC token GitHub Actions or GitLab CI gives every job.
 */
export const CI_MODES = ["iam-user", "github-oidc", "gitlab-oidc"] as const;

/**
 * How the apply path's CI identities are laid out: one CI apply role (and, in iam-user mode, one
 * CI apply user) per distinct environment, each reaching only that environment's accounts and
 * state; or one `shared` apply role for every environment. See docs/ci-apply-roles.md.
 */
export const APPLY_ROLE_MODES = ["per-environment", "shared"] as const;

/** The CLIs the generated pipelines can install and run. */
export const PIPELINE_TOOLS = ["terraform", "tofu"] as const;

/** Whether the stack creates the CI platform's OIDC provider or uses the one the account has. */
export const OIDC_PROVIDER_MODES = ["create", "existing"] as const;

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

/** An ARN; which kinds an admin principal may be is checked in `iam-safety.ts`, with the fix. */
const iamArn = z.string({ error: "must be an IAM ARN string" }).regex(/^arn:/, {
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
  /**
   * CI environment the account's apply job deploys to (a GitHub or GitLab environment, where
   * reviewers approve the apply). Default: the workspace.
   */
  environment: named(CI_ENVIRONMENT).optional(),
  /**
   * The organisational unit the account sits in (as AWS Organizations names it). Informational;
   * `npm run org -- split --by ou` puts the accounts of one OU in one account-group stack.
   */
  ou: z
    .string({ error: "must be an organisational unit name string" })
    .min(1, { error: "must not be empty" })
    .max(128, { error: "must be at most 128 characters (the longest OU name AWS allows)" })
    .optional(),
});

/** One stage of the apply order: a workspace, or several applied in parallel. */
const applyStageSchema = z.union([named(WORKSPACE), z.array(named(WORKSPACE)).min(1)], {
  error: `must be a workspace name or a list of workspace names applied together; for example [dev, [staging-eu, staging-us], prod]`,
});

/** One Terraform root: a directory of the infrastructure repository with its own state. */
const rootSchema = z.strictObject(
  {
    /** Stable key: names the root's state object, jobs and plan comment. Never rename it. */
    name: named(ROOT_NAME),
    /** The root's directory in the infrastructure repository. */
    directory: named(TERRAFORM_DIRECTORY),
    /** The workspaces the root is applied in. Default: every product account's workspace. */
    workspaces: z
      .array(named(WORKSPACE), { error: "must be a list of workspace names" })
      .min(1, { error: "must name at least one workspace, or be left out for all" })
      .optional(),
    /**
     * `terraform.tfstate` keeps the state layout of a stack without roots (so an existing
     * root's state does not move); at most one root may. Default: `<name>/terraform.tfstate`.
     */
    stateKey: z
      .literal(SHARED_STATE_KEY, {
        error: `must be '${SHARED_STATE_KEY}' (the layout of a single root, so its state does not move), or be left out for '<name>/terraform.tfstate'`,
      })
      .optional(),
  },
  { error: "must be a root { name, directory, workspaces?, stateKey? }" },
);

const pipelineSchema = z
  .strictObject({
    /** CLI the pipelines install and run. Default: terraform. */
    tool: z
      .enum(PIPELINE_TOOLS, { error: `must be one of ${PIPELINE_TOOLS.join(", ")}` })
      .default("terraform"),
    /**
     * Version of that CLI. The S3 lockfile needs OpenTofu 1.10 or Terraform 1.11. Default:
     * OpenTofu 1.10.6, Terraform 1.11.4.
     */
    toolVersion: named(TOOL_VERSION).optional(),
    /**
     * Directory of the Terraform root in the infrastructure repository, when there is one root.
     * Default: terraform. With `roots`, each root names its own directory instead.
     */
    terraformDirectory: named(TERRAFORM_DIRECTORY).optional(),
    /**
     * The Terraform roots of the infrastructure repository, planned and applied each on its own.
     * Default: one root in `terraformDirectory` with the state layout of a stack without roots.
     */
    roots: z
      .array(rootSchema, { error: "must be a list of roots { name, directory }" })
      .min(1, { error: "must name at least one root, such as { name: app, directory: terraform }" })
      .optional(),
    /**
     * Apply order by environment: one stage per environment, in this order. Default: every
     * environment of the accounts, those named like dev first, staging next, prod last.
     */
    environmentOrder: z
      .array(named(CI_ENVIRONMENT), { error: "must be a list of environment names" })
      .min(1, { error: "must name at least one environment" })
      .optional(),
    /** How many jobs of one stage's matrix run at the same time. Default: 10. */
    maxParallel: positiveInt("jobs", 1, MAX_PARALLEL_LIMIT).default(10),
    /**
     * Repository paths shared by every root (modules): a change under one replans every root.
     * Default: [modules].
     */
    sharedPaths: z
      .array(named(REPOSITORY_PATH), { error: "must be a list of repository paths" })
      .default(["modules"]),
    /** When the full plan runs to report drift, as cron in UTC. Default: 23 5 * * 1-5. */
    driftSchedule: named(CRON_SCHEDULE).default("23 5 * * 1-5"),
    /**
     * SHA-256 of the tool's `linux_amd64` release archive, for a release tf-bootstrap has no
     * checksum of. Default: the pinned checksum of the release.
     */
    toolSha256: named(SHA256_HEX).optional(),
    /**
     * Owners who must all review infrastructure code (CODEOWNERS). Default:
     * `@<organization>/devops` and `@<organization>/security`.
     */
    codeOwners: z
      .array(
        z.string({ error: "must be a code owner string" }).refine((v) => follows(CODE_OWNER, v), {
          error: `must be ${CODE_OWNER.allowed} such as ${CODE_OWNER.example}`,
        }),
      )
      .min(1, { error: "must name at least one owner, such as @acme/devops" })
      .optional(),
    /**
     * Apply order: stages applied one after another; a stage is a workspace or a list of
     * workspaces applied in parallel. Every workspace appears exactly once. Default: one stage
     * per product account, in config order.
     */
    applyOrder: z.array(applyStageSchema).optional(),
  })
  .prefault({});

const ciSchema = z
  .strictObject({
    mode: z.enum(CI_MODES, { error: `must be one of ${CI_MODES.join(", ")}` }).default("iam-user"),
    /**
     * iam-user mode: the user whose keys run applies (shared), or the prefix of each
     * environment's apply user (per-environment). Default: terraform-ci.
     */
    userName: named(IAM_NAME).default("terraform-ci"),
    /** iam-user mode: the user whose keys run plans. Default: terraform-ci-plan. */
    planUserName: named(IAM_NAME).default("terraform-ci-plan"),
    /**
     * `per-environment`: one CI apply role per distinct environment, named
     * `<roleName>-<environment>`, trusted only by that environment's CI identity (its OIDC
     * subject, or its own IAM user `<userName>-<environment>`), assuming only that environment's
     * Terraform roles and writing only their workspaces' state. `shared`: one CI apply role,
     * `<roleName>`, for every environment (stacks deployed before per-environment roles keep it
     * by setting this; docs/ci-apply-roles.md). Default: per-environment.
     */
    applyRoles: z
      .enum(APPLY_ROLE_MODES, { error: `must be one of ${APPLY_ROLE_MODES.join(", ")}` })
      .default("per-environment"),
    /**
     * The CI apply role (shared), or the prefix of each environment's CI apply role
     * (per-environment). Default: terraform-ci.
     */
    roleName: named(IAM_NAME).default("terraform-ci"),
    /** The CI plan role (read-only path). Default: terraform-ci-plan. */
    planRoleName: named(IAM_NAME).default("terraform-ci-plan"),
    /** IAM path of the CI users and roles. Default: /. */
    path: named(IAM_PATH).default("/"),
    /** iam-user mode: create access keys for both users, returned as secrets. Default: false. */
    createAccessKey: z.boolean({ error: "must be true or false" }).default(false),
    /** Max session of the CI roles, in seconds. Default: 3600. */
    maxSessionDurationSeconds: positiveInt("seconds", 3600, 43200).default(3600),
    /**
     * OIDC modes: the repository whose workflows may take the CI roles. GitHub: `OWNER/REPO`;
     * GitLab: the project path `group/subgroup/project`. No wildcards.
     */
    repository: z
      .string({ error: "must be a repository string such as acme/infrastructure" })
      .optional(),
    /** The protected branch that applies. Default: main. */
    branch: named(GIT_BRANCH).default("main"),
    /** OIDC modes: the token audience the roles require. Default: sts.amazonaws.com. */
    audience: named(OIDC_AUDIENCE).default("sts.amazonaws.com"),
    /** gitlab-oidc mode: the GitLab instance (the token issuer). Default: https://gitlab.com. */
    gitlabUrl: z
      .string({ error: "must be a URL string" })
      .regex(/^https:\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$/, {
        error:
          "must be the https URL of the GitLab instance, without a path or trailing '/'; for example https://gitlab.example.com",
      })
      .default("https://gitlab.com"),
    /**
     * OIDC modes: `create` the account's OIDC provider for the CI platform, or use the
     * `existing` one (an account has at most one provider per issuer). Default: create.
     */
    oidcProvider: z
      .enum(OIDC_PROVIDER_MODES, { error: `must be one of ${OIDC_PROVIDER_MODES.join(", ")}` })
      .default("create"),
    /** The generated pipeline templates. */
    pipeline: pipelineSchema,
  })
  .prefault({});

const planRoleSchema = z
  .strictObject({
    /** Name of the Terraform plan role in every product account. Default: terraform-plan. */
    name: named(IAM_NAME).default("terraform-plan"),
    /** IAM path of the role. Default: /. */
    path: named(IAM_PATH).default("/"),
    /**
     * Read-only AWS managed policies attached to the plan role in every product account
     * (ReadOnlyAccess, ViewOnlyAccess or SecurityAudit). Default: none; the role reads the
     * Terraform role's allowedServices.
     */
    managedPolicyArns: z
      .array(
        z
          .string({ error: "must be an AWS managed policy ARN string" })
          .refine(isReadOnlyManagedPolicy, {
            error: `must be one of the read-only AWS managed policies ${READ_ONLY_MANAGED_POLICIES.join(", ")}, such as arn:aws:iam::aws:policy/ReadOnlyAccess`,
          }),
      )
      .default([]),
    /** Max session of the plan role, in seconds. Default: 3600. */
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
  /**
   * With `iam` in `allowedServices` and no `permissionsBoundary`, the Terraform role can give
   * itself (through a role it creates) every permission in its account. Set this to `true` to
   * accept that; the synth report flags it. Default: false (such a config is refused).
   */
  acknowledgeIamWithoutBoundary: z.boolean({ error: "must be true or false" }).default(false),
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

/** The parts an organisation's stacks play when it is split across stacks (docs/org-stacks.md). */
export const ORG_STACK_PARTS = ["core", "group"] as const;

/**
 * A stack name as a StackReference takes it: `stack`, `project/stack` or `org/project/stack`.
 */
export const STACK_REFERENCE: NameRule = {
  pattern: /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/,
  maxLength: 300,
  allowed:
    "a stack name (letters, digits, '_', '.', '-'), optionally as project/stack or organization/project/stack",
  example: "acme-core",
};

const orgStackSchema = z.strictObject({
  /**
   * `core`: the Terraform account (state, trail, CI identities and roles) for every product
   * account the config lists; `group`: the product accounts' providers and roles only.
   */
  part: z.enum(ORG_STACK_PARTS, {
    error: `must be one of ${ORG_STACK_PARTS.join(", ")} (core: the Terraform account; group: product accounts)`,
  }),
  /** group: the core stack's name, as a StackReference takes it. */
  core: named(STACK_REFERENCE).optional(),
  /**
   * core, while an existing single stack is split: keep registering the product accounts, but
   * retain them in AWS when they leave this stack (docs/org-stacks.md, migration).
   */
  handOver: z.boolean({ error: "must be true or false" }).default(false),
  /**
   * group, while an existing single stack is split: adopt (import) the accounts' existing roles
   * and policies instead of creating them.
   */
  adopt: z.boolean({ error: "must be true or false" }).default(false),
});

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
  /** The read-only role `terraform plan` uses in every product account. */
  terraformPlanRole: planRoleSchema,
  state: stateSchema,
  audit: auditSchema,
  /**
   * Exact ARNs of IAM roles or users of the Terraform account that may read and repair state
   * and administer the state backend (break-glass). Default: none.
   */
  adminPrincipals: z.array(iamArn).default([]),
  /** Tags on every resource, in addition to `ManagedBy` and `Organization`. */
  tags: tagsSchema,
  /**
   * The stack's part in an organisation split across stacks; absent: one stack holds the
   * whole organisation.
   */
  orgStack: orgStackSchema.optional(),
});

/** The stack config as written, before defaults. */
export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** The stack config with every default applied. */
export type StackConfig = z.output<typeof stackConfigSchema>;

/** The known top-level keys, for "did you mean" hints. */
export const STACK_CONFIG_KEYS = Object.keys(stackConfigSchema.shape);

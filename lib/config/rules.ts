/**
 * Naming rules that AWS and Terraform impose, written once so the schema, the messages and the
 * tests agree. Each rule carries the pattern, a sentence saying what is allowed, and an example.
 */

/** A rule a string value must follow. */
export interface NameRule {
  readonly pattern: RegExp;
  readonly maxLength: number;
  /** What is allowed, in the reader's terms. */
  readonly allowed: string;
  /** A value that passes, for the message. */
  readonly example: string;
}

/** A 12-digit AWS account id. YAML turns an unquoted id into a number and drops leading zeros. */
export const ACCOUNT_ID: NameRule = {
  pattern: /^\d{12}$/,
  maxLength: 12,
  allowed: "a 12-digit AWS account id written as a quoted string",
  example: '"123456789012"',
};

/** An account key: names resources and outputs, so it must be short and stable. */
export const ACCOUNT_NAME: NameRule = {
  pattern: /^[a-z][a-z0-9-]*$/,
  maxLength: 32,
  allowed: "lowercase letters, digits and '-', starting with a letter, at most 32 characters",
  example: "staging",
};

/** A Terraform/OpenTofu workspace name (it becomes part of the state object key). */
export const WORKSPACE: NameRule = {
  pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
  maxLength: 64,
  allowed: "letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters",
  example: "prod",
};

/** An IAM role or user name. */
export const IAM_NAME: NameRule = {
  pattern: /^[\w+=,.@-]+$/,
  maxLength: 64,
  allowed: "1-64 characters from letters, digits and + = , . @ _ -",
  example: "terraform-ci",
};

/**
 * A segment of an IAM path as it may appear in an ARN that tf-bootstrap writes into a policy:
 * printable ASCII but '/', and none of '*', '?' and '$', which IAM reads in an ARN as wildcards
 * and the start of a policy variable (`${aws:username}`). IAM itself accepts them in paths.
 */
const PATH_SEGMENT = "[\\x21-\\x23\\x25-\\x29\\x2B-\\x2E\\x30-\\x3E\\x40-\\x7E]+";

/** A customer managed policy name, optionally after a path: `Name` or `team/Name`. */
export const POLICY_NAME: NameRule = {
  pattern: new RegExp(`^(?:${PATH_SEGMENT}\\/)*[\\w+=,.@-]{1,128}$`),
  maxLength: 640,
  allowed:
    "a policy name (letters, digits and + = , . @ _ -), optionally after a path like 'team/' (no '*', '?' or '$': IAM would read them as wildcards or a policy variable)",
  example: "TerraformBoundary",
};

/** An IAM path. */
export const IAM_PATH: NameRule = {
  pattern: new RegExp(`^\\/(?!aws-service-role\\/|aws-reserved\\/)(?:${PATH_SEGMENT}\\/)*$`),
  maxLength: 512,
  allowed:
    "'/' or a path that starts and ends with '/', printable ASCII other than '*', '?' and '$' (IAM would read them in an ARN as wildcards or a policy variable), not under the reserved /aws-service-role/ or /aws-reserved/, at most 512 characters",
  example: "/terraform/",
};

/** An AWS region code. */
export const REGION: NameRule = {
  pattern: /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/,
  maxLength: 32,
  allowed: "an AWS region code",
  example: "eu-west-1",
};

/** An AWS service prefix as used in IAM actions (`ec2`, `s3`, `rds-data`). */
export const SERVICE_PREFIX: NameRule = {
  pattern: /^[a-z0-9][a-z0-9-]*$/,
  maxLength: 64,
  allowed: "an IAM service prefix in lowercase, as in the action 'ec2:RunInstances'",
  example: "ec2",
};

/** A KMS alias name without the `alias/` prefix. */
export const KMS_ALIAS: NameRule = {
  pattern: /^(?!aws\/)[a-zA-Z0-9/_-]+$/,
  maxLength: 250,
  allowed: "letters, digits, '/', '_' and '-', not starting with 'aws/', at most 250 characters",
  example: "terraform-state",
};

/** A CloudTrail trail name. */
export const TRAIL_NAME: NameRule = {
  pattern: /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,126}[a-zA-Z0-9]$/,
  maxLength: 128,
  allowed: "3-128 letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
  example: "terraform-audit",
};

/** A DynamoDB table name. */
export const TABLE_NAME: NameRule = {
  pattern: /^[a-zA-Z0-9_.-]{3,}$/,
  maxLength: 255,
  allowed: "3-255 letters, digits, '_', '-' and '.'",
  example: "terraform-locks",
};

/** An S3 key prefix for state objects: no leading or trailing '/', no empty segments. */
export const KEY_PREFIX: NameRule = {
  pattern: /^[a-zA-Z0-9!_.'()-]+(?:\/[a-zA-Z0-9!_.'()-]+)*$/,
  maxLength: 256,
  allowed:
    "one or more path segments of letters, digits and !_.'()- separated by '/', with no leading or trailing '/' (no '*': the prefix is part of the CI roles' object ARNs, where IAM reads it as a wildcard)",
  example: "terraform",
};

/** A git branch name the pipelines apply from; no wildcards. */
export const GIT_BRANCH: NameRule = {
  pattern: /^(?!\/)(?!.*\/\/)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![/.])$/,
  maxLength: 255,
  allowed: "a branch name of letters, digits, '.', '_', '-' and '/' (no wildcards)",
  example: "main",
};

/** A GitHub or GitLab environment name; no wildcards (it is pinned in the OIDC subject). */
export const CI_ENVIRONMENT: NameRule = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
  maxLength: 100,
  allowed: "letters, digits, '.', '_' and '-', starting with a letter or digit (no wildcards)",
  example: "production",
};

/** An OIDC audience (`aud`) value; no wildcards, it is compared with StringEquals. */
export const OIDC_AUDIENCE: NameRule = {
  pattern: /^(?!.*\$\{)[\x21-\x29\x2B-\x3E\x40-\x7E]+$/,
  maxLength: 255,
  allowed:
    "printable characters other than '*' and '?', without '${' (a policy variable), at most 255",
  example: "sts.amazonaws.com",
};

/** A Terraform or OpenTofu release. */
export const TOOL_VERSION: NameRule = {
  pattern: /^1\.(?:1\d|[2-9]\d)\.\d+$/,
  maxLength: 16,
  allowed: "a release version 1.10.0 or later (the S3 lockfile needs 1.10)",
  example: "1.10.6",
};

/**
 * A GitHub repository as its OIDC subjects name it: `OWNER/REPO`, or, for a repository with
 * immutable subject claims (created or renamed after 18 June 2026, or opted in),
 * `OWNER@OWNER_ID/REPO@REPO_ID` (GitHub's "OpenID Connect reference").
 */
export const GITHUB_REPOSITORY: NameRule = {
  pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:@\d+)?\/[A-Za-z0-9._-]+?(?:@\d+)?$/,
  maxLength: 160,
  allowed:
    "OWNER/REPO (or OWNER@OWNER_ID/REPO@REPO_ID for immutable subject claims) with letters, digits, '-', '_' and '.', and no wildcards",
  example: "acme/infrastructure",
};

/** A GitLab project path `group[/subgroup...]/project`. */
export const GITLAB_PROJECT: NameRule = {
  pattern: /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/,
  maxLength: 255,
  allowed: "a project path group/project or group/subgroup/project, with no wildcards",
  example: "acme/platform/infrastructure",
};

/** A Terraform root inside the infrastructure repository. */
export const TERRAFORM_DIRECTORY: NameRule = {
  pattern: /^(?:\.|(?!\.\.?(?:\/|$))[\w.-]+(?:\/(?!\.\.?(?:\/|$))[\w.-]+)*)$/,
  maxLength: 255,
  allowed:
    "'.' or a relative directory path inside the repository: letters, digits, '_', '.', '-' and '/', no '..' or '.' segment, no leading or trailing '/'",
  example: "terraform",
};

/** A CODEOWNERS user or team handle. */
export const CODE_OWNER: NameRule = {
  pattern: /^@[\w.-]+(?:\/[\w.-]+)*$/,
  maxLength: 255,
  allowed: "a user or team handle",
  example: "@acme/devops",
};

/**
 * AWS managed policies that grant only reads, which the plan role may have attached, by the
 * part of their ARN after `policy/` (ViewOnlyAccess is a job-function policy).
 */
export const READ_ONLY_MANAGED_POLICIES: readonly string[] = [
  "ReadOnlyAccess",
  "SecurityAudit",
  "job-function/ViewOnlyAccess",
];

/** Whether `arn` is one of the {@link READ_ONLY_MANAGED_POLICIES}, in any partition. */
export function isReadOnlyManagedPolicy(arn: string): boolean {
  const match = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return match !== null && READ_ONLY_MANAGED_POLICIES.includes(match[1] ?? "");
}

/** Tells whether `value` follows `rule`. */
export function follows(rule: NameRule, value: string): boolean {
  return value.length <= rule.maxLength && rule.pattern.test(value);
}

/**
 * Why `name` is not a valid general-purpose S3 bucket name, or `undefined` when it is.
 * Rules from "General purpose bucket naming rules" in the Amazon S3 User Guide.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `is ${name.length} characters long; 3-63 allowed`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return "may hold only lowercase letters, digits, '.' and '-', and must start and end with a letter or digit";
  }
  if (name.includes("..")) return "must not contain two adjacent periods";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) {
    if (name.startsWith(prefix)) return `must not start with the reserved prefix '${prefix}'`;
  }
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
    if (name.endsWith(suffix)) return `must not end with the reserved suffix '${suffix}'`;
  }
  return undefined;
}

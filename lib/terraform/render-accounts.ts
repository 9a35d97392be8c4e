import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, HANDOFF_FILES, type HandoffOptions } from "./files";
import { hclString } from "./hcl";
import { supportedVersions } from "./versions";
import { ACCESS_VALUES, type Access } from "../plan/model";

/**
 * The variable whose validation is the workspace guard: it refuses a workspace that is not in
 * the map.
 */
export const GUARD_VARIABLE = "accounts";

/** The name of the output that shows the product account a workspace manages. */
export const ACCOUNT_OUTPUT = "workspace_account";

/**
 * A run's access levels, the values of the `access` variable: the CI paths. `plan` (the
 * default) reads with the product plan role, `apply` writes with the product Terraform role.
 */
export const ACCESS_LEVELS = ACCESS_VALUES;

/** A run's access level. */
export type AccessLevel = Access;

/** One workspace of `accounts.auto.tfvars.json`. */
export interface TfvarsAccount {
  readonly account_id: string;
  /** The product Terraform role: runs with `apply` access assume it. */
  readonly role_arn: string;
  /** The product plan role (read-only): runs with `plan` access assume it. */
  readonly plan_role_arn: string;
}

/** The content of `accounts.auto.tfvars.json`. */
export interface AccountsTfvars {
  readonly region: string;
  readonly accounts: Readonly<Record<string, TfvarsAccount>>;
}

/**
 * `accounts.auto.tfvars.json`: the region and, per workspace (sorted), the account id and the
 * role Terraform assumes there at each access level. Terraform and OpenTofu load it
 * automatically from the root module's directory.
 */
export function renderAccountsTfvars(outputs: DeployedOutputs): string {
  const accounts: Record<string, TfvarsAccount> = {};
  for (const w of outputs.workspaces) {
    accounts[w.workspace] = {
      account_id: w.accountId,
      role_arn: w.roleArn,
      plan_role_arn: w.planRoleArn,
    };
  }
  const tfvars: AccountsTfvars = { region: outputs.backend.region, accounts };
  return `${JSON.stringify(tfvars, null, 2)}\n`;
}

/**
 * `accounts.tf`: the variables (the tfvars file's, and the run's access level), the selected
 * workspace's account and role, and the workspace guard, with no provider in it (so it can be
 * checked without downloading one).
 *
 * The guard is a validation of `var.accounts` that reads `terraform.workspace`: a plan or apply
 * in a workspace that is not in the map (the `default` workspace included) fails with one
 * message naming the workspace and the known ones. Everything else depends on `var.accounts`
 * (`local.account`, the provider of `providers.tf` and through it every resource, a root's own
 * references to `local.account`), so the engine evaluates none of it: no second error, no
 * provider configured, no request to any product account. An output precondition would not do:
 * nothing depends on a root module's output, so the provider and the resources would still be
 * evaluated beside it, each failing on the missing account with an error of its own. Validations
 * that read other objects need Terraform 1.9 or OpenTofu 1.9 (see `versions.ts`).
 */
export function renderAccountsTf(outputs: DeployedOutputs, options: HandoffOptions): string {
  const versions = supportedVersions(outputs.backend.lockMode);
  const [plan, apply] = ACCESS_LEVELS;
  return [
    ...generatedHeader(options.stack),
    "#",
    "# The workspace → account map (set by accounts.auto.tfvars.json), the run's access level,",
    "# the role it selects and the guard that refuses a workspace that is not in the map. Needs",
    "# no provider; providers.tf uses these values.",
    "",
    "terraform {",
    `  # The floor: ${versions.reason}.`,
    `  required_version = ${hclString(versions.requiredVersion)}`,
    "}",
    "",
    'variable "region" {',
    `  description = ${hclString(`Region of the state bucket and of the aws provider (${HANDOFF_FILES.tfvars}).`)}`,
    "  type        = string",
    "}",
    "",
    "# The run's access level, set by the pipeline (TF_VAR_access). Each level has its own CI role",
    "# the run must start as, and its own role in the product account:",
    `#   ${plan}  (default): the CI plan role's session; the provider assumes the read-only plan role.`,
    `#   ${apply}: the CI apply role's session; the provider assumes the Terraform role.`,
    "# A plan session asking for apply access is refused by AWS (the Terraform role trusts only the",
    "# CI apply role). A saved plan keeps its variables: `apply tfplan` runs with the access level",
    `# it was planned with, so a pipeline plans with ${apply} access and applies that file in the same job.`,
    'variable "access" {',
    `  description = ${hclString(`The run's access level: "${plan}" (read-only, the product plan role) or "${apply}" (the product Terraform role). Pipelines set TF_VAR_access.`)}`,
    "  type        = string",
    `  default     = ${hclString(plan)}`,
    "",
    "  validation {",
    `    condition     = contains([${ACCESS_LEVELS.map((a) => hclString(a)).join(", ")}], var.access)`,
    `    error_message = ${hclString(`access must be "${plan}" or "${apply}" (TF_VAR_access).`)}`,
    "  }",
    "}",
    "",
    'variable "accounts" {',
    `  description = ${hclString(`Product accounts by Terraform workspace: the account id and the roles Terraform assumes there with apply and with plan access (${HANDOFF_FILES.tfvars}).`)}`,
    "  type = map(object({",
    "    account_id    = string",
    "    role_arn      = string",
    "    plan_role_arn = string",
    "  }))",
    "",
    "  validation {",
    '    condition     = alltrue([for a in values(var.accounts) : can(regex("^[0-9]{12}$", a.account_id))])',
    '    error_message = "Every account_id in var.accounts must be a 12-digit AWS account id."',
    "  }",
    "",
    "  validation {",
    '    condition     = alltrue(flatten([for a in values(var.accounts) : [for arn in [a.role_arn, a.plan_role_arn] : try(regex("^arn:[^:]+:iam::([0-9]{12}):role/", arn)[0], "") == a.account_id]]))',
    '    error_message = "Every role_arn and plan_role_arn in var.accounts must be an IAM role ARN in its own account_id."',
    "  }",
    "",
    "  # The workspace guard: a plan or apply in a workspace that is not in the map (the default",
    "  # workspace included) fails here, with this one message. Everything below, the provider of",
    "  # providers.tf and every resource depend on var.accounts, so none of it is evaluated then.",
    "  validation {",
    "    condition     = contains(keys(var.accounts), terraform.workspace)",
    `    error_message = "Workspace \\"\${terraform.workspace}\\" is not in the topology: accounts.auto.tfvars.json maps only the workspaces \${join(", ", sort(keys(var.accounts)))}. Select one of them (workspace select NAME), or add the account to the tf-bootstrap stack, deploy it and regenerate these files."`,
    "  }",
    "}",
    "",
    "locals {",
    "  # The selected workspace's account (the guard above refuses a workspace that is not in the",
    "  # map; the lookup keeps commands that skip validations, such as console, from failing).",
    "  account = lookup(var.accounts, terraform.workspace, null)",
    "",
    "  # The role the aws provider assumes in that account, for the run's access level.",
    `  role_arn = local.account == null ? null : (var.access == ${hclString(apply)} ? local.account.role_arn : local.account.plan_role_arn)`,
    "}",
    "",
    `output ${hclString(ACCOUNT_OUTPUT)} {`,
    '  description = "The product account this workspace manages."',
    "  value       = local.account",
    "}",
    "",
  ].join("\n");
}

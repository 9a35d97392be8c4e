import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, HANDOFF_FILES, type HandoffOptions } from "./files";
import { hclString } from "./hcl";
import { supportedVersions } from "./versions";

/** The name of the output whose precondition refuses a workspace that is not in the map. */
export const GUARD_OUTPUT = "workspace_account";

/** The content of `accounts.auto.tfvars.json`. */
export interface AccountsTfvars {
  readonly region: string;
  /** The CI Terraform role: the first hop of the provider's role chain. */
  readonly ci_role_arn: string;
  readonly accounts: Readonly<Record<string, { account_id: string; role_arn: string }>>;
}

/**
 * `accounts.auto.tfvars.json`: the region, the CI Terraform role and, per workspace (sorted),
 * the account id and the role Terraform assumes there. Terraform and OpenTofu load it
 * automatically from the root module's directory.
 */
export function renderAccountsTfvars(outputs: DeployedOutputs): string {
  const accounts: Record<string, { account_id: string; role_arn: string }> = {};
  for (const w of outputs.workspaces) {
    accounts[w.workspace] = { account_id: w.accountId, role_arn: w.roleArn };
  }
  const tfvars: AccountsTfvars = {
    region: outputs.backend.region,
    ci_role_arn: outputs.ciRoleArn,
    accounts,
  };
  return `${JSON.stringify(tfvars, null, 2)}\n`;
}

/**
 * `accounts.tf`: the variables the tfvars file sets and the workspace guard, with no provider in
 * it (so it can be checked without downloading one). The guard is an output precondition: a plan
 * or apply in a workspace that is not in `var.accounts` (the `default` workspace included) fails
 * with a message naming the workspace and the known ones. `local.account` is null then, so the
 * provider in `providers.tf` cannot be configured either: nothing runs with the wrong account.
 */
export function renderAccountsTf(outputs: DeployedOutputs, options: HandoffOptions): string {
  const versions = supportedVersions(outputs.backend.lockMode);
  return [
    ...generatedHeader(options.stack),
    "#",
    "# The workspace → account map (set by accounts.auto.tfvars.json) and the guard that refuses",
    "# a workspace that is not in it. Needs no provider; providers.tf uses these values.",
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
    'variable "ci_role_arn" {',
    `  description = ${hclString(`The CI Terraform role, the only identity the product accounts' roles trust: the aws provider assumes it first (${HANDOFF_FILES.tfvars}).`)}`,
    "  type        = string",
    "",
    "  validation {",
    '    condition     = can(regex("^arn:[^:]+:iam::[0-9]{12}:role/", var.ci_role_arn))',
    '    error_message = "ci_role_arn must be an IAM role ARN."',
    "  }",
    "}",
    "",
    'variable "accounts" {',
    `  description = ${hclString(`Product accounts by Terraform workspace: the account id and the role Terraform assumes there (${HANDOFF_FILES.tfvars}).`)}`,
    "  type = map(object({",
    "    account_id = string",
    "    role_arn   = string",
    "  }))",
    "",
    "  validation {",
    '    condition     = alltrue([for a in values(var.accounts) : can(regex("^[0-9]{12}$", a.account_id))])',
    '    error_message = "Every account_id in var.accounts must be a 12-digit AWS account id."',
    "  }",
    "",
    "  validation {",
    '    condition     = alltrue([for a in values(var.accounts) : try(regex("^arn:[^:]+:iam::([0-9]{12}):role/", a.role_arn)[0], "") == a.account_id])',
    '    error_message = "Every role_arn in var.accounts must be an IAM role ARN in its own account_id."',
    "  }",
    "}",
    "",
    "locals {",
    "  # The selected workspace's account; null when the workspace is not in var.accounts, and",
    "  # then the precondition below stops plan and apply.",
    "  account = lookup(var.accounts, terraform.workspace, null)",
    "}",
    "",
    `output ${hclString(GUARD_OUTPUT)} {`,
    '  description = "The product account this workspace manages."',
    "  value       = local.account",
    "",
    "  precondition {",
    "    condition     = local.account != null",
    `    error_message = "Workspace \\"\${terraform.workspace}\\" is not in the topology: accounts.auto.tfvars.json maps only the workspaces \${join(", ", sort(keys(var.accounts)))}. Select one of them (workspace select NAME), or add the account to the tf-bootstrap stack, deploy it and regenerate these files."`,
    "  }",
    "}",
    "",
  ].join("\n");
}

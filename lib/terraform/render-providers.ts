import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, type HandoffOptions } from "./files";

/** Oldest `hashicorp/aws` provider that chains several `assume_role` blocks (role chaining). */
export const AWS_PROVIDER_VERSION = ">= 5.67.0";

/**
 * `providers.tf`: the default `aws` provider, acting in the selected workspace's account only.
 * Runs start from the CI user's access keys, which may assume nothing but the CI Terraform role,
 * and the product roles trust only that role; so the provider chains two `assume_role` blocks:
 * the CI role, then the workspace's Terraform role (temporary credentials at each hop).
 * `allowed_account_ids` pins the account the chain must end in. Every value comes from
 * `accounts.tf`'s variables, so the file is the same for every stack but for its header.
 */
export function renderProviders(_outputs: DeployedOutputs, options: HandoffOptions): string {
  return [
    ...generatedHeader(options.stack),
    "#",
    "# The aws provider acts in the selected workspace's account and nowhere else. It needs the",
    "# variables and local.account of accounts.tf. Declare no other default aws provider.",
    "",
    "terraform {",
    "  required_providers {",
    "    # Role chaining (two assume_role blocks) needs 5.67.0.",
    "    aws = {",
    '      source  = "hashicorp/aws"',
    `      version = "${AWS_PROVIDER_VERSION}"`,
    "    }",
    "  }",
    "}",
    "",
    'provider "aws" {',
    "  region              = var.region",
    "  allowed_account_ids = [local.account.account_id]",
    "",
    "  # Hop 1: from the CI user's access keys to the CI Terraform role, the only identity the",
    "  # product accounts' roles trust.",
    "  assume_role {",
    "    role_arn = var.ci_role_arn",
    "  }",
    "",
    "  # Hop 2: the selected workspace's Terraform role, in its product account.",
    "  assume_role {",
    "    role_arn = local.account.role_arn",
    "  }",
    "}",
    "",
  ].join("\n");
}

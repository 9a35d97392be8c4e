import type { DeployedOutputs } from "./deployed-outputs";
import { generatedHeader, type HandoffOptions } from "./files";

/**
 * The `hashicorp/aws` provider releases the file is written for. It uses one `assume_role`
 * block, `region` and `allowed_account_ids`, which every 5.x release has; a root's own resources
 * may need a newer one.
 */
export const AWS_PROVIDER_VERSION = ">= 5.0.0";

/**
 * `providers.tf`: the default `aws` provider, acting in the selected workspace's account only.
 * Runs start as a session of the CI role of their access level (the pipeline takes it before
 * Terraform starts), and each product role trusts only one CI role: the plan role the CI plan
 * role, the Terraform role the CI apply role. So the provider makes one hop, into
 * `local.role_arn`, the role `accounts.tf` selects for `var.access`; a session of the wrong CI
 * role is refused by AWS. `allowed_account_ids` pins the account the hop must end in. Every
 * value comes from `accounts.tf`, so the file is the same for every stack but for its header.
 */
export function renderProviders(_outputs: DeployedOutputs, options: HandoffOptions): string {
  return [
    ...generatedHeader(options.stack),
    "#",
    "# The aws provider acts in the selected workspace's account and nowhere else. It needs the",
    "# variables and locals of accounts.tf. Declare no other default aws provider.",
    "",
    "terraform {",
    "  required_providers {",
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
    "  # The run starts as a session of the CI role of its access level (var.access): the CI plan",
    "  # role or the CI apply role, taken by the pipeline. From there, one hop: the selected",
    "  # workspace's plan role (plan access) or Terraform role (apply access). Each trusts only its",
    "  # own CI role, so a plan session asking for apply access is refused: it fails closed.",
    "  assume_role {",
    "    role_arn = local.role_arn",
    "  }",
    "}",
    "",
  ].join("\n");
}

import { accountRootArn, roleArn } from "../arn";
import type { TopologyConfig } from "../config/parse";

/** The bootstrap role of the Terraform account: the role the deployer's provider assumes. */
export function terraformBootstrapRoleArn(config: TopologyConfig): string {
  return roleArn(
    config.partition,
    config.terraformAccount.id,
    "/",
    config.terraformAccount.bootstrapRoleName,
  );
}

/**
 * Who may change the configuration of the state backend and the audit trail (bucket policies,
 * lifecycle, versioning, encryption, logging, key policies, key deletion): the Terraform
 * account's root user (the owner's last resort), the bootstrap role (through which `pulumi up`
 * changes them) and the admin principals. Every other principal of the account is denied by
 * the resource policies themselves, whatever its IAM policies allow.
 */
export function backendAdministrators(config: TopologyConfig): string[] {
  return [
    accountRootArn(config.partition, config.terraformAccount.id),
    terraformBootstrapRoleArn(config),
    ...config.adminPrincipals,
  ];
}

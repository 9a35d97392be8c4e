/**
 * What the audit reads in each account, derived from the declared topology: which account, which
 * role to reach it through, and the names of the declared resources to look up there.
 */
import { roleArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { ciRoles, ciUsers, productRoles, type TopologyPlan } from "../plan/model";

/** An IAM principal to look up by name. */
export interface NamedPrincipal {
  readonly name: string;
  readonly path: string;
}

/**
 * A caller whose admission by a role's trust makes that role worth reporting: an IAM role or
 * user (by `sts:AssumeRole`), or, with `kind: "oidc"`, the CI platform's OIDC provider (by
 * `sts:AssumeRoleWithWebIdentity`, whatever the subject: every job of the platform holds a
 * token of it).
 */
export interface CiCaller {
  readonly arn: string;
  readonly accountId: string;
  /** `CI role`, `CI identity`, ..., for messages. */
  readonly label: string;
  readonly kind?: "aws" | "oidc";
}

/** One account to audit and what to read there. */
export interface AuditTarget {
  /** `terraform` or the product account's name. */
  readonly key: string;
  readonly accountId: string;
  readonly kind: "terraform" | "product";
  /** The read-only role the audit assumes in the account. */
  readonly auditRoleArn: string;
  readonly roles: readonly NamedPrincipal[];
  readonly users: readonly NamedPrincipal[];
  readonly buckets: readonly string[];
  /** KMS aliases, with the `alias/` prefix. */
  readonly keyAliases: readonly string[];
  readonly trails: readonly string[];
  readonly tables: readonly string[];
  /**
   * ARNs of the OIDC providers to read: in the OIDC modes, the Terraform account's provider,
   * whether the stack creates it or uses the one the account has.
   */
  readonly oidcProviders: readonly string[];
  /** The CI role and CI identity: any other role whose trust admits one of them is reported. */
  readonly ciCallers: readonly CiCaller[];
}

/**
 * The accounts to audit, the Terraform account first. `auditRole` names the role assumed in
 * every account; by default each account's bootstrap role from the config.
 */
export function auditTargets(
  config: TopologyConfig,
  plan: TopologyPlan,
  auditRole?: string,
): AuditTarget[] {
  const tf = plan.terraform;
  const ciCallers: CiCaller[] = [
    ...tf.ciApply.map((a) => ({
      arn: a.role.arn,
      accountId: tf.accountId,
      label: a.environment === undefined ? "CI role" : `CI role of ${a.environment}`,
    })),
    { arn: tf.ciPlanRole.arn, accountId: tf.accountId, label: "CI plan role" },
    ...ciUsers(tf).map((user) => ({
      arn: user.arn,
      accountId: tf.accountId,
      label: user.access === "plan" ? "CI plan identity" : "CI identity",
    })),
    ...(tf.oidcProvider
      ? [
          {
            arn: tf.oidcProvider.arn,
            accountId: tf.accountId,
            label: "CI platform's OIDC provider",
            kind: "oidc" as const,
          },
        ]
      : []),
  ];
  const arnIn = (accountId: string, bootstrap: string) =>
    roleArn(plan.partition, accountId, "/", auditRole ?? bootstrap);
  const terraform: AuditTarget = {
    key: tf.key,
    accountId: tf.accountId,
    kind: "terraform",
    auditRoleArn: arnIn(tf.accountId, config.terraformAccount.bootstrapRoleName),
    roles: ciRoles(tf).map((r) => ({ name: r.name, path: r.path })),
    users: ciUsers(tf).map((u) => ({ name: u.name, path: u.path })),
    buckets: [tf.state.bucket, tf.audit.logBucket],
    keyAliases: [`alias/${tf.state.kmsKey.alias}`, `alias/${tf.audit.kmsKey.alias}`],
    trails: [tf.audit.trailName],
    tables: tf.state.lockTable ? [tf.state.lockTable.name] : [],
    oidcProviders: tf.oidcProvider ? [tf.oidcProvider.arn] : [],
    ciCallers,
  };
  const products = plan.products.map((product): AuditTarget => ({
    key: product.key,
    accountId: product.accountId,
    kind: "product",
    auditRoleArn: arnIn(
      product.accountId,
      config.names.bootstrapRoles[product.key] ?? config.terraformAccount.bootstrapRoleName,
    ),
    roles: productRoles(product).map((r) => ({ name: r.name, path: r.path })),
    users: [],
    buckets: [],
    keyAliases: [],
    trails: [],
    tables: [],
    oidcProviders: [],
    ciCallers,
  }));
  return [terraform, ...products];
}

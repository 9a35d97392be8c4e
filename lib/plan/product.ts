import { policyArn, roleArn } from "../arn";
import type { TopologyConfig } from "../config/parse";
import { AWS_MANAGED_POLICY_ARN } from "../config/schema";
import { allow, deny, policyDocument } from "../iam/documents";
import type { Statement } from "../iam/types";
import type { RolePlan } from "./model";
import { denySecretReads, planReadStatements } from "./plan-permissions";
import { trustOnly } from "./trust";

/** Name of the Terraform role's inline policy. */
export const TERRAFORM_ROLE_POLICY = "terraform";

/**
 * Actions that change or remove a role: its trust, its policies, its boundary, its tags (the
 * `tf-bootstrap:access` tag decides which rules hold it), its settings, its existence. The
 * Terraform role may not make them on itself, on the plan role of its account (whose trust it
 * could otherwise open to itself, or whose permissions it could widen for every later
 * unreviewed plan) or on the bootstrap roles (the deployer's administrator roles).
 */
export const SELF_CHANGE_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:DeleteRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
];

/**
 * Actions that would rewrite a customer managed policy in place: a new default version is a
 * new document for every role it is attached to. The Terraform role may not make them on the
 * customer managed policies attached to it or on its permissions boundary.
 */
export const POLICY_CHANGE_ACTIONS = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
];

/**
 * With a permissions boundary, actions that could create or widen an identity beyond it. Each
 * is denied unless `iam:PermissionsBoundary` (the boundary the new identity gets, or the one the
 * changed identity has) is the configured boundary: the boundary then bounds everything the
 * Terraform role creates, and roles or users without it (the account's existing ones) cannot be
 * given a policy or a new trust by Terraform.
 */
export const BOUNDED_IDENTITY_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:CreateRole",
  "iam:CreateUser",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:PutUserPolicy",
  "iam:UpdateAssumeRolePolicy",
];

/** With a permissions boundary, removing a boundary from any role or user is denied outright. */
export const BOUNDARY_REMOVAL_ACTIONS = [
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
];

/** The ARN of a policy given as an AWS managed ARN or as a customer policy `path/name`. */
export function policyRefArn(partition: string, accountId: string, ref: string): string {
  if (AWS_MANAGED_POLICY_ARN.test(ref)) return ref;
  const slash = ref.lastIndexOf("/");
  const path = slash < 0 ? "/" : `/${ref.slice(0, slash)}/`;
  return policyArn(partition, accountId, path, ref.slice(slash + 1));
}

/** The Terraform role's ARN in one product account. */
export function terraformRoleArn(config: TopologyConfig, accountId: string): string {
  return roleArn(config.partition, accountId, config.terraformRole.path, config.terraformRole.name);
}

/** The bootstrap roles of the stack (by name, without repeats): in every product account. */
function bootstrapRoleNames(config: TopologyConfig): string[] {
  return [
    ...new Set([
      config.terraformAccount.bootstrapRoleName,
      ...Object.values(config.names.bootstrapRoles),
    ]),
  ].sort();
}

/**
 * The Terraform role's guards: explicit Denies no other grant can lift. Each names only
 * ARNs built from config, the same in every product account up to its id.
 * - the topology's roles of the account (itself, the plan role, every bootstrap role name of
 *   the stack) cannot be changed ({@link SELF_CHANGE_ACTIONS});
 * - the customer managed policies attached to it and a customer managed boundary cannot be
 *   rewritten ({@link POLICY_CHANGE_ACTIONS});
 * - with a boundary: identities are created and widened only with that boundary
 *   ({@link BOUNDED_IDENTITY_ACTIONS}), and no boundary is removed.
 */
function terraformRoleGuards(
  config: TopologyConfig,
  accountId: string,
  boundary: string | undefined,
): Statement[] {
  const topologyRoles = [
    terraformRoleArn(config, accountId),
    planRoleArn(config, accountId),
    ...bootstrapRoleNames(config).map((name) => roleArn(config.partition, accountId, "/", name)),
  ];
  const ownPolicies = [
    ...config.terraformRole.customerManagedPolicies.map((p) =>
      policyRefArn(config.partition, accountId, p),
    ),
    ...(boundary !== undefined && !AWS_MANAGED_POLICY_ARN.test(boundary) ? [boundary] : []),
  ];
  const statements: Statement[] = [
    deny({
      sid: "DenyChangingTopologyRoles",
      actions: SELF_CHANGE_ACTIONS,
      resources: topologyRoles,
    }),
  ];
  if (ownPolicies.length > 0) {
    statements.push(
      deny({
        sid: "DenyChangingOwnPolicies",
        actions: POLICY_CHANGE_ACTIONS,
        resources: ownPolicies,
      }),
    );
  }
  if (boundary !== undefined) {
    statements.push(
      deny({
        sid: "DenyIdentitiesWithoutBoundary",
        actions: BOUNDED_IDENTITY_ACTIONS,
        resources: ["*"],
        condition: { StringNotEquals: { "iam:PermissionsBoundary": [boundary] } },
      }),
      deny({ sid: "DenyRemovingBoundaries", actions: BOUNDARY_REMOVAL_ACTIONS, resources: ["*"] }),
    );
  }
  return statements;
}

/**
 * The Terraform role of one product account. Every product account's role comes from this one
 * definition; the documents differ only in the account's own id.
 */
export function planTerraformRole(
  config: TopologyConfig,
  accountId: string,
  ciRoleArn: string,
): RolePlan {
  const role = config.terraformRole;
  const arn = terraformRoleArn(config, accountId);
  const boundary = role.permissionsBoundary
    ? policyRefArn(config.partition, accountId, role.permissionsBoundary)
    : undefined;
  const statements: Statement[] = [];
  if (role.allowedServices.length > 0) {
    statements.push(
      allow({
        sid: "ManageAllowedServices",
        actions: [...new Set(role.allowedServices)].sort().map((s) => `${s}:*`),
        resources: ["*"],
      }),
    );
  }
  statements.push(...terraformRoleGuards(config, accountId, boundary));
  return {
    name: role.name,
    access: "apply",
    path: role.path,
    arn,
    description:
      "Terraform's role in this account; assumable only by the CI Terraform role (tf-bootstrap)",
    maxSessionDuration: role.maxSessionDurationSeconds,
    trustPolicy: trustOnly(config.partition, config.terraformAccount.id, ciRoleArn),
    inlinePolicies: [{ name: TERRAFORM_ROLE_POLICY, document: policyDocument(...statements) }],
    managedPolicyArns: [
      ...role.managedPolicyArns,
      ...role.customerManagedPolicies.map((p) => policyRefArn(config.partition, accountId, p)),
    ],
    customerPolicies: [],
    ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
  };
}

/** Name of the plan role's inline policy. */
export const PLAN_ROLE_POLICY = "terraform-plan";

const planStatements = new WeakMap<TopologyConfig, readonly Statement[]>();

/**
 * The plan role's statements: the same in every product account (they name no account), so
 * they are built once per config; the catalog lookups behind them are the costly part of
 * planning a large stack.
 */
function planRoleStatements(config: TopologyConfig): Statement[] {
  let statements = planStatements.get(config);
  if (statements === undefined) {
    statements = [
      ...planReadStatements(config.terraformRole.allowedServices),
      ...denySecretReads(
        config.terraformPlanRole.managedPolicyArns.length > 0
          ? "all"
          : config.terraformRole.allowedServices,
      ),
    ];
    planStatements.set(config, statements);
  }
  return [...statements];
}

/** The plan role's ARN in one product account. */
export function planRoleArn(config: TopologyConfig, accountId: string): string {
  return roleArn(
    config.partition,
    accountId,
    config.terraformPlanRole.path,
    config.terraformPlanRole.name,
  );
}

/**
 * The plan role of one product account: what `terraform plan` on a pull request runs as. It
 * reads the services the Terraform role manages and nothing is writable; an explicit Deny keeps
 * secret values out of reach even when a read-only managed policy would allow them. Trusted by
 * the CI plan role only; identical in every product account but for the account id.
 */
export function planPlanRole(
  config: TopologyConfig,
  accountId: string,
  ciPlanRoleArn: string,
): RolePlan {
  const role = config.terraformPlanRole;
  const statements = planRoleStatements(config);
  return {
    name: role.name,
    access: "plan",
    path: role.path,
    arn: planRoleArn(config, accountId),
    description:
      "Terraform plans in this account: read-only; assumable only by the CI plan role (tf-bootstrap)",
    maxSessionDuration: role.maxSessionDurationSeconds,
    trustPolicy: trustOnly(config.partition, config.terraformAccount.id, ciPlanRoleArn),
    inlinePolicies: [{ name: PLAN_ROLE_POLICY, document: policyDocument(...statements) }],
    managedPolicyArns: [...role.managedPolicyArns],
    customerPolicies: [],
  };
}

/**
 * The guard's policies as data: name, description, default level, scope and the pure check.
 * The CrossGuard pack (`policy-pack/`), the offline synth and the audit all run these.
 */
import { checkCiRoleAssumeScope } from "./assume-scope";
import { checkApplyRoleEnvironmentScope } from "./apply-environment";
import { checkAuditTrail } from "./audit-trail";
import { checkCiIdentity } from "./ci-identity";
import { checkCiRoleLeastPrivilege } from "./ci-role-permissions";
import { checkTerraformRoleSelfProtection } from "./self-protection";
import { EXCEPTIONS_SCHEMA, TERRAFORM_ACCOUNT_SCHEMA, type EnforcementLevel } from "./config";
import type { Findings, PolicyName } from "./finding";
import { checkOrgStack } from "./org-stack";
import { checkProviderPinned } from "./providers";
import { checkPlanRoleReadOnly } from "./plan-read-only";
import { checkPlanRolesIdentical, checkRolePermissionsIdentical } from "./role-permissions";
import { checkStateBackend } from "./state-backend";
import type { Topology } from "./topology";
import { checkCiRoleTrust, checkTerraformRoleTrust } from "./trust";
import type { ResourceView } from "./view";

/**
 * The stacks a policy judges: `whole` (one stack holds the organisation), `core` (the
 * Terraform account of a split organisation), `group` (an account group's product accounts).
 */
export type StackPart = "whole" | "core" | "group";

/** The parts of a policy about the Terraform account: a group stack holds none of it. */
const TERRAFORM_ACCOUNT_PARTS: readonly StackPart[] = ["whole", "core"];

/** The parts of a policy about product accounts or every resource. */
const EVERY_PART: readonly StackPart[] = ["whole", "core", "group"];

interface PolicyBase {
  readonly name: PolicyName;
  /**
   * The parts it judges. On another part it has nothing to judge and reports nothing: a
   * group stack's resources are held to the Terraform account's rules by
   * `org-stack-consistent` (nothing there but its own accounts), not by these.
   */
  readonly parts: readonly StackPart[];
  /** One sentence: what the policy guarantees. Shown by CrossGuard with every violation. */
  readonly description: string;
  readonly defaultLevel: EnforcementLevel;
}

/** A policy that judges the whole stack (CrossGuard `validateStack`). */
export interface StackGuardPolicy extends PolicyBase {
  readonly scope: "stack";
  readonly check: (topology: Topology, out: Findings) => void;
}

/** A policy that judges one resource at a time (CrossGuard `validateResource`). */
export interface ResourceGuardPolicy extends PolicyBase {
  readonly scope: "resource";
  readonly check: (resource: ResourceView, out: Findings) => void;
}

/** Either kind of policy. */
export type GuardPolicy = StackGuardPolicy | ResourceGuardPolicy;

/** Every guard policy, in the order reports list them. */
export const GUARD_POLICIES: readonly GuardPolicy[] = [
  {
    name: "terraform-role-policies-identical",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Every product account's Terraform role has the same permissions (inline documents, managed policies, boundary), up to the account id.",
    check: checkRolePermissionsIdentical,
  },
  {
    name: "terraform-role-trust-restrictive",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Every Terraform role (every role of a product account, and any role a CI role can assume) can be assumed by the CI role of its own path and nobody else: a Terraform role by the CI apply role, a plan role by the CI plan role.",
    check: checkTerraformRoleTrust,
  },
  {
    name: "terraform-role-self-protection",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Every Terraform role is refused, by its own policies, changes to itself, to its account's plan role and bootstrap role, and to the customer managed policies attached to it; with a permissions boundary, it creates and widens only identities that carry the boundary.",
    check: checkTerraformRoleSelfProtection,
  },
  {
    name: "plan-role-read-only",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Every plan role grants only List and Read actions (by the Service Authorization Reference's access levels) and explicitly denies reading secret values.",
    check: checkPlanRoleReadOnly,
  },
  {
    name: "plan-roles-identical",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Every product account's plan role has the same permissions (inline documents, managed policies, boundary), up to the account id.",
    check: checkPlanRolesIdentical,
  },
  {
    name: "ci-role-trust-restrictive",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Each CI role can be assumed by its own path's CI identity and nobody else: its IAM user, or OIDC workflows with the pinned audience and subjects of one repository (pull requests only on the plan path; protected environments or the protected branch on the apply path).",
    check: checkCiRoleTrust,
  },
  {
    name: "ci-role-assume-scoped",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Each CI role may assume exactly its path's product roles (the CI apply role the Terraform roles, the CI plan role the plan roles): no wildcard, no NotResource, no other role, none missing.",
    check: checkCiRoleAssumeScope,
  },
  {
    name: "ci-apply-role-environment-scoped",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "With per-environment apply roles, each CI apply role is assumed only by its own environment's CI identity, and may assume only its environment's Terraform roles and use only its environment's workspaces' state (judged by evaluation).",
    check: checkApplyRoleEnvironmentScope,
  },
  {
    name: "ci-role-least-privilege",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Each CI role may do only what its path needs in the Terraform account: list and read state, write state (apply) or only lockfiles (plan), use the state key, hold the lock, assume roles.",
    check: checkCiRoleLeastPrivilege,
  },
  {
    name: "ci-identity-least-privilege",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Each CI user can do nothing but assume its own path's CI role: no other permission, managed policy, group, login profile or credential; an OIDC provider accepts one audience.",
    check: checkCiIdentity,
  },
  {
    name: "state-backend-hardened",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "Terraform state is versioned, SSE-KMS encrypted with a rotating key, private, TLS-only, ACL-free, never force-destroyed, and protected; a lock table has recovery, encryption and deletion protection.",
    check: checkStateBackend,
  },
  {
    name: "audit-trail-enabled",
    parts: TERRAFORM_ACCOUNT_PARTS,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "A multi-region CloudTrail trail with log file validation, encrypted with a Terraform-account KMS key, records every read and write of state.",
    check: checkAuditTrail,
  },
  {
    name: "explicit-provider-pinned",
    parts: EVERY_PART,
    scope: "resource",
    defaultLevel: "mandatory",
    description:
      "Every AWS resource uses an explicit AWS provider pinned to exactly one account (allowedAccountIds).",
    check: checkProviderPinned,
  },
  {
    name: "org-stack-consistent",
    parts: EVERY_PART,
    scope: "stack",
    defaultLevel: "mandatory",
    description:
      "In an organisation split across stacks, a core stack holds only the Terraform account and an account-group stack only its own product accounts; the core stack lists every account of each group, and every group's Terraform and plan roles have exactly the core's role definition.",
    check: checkOrgStack,
  },
];

/** The policy named `name`. */
export function guardPolicy(name: PolicyName): GuardPolicy {
  const policy = GUARD_POLICIES.find((p) => p.name === name);
  if (policy === undefined) throw new Error(`bug: no guard policy named ${name}`);
  return policy;
}

/** The config properties a policy accepts, as JSON schemas (CrossGuard `configSchema`). */
export function configProperties(policy: GuardPolicy): Record<string, object> {
  return policy.scope === "stack"
    ? { exceptions: EXCEPTIONS_SCHEMA, terraformAccountId: TERRAFORM_ACCOUNT_SCHEMA }
    : { exceptions: EXCEPTIONS_SCHEMA };
}

/**
 * The role definition a split organisation's stacks share: the permissions of the Terraform
 * role and of the plan role, as {@link renderPermissions} renders them for the identical-role
 * policies (account id replaced by a placeholder), and the digest of each.
 *
 * The core stack exports them (`orgCore.roleDefinitions`), computed from its config; every
 * account-group stack's pack run renders each of its registered roles the same way and compares
 * (`org-stack-consistent`), so the roles stay identical across stacks, not only within one.
 */
import { createHash } from "node:crypto";
import { renderDocument } from "../iam/documents";
import { normalizeDocument } from "../iam/normalize";
import type { PolicyDocument } from "../iam/types";
import type { RolePlan, TopologyPlan } from "../plan/model";
import { renderPermissions } from "../guard/role-permissions";

/** One role's shared permissions: the rendering and its digest. */
export interface RoleDefinition {
  /** `sha256:` and the hex SHA-256 of {@link text}. */
  readonly digest: string;
  readonly text: string;
}

/** The shared definitions of both product roles. */
export interface RoleDefinitions {
  readonly terraform: RoleDefinition;
  readonly plan: RoleDefinition;
}

/** The digest of a rendering. */
export function digestOf(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

function normalized(doc: PolicyDocument): PolicyDocument {
  // The pack reads a registered document from its JSON text; the definition goes the same way.
  const read = normalizeDocument(renderDocument(doc));
  if (!read.ok)
    throw new Error(
      `bug: a planned document does not normalize: ${read.problems[0]?.message ?? ""}`,
    );
  return read.document;
}

/** The definition of one planned role in the account `accountId`. */
export function roleDefinitionOf(role: RolePlan, accountId: string): RoleDefinition {
  const text = renderPermissions(
    {
      inline: role.inlinePolicies.map((p) => ({ name: p.name, document: normalized(p.document) })),
      managedArns: [...role.managedPolicyArns, ...role.customerPolicies.map((p) => p.arn)],
      ...(role.permissionsBoundaryArn !== undefined
        ? { boundary: role.permissionsBoundaryArn }
        : {}),
    },
    accountId,
  );
  return { digest: digestOf(text), text };
}

/**
 * The role definitions of a plan, from its first product account (every product account's
 * roles come from the same definition; the identical-role policies hold them to it).
 */
export function roleDefinitions(plan: TopologyPlan): RoleDefinitions {
  const product = plan.products[0];
  if (product === undefined) throw new Error("bug: a validated config has a product account");
  return {
    terraform: roleDefinitionOf(product.terraformRole, product.accountId),
    plan: roleDefinitionOf(product.planRole, product.accountId),
  };
}

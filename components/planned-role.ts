import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderDocument } from "../lib/iam/documents";
import { ACCESS_TAG, type RolePlan } from "../lib/plan/model";

/** The resources of one planned role. */
export interface PlannedRoleResources {
  readonly role: aws.iam.Role;
  readonly inlinePolicies: readonly aws.iam.RolePolicy[];
  readonly attachments: readonly aws.iam.RolePolicyAttachment[];
  readonly customerPolicies: readonly aws.iam.Policy[];
}

/**
 * Creates a role from its plan: the role, one resource per inline policy and managed policy,
 * and the exclusive resources that remove, on the next `up`, any inline or managed policy
 * attached out of band. With `adopt`, each resource is imported from the role that exists
 * already (by the id the AWS provider imports it by) instead of created: a group stack taking
 * over the roles a single stack created (docs/org-stacks.md, migration).
 */
export function createPlannedRole(
  name: string,
  plan: RolePlan,
  opts: pulumi.CustomResourceOptions,
  adopt = false,
): PlannedRoleResources {
  const imported = (id: string): pulumi.CustomResourceOptions => (adopt ? { import: id } : {});
  const role = new aws.iam.Role(
    name,
    {
      name: plan.name,
      path: plan.path,
      description: plan.description,
      assumeRolePolicy: renderDocument(plan.trustPolicy),
      maxSessionDuration: plan.maxSessionDuration,
      tags: { [ACCESS_TAG]: plan.access },
      ...(plan.permissionsBoundaryArn ? { permissionsBoundary: plan.permissionsBoundaryArn } : {}),
    },
    { ...opts, ...imported(plan.name) },
  );
  const child = { ...opts, dependsOn: [role] };
  const inlinePolicies = plan.inlinePolicies.map(
    (p) =>
      new aws.iam.RolePolicy(
        `${name}-${p.name}`,
        { role: plan.name, name: p.name, policy: renderDocument(p.document) },
        { ...child, ...imported(`${plan.name}:${p.name}`) },
      ),
  );
  new aws.iam.RolePoliciesExclusive(
    `${name}-inline-exclusive`,
    { roleName: plan.name, policyNames: plan.inlinePolicies.map((p) => p.name) },
    { ...opts, dependsOn: [role, ...inlinePolicies], ...imported(plan.name) },
  );
  const attachments: aws.iam.RolePolicyAttachment[] = plan.managedPolicyArns.map(
    (arn) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${arn.slice(arn.lastIndexOf("/") + 1)}`,
        { role: plan.name, policyArn: arn },
        { ...child, ...imported(`${plan.name}/${arn}`) },
      ),
  );
  const customerPolicies = plan.customerPolicies.map((p) => {
    const policy = new aws.iam.Policy(
      `${name}-${p.name}`,
      {
        name: p.name,
        path: p.path,
        description: p.description,
        policy: renderDocument(p.document),
      },
      { ...opts, ...imported(p.arn) },
    );
    attachments.push(
      new aws.iam.RolePolicyAttachment(
        `${name}-${p.name}-attachment`,
        { role: plan.name, policyArn: p.arn },
        { ...opts, dependsOn: [role, policy], ...imported(`${plan.name}/${p.arn}`) },
      ),
    );
    return policy;
  });
  new aws.iam.RolePolicyAttachmentsExclusive(
    `${name}-managed-exclusive`,
    {
      roleName: plan.name,
      policyArns: [...plan.managedPolicyArns, ...plan.customerPolicies.map((p) => p.arn)],
    },
    { ...opts, dependsOn: [role, ...attachments], ...imported(plan.name) },
  );
  return { role, inlinePolicies, attachments, customerPolicies };
}

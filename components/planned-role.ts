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
 * attached out of band.
 */
export function createPlannedRole(
  name: string,
  plan: RolePlan,
  opts: pulumi.CustomResourceOptions,
): PlannedRoleResources {
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
    opts,
  );
  const child = { ...opts, dependsOn: [role] };
  const inlinePolicies = plan.inlinePolicies.map(
    (p) =>
      new aws.iam.RolePolicy(
        `${name}-${p.name}`,
        { role: plan.name, name: p.name, policy: renderDocument(p.document) },
        child,
      ),
  );
  new aws.iam.RolePoliciesExclusive(
    `${name}-inline-exclusive`,
    { roleName: plan.name, policyNames: plan.inlinePolicies.map((p) => p.name) },
    { ...opts, dependsOn: [role, ...inlinePolicies] },
  );
  const attachments: aws.iam.RolePolicyAttachment[] = plan.managedPolicyArns.map(
    (arn) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${arn.slice(arn.lastIndexOf("/") + 1)}`,
        { role: plan.name, policyArn: arn },
        child,
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
      opts,
    );
    attachments.push(
      new aws.iam.RolePolicyAttachment(
        `${name}-${p.name}-attachment`,
        { role: plan.name, policyArn: p.arn },
        { ...opts, dependsOn: [role, policy] },
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
    { ...opts, dependsOn: [role, ...attachments] },
  );
  return { role, inlinePolicies, attachments, customerPolicies };
}

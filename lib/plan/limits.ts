import type { ConfigProblem } from "../errors/config-error";
import { renderDocument } from "../iam/documents";
import type { PolicyDocument } from "../iam/types";
import type { InlinePolicyPlan, RolePlan, TopologyPlan } from "./model";

/**
 * IAM's size quotas, from "IAM and AWS STS quotas" (IAM User Guide). IAM does not count white
 * space. Quotas marked adjustable can be raised through Service Quotas; tf-bootstrap plans for
 * the defaults so a stack deploys in a new account without a quota request.
 */
export const IAM_LIMITS = {
  /** Role trust policy length (default; adjustable to 4,096). */
  trustPolicy: 2048,
  /** All inline policies of one role, together. */
  roleInlineAggregate: 10240,
  /** All inline policies of one user, together. */
  userInlineAggregate: 2048,
  /** One customer managed policy. */
  managedPolicy: 6144,
  /** Managed policies attached to one role (default; adjustable to 20). */
  managedPerRole: 10,
} as const;

/** The size IAM counts for a document: its characters, white space excluded. */
export function policySize(doc: PolicyDocument): number {
  return renderDocument(doc).replace(/\s/g, "").length;
}

function inlineSize(policies: readonly InlinePolicyPlan[]): number {
  return policies.reduce((n, p) => n + policySize(p.document), 0);
}

function roleProblems(role: RolePlan, where: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const trust = policySize(role.trustPolicy);
  if (trust > IAM_LIMITS.trustPolicy) {
    problems.push({
      path: where,
      value: role.arn,
      message: `the trust policy of ${role.arn} would be ${trust} characters; IAM allows ${IAM_LIMITS.trustPolicy}. Shorten the role and identity names or paths, or (github-oidc) let accounts share CI environments so fewer OIDC subjects are trusted.`,
    });
  }
  const inline = inlineSize(role.inlinePolicies);
  if (inline > IAM_LIMITS.roleInlineAggregate) {
    problems.push({
      path: where,
      value: role.inlinePolicies.map((p) => p.name),
      message: `the inline policies of ${role.arn} would total ${inline} characters; IAM allows ${IAM_LIMITS.roleInlineAggregate} per role. Use fewer allowedServices, or move permissions into managed policies.`,
    });
  }
  for (const policy of role.customerPolicies) {
    const size = policySize(policy.document);
    if (size > IAM_LIMITS.managedPolicy) {
      problems.push({
        path: where,
        value: policy.arn,
        message: `managed policy ${policy.arn} would be ${size} characters; IAM allows ${IAM_LIMITS.managedPolicy}. This is a bug in the planner's chunking; report it.`,
      });
    }
  }
  const attached = role.managedPolicyArns.length + role.customerPolicies.length;
  if (attached > IAM_LIMITS.managedPerRole) {
    problems.push({
      path: where,
      value: attached,
      message: `${role.arn} would have ${attached} managed policies attached; IAM allows ${IAM_LIMITS.managedPerRole} by default. Split the product accounts across several stacks (see docs/scaling.md) or attach fewer managed policies.`,
    });
  }
  return problems;
}

/**
 * Every way the planned documents would break IAM's size quotas, as config problems: the plan
 * is a function of the config, so the fix is always a config change.
 */
export function planLimitProblems(plan: TopologyPlan): ConfigProblem[] {
  // Every product account's roles come from one definition each and account ids have one
  // length, so the first product account's roles stand for all of them.
  const tf = plan.terraform;
  const problems = [
    ...roleProblems(tf.ciRole, "tf-bootstrap:productAccounts"),
    ...roleProblems(tf.ciPlanRole, "tf-bootstrap:productAccounts"),
    ...plan.products
      .slice(0, 1)
      .flatMap((p) => [
        ...roleProblems(p.terraformRole, "tf-bootstrap:terraformRole"),
        ...roleProblems(p.planRole, "tf-bootstrap:terraformPlanRole"),
      ]),
  ];
  for (const identity of [tf.ciIdentity, tf.ciPlanIdentity]) {
    if (identity.kind !== "iam-user") continue;
    const userInline = inlineSize(identity.inlinePolicies);
    if (userInline > IAM_LIMITS.userInlineAggregate) {
      problems.push({
        path: "tf-bootstrap:ci",
        value: identity.arn,
        message: `the inline policy of the CI user ${identity.arn} would be ${userInline} characters; IAM allows ${IAM_LIMITS.userInlineAggregate}. Shorten the CI role's name or path.`,
      });
    }
  }
  return problems;
}

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
  /** An S3 bucket policy (Amazon S3 User Guide, "Bucket policy examples": 20 KB). */
  bucketPolicy: 20480,
  /** A KMS key policy (AWS KMS Developer Guide, "Quotas": 32 KB). */
  keyPolicy: 32768,
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
      message: `${role.arn} would have ${attached} managed policies attached; IAM allows ${IAM_LIMITS.managedPerRole} by default. ${role.access === "apply" && role.customerPolicies.some((p) => p.name.includes("-reach-")) ? "Its environment holds too many accounts for one CI apply role: spread them over more environments, or " : ""}Split the product accounts across several stacks (see docs/scaling.md) or attach fewer managed policies.`,
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
    ...tf.ciApply.flatMap((a) => roleProblems(a.role, "tf-bootstrap:productAccounts")),
    ...roleProblems(tf.ciPlanRole, "tf-bootstrap:productAccounts"),
    ...plan.products
      .slice(0, 1)
      .flatMap((p) => [
        ...roleProblems(p.terraformRole, "tf-bootstrap:terraformRole"),
        ...roleProblems(p.planRole, "tf-bootstrap:terraformPlanRole"),
      ]),
  ];
  problems.push(...resourcePolicyProblems(plan));
  for (const identity of [...tf.ciApply.map((a) => a.identity), tf.ciPlanIdentity]) {
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

/**
 * The state bucket's policy and the state key's policy name every CI role (one per environment
 * with per-environment apply roles): both grow with the environments.
 */
function resourcePolicyProblems(plan: TopologyPlan): ConfigProblem[] {
  const { state } = plan.terraform;
  const roles = plan.terraform.ciApply.length;
  const fix =
    plan.terraform.applyRoles === "per-environment"
      ? "Let accounts share fewer, larger environments, shorten ci.roleName and ci.path, or split the product accounts across several stacks (docs/scaling.md)."
      : "Shorten the CI role names and paths, or split the product accounts across several stacks (docs/scaling.md).";
  const checks: [string, number, number][] = [
    [
      `the state bucket policy of ${state.bucket}`,
      policySize(state.bucketPolicy),
      IAM_LIMITS.bucketPolicy,
    ],
    [
      `the state key policy (alias/${state.kmsKey.alias})`,
      policySize(state.kmsKey.policy),
      IAM_LIMITS.keyPolicy,
    ],
  ];
  return checks
    .filter(([, size, limit]) => size > limit)
    .map(([what, size, limit]) => ({
      path: "tf-bootstrap:productAccounts",
      value: `${roles} CI apply role(s)`,
      message: `${what} names every CI role and would be ${size} characters with ${roles} CI apply role(s); AWS allows ${limit}. ${fix}`,
    }));
}

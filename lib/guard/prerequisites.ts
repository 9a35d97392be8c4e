/**
 * What several policies need before they can judge anything: the Terraform account, and the
 * ARNs of the principals they compare against. Each reports why it is missing and fails closed.
 */
import type { Findings } from "./finding";
import type { PrincipalEntry } from "./iam-index";
import { principalLabel, type Topology } from "./topology";

/** Whether the Terraform account is known; reports why not. */
export function requireTerraformAccount(topology: Topology, out: Findings): boolean {
  const tf = topology.terraformAccount;
  if (tf.kind === "resolved") return true;
  out.add(tf.id, tf.message);
  return false;
}

/**
 * The ARNs of `principals`, or `undefined` after reporting each one whose ARN cannot be built
 * (a name unknown at preview: the policy needs it to know who is allowed).
 */
export function principalArns(
  principals: readonly PrincipalEntry[],
  out: Findings,
  role: string,
): string[] | undefined {
  const arns: string[] = [];
  let complete = true;
  for (const principal of principals) {
    if (principal.arn.kind === "value") {
      arns.push(principal.arn.value);
    } else if (!out.unreadable(principal.name, principal.resource, `the ${role}'s ARN`)) {
      complete = false;
      out.add(
        "Topology::NoArn",
        `${principalLabel(principal)} has no name the policy can build its ARN from, so it ` +
          `cannot tell who the ${role} is and fails closed. Fix: give it an explicit \`name\` ` +
          `from stack config.`,
        principal.resource,
      );
    } else {
      complete = false;
    }
  }
  return complete ? arns : undefined;
}

/** Reports that no CI identity was found; returns whether there is at least one. */
export function requireCiIdentity(topology: Topology, out: Findings): boolean {
  if (topology.ciIdentities.length > 0 || topology.workflowCiRoles.length > 0) return true;
  const tf = topology.terraformAccount;
  const plan = topology.access === "plan";
  out.add(
    plan ? "Topology::NoCiPlanIdentity" : "Topology::NoCiIdentity",
    `No ${plan ? "CI plan identity" : "CI identity"} was found: the Terraform account` +
      `${tf.kind === "resolved" ? ` ${tf.id}` : ""} has no IAM user ` +
      `${plan ? "tagged tf-bootstrap:access=plan " : ""}registered with its provider, and no ` +
      `${plan ? "plan " : ""}role there trusts OIDC workflows. The policy cannot tell who may ` +
      `assume the ${plan ? "CI plan role" : "CI role"} and fails closed. Fix: keep the CI ` +
      `${plan ? "plan user" : "user"} (config \`ci\`) in the Terraform account, or use an OIDC mode.`,
  );
  return false;
}

/** Reports that no CI role was found; returns whether there is at least one. */
export function requireCiRole(topology: Topology, out: Findings): boolean {
  if (topology.ciRoles.length > 0) return true;
  const refused = topology.refusedCiRoles.map(principalLabel);
  out.add(
    topology.access === "plan" ? "Topology::NoCiPlanRole" : "Topology::NoCiRole",
    "No CI role was found: the CI identity cannot assume any role of the Terraform account " +
      "(a role's trust must admit it, and unless the trust names the identity itself, the " +
      "identity's own policy must allow sts:AssumeRole on the role). " +
      (refused.length > 0
        ? `The identity's policy targets ${refused.join("; ")}, whose trust does not admit it. `
        : "") +
      "The policy cannot tell who may assume the Terraform roles and fails closed. Fix: keep " +
      (topology.access === "plan"
        ? "the CI plan role (config `ci.planRoleName`) in the Terraform account, tagged " +
          "tf-bootstrap:access=plan and trusted by the CI plan identity"
        : "the CI Terraform role (config `ci.roleName`) in the Terraform account, trusted by the " +
          "CI identity") +
      ", and the identity's assume-ci-role policy naming it.",
  );
  return false;
}

/**
 * How many CI identities (or CI roles) the narrowed topology's path is meant to have: one, or on
 * the apply path with per-environment apply roles, one per environment (stack config intent).
 */
function intendedCount(topology: Topology): number {
  const { intent } = topology;
  if (topology.access !== "apply" || intent.kind !== "known") return 1;
  return Math.max(1, intent.intent.applyRoles.length);
}

/** Reports more CI identities than the design has: each one widens who may act as CI. */
export function reportSeveralCiIdentities(topology: Topology, out: Findings): void {
  if (topology.ciIdentities.length <= intendedCount(topology)) return;
  out.add(
    "Topology::SeveralCiIdentities",
    `The Terraform account has ${topology.ciIdentities.length} IAM users ` +
      `(${topology.ciIdentities.map(principalLabel).join("; ")}); the design has exactly one, the ` +
      `CI identity, and every IAM user there is treated as one. Fix: remove the extra users from ` +
      `the program, or accept them with an exception for 'Topology::SeveralCiIdentities'.`,
  );
}

/** Reports more CI roles than the design has: each one is another path into product accounts. */
export function reportSeveralCiRoles(topology: Topology, out: Findings): void {
  if (topology.ciRoles.length <= intendedCount(topology)) return;
  out.add(
    "Topology::SeveralCiRoles",
    `The CI identity may assume ${topology.ciRoles.length} roles in the Terraform account ` +
      `(${topology.ciRoles.map(principalLabel).join("; ")}); the design has exactly one CI role. ` +
      `Fix: let the CI identity assume only the CI Terraform role (its trust and the identity's ` +
      `policy), or accept the extra role with an exception for 'Topology::SeveralCiRoles'.`,
  );
}

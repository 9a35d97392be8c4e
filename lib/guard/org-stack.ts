/**
 * `org-stack-consistent`: a stack of an organisation split across stacks holds its own part
 * (docs/org-stacks.md).
 *
 * - An **account-group stack** registers only its accounts' providers and roles, only in its
 *   own product accounts (the Terraform account's rules, which a group does not run, cannot be
 *   dodged through it), and each of its Terraform and plan roles, as registered, has exactly
 *   the role definition of its config. The program holds the config to the core stack's (a
 *   group's preview fails unless the core stack's `orgCore` output lists its accounts with the
 *   same settings and role definition): together, roles are identical across stacks.
 * - A **core stack** registers AWS resources only in the Terraform account (and in the product
 *   accounts it is handing over, whose roles are held to its definition), and no role there
 *   that a CI role may assume besides the CI roles.
 * - A stack that holds the whole organisation has nothing here to judge.
 *
 * What the stack is meant to be comes from its config (the intent), never from its resources.
 * The pack does not read the StackReference: the engine does not show a read resource to an
 * analyzer, so the core's outputs are the program's to check.
 */
import type { CoreContract } from "../org-stacks/core-contract";
import { digestOf } from "../org-stacks/role-definition";
import type { Access } from "../plan/model";
import { describe, type Findings } from "./finding";
import { requireIntent, type OrgStackIntent } from "./intent";
import { requireTerraformAccount } from "./prerequisites";
import { permissionsText } from "./role-permissions";
import { renderDiff } from "./text-diff";
import { forAccess, principalLabel, type Topology } from "./topology";

/** The type of the resource a StackReference registers. */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** `org-stack-consistent`. */
export function checkOrgStack(topology: Topology, out: Findings): void {
  const intent = requireIntent(
    topology.intent,
    out,
    "which part of its organisation the stack is (config orgStack)",
  );
  const org = intent?.org;
  if (org === undefined || !requireTerraformAccount(topology, out)) return;
  const own = new Set(
    org.part === "group" || org.handOver
      ? Object.values(org.contract.accounts).map((a) => a.id)
      : [],
  );
  if (org.part === "core") own.add(org.contract.terraformAccountId);
  checkScope(topology, org, own, out);
  checkForeignResources(topology, org.part, out);
  if (org.part === "core") checkTerraformAccountRoles(topology, out);
  // A group's roles, and those a core is handing over, have the config's role definition.
  checkRoleDefinitions(topology, org.contract, out);
}

/** What a group stack's program registers in its accounts: providers and roles. */
const GROUP_TYPES: ReadonlySet<string> = new Set([
  "pulumi:providers:aws",
  "aws:iam/role:Role",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
]);

/** The resource types a stack of `part` may register. */
function allowedType(type: string, part: "core" | "group"): boolean {
  // The StackReference to the core, and the provider the engine gives it.
  if (type === STACK_REFERENCE_TYPE || type === "pulumi:providers:pulumi") return true;
  if (type === "pulumi:pulumi:Stack") return true;
  if (type.startsWith("tf-bootstrap:")) return true;
  if (part === "group") return GROUP_TYPES.has(type);
  return type.startsWith("aws:") || type === "pulumi:providers:aws";
}

/**
 * Every resource is one the program registers: in a group stack, its accounts' providers and
 * roles only (an IAM user, group or policy there would be a way into the account beside CI);
 * in a core stack, AWS resources through the aws provider. Another package's resources
 * (aws-native, command, dynamic providers) are outside every policy's view of accounts and IAM.
 */
function checkForeignResources(topology: Topology, part: "core" | "group", out: Findings): void {
  for (const resource of topology.view.resources) {
    if (allowedType(resource.type, part)) continue;
    out.add(
      "Org::ForeignResource",
      `${describe(resource)} is a ${resource.type}, which ` +
        (part === "group"
          ? `an account-group stack does not register: it holds its accounts' providers, ` +
            `Terraform roles and plan roles, and nothing else that could open a way into them. `
          : `a core stack does not register: it holds AWS resources through the aws provider, ` +
            `so the pack can tell their account and judge their permissions. `) +
        `Fix: remove it, or manage it outside these stacks.`,
      resource,
    );
  }
}

/**
 * A core stack holds no role a CI role may assume besides the CI roles: its product roles are
 * in the group stacks, so any such role of the Terraform account is one the organisation's
 * role definition does not describe.
 */
function checkTerraformAccountRoles(topology: Topology, out: Findings): void {
  const products = new Set(topology.productRoles);
  for (const role of topology.terraformRoles) {
    if (products.has(role)) continue;
    out.add(
      "Org::TerraformAccountRole",
      `${principalLabel(role)} is a role a CI role may assume (its trust admits one), but it ` +
        `is not a product account's Terraform or plan role: a CI job could take it and act in ` +
        `the Terraform account, where state and the trail live. Fix: remove it; Terraform ` +
        `roles belong in the product accounts, registered by their group stacks.`,
      role.resource,
    );
  }
}

/** Every resource is in one of the part's accounts. */
function checkScope(
  topology: Topology,
  org: OrgStackIntent,
  own: ReadonlySet<string>,
  out: Findings,
): void {
  const allowed = [...own].sort().join(", ");
  for (const resource of topology.view.resources) {
    const account = topology.accounts.get(resource.urn);
    if (account?.kind === "unresolved" && resource.type.startsWith("aws:")) {
      // Which account it lands in cannot be told: it may be outside the part (fail closed).
      out.add(
        "Org::AccountUnknown",
        `${describe(resource)}: the account it is registered in cannot be told ` +
          `(${account.detail}), so the policy cannot prove it is in one of this stack's ` +
          `accounts (${allowed}) and fails closed. Fix: register it with the provider of its ` +
          `account, pinned by allowedAccountIds.`,
        resource,
      );
      continue;
    }
    if (account?.kind !== "account" || own.has(account.id)) continue;
    out.add(
      org.part === "group" ? "Org::OutsideGroup" : "Org::OutsideCore",
      `${describe(resource)} is in account ${account.id}, but this ${org.part === "group" ? "account-group" : "core"} ` +
        `stack holds only accounts ${allowed}. ` +
        (org.part === "group"
          ? `A group stack does not run the Terraform account's policies, so nothing outside its own product accounts may be registered here. Fix: register it in the core stack, or in the group stack whose config lists account ${account.id}.`
          : `The product accounts' resources belong to the account-group stacks. Fix: register it in the group stack whose config lists account ${account.id} (or set orgStack.handOver while a single stack is being split).`),
      resource,
    );
  }
}

/** Every product role, as registered, has exactly the definition `contract` holds. */
function checkRoleDefinitions(topology: Topology, contract: CoreContract, out: Findings): void {
  const kinds: [Access, "terraform" | "plan", string][] = [
    ["apply", "terraform", "Terraform"],
    ["plan", "plan", "plan"],
  ];
  for (const [access, key, noun] of kinds) {
    const definition = contract.roleDefinitions[key];
    for (const role of forAccess(topology, access).productRoles) {
      const text = permissionsText(topology, role, out);
      if (text === undefined || digestOf(text) === definition.digest) continue;
      const diff =
        typeof definition.text === "string"
          ? `\nDiff from the definition to this role (account ids shown as \${AccountId}):\n${renderDiff(definition.text, text)}`
          : "";
      out.add(
        "Org::RoleDefinitionDiffers",
        `${principalLabel(role)} does not have the permissions of the organisation's ${noun} ` +
          `role definition, as the stack config gives it (${definition.digest}); this role's are ` +
          `${digestOf(text)}.${diff}\nFix: build every ${noun} role from the one definition ` +
          `in the stack configs (the same terraformRole and terraformPlanRole in the core and ` +
          `every group); do not add, attach or edit policies in one stack.`,
        role.resource,
      );
    }
  }
}

/**
 * `org-stack-consistent`: a stack of an organisation split across stacks holds its own part
 * and agrees with the others (docs/org-stacks.md).
 *
 * - An **account-group stack** registers resources only in its own product accounts (the
 *   Terraform account's rules, which the group does not run, cannot be dodged through it); it
 *   reads its core stack's `orgCore` output through a StackReference, and the core lists every
 *   account of the group with the same id, workspace, environment and role ARNs; each of its
 *   Terraform and plan roles, as registered, has exactly the core's role definition (the
 *   identical-role policies hold within one stack; this holds them across stacks).
 * - A **core stack** registers resources only in the Terraform account, and in the product
 *   accounts it is handing over (`orgStack.handOver`).
 * - A stack that holds the whole organisation has nothing here to judge.
 *
 * What this stack is meant to be comes from its config (the intent), never from its resources.
 */
import {
  CORE_OUTPUT,
  groupMismatches,
  readCoreContract,
  type CoreContract,
} from "../org-stacks/core-contract";
import { digestOf } from "../org-stacks/role-definition";
import type { Access } from "../plan/model";
import { describe, type Findings } from "./finding";
import { requireIntent, type OrgStackIntent } from "./intent";
import { requireTerraformAccount } from "./prerequisites";
import { firstUnknown, readAt, readString } from "./read";
import { permissionsText } from "./role-permissions";
import { renderDiff } from "./text-diff";
import { forAccess, principalLabel, type Topology } from "./topology";
import type { ResourceView } from "./view";

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
  if (org.part === "group") {
    checkGroup(topology, org, out);
    return;
  }
  checkTerraformAccountRoles(topology, out);
  // A core handing its product accounts over holds them to its own config's definition.
  if (org.handOver) checkRoleDefinitions(topology, org.contract, "its own config", out);
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
  if (type === STACK_REFERENCE_TYPE || type === "pulumi:pulumi:Stack") return true;
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

/** The core stack's contract, as the group's StackReference read it; reports why not. */
function coreContractOf(
  topology: Topology,
  coreName: string,
  expected: string | undefined,
  out: Findings,
): CoreContract | undefined {
  const references = topology.view.resources.filter((r) => r.type === STACK_REFERENCE_TYPE);
  const isCore = (r: ResourceView): boolean => {
    const name = readString(r.props, ["name"]);
    if (name.kind !== "value") return false;
    // The full name when the stack's organisation is known; else the core's own name.
    return expected !== undefined
      ? name.value === expected
      : name.value.split("/").pop() === coreName.split("/").pop();
  };
  const named = references.filter(isCore);
  for (const other of references.filter((r) => !isCore(r))) {
    const name = readString(other.props, ["name"]);
    if (out.unreadable(name, other, "the name of the stack it reads")) continue;
    out.add(
      "Org::OtherStackReference",
      `${describe(other)} reads the stack ${name.kind === "value" ? name.value : "(none)"}, ` +
        `but an account-group stack reads only its core stack ${expected ?? coreName}: ` +
        `another stack's outputs could stand in for the core's. The policy fails closed. Fix: ` +
        `remove it.`,
      other,
    );
  }
  if (named.length > 1) {
    out.add(
      "Org::OtherStackReference",
      `This account-group stack reads its core stack ${expected ?? coreName} through ` +
        `${named.length} StackReferences; it needs one, so which outputs are the core's is ` +
        `never in doubt. The policy fails closed. Fix: keep the program's one reference.`,
    );
    return undefined;
  }
  const reference: ResourceView | undefined = named[0];
  if (reference === undefined) {
    out.add(
      "Org::NoCoreReference",
      `This account-group stack has no StackReference to its core stack ${expected ?? coreName} ` +
        `(orgStack.core), so the policy cannot check that the core admits its accounts and ` +
        `fails closed. Fix: run the tf-bootstrap program, which reads the core stack's ` +
        `${CORE_OUTPUT} output; check orgStack.core names the core stack.`,
    );
    return undefined;
  }
  const read = readAt(reference.props, ["outputs", CORE_OUTPUT]);
  if (out.unreadable(read, reference, `the core stack's ${CORE_OUTPUT} output`)) return undefined;
  const value = read.kind === "value" ? read.value : undefined;
  const unknown = value === undefined ? undefined : firstUnknown(value, ["outputs", CORE_OUTPUT]);
  if (unknown !== undefined) {
    out.unreadable(
      { kind: "unknown", path: unknown },
      reference,
      `the core stack's ${CORE_OUTPUT} output`,
    );
    return undefined;
  }
  const contract = readCoreContract({ [CORE_OUTPUT]: value }, coreName);
  if (!contract.ok) {
    out.add("Org::NoCoreContract", `${contract.problem}`, reference);
    return undefined;
  }
  return contract.contract;
}

function checkGroup(topology: Topology, org: OrgStackIntent, out: Findings): void {
  const coreName = org.core ?? "";
  const core = coreContractOf(topology, coreName, org.coreReference, out);
  if (core === undefined) return;
  for (const mismatch of groupMismatches(org.contract, core, coreName)) {
    out.add(mismatch.id, `This account-group stack: ${mismatch.message}`);
  }
  checkRoleDefinitions(topology, core, `the core stack ${coreName}`, out);
}

/** Every product role, as registered, has exactly the definition `contract` holds. */
function checkRoleDefinitions(
  topology: Topology,
  contract: CoreContract,
  source: string,
  out: Findings,
): void {
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
          `role definition, as ${source} gives it (${definition.digest}); this role's are ` +
          `${digestOf(text)}.${diff}\nFix: build every ${noun} role from the one definition ` +
          `in the stack configs (the same terraformRole and terraformPlanRole in the core and ` +
          `every group); do not add, attach or edit policies in one stack.`,
        role.resource,
      );
    }
  }
}

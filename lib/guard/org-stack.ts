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
  if (org.part === "group") checkGroup(topology, org, out);
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
  out: Findings,
): CoreContract | undefined {
  const references = topology.view.resources.filter((r) => r.type === STACK_REFERENCE_TYPE);
  const named = references.filter((r) => {
    const name = readString(r.props, ["name"]);
    return (
      name.kind === "value" && (name.value === coreName || name.value.endsWith(`/${coreName}`))
    );
  });
  const reference: ResourceView | undefined = named[0];
  if (reference === undefined) {
    out.add(
      "Org::NoCoreReference",
      `This account-group stack has no StackReference to its core stack ${coreName} ` +
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
  const core = coreContractOf(topology, coreName, out);
  if (core === undefined) return;
  for (const mismatch of groupMismatches(org.contract, core, coreName)) {
    out.add(mismatch.id, `This account-group stack: ${mismatch.message}`);
  }
  const kinds: [Access, "terraform" | "plan", string][] = [
    ["apply", "terraform", "Terraform"],
    ["plan", "plan", "plan"],
  ];
  for (const [access, key, noun] of kinds) {
    const definition = core.roleDefinitions[key];
    for (const role of forAccess(topology, access).productRoles) {
      const text = permissionsText(topology, role, out);
      if (text === undefined || digestOf(text) === definition.digest) continue;
      const diff =
        typeof definition.text === "string"
          ? `\nDiff from the core's definition to this role (account ids shown as \${AccountId}):\n${renderDiff(definition.text, text)}`
          : "";
      out.add(
        "Org::RoleDefinitionDiffers",
        `${principalLabel(role)} does not have the permissions of the organisation's ${noun} ` +
          `role definition, which the core stack ${coreName} exports (${definition.digest}); ` +
          `this role's are ${digestOf(text)}.${diff}\nFix: build every ${noun} role from the ` +
          `one definition in the stack configs (the same terraformRole and terraformPlanRole ` +
          `in the core and every group); do not add, attach or edit policies in one stack.`,
        role.resource,
      );
    }
  }
}

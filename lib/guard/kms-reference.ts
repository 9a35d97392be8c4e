/**
 * Checking that a property names a KMS key of the Terraform account.
 *
 * A key's id and ARN exist only once the key is created, so on the first preview a bucket's,
 * trail's or table's key reference is unknown. That gap is closed with the engine's own record
 * of where the value comes from: an unknown reference is accepted only when the property's
 * dependencies (CrossGuard's `propertyDependencies`) include a KMS key of the Terraform account
 * registered by this stack, whose rotation and protection `state-backend-hardened` checks. An
 * unknown reference with no such dependency is reported.
 */
import { describe, type Findings, unknownMessage } from "./finding";
import { readString, type Read } from "./read";
import type { Topology } from "./topology";
import type { ResourceView } from "./view";

/** The KMS key resource type. */
export const KMS_KEY_TYPE = "aws:kms/key:Key";

/** The stack's KMS keys of the Terraform account that `owner.<property>` was computed from. */
function keyDependencies(
  topology: Topology,
  owner: ResourceView,
  property: string,
): ResourceView[] {
  const tf = topology.terraformAccount;
  const urns = owner.propertyDependencies?.[property] ?? [];
  return topology.view.resources.filter((r) => {
    if (r.type !== KMS_KEY_TYPE || !urns.includes(r.urn)) return false;
    const account = topology.accounts.get(r.urn);
    return tf.kind === "resolved" && account?.kind === "account" && account.id === tf.id;
  });
}

/**
 * Checks a key reference read from `owner` (`property` is the top-level property it sits under,
 * for dependencies). Returns whether a key is named; reports what is wrong.
 */
export function checkKeyReference(
  topology: Topology,
  read: Read<string>,
  owner: ResourceView,
  property: string,
  what: string,
  out: Findings,
): boolean {
  const tf = topology.terraformAccount;
  if (read.kind === "unknown") {
    if (keyDependencies(topology, owner, property).length > 0) return true;
    out.add(
      `Unknown::${read.path}`,
      `${unknownMessage(owner, read.path, what)} (An unknown key reference is accepted only when ` +
        `it is computed from a KMS key of the Terraform account created by this stack.)`,
      owner,
    );
    return true;
  }
  if (read.kind === "invalid") {
    out.unreadable(read, owner, what);
    return true;
  }
  if (read.kind === "absent" || read.value === "") return false;
  const value = read.value;
  if (value.startsWith("arn:")) {
    const parts = value.split(":");
    const account = parts[4] ?? "";
    if (parts[2] !== "kms" || tf.kind !== "resolved" || account !== tf.id) {
      out.add(
        "Kms::KeyOutsideAccount",
        `${describe(owner)}: ${what} is ${value}, which is not a KMS key of the Terraform ` +
          `account${tf.kind === "resolved" ? ` ${tf.id}` : ""}: whoever controls that key ` +
          `controls the data. Fix: use the key this stack creates in the Terraform account.`,
        owner,
      );
    }
  }
  return true;
}

/**
 * The stack's KMS keys of the Terraform account that a key reference names: by the engine's
 * dependencies when the reference is unknown (a new key), by ARN, id or alias when it is known.
 * Empty when it names none of them.
 */
export function referencedKeys(
  topology: Topology,
  read: Read<string>,
  owner: ResourceView,
  property: string,
): ResourceView[] {
  if (read.kind === "unknown") return keyDependencies(topology, owner, property);
  if (read.kind !== "value" || read.value === "") return [];
  const value = read.value;
  const tf = topology.terraformAccount;
  return topology.view.resources.filter((r) => {
    if (r.type !== KMS_KEY_TYPE) return false;
    const account = topology.accounts.get(r.urn);
    if (tf.kind !== "resolved" || account?.kind !== "account" || account.id !== tf.id) {
      return false;
    }
    return (
      ["arn", "keyId", "id"].some((prop) => {
        const own = readString(r.props, [prop]);
        return (
          own.kind === "value" &&
          own.value !== "" &&
          (own.value === value || value.endsWith(`/${own.value}`))
        );
      }) || keyDependencies(topology, owner, property).includes(r)
    );
  });
}

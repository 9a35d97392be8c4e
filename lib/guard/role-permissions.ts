/**
 * `terraform-role-policies-identical`: every Terraform role has the same permissions.
 *
 * A role's permissions are its inline documents (canonicalized: order, duplicates and spelling
 * of lists do not matter), its managed policy ARNs and its permissions boundary, after the
 * role's own account id is replaced by `${AccountId}` everywhere. Roles are grouped by that
 * rendering; the largest group is the norm and each role outside it is reported with the diff
 * from the norm to it.
 */
import { canonicalJson } from "../iam/canonicalize";
import type { PolicyDocument } from "../iam/types";
import { parseDocument } from "./documents";
import type { Findings } from "./finding";
import { permissionsOf, type PrincipalEntry } from "./iam-index";
import { requireTerraformAccount } from "./prerequisites";
import { renderDiff } from "./text-diff";
import { forAccess, principalLabel, type Topology } from "./topology";

/** What an account id is replaced with before roles are compared. */
export const ACCOUNT_PLACEHOLDER = "${AccountId}";

function replaceDeep<T>(value: T, from: string, to: string): T {
  if (typeof value === "string") return value.split(from).join(to) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => replaceDeep(item, from, to)) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = replaceDeep(item, from, to);
    return out as T;
  }
  return value;
}

/** A role's permissions as {@link renderPermissions} takes them. */
export interface RolePermissions {
  readonly inline: readonly { readonly name: string; readonly document: PolicyDocument }[];
  readonly managedArns: readonly string[];
  readonly boundary?: string;
}

/**
 * The text that stands for a role's permissions, with `accountId` (the role's own account)
 * replaced by {@link ACCOUNT_PLACEHOLDER}: inline documents canonicalized and sorted by name,
 * managed policy ARNs sorted, the boundary. Two roles have the same permissions up to their
 * account id exactly when their texts are equal. The core stack of a split organisation
 * exports the digest of this text for its role definition (`lib/org-stacks`).
 */
export function renderPermissions(permissions: RolePermissions, accountId?: string): string {
  const local = <T>(value: T): T =>
    accountId === undefined ? value : replaceDeep(value, accountId, ACCOUNT_PLACEHOLDER);
  const sections: string[] = [];
  const inline = [...permissions.inline].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const item of inline) {
    sections.push(`inline policy "${item.name}":`, canonicalJson(local(item.document)));
  }
  const managed = [...new Set(permissions.managedArns.map(local))].sort();
  sections.push(
    "managed policies:",
    ...(managed.length ? managed.map((a) => `  ${a}`) : ["  (none)"]),
  );
  sections.push(
    `permissions boundary: ${permissions.boundary === undefined ? "(none)" : local(permissions.boundary)}`,
  );
  return sections.join("\n");
}

/**
 * The text that stands for a role's permissions ({@link renderPermissions}); `undefined`
 * (after reporting why) when part of them cannot be read.
 */
export function permissionsText(
  topology: Topology,
  role: PrincipalEntry,
  out: Findings,
): string | undefined {
  const permissions = permissionsOf(topology.index, role);
  let readable = true;
  for (const item of permissions.unreadable) {
    out.unreadable(item.read, item.resource, item.what);
    readable = false;
  }
  const inline: { name: string; document: PolicyDocument }[] = [];
  for (const item of permissions.inline) {
    const doc: PolicyDocument | undefined = parseDocument(
      item.document,
      item.source,
      `inline policy '${item.name}'`,
      out,
    );
    if (doc === undefined) readable = false;
    else inline.push({ name: item.name, document: doc });
  }
  const accountId = role.account.kind === "account" ? role.account.id : undefined;
  const text = renderPermissions(
    {
      inline,
      managedArns: permissions.managedArns,
      ...(permissions.boundary !== undefined ? { boundary: permissions.boundary } : {}),
    },
    accountId,
  );
  return readable ? text : undefined;
}

function listed(roles: readonly PrincipalEntry[]): string {
  const labels = roles.map((r) => (r.account.kind === "account" ? r.account.id : r.resource.name));
  return labels.length <= 6
    ? labels.join(", ")
    : `${labels.slice(0, 5).join(", ")} and ${labels.length - 5} more`;
}

/** `terraform-role-policies-identical`: the apply path's Terraform roles. */
export function checkRolePermissionsIdentical(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const roles = forAccess(topology, "apply").terraformRoles;
  checkIdentical(topology, roles, { kind: "Terraform", configKey: "terraformRole" }, out);
}

/** `plan-roles-identical`: the plan path's roles. */
export function checkPlanRolesIdentical(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const roles = forAccess(topology, "plan").terraformRoles;
  checkIdentical(topology, roles, { kind: "plan", configKey: "terraformPlanRole" }, out);
}

function checkIdentical(
  topology: Topology,
  roles: readonly PrincipalEntry[],
  words: { readonly kind: string; readonly configKey: string },
  out: Findings,
): void {
  const groups = new Map<string, PrincipalEntry[]>();
  for (const role of roles) {
    const text = permissionsText(topology, role, out);
    if (text === undefined) continue;
    const group = groups.get(text);
    if (group) group.push(role);
    else groups.set(text, [role]);
  }
  if (groups.size <= 1) return;
  const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  const [normText, normRoles] = ranked[0] ?? ["", []];
  const tie = ranked.length > 1 && (ranked[1]?.[1].length ?? 0) === normRoles.length;
  const total = roles.length;
  for (const [text, roles] of ranked.slice(1)) {
    const diff = renderDiff(normText, text);
    for (const role of roles) {
      out.add(
        "Permissions::Differ",
        `${principalLabel(role)} does not have the same permissions as the other ${words.kind} ` +
          `roles. ${normRoles.length} of ${total} roles (accounts ${listed(normRoles)}) share one ` +
          `set of permissions${tie ? " (no strict majority: the first of the largest groups is shown as the norm)" : ""}; ` +
          `${roles.length === 1 ? "this one differs" : `this one and ${roles.length - 1} more (${listed(roles)}) differ`}. ` +
          `Diff from the norm to this role (account ids shown as ${ACCOUNT_PLACEHOLDER}):\n${diff}\n` +
          `Fix: give every product account's ${words.kind} role its permissions from the one ` +
          `${words.configKey} definition in the stack config; do not add, attach or edit policies ` +
          `for one account.`,
        role.resource,
      );
    }
  }
}

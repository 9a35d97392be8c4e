/**
 * `terraform-role-self-protection`: every Terraform role is refused, by its own policies, the
 * changes that would let merged Terraform code escape the topology:
 *
 * - changing itself, the plan role of its account or the account's bootstrap role (trust,
 *   policies, boundary, tags, settings, deletion);
 * - rewriting the customer managed policies attached to it, or its customer managed boundary
 *   (a new default version is a new document);
 * - with a permissions boundary: creating or widening a role or user that does not carry the
 *   boundary, and removing any boundary.
 *
 * Each is proved by evaluating the role's documents with the request itself: the Deny must
 * hold whatever the request's other context is. A Deny that names the wrong ARN, that lists
 * the actions under a condition the caller controls, or that was removed from every role at
 * once (they stay identical, so the identity check has nothing to say) is reported. Without a
 * boundary, a role that may create roles is reported unless the config accepts it
 * (`terraformRole.acknowledgeIamWithoutBoundary`).
 */
import { certainlyDenied, mayBeAllowed, principalRequest } from "../iam/judge";
import {
  BOUNDARY_REMOVAL_ACTIONS,
  BOUNDED_IDENTITY_ACTIONS,
  POLICY_CHANGE_ACTIONS,
  SELF_CHANGE_ACTIONS,
} from "../plan/product";
import type { Findings } from "./finding";
import type { PrincipalEntry } from "./iam-index";
import { permissionsOf } from "./iam-index";
import { readableDocuments } from "./principal-documents";
import { requireTerraformAccount } from "./prerequisites";
import { readString } from "./read";
import { forAccess, principalLabel, type Topology } from "./topology";

const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\//;

/** What a Deny must cover, and how findings name it. */
interface Target {
  readonly kind: string;
  readonly arn: string;
  readonly actions: readonly string[];
  readonly why: string;
}

/** The bootstrap role the resource's provider assumes, from its `assumeRoles` input. */
function bootstrapRoleOf(role: PrincipalEntry): string | undefined {
  const raw = role.resource.provider?.props.assumeRoles;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return undefined;
    }
  }
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  const arn = (first as { roleArn?: unknown } | undefined)?.roleArn;
  return typeof arn === "string" ? arn : undefined;
}

/** Whether the documents together refuse the request with a Deny that always holds. */

function targetsOf(topology: Topology, role: PrincipalEntry, roleArn: string): Target[] {
  const account = role.account.kind === "account" ? role.account.id : undefined;
  const planRoles = forAccess(topology, "plan").terraformRoles.filter(
    (r) => r.account.kind === "account" && r.account.id === account && r.arn.kind === "value",
  );
  const bootstrap = bootstrapRoleOf(role);
  const permissions = permissionsOf(topology.index, role);
  const attached = permissions.managedArns.filter(
    (arn) => !AWS_MANAGED.test(arn) && arn.split(":")[4] === account,
  );
  const boundary = permissions.boundary;
  return [
    {
      kind: "ThisRole",
      arn: roleArn,
      actions: SELF_CHANGE_ACTIONS,
      why: "it could open its own trust, widen its own permissions or remove its boundary",
    },
    ...planRoles.map((r) => ({
      kind: "PlanRole",
      arn: r.arn.kind === "value" ? r.arn.value : "",
      actions: SELF_CHANGE_ACTIONS,
      why: "it could open the plan role's trust to itself or widen it, so every later unreviewed plan would run with those permissions",
    })),
    ...(bootstrap !== undefined
      ? [
          {
            kind: "BootstrapRole",
            arn: bootstrap,
            actions: SELF_CHANGE_ACTIONS,
            why: "the bootstrap role administers the account: changing its trust would hand that to Terraform",
          },
        ]
      : []),
    ...attached.map((arn) => ({
      kind: "AttachedPolicy",
      arn,
      actions: POLICY_CHANGE_ACTIONS,
      why: "a new default version of a policy attached to it would widen its own permissions",
    })),
    ...(boundary !== undefined && !AWS_MANAGED.test(boundary)
      ? [
          {
            kind: "Boundary",
            arn: boundary,
            actions: POLICY_CHANGE_ACTIONS,
            why: "a new version of its boundary would lift the limit on everything it creates",
          },
        ]
      : []),
  ];
}

function checkRole(topology: Topology, role: PrincipalEntry, out: Findings): void {
  if (out.unreadable(role.arn, role.resource, "which role the guards must protect")) return;
  if (role.arn.kind !== "value" || role.account.kind !== "account") return;
  const roleArn = role.arn.value;
  const accountId = role.account.id;
  const docs = readableDocuments(topology, role, out, (arn) => AWS_MANAGED.test(arn)).map(
    (d) => d.document,
  );
  const fix =
    "Fix: keep the Terraform role's guard statements as lib/plan/product.ts plans them " +
    "(DenyChangingTopologyRoles, DenyChangingOwnPolicies, and with a boundary " +
    "DenyIdentitiesWithoutBoundary and DenyRemovingBoundaries).";
  for (const target of targetsOf(topology, role, roleArn)) {
    for (const action of target.actions) {
      if (certainlyDenied(docs, principalRequest(roleArn, accountId, action, target.arn))) continue;
      out.add(
        `SelfProtection::${target.kind}:${action}`,
        `${principalLabel(role)} is not refused ${action} on ${target.arn} by a Deny of its own ` +
          `policies: ${target.why}. ${fix}`,
        role.resource,
      );
    }
  }
  const boundary = readString(role.resource.props, ["permissionsBoundary"]);
  if (out.unreadable(boundary, role.resource, "the Terraform role's permissions boundary")) return;
  const probe = `arn:${role.account.partition}:iam::${accountId}:role/tf-bootstrap-probe`;
  if (boundary.kind === "value" && boundary.value !== "") {
    const other = `arn:${role.account.partition}:iam::${accountId}:policy/tf-bootstrap-probe`;
    for (const action of BOUNDED_IDENTITY_ACTIONS) {
      const without = {
        ...principalRequest(roleArn, accountId, action, probe),
        absent: ["iam:PermissionsBoundary"],
      };
      const elsewhere = principalRequest(roleArn, accountId, action, probe);
      const withOther = {
        ...elsewhere,
        context: { ...elsewhere.context, "iam:PermissionsBoundary": other },
      };
      if (certainlyDenied(docs, without) && certainlyDenied(docs, withOther)) continue;
      out.add(
        `Boundary::NotRequired:${action}`,
        `${principalLabel(role)} has the permissions boundary ${boundary.value} but is not ` +
          `refused ${action} for an identity without it: a role or user it creates or widens ` +
          `could escape the boundary. ${fix}`,
        role.resource,
      );
    }
    for (const action of BOUNDARY_REMOVAL_ACTIONS) {
      if (certainlyDenied(docs, principalRequest(roleArn, accountId, action, probe))) continue;
      out.add(
        `Boundary::Removable:${action}`,
        `${principalLabel(role)} is not refused ${action}: it could remove the boundary from ` +
          `an identity it created. ${fix}`,
        role.resource,
      );
    }
    return;
  }
  const intent = topology.intent.kind === "known" ? topology.intent.intent : undefined;
  const createsRoles = mayBeAllowed(docs, {
    ...principalRequest(roleArn, accountId, "iam:CreateRole", probe),
    absent: ["iam:PermissionsBoundary"],
  });
  if (createsRoles && intent?.iamWithoutBoundary !== true) {
    out.add(
      "Boundary::Missing",
      `${principalLabel(role)} may create IAM roles and has no permissions boundary: a role it ` +
        `creates could hold any permission, so the Terraform role controls its whole account. ` +
        `Fix: set terraformRole.permissionsBoundary, or accept it with ` +
        `terraformRole.acknowledgeIamWithoutBoundary: true (the synth report flags it).`,
      role.resource,
    );
  }
}

/** `terraform-role-self-protection`. */
export function checkTerraformRoleSelfProtection(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  for (const role of forAccess(topology, "apply").productRoles) checkRole(topology, role, out);
}

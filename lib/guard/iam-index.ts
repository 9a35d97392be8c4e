/**
 * The stack's IAM principals (roles and users) and everything that gives them permissions or
 * credentials, linked by account and name the way IAM links them: an inline policy, an
 * attachment or a group membership names its role or user, and lives in the same account.
 */
import { policyArn, roleArn, userArn } from "../arn";
import { ACCESS_TAG, type Access } from "../plan/model";
import { accountOf, type AccountOf } from "./accounts";
import { readAt, readObjects, readString, readStringList, type Read } from "./read";
import { isUnknown } from "./unknown";
import type { ResourceView, ViewProps, ViewValue } from "./view";

/** Resource types the guard reads, by short name. */
export const TYPES = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rolePoliciesExclusive: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
  roleAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  policy: "aws:iam/policy:Policy",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  userPolicyAttachment: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  userPoliciesExclusive: "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
  userAttachmentsExclusive: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  userGroupMembership: "aws:iam/userGroupMembership:UserGroupMembership",
  groupMembership: "aws:iam/groupMembership:GroupMembership",
  userLoginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
  accessKey: "aws:iam/accessKey:AccessKey",
  sshKey: "aws:iam/sshKey:SshKey",
  serviceSpecificCredential: "aws:iam/serviceSpecificCredential:ServiceSpecificCredential",
  signingCertificate: "aws:iam/signingCertificate:SigningCertificate",
} as const;

/** A role or user of the stack. */
export interface PrincipalEntry {
  readonly resource: ResourceView;
  readonly account: AccountOf;
  /** The principal's name (`name` input; the name part of `arn` when only that is known). */
  readonly name: Read<string>;
  /** Its ARN, built from account, path and name, or read from its `arn` output. */
  readonly arn: Read<string>;
  /**
   * The CI path it serves, from its {@link ACCESS_TAG} tag: `plan` only when the tag says so.
   * The tag can only add checks: a principal tagged `plan` is held to the plan path's rules
   * (read-only, trusted by the plan path), any other to the apply path's.
   */
  readonly access: Access;
  /** The tag as read: an unknown value is reported by the trust policies (fail closed). */
  readonly accessTag: Read<string>;
}

/** A resource that refers to a principal by a property (`role`, `user`, `users`...). */
interface Reference {
  readonly resource: ResourceView;
  readonly account: AccountOf;
  /** The names it refers to, or why they cannot be read. */
  readonly names: Read<readonly string[]>;
}

/** Which property of which resource type names a role or a user. */
const ROLE_REFERENCES: Readonly<Record<string, string>> = {
  [TYPES.rolePolicy]: "role",
  [TYPES.rolePolicyAttachment]: "role",
  [TYPES.rolePoliciesExclusive]: "roleName",
  [TYPES.roleAttachmentsExclusive]: "roleName",
  [TYPES.policyAttachment]: "roles",
};

const USER_REFERENCES: Readonly<Record<string, string>> = {
  [TYPES.userPolicy]: "user",
  [TYPES.userPolicyAttachment]: "user",
  [TYPES.userPoliciesExclusive]: "userName",
  [TYPES.userAttachmentsExclusive]: "userName",
  [TYPES.policyAttachment]: "users",
  [TYPES.userGroupMembership]: "user",
  [TYPES.groupMembership]: "users",
  [TYPES.userLoginProfile]: "user",
  [TYPES.accessKey]: "user",
  [TYPES.sshKey]: "username",
  [TYPES.serviceSpecificCredential]: "userName",
  [TYPES.signingCertificate]: "userName",
};

/** The name part of a role or user given as a name or as an ARN (`...:role/path/name`). */
function nameOfReference(value: string): string {
  return value.startsWith("arn:") ? value.slice(value.lastIndexOf("/") + 1) : value;
}

function sameAccount(a: AccountOf, b: AccountOf): boolean {
  // An unresolved account may be any account: link it (more links only add findings).
  return a.kind !== "account" || b.kind !== "account" || a.id === b.id;
}

function principalEntry(resource: ResourceView, kind: "role" | "user"): PrincipalEntry {
  const account = accountOf(resource);
  const declared = readString(resource.props, ["name"]);
  const output = readString(resource.props, ["arn"]);
  const name: Read<string> =
    declared.kind === "absent" && output.kind === "value"
      ? { kind: "value", value: nameOfReference(output.value) }
      : declared;
  let arn: Read<string> = output;
  if (name.kind === "value" && account.kind === "account") {
    const path = readString(resource.props, ["path"]);
    const prefix = path.kind === "value" ? path.value : "/";
    const build = kind === "role" ? roleArn : userArn;
    arn = { kind: "value", value: build(account.partition, account.id, prefix, name.value) };
  } else if (name.kind === "unknown") {
    arn = name;
  }
  const tag = readString(resource.props, ["tags", ACCESS_TAG]);
  const access: Access = tag.kind === "value" && tag.value === "plan" ? "plan" : "apply";
  return { resource, account, name, arn, access, accessTag: tag };
}

/** References to principals, by the name they refer to; unreadable ones apart. */
class References {
  readonly byName = new Map<string, Reference[]>();
  readonly unreadable: Reference[] = [];

  add(ref: Reference): void {
    if (ref.names.kind === "unknown" || ref.names.kind === "invalid") {
      this.unreadable.push(ref);
      return;
    }
    if (ref.names.kind !== "value") return;
    for (const name of new Set(ref.names.value.map(nameOfReference))) {
      const list = this.byName.get(name);
      if (list) list.push(ref);
      else this.byName.set(name, [ref]);
    }
  }
}

/** The IAM principals of a stack and the resources that refer to them. */
export class IamIndex {
  /** Every `aws:iam/role:Role`. */
  readonly roles: readonly PrincipalEntry[];
  /** Every `aws:iam/user:User`. */
  readonly users: readonly PrincipalEntry[];
  private readonly roleRefs = new References();
  private readonly userRefs = new References();
  private readonly policies: ResourceView[] = [];

  constructor(resources: readonly ResourceView[]) {
    const roles: PrincipalEntry[] = [];
    const users: PrincipalEntry[] = [];
    for (const resource of resources) {
      if (resource.type === TYPES.role) roles.push(principalEntry(resource, "role"));
      if (resource.type === TYPES.user) users.push(principalEntry(resource, "user"));
      if (resource.type === TYPES.policy) this.policies.push(resource);
      const roleProp = ROLE_REFERENCES[resource.type];
      if (roleProp !== undefined) this.roleRefs.add(reference(resource, roleProp));
      const userProp = USER_REFERENCES[resource.type];
      if (userProp !== undefined) this.userRefs.add(reference(resource, userProp));
    }
    this.roles = roles;
    this.users = users;
  }

  /**
   * The resources that refer to `principal`, and those in its account whose reference cannot be
   * read (they might refer to it: the caller fails closed on them).
   */
  referencesTo(principal: PrincipalEntry): {
    readonly linked: readonly ResourceView[];
    readonly unreadable: readonly {
      readonly resource: ResourceView;
      readonly read: Read<unknown>;
    }[];
  } {
    const refs = principal.resource.type === TYPES.role ? this.roleRefs : this.userRefs;
    const name = principal.name.kind === "value" ? principal.name.value : undefined;
    const linked = (name === undefined ? [] : (refs.byName.get(name) ?? []))
      .filter((ref) => sameAccount(ref.account, principal.account))
      .map((ref) => ref.resource);
    const unreadable = refs.unreadable
      .filter((ref) => sameAccount(ref.account, principal.account))
      .map((ref) => ({ resource: ref.resource, read: ref.names }));
    return { linked, unreadable };
  }

  /** The `aws:iam/policy:Policy` of the stack whose ARN is `arn`, if any. */
  managedPolicy(arn: string): ResourceView | undefined {
    return this.policies.find((policy) => {
      const output = readString(policy.props, ["arn"]);
      if (output.kind === "value") return output.value === arn;
      const account = accountOf(policy);
      const name = readString(policy.props, ["name"]);
      const path = readString(policy.props, ["path"]);
      return (
        account.kind === "account" &&
        name.kind === "value" &&
        arn ===
          policyArn(
            account.partition,
            account.id,
            path.kind === "value" ? path.value : "/",
            name.value,
          )
      );
    });
  }
}

function reference(resource: ResourceView, prop: string): Reference {
  return {
    resource,
    account: accountOf(resource),
    names: readStringList(resource.props, [prop]),
  };
}

/** An inline policy document attached to a principal. */
export interface InlineDocument {
  /** The inline policy's name. */
  readonly name: string;
  /** The resource that declares it (a `RolePolicy`, a `UserPolicy`, or the role itself). */
  readonly source: ResourceView;
  /** The document as JSON text or object. */
  readonly document: string | object;
}

/** A value a check needs that cannot be read, and the resource it belongs to. */
export interface Unreadable {
  readonly resource: ResourceView;
  readonly read: Read<unknown>;
  /** What the value is, for the message: "the inline policy's document". */
  readonly what: string;
}

/** What a principal may do: its documents and attachments, as far as the stack declares them. */
export interface Permissions {
  readonly inline: readonly InlineDocument[];
  /** Managed policy ARNs attached, sorted and unique. */
  readonly managedArns: readonly string[];
  /** Permissions boundary ARN, if any. */
  readonly boundary?: string;
  /** The resources that give the principal permissions (policies, attachments, memberships). */
  readonly sources: readonly ResourceView[];
  readonly unreadable: readonly Unreadable[];
}

/** Reads a policy document property: JSON text, or an object where the program passed one. */
export function readDocumentText(resource: ResourceView, prop: string): Read<string | object> {
  const read = readAt(resource.props, [prop]);
  if (read.kind !== "value") return read;
  if (typeof read.value === "string") return { kind: "value", value: read.value };
  if (typeof read.value === "object" && read.value !== null && !Array.isArray(read.value)) {
    return containsUnknown(read.value)
      ? { kind: "unknown", path: prop }
      : { kind: "value", value: read.value };
  }
  return { kind: "invalid", path: prop, expected: "a policy document (JSON text)" };
}

function containsUnknown(value: ViewValue): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return (value as readonly ViewValue[]).some(containsUnknown);
  if (typeof value === "object" && value !== null) {
    return Object.values(value as ViewProps).some(containsUnknown);
  }
  return false;
}

/**
 * The permissions the stack gives a role or user: inline documents (`RolePolicy`/`UserPolicy`,
 * and a role's `inlinePolicies`), managed policy ARNs (attachments, `PolicyAttachment`, the
 * exclusive-attachment resources, a role's `managedPolicyArns`) and a role's boundary.
 *
 * A role's `inlinePolicies` and `managedPolicyArns` are computed outputs: at preview they are
 * unknown for a new role even when the program never sets them. Where the role has the
 * exclusive-attachment resources with known lists (tf-bootstrap always creates them), those
 * lists decide what the role ends up with and the computed outputs are not needed; without
 * them, an unknown output is unreadable and the caller fails closed.
 */
export function permissionsOf(index: IamIndex, principal: PrincipalEntry): Permissions {
  const { linked, unreadable: unreadableRefs } = index.referencesTo(principal);
  const unreadable: Unreadable[] = unreadableRefs.map((u) => ({
    resource: u.resource,
    read: u.read,
    what: "which role or user it applies to",
  }));
  const inline: InlineDocument[] = [];
  const managed = new Set<string>();
  const sources: ResourceView[] = [];
  const declaredNames = new Set<string>();
  let exclusiveInline: readonly string[] | undefined;
  let exclusiveManaged = false;
  for (const resource of linked) {
    switch (resource.type) {
      case TYPES.rolePolicy:
      case TYPES.userPolicy: {
        sources.push(resource);
        const name = readString(resource.props, ["name"]);
        if (name.kind === "value") declaredNames.add(name.value);
        const doc = readDocumentText(resource, "policy");
        if (doc.kind === "value") {
          inline.push({
            name: name.kind === "value" ? name.value : resource.name,
            source: resource,
            document: doc.value,
          });
        } else {
          unreadable.push({ resource, read: doc, what: "the inline policy's document" });
        }
        break;
      }
      case TYPES.rolePolicyAttachment:
      case TYPES.userPolicyAttachment:
      case TYPES.policyAttachment: {
        sources.push(resource);
        const arn = readString(resource.props, ["policyArn"]);
        if (arn.kind === "value") managed.add(arn.value);
        else unreadable.push({ resource, read: arn, what: "the attached policy's ARN" });
        break;
      }
      case TYPES.roleAttachmentsExclusive:
      case TYPES.userAttachmentsExclusive: {
        const arns = readStringList(resource.props, ["policyArns"]);
        if (arns.kind === "value") {
          arns.value.forEach((arn) => managed.add(arn));
          exclusiveManaged = true;
        } else if (arns.kind !== "absent") {
          unreadable.push({ resource, read: arns, what: "the exclusive list of managed policies" });
        }
        break;
      }
      case TYPES.rolePoliciesExclusive:
      case TYPES.userPoliciesExclusive: {
        const names = readStringList(resource.props, ["policyNames"]);
        if (names.kind === "value") exclusiveInline = names.value;
        else if (names.kind !== "absent") {
          unreadable.push({ resource, read: names, what: "the exclusive list of inline policies" });
        }
        break;
      }
      default:
        break;
    }
  }
  let boundary: string | undefined;
  if (principal.resource.type === TYPES.role) {
    const role = principal.resource;
    const exclusiveCovered =
      exclusiveInline !== undefined && exclusiveInline.every((n) => declaredNames.has(n));
    const roleInline = readObjects(role.props, ["inlinePolicies"]);
    if (roleInline.kind === "value") {
      for (const item of roleInline.value) {
        const name = typeof item.name === "string" ? item.name : undefined;
        const policy = typeof item.policy === "string" ? item.policy : undefined;
        if (name === undefined || policy === undefined || declaredNames.has(name)) continue;
        if (exclusiveInline !== undefined && !exclusiveInline.includes(name)) continue;
        inline.push({ name, source: role, document: policy });
      }
    } else if (roleInline.kind !== "absent" && !exclusiveCovered) {
      unreadable.push({ resource: role, read: roleInline, what: "the role's inline policies" });
    }
    const roleManaged = readStringList(role.props, ["managedPolicyArns"]);
    if (roleManaged.kind === "value") {
      if (!exclusiveManaged) roleManaged.value.forEach((arn) => managed.add(arn));
    } else if (roleManaged.kind !== "absent" && !exclusiveManaged) {
      unreadable.push({
        resource: role,
        read: roleManaged,
        what: "the role's managed policies",
      });
    }
    const bound = readString(role.props, ["permissionsBoundary"]);
    if (bound.kind === "value" && bound.value !== "") boundary = bound.value;
    else if (bound.kind === "unknown" || bound.kind === "invalid") {
      unreadable.push({ resource: role, read: bound, what: "the role's permissions boundary" });
    }
  }
  for (const resource of linked) {
    if (
      resource.type === TYPES.userGroupMembership ||
      resource.type === TYPES.groupMembership ||
      resource.type === TYPES.userLoginProfile ||
      resource.type === TYPES.sshKey ||
      resource.type === TYPES.serviceSpecificCredential ||
      resource.type === TYPES.signingCertificate ||
      resource.type === TYPES.accessKey ||
      resource.type === TYPES.rolePoliciesExclusive ||
      resource.type === TYPES.userPoliciesExclusive ||
      resource.type === TYPES.roleAttachmentsExclusive ||
      resource.type === TYPES.userAttachmentsExclusive
    ) {
      sources.push(resource);
    }
  }
  return {
    inline,
    managedArns: [...managed].sort(),
    ...(boundary !== undefined ? { boundary } : {}),
    sources,
    unreadable,
  };
}

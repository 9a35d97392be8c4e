/**
 * IAM reads: roles and users with their inline and attached policies, boundaries, groups and
 * credentials, customer managed policy documents, OIDC identity providers, and the roles of an
 * account whose trust admits CI.
 */
import {
  GetLoginProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { admittedCallers } from "../../lib/audit/ci-admission";
import type {
  LiveInlinePolicy,
  LiveManagedPolicy,
  LiveOidcProvider,
  LiveRole,
  LiveUser,
} from "../../lib/audit/snapshot";
import type { CiCaller, NamedPrincipal } from "../../lib/audit/targets";
import type { AccountSession } from "./account-session";
import { all } from "./errors";
import type { Answer } from "./response-shapes";

const NO_SUCH_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

type ListedRole = Answer<"ListRolesCommand">["Roles"][number];
type FullRole = Answer<"GetRoleCommand">["Role"];

async function roleInlinePolicies(
  session: AccountSession,
  roleName: string,
): Promise<LiveInlinePolicy[]> {
  const names = await session.list(
    "ListRolePoliciesCommand",
    `list inline policies of role ${roleName} (iam:ListRolePolicies)`,
    (c, o, marker) =>
      c.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }), o),
    (page) => page.PolicyNames,
  );
  return all(
    names.map(async (name) => {
      const out = await session.must(
        "GetRolePolicyCommand",
        `read inline policy ${name} of role ${roleName} (iam:GetRolePolicy)`,
        (c, o) => c.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }), o),
      );
      return { name, document: out.PolicyDocument };
    }),
  );
}

async function roleDetails(
  session: AccountSession,
  role: ListedRole | FullRole,
): Promise<LiveRole> {
  const name = role.RoleName;
  const [inlinePolicies, attached] = await all([
    roleInlinePolicies(session, name),
    session.list(
      "ListAttachedRolePoliciesCommand",
      `list managed policies of role ${name} (iam:ListAttachedRolePolicies)`,
      (c, o, marker) =>
        c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker: marker }), o),
      (page) => page.AttachedPolicies,
    ),
  ]);
  const full = role as Partial<FullRole>;
  return {
    name,
    path: role.Path,
    arn: role.Arn,
    roleId: role.RoleId,
    trustPolicy: role.AssumeRolePolicyDocument,
    ...(role.MaxSessionDuration !== undefined
      ? { maxSessionDuration: role.MaxSessionDuration }
      : {}),
    ...(role.Description !== undefined ? { description: role.Description } : {}),
    inlinePolicies,
    attachedPolicyArns: attached.map((p) => p.PolicyArn).sort(),
    ...(full.PermissionsBoundary !== undefined
      ? { boundaryArn: full.PermissionsBoundary.PermissionsBoundaryArn }
      : {}),
    ...(full.Tags !== undefined ? { tags: tagMap(full.Tags) } : {}),
  };
}

/** IAM's tag list as a map. */
function tagMap(tags: readonly { Key: string; Value: string }[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/** A declared role, or `undefined` when it does not exist (or has another path). */
export async function readRole(
  session: AccountSession,
  wanted: NamedPrincipal,
): Promise<LiveRole | undefined> {
  const out = await session.read(
    "GetRoleCommand",
    `read role ${wanted.name} (iam:GetRole)`,
    (c, o) => c.iam.send(new GetRoleCommand({ RoleName: wanted.name }), o),
    NO_SUCH_ENTITY,
  );
  if (out === undefined || out.Role.Path !== wanted.path) return undefined;
  return roleDetails(session, out.Role);
}

/**
 * The roles of the account, other than `declared`, whose trust admits one of `callers`, with
 * their policies. Trust policies come with `iam:ListRoles`; only the admitted roles are read
 * further.
 */
export async function readRolesAdmitting(
  session: AccountSession,
  declared: readonly NamedPrincipal[],
  callers: readonly CiCaller[],
): Promise<LiveRole[]> {
  const roles = await session.list(
    "ListRolesCommand",
    "list roles (iam:ListRoles)",
    (c, o, marker) => c.iam.send(new ListRolesCommand({ Marker: marker }), o),
    (page) => page.Roles,
  );
  const admitting = roles.filter((role) => {
    if (declared.some((d) => d.name === role.RoleName && d.path === role.Path)) return false;
    return admittedCallers(role.AssumeRolePolicyDocument, role.Arn, callers).length > 0;
  });
  return all(admitting.map((role) => roleDetails(session, role)));
}

/** A declared user with its policies and credentials, or `undefined` when it does not exist. */
export async function readUser(
  session: AccountSession,
  wanted: NamedPrincipal,
): Promise<LiveUser | undefined> {
  const name = wanted.name;
  const out = await session.read(
    "GetUserCommand",
    `read user ${name} (iam:GetUser)`,
    (c, o) => c.iam.send(new GetUserCommand({ UserName: name }), o),
    NO_SUCH_ENTITY,
  );
  if (out === undefined || out.User.Path !== wanted.path) return undefined;
  const user = { UserName: name };
  const [policyNames, attached, groups, login, keys, ssh, certs] = await all([
    session.list(
      "ListUserPoliciesCommand",
      `list inline policies of user ${name} (iam:ListUserPolicies)`,
      (c, o, marker) => c.iam.send(new ListUserPoliciesCommand({ ...user, Marker: marker }), o),
      (page) => page.PolicyNames,
    ),
    session.list(
      "ListAttachedUserPoliciesCommand",
      `list managed policies of user ${name} (iam:ListAttachedUserPolicies)`,
      (c, o, marker) =>
        c.iam.send(new ListAttachedUserPoliciesCommand({ ...user, Marker: marker }), o),
      (page) => page.AttachedPolicies,
    ),
    session.list(
      "ListGroupsForUserCommand",
      `list groups of user ${name} (iam:ListGroupsForUser)`,
      (c, o, marker) => c.iam.send(new ListGroupsForUserCommand({ ...user, Marker: marker }), o),
      (page) => page.Groups,
    ),
    session.read(
      "GetLoginProfileCommand",
      `read login profile of user ${name} (iam:GetLoginProfile)`,
      (c, o) => c.iam.send(new GetLoginProfileCommand(user), o),
      NO_SUCH_ENTITY,
    ),
    session.list(
      "ListAccessKeysCommand",
      `list access keys of user ${name} (iam:ListAccessKeys)`,
      (c, o, marker) => c.iam.send(new ListAccessKeysCommand({ ...user, Marker: marker }), o),
      (page) => page.AccessKeyMetadata,
    ),
    session.list(
      "ListSSHPublicKeysCommand",
      `list SSH keys of user ${name} (iam:ListSSHPublicKeys)`,
      (c, o, marker) => c.iam.send(new ListSSHPublicKeysCommand({ ...user, Marker: marker }), o),
      (page) => page.SSHPublicKeys,
    ),
    session.list(
      "ListSigningCertificatesCommand",
      `list signing certificates of user ${name} (iam:ListSigningCertificates)`,
      (c, o, marker) =>
        c.iam.send(new ListSigningCertificatesCommand({ ...user, Marker: marker }), o),
      (page) => page.Certificates,
    ),
  ]);
  const inlinePolicies = await all(
    policyNames.map(async (policy) => {
      const doc = await session.must(
        "GetUserPolicyCommand",
        `read inline policy ${policy} of user ${name} (iam:GetUserPolicy)`,
        (c, o) => c.iam.send(new GetUserPolicyCommand({ ...user, PolicyName: policy }), o),
      );
      return { name: policy, document: doc.PolicyDocument };
    }),
  );
  return {
    name,
    path: out.User.Path,
    arn: out.User.Arn,
    inlinePolicies,
    attachedPolicyArns: attached.map((p) => p.PolicyArn).sort(),
    groups: groups.map((g) => g.GroupName).sort(),
    hasLoginProfile: login !== undefined,
    accessKeys: keys.map((k) => ({
      id: k.AccessKeyId,
      status: k.Status,
      createdAt: k.CreateDate.toISOString(),
    })),
    sshPublicKeyIds: ssh.map((k) => k.SSHPublicKeyId),
    signingCertificateIds: certs.map((c) => c.CertificateId),
    ...(out.User.Tags !== undefined ? { tags: tagMap(out.User.Tags) } : {}),
  };
}

/** The default version of a customer managed policy, or `undefined` when it does not exist. */
export async function readManagedPolicy(
  session: AccountSession,
  arn: string,
): Promise<LiveManagedPolicy | undefined> {
  const policy = await session.read(
    "GetPolicyCommand",
    `read managed policy ${arn} (iam:GetPolicy)`,
    (c, o) => c.iam.send(new GetPolicyCommand({ PolicyArn: arn }), o),
    NO_SUCH_ENTITY,
  );
  if (policy === undefined) return undefined;
  const versionId = policy.Policy.DefaultVersionId;
  const version = await session.must(
    "GetPolicyVersionCommand",
    `read managed policy ${arn} (iam:GetPolicyVersion)`,
    (c, o) => c.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), o),
  );
  return {
    arn,
    name: policy.Policy.PolicyName,
    path: policy.Policy.Path,
    document: version.PolicyVersion.Document,
  };
}

/** The OIDC identity provider `arn` names, or `undefined` when it does not exist. */
export async function readOidcProvider(
  session: AccountSession,
  arn: string,
): Promise<LiveOidcProvider | undefined> {
  const out = await session.read(
    "GetOpenIDConnectProviderCommand",
    `read OIDC provider ${arn} (iam:GetOpenIDConnectProvider)`,
    (c, o) => c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }), o),
    NO_SUCH_ENTITY,
  );
  if (out === undefined) return undefined;
  return { arn, url: out.Url, clientIds: [...out.ClientIDList] };
}

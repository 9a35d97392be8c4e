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
  paginateListAccessKeys,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListRolePolicies,
  paginateListRoles,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  paginateListUserPolicies,
  type IAMClient,
  type Role,
} from "@aws-sdk/client-iam";
import { admittedCallers } from "../../lib/audit/ci-admission";
import { decodePolicyText } from "../../lib/audit/policy-text";
import type {
  LiveInlinePolicy,
  LiveManagedPolicy,
  LiveOidcProvider,
  LiveRole,
  LiveUser,
} from "../../lib/audit/snapshot";
import type { CiCaller, NamedPrincipal } from "../../lib/audit/targets";
import { must, read } from "./errors";

const NO_SUCH_ENTITY = ["NoSuchEntity", "NoSuchEntityException"];

/** Collects every page of a paginator into one list. */
async function collect<P, T>(
  stage: string,
  pages: () => AsyncIterable<P>,
  items: (page: P) => readonly T[] | undefined,
): Promise<T[]> {
  return must(stage, async () => {
    const out: T[] = [];
    for await (const page of pages()) out.push(...(items(page) ?? []));
    return out;
  });
}

async function roleInlinePolicies(iam: IAMClient, roleName: string): Promise<LiveInlinePolicy[]> {
  const names = await collect(
    `list inline policies of role ${roleName} (iam:ListRolePolicies)`,
    () => paginateListRolePolicies({ client: iam }, { RoleName: roleName }),
    (page) => page.PolicyNames,
  );
  return Promise.all(
    names.map(async (name) => {
      const out = await must(
        `read inline policy ${name} of role ${roleName} (iam:GetRolePolicy)`,
        () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
      );
      return { name, document: decodePolicyText(out.PolicyDocument ?? "") };
    }),
  );
}

async function roleDetails(iam: IAMClient, role: Role): Promise<LiveRole> {
  const name = role.RoleName ?? "";
  const [inlinePolicies, attached] = await Promise.all([
    roleInlinePolicies(iam, name),
    collect(
      `list managed policies of role ${name} (iam:ListAttachedRolePolicies)`,
      () => paginateListAttachedRolePolicies({ client: iam }, { RoleName: name }),
      (page) => page.AttachedPolicies,
    ),
  ]);
  return {
    name,
    path: role.Path ?? "/",
    arn: role.Arn ?? "",
    ...(role.RoleId !== undefined ? { roleId: role.RoleId } : {}),
    trustPolicy: decodePolicyText(role.AssumeRolePolicyDocument ?? ""),
    ...(role.MaxSessionDuration !== undefined
      ? { maxSessionDuration: role.MaxSessionDuration }
      : {}),
    ...(role.Description !== undefined ? { description: role.Description } : {}),
    inlinePolicies,
    attachedPolicyArns: attached.flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])).sort(),
    ...(role.PermissionsBoundary?.PermissionsBoundaryArn
      ? { boundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
      : {}),
    ...(role.Tags !== undefined ? { tags: tagMap(role.Tags) } : {}),
  };
}

/** IAM's tag list as a map. */
function tagMap(tags: readonly { Key?: string; Value?: string }[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key ?? "", t.Value ?? ""]));
}

/** A declared role, or `undefined` when it does not exist (or has another path). */
export async function readRole(
  iam: IAMClient,
  wanted: NamedPrincipal,
): Promise<LiveRole | undefined> {
  const out = await read(
    `read role ${wanted.name} (iam:GetRole)`,
    () => iam.send(new GetRoleCommand({ RoleName: wanted.name })),
    NO_SUCH_ENTITY,
  );
  if (out?.Role === undefined || (out.Role.Path ?? "/") !== wanted.path) return undefined;
  return roleDetails(iam, out.Role);
}

/**
 * The roles of the account, other than `declared`, whose trust admits one of `callers`, with
 * their policies. Trust policies come with `iam:ListRoles`; only the admitted roles are read
 * further.
 */
export async function readRolesAdmitting(
  iam: IAMClient,
  declared: readonly NamedPrincipal[],
  callers: readonly CiCaller[],
): Promise<LiveRole[]> {
  const roles = await collect(
    "list roles (iam:ListRoles)",
    () => paginateListRoles({ client: iam }, {}),
    (page) => page.Roles,
  );
  const admitting = roles.filter((role) => {
    if (declared.some((d) => d.name === role.RoleName && d.path === (role.Path ?? "/")))
      return false;
    const trust = decodePolicyText(role.AssumeRolePolicyDocument ?? "");
    return admittedCallers(trust, role.Arn ?? "", callers).length > 0;
  });
  return Promise.all(admitting.map((role) => roleDetails(iam, role)));
}

/** A declared user with its policies and credentials, or `undefined` when it does not exist. */
export async function readUser(
  iam: IAMClient,
  wanted: NamedPrincipal,
): Promise<LiveUser | undefined> {
  const name = wanted.name;
  const out = await read(
    `read user ${name} (iam:GetUser)`,
    () => iam.send(new GetUserCommand({ UserName: name })),
    NO_SUCH_ENTITY,
  );
  if (out?.User === undefined || (out.User.Path ?? "/") !== wanted.path) return undefined;
  const [policyNames, attached, groups, login, keys, ssh, certs] = await Promise.all([
    collect(
      `list inline policies of user ${name} (iam:ListUserPolicies)`,
      () => paginateListUserPolicies({ client: iam }, { UserName: name }),
      (page) => page.PolicyNames,
    ),
    collect(
      `list managed policies of user ${name} (iam:ListAttachedUserPolicies)`,
      () => paginateListAttachedUserPolicies({ client: iam }, { UserName: name }),
      (page) => page.AttachedPolicies,
    ),
    collect(
      `list groups of user ${name} (iam:ListGroupsForUser)`,
      () => paginateListGroupsForUser({ client: iam }, { UserName: name }),
      (page) => page.Groups,
    ),
    read(
      `read login profile of user ${name} (iam:GetLoginProfile)`,
      () => iam.send(new GetLoginProfileCommand({ UserName: name })),
      NO_SUCH_ENTITY,
    ),
    collect(
      `list access keys of user ${name} (iam:ListAccessKeys)`,
      () => paginateListAccessKeys({ client: iam }, { UserName: name }),
      (page) => page.AccessKeyMetadata,
    ),
    collect(
      `list SSH keys of user ${name} (iam:ListSSHPublicKeys)`,
      () => paginateListSSHPublicKeys({ client: iam }, { UserName: name }),
      (page) => page.SSHPublicKeys,
    ),
    collect(
      `list signing certificates of user ${name} (iam:ListSigningCertificates)`,
      () => paginateListSigningCertificates({ client: iam }, { UserName: name }),
      (page) => page.Certificates,
    ),
  ]);
  const inlinePolicies = await Promise.all(
    policyNames.map(async (policy) => {
      const doc = await must(
        `read inline policy ${policy} of user ${name} (iam:GetUserPolicy)`,
        () => iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policy })),
      );
      return { name: policy, document: decodePolicyText(doc.PolicyDocument ?? "") };
    }),
  );
  return {
    name,
    path: out.User.Path ?? "/",
    arn: out.User.Arn ?? "",
    inlinePolicies,
    attachedPolicyArns: attached.flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])).sort(),
    groups: groups.flatMap((g) => (g.GroupName ? [g.GroupName] : [])).sort(),
    hasLoginProfile: login?.LoginProfile !== undefined,
    accessKeys: keys.map((k) => ({
      id: k.AccessKeyId ?? "",
      status: k.Status ?? "",
      createdAt: k.CreateDate?.toISOString() ?? "",
    })),
    sshPublicKeyIds: ssh.flatMap((k) => (k.SSHPublicKeyId ? [k.SSHPublicKeyId] : [])),
    signingCertificateIds: certs.flatMap((c) => (c.CertificateId ? [c.CertificateId] : [])),
    ...(out.User.Tags !== undefined ? { tags: tagMap(out.User.Tags) } : {}),
  };
}

/** The default version of a customer managed policy, or `undefined` when it does not exist. */
export async function readManagedPolicy(
  iam: IAMClient,
  arn: string,
): Promise<LiveManagedPolicy | undefined> {
  const policy = await read(
    `read managed policy ${arn} (iam:GetPolicy)`,
    () => iam.send(new GetPolicyCommand({ PolicyArn: arn })),
    NO_SUCH_ENTITY,
  );
  const versionId = policy?.Policy?.DefaultVersionId;
  if (policy?.Policy === undefined || versionId === undefined) return undefined;
  const version = await must(`read managed policy ${arn} (iam:GetPolicyVersion)`, () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
  );
  return {
    arn,
    name: policy.Policy.PolicyName ?? "",
    path: policy.Policy.Path ?? "/",
    document: decodePolicyText(version.PolicyVersion?.Document ?? ""),
  };
}

/** The OIDC identity provider `arn` names, or `undefined` when it does not exist. */
export async function readOidcProvider(
  iam: IAMClient,
  arn: string,
): Promise<LiveOidcProvider | undefined> {
  const out = await read(
    `read OIDC provider ${arn} (iam:GetOpenIDConnectProvider)`,
    () => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    NO_SUCH_ENTITY,
  );
  if (out === undefined) return undefined;
  return { arn, url: out.Url ?? "", clientIds: [...(out.ClientIDList ?? [])] };
}

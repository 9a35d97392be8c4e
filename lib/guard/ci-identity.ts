/**
 * `ci-identity-least-privilege`: the CI identity (every IAM user of the Terraform account) can
 * do nothing but assume its path's CI role.
 *
 * Its inline policies may allow only the assume actions (`sts:AssumeRole`, `sts:TagSession`,
 * `sts:SetSourceIdentity`) on the CI role's ARN; conditions are ignored (they only narrow) and
 * Deny statements are not credited. It may have no managed policy, no group, no console login
 * profile and no credential besides access keys; its inline and managed policies must be held by
 * the exclusive resources, so anything attached out of band is removed on the next `up`.
 */
import { hasWildcard } from "../iam/matching";
import type { Statement } from "../iam/types";
import { patternIncludes } from "../iam/trust";
import { ASSUME_ACTIONS } from "../plan/trust";
import { readableDocuments } from "./principal-documents";
import { describe, type Findings } from "./finding";
import { permissionsOf, TYPES, type PrincipalEntry } from "./iam-index";
import {
  principalArns,
  reportSeveralCiIdentities,
  reportSeveralCiRoles,
  requireCiIdentity,
  requireCiRole,
  requireTerraformAccount,
} from "./prerequisites";
import { readStringList } from "./read";
import { ciPaths, forAccess, PATH_NOUNS, principalLabel, type Topology } from "./topology";
import type { ResourceView } from "./view";

const CREDENTIALS: Readonly<Record<string, string>> = {
  [TYPES.userLoginProfile]: "LoginProfile",
  [TYPES.sshKey]: "Credential::SshKey",
  [TYPES.serviceSpecificCredential]: "Credential::ServiceSpecificCredential",
  [TYPES.signingCertificate]: "Credential::SigningCertificate",
};

function within(pattern: string, allowed: readonly string[], ignoreCase: boolean): boolean {
  if (
    allowed.some((a) => (ignoreCase ? a.toLowerCase() === pattern.toLowerCase() : a === pattern))
  ) {
    return true;
  }
  return (
    hasWildcard(pattern) && patternIncludes(pattern, allowed, { ignoreCase }).kind === "included"
  );
}

function checkStatement(
  user: PrincipalEntry,
  statement: Statement,
  where: string,
  resource: ResourceView,
  ciRoleArns: readonly string[],
  out: Findings,
): void {
  const fix =
    `Fix: the CI identity's only policy allows ${ASSUME_ACTIONS.join(", ")} on the CI role ` +
    `(${ciRoleArns.join(", ")}) and nothing else (lib/plan/ci.ts).`;
  if (statement.NotAction !== undefined) {
    out.add(
      "NotAction",
      `${principalLabel(user)}: ${where} allows every action except ` +
        `${JSON.stringify(statement.NotAction)}. ${fix}`,
      resource,
    );
  }
  for (const action of statement.Action ?? []) {
    if (!within(action, ASSUME_ACTIONS, true)) {
      out.add(
        `Action::${action}`,
        `${principalLabel(user)}: ${where} allows the action "${action}", which is more than ` +
          `assuming the CI role. ${fix}`,
        resource,
      );
    }
  }
  if (statement.NotResource !== undefined) {
    out.add(
      "NotResource",
      `${principalLabel(user)}: ${where} applies to every resource except ` +
        `${JSON.stringify(statement.NotResource)}. ${fix}`,
      resource,
    );
  }
  for (const pattern of statement.Resource ?? (statement.NotResource ? [] : ["*"])) {
    if (!within(pattern, ciRoleArns, false)) {
      out.add(
        `Resource::${pattern}`,
        `${principalLabel(user)}: ${where} applies to Resource "${pattern}", which is not (only) ` +
          `the CI role. ${fix}`,
        resource,
      );
    }
  }
}

function checkUser(
  topology: Topology,
  user: PrincipalEntry,
  ciRoleArns: readonly string[],
  out: Findings,
): void {
  const permissions = permissionsOf(topology.index, user);
  for (const arn of permissions.managedArns) {
    out.add(
      `ManagedPolicy::${arn}`,
      `${principalLabel(user)} has the managed policy ${arn} attached; the CI identity may hold ` +
        `only its inline assume-ci-role policy. Fix: remove the attachment (and keep the ` +
        `UserPolicyAttachmentsExclusive resource's policyArns empty).`,
      user.resource,
    );
  }
  for (const source of readableDocuments(topology, user, out)) {
    source.document.Statement.forEach((statement, index) => {
      if (statement.Effect !== "Allow") return;
      const where = `${source.label} Statement[${index}]${statement.Sid ? ` (Sid "${statement.Sid}")` : ""}`;
      checkStatement(user, statement, where, source.resource, ciRoleArns, out);
    });
  }
  let inlineExclusive = false;
  let managedExclusive = false;
  for (const source of permissions.sources) {
    const credential = CREDENTIALS[source.type];
    if (credential !== undefined) {
      out.add(
        credential,
        `${principalLabel(user)} has a ${source.type} (${describe(source)}): the CI identity ` +
          `may only hold access keys for the CI system. Fix: remove the resource.`,
        source,
      );
    }
    if (source.type === TYPES.userGroupMembership || source.type === TYPES.groupMembership) {
      const groups = readStringList(source.props, [
        source.type === TYPES.groupMembership ? "group" : "groups",
      ]);
      const names = groups.kind === "value" ? groups.value.join(", ") : source.name;
      out.add(
        `Group::${names}`,
        `${principalLabel(user)} is a member of the group(s) ${names} (${describe(source)}); ` +
          `a group gives the CI identity permissions the pack cannot see. Fix: remove the ` +
          `membership.`,
        source,
      );
    }
    if (source.type === TYPES.userPoliciesExclusive) inlineExclusive = true;
    if (source.type === TYPES.userAttachmentsExclusive) managedExclusive = true;
  }
  if (!inlineExclusive) {
    out.add(
      "Exclusive::InlinePolicies",
      `${principalLabel(user)} has no aws.iam.UserPoliciesExclusive resource, so an inline ` +
        `policy added out of band would stay. Fix: keep the CI identity's inline policies ` +
        `exclusive (components/ci-identity.ts).`,
      user.resource,
    );
  }
  if (!managedExclusive) {
    out.add(
      "Exclusive::ManagedPolicies",
      `${principalLabel(user)} has no aws.iam.UserPolicyAttachmentsExclusive resource, so a ` +
        `managed policy attached out of band would stay. Fix: keep the CI identity's managed ` +
        `policies exclusive with an empty list (components/ci-identity.ts).`,
      user.resource,
    );
  }
}

/**
 * `ci-identity-least-privilege`: on each path, the CI user may do nothing but assume that
 * path's CI role (the plan user only the CI plan role); an OIDC provider accepts one audience.
 */
export function checkCiIdentity(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  for (const access of ciPaths(topology)) {
    const path = forAccess(topology, access);
    if (!requireCiIdentity(path, out)) continue;
    reportSeveralCiIdentities(path, out);
    // Without a CI role the identity may assume nothing: every permission it has is reported.
    requireCiRole(path, out);
    reportSeveralCiRoles(path, out);
    const ciRoleArns = principalArns(path.ciRoles, out, PATH_NOUNS[access].ciRole);
    if (ciRoleArns === undefined) continue;
    for (const user of path.ciIdentities) checkUser(path, user, ciRoleArns, out);
  }
  for (const provider of topology.oidcProviders) {
    const ids = readStringList(provider.props, ["clientIdLists"]);
    if (out.unreadable(ids, provider, "the OIDC provider's audiences")) continue;
    if (ids.kind === "value" && ids.value.length === 1) continue;
    out.add(
      "OIDC::Audiences",
      `${describe(provider)} accepts ${ids.kind === "value" ? `${ids.value.length} audiences (${ids.value.join(", ")})` : "no audience list"}; ` +
        `the CI roles pin one audience, and every other one the provider accepts is a token ` +
        `meant for something else that AWS would take. Fix: keep exactly the configured ` +
        `ci.audience in clientIdLists (components/terraform-account.ts); for a provider the ` +
        `stack does not create, remove the others with aws iam ` +
        `remove-client-id-from-open-id-connect-provider.`,
      provider,
    );
  }
}

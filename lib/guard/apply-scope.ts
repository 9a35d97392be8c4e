/**
 * Per-environment apply roles, as the guard's other checks need them: with `ci.applyRoles:
 * per-environment` the apply path has one CI apply role per environment, each meant to be
 * assumed by its own environment's CI identity only and to reach only its environment's
 * Terraform roles. These helpers narrow "the CI apply roles" and "the CI identities" to the
 * ones the stack config means for a given role; with shared apply roles, or without the
 * config's intent, they change nothing (every check keeps its shared-role meaning, and
 * `Intent::Missing` is reported by the checks that need the intent).
 */
import type { ApplyRoleIntent } from "./intent";
import type { Topology } from "./topology";

/** The per-environment apply roles the config means, or `undefined` (shared, or unknown). */
export function perEnvironmentIntent(topology: Topology): readonly ApplyRoleIntent[] | undefined {
  const { intent } = topology;
  if (intent.kind !== "known" || intent.intent.applyRolesMode !== "per-environment") {
    return undefined;
  }
  return intent.intent.applyRoles;
}

/** The intended apply role whose ARN is `arn`, with per-environment apply roles. */
export function intendedApplyRole(
  topology: Topology,
  arn: string | undefined,
): ApplyRoleIntent | undefined {
  if (arn === undefined) return undefined;
  return perEnvironmentIntent(topology)?.find((r) => r.roleArn === arn);
}

/**
 * The CI apply roles (of `ciRoleArns`) that may assume the Terraform role `terraformRoleArn`:
 * with per-environment apply roles, the ones whose environment holds it; if none is meant to
 * (a role the config does not plan), or apply roles are shared, all of them.
 */
export function applyCallersOf(
  topology: Topology,
  terraformRoleArn: string | undefined,
  ciRoleArns: readonly string[],
): string[] {
  const roles = perEnvironmentIntent(topology);
  if (roles === undefined || terraformRoleArn === undefined) return [...ciRoleArns];
  const meant = roles
    .filter((r) => r.terraformRoleArns.includes(terraformRoleArn))
    .map((r) => r.roleArn);
  const found = ciRoleArns.filter((arn) => meant.includes(arn));
  return found.length > 0 ? found : [...ciRoleArns];
}

/**
 * The CI identities (of `identityArns`) meant to take the CI apply role `ciRoleArn`: with
 * per-environment apply roles and IAM users, its environment's user; otherwise all of them.
 */
export function identitiesOf(
  topology: Topology,
  ciRoleArn: string | undefined,
  identityArns: readonly string[],
): string[] {
  const meant = intendedApplyRole(topology, ciRoleArn)?.userArn;
  if (meant === undefined || !identityArns.includes(meant)) return [...identityArns];
  return [meant];
}

/** The token subjects the CI apply role `ciRoleArn` is meant to admit, when narrower. */
export function subjectsOf(
  topology: Topology,
  ciRoleArn: string | undefined,
  all: readonly string[],
): readonly string[] {
  return intendedApplyRole(topology, ciRoleArn)?.subjects ?? all;
}

/** The Terraform roles the CI apply role `ciRoleArn` is meant to assume, when narrower. */
export function reachOf(
  topology: Topology,
  ciRoleArn: string | undefined,
  all: readonly string[],
): readonly string[] {
  return intendedApplyRole(topology, ciRoleArn)?.terraformRoleArns ?? all;
}

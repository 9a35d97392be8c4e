/**
 * Rules of `ci.applyRoles: per-environment`: every environment's CI apply role (and, in
 * iam-user mode, its CI apply user) is named `<base>-<environment>`. Checked on the raw config
 * so the problems are reported with the schema's: a derived name longer than IAM allows, and
 * two environments whose names differ only in case (IAM role and user names are unique without
 * regard to case, so both would be one role).
 */
import type { ConfigProblem } from "../errors/config-error";
import { IAM_NAME } from "./rules";
import { objectAt, type Raw } from "./raw";

/** The name of an environment's CI apply role or user: `<base>-<environment>`. */
export function perEnvironmentName(base: string, environment: string): string {
  return `${base}-${environment}`;
}

/** The distinct environments of the raw product accounts, in config order. */
export function rawEnvironments(raw: Raw): string[] {
  return [...new Set(rawEnvironmentSources(raw).map((s) => s.environment))];
}

/** Each environment with where it is first written: the account's index and the field. */
function rawEnvironmentSources(
  raw: Raw,
): { environment: string; index: number; field: "environment" | "workspace" | "name" }[] {
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  const seen = new Set<string>();
  return products.flatMap((p, index) => {
    if (typeof p !== "object" || p === null) return [];
    const account = p as Raw;
    const field =
      account.environment !== undefined
        ? "environment"
        : account.workspace !== undefined
          ? "workspace"
          : "name";
    const environment = account[field];
    if (typeof environment !== "string" || seen.has(environment)) return [];
    seen.add(environment);
    return [{ environment, index, field }];
  });
}

/** The problems of the per-environment apply identities' names; none in shared mode. */
export function applyRoleProblems(
  raw: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  const ci = objectAt(raw, "ci");
  if (ci.applyRoles === "shared") return [];
  const mode = typeof ci.mode === "string" ? ci.mode : "iam-user";
  const environments = rawEnvironments(raw);
  const problems: ConfigProblem[] = [];
  const bases: [string, string][] = [["roleName", "terraform-ci"]];
  if (mode === "iam-user") bases.push(["userName", "terraform-ci"]);
  for (const [field, fallback] of bases) {
    const base = typeof ci[field] === "string" ? ci[field] : fallback;
    const sources = rawEnvironmentSources(raw);
    const tooLong = sources.filter(
      (source) => perEnvironmentName(base, source.environment).length > IAM_NAME.maxLength,
    );
    if (tooLong.length === 0) continue;
    const role = field === "roleName" ? "role" : "user";
    if (tooLong.length === sources.length) {
      // Even the shortest environment overflows: the base name is what to shorten.
      const shortest = tooLong.reduce((a, b) =>
        b.environment.length < a.environment.length ? b : a,
      );
      const name = perEnvironmentName(base, shortest.environment);
      problems.push({
        path: configPath(["ci", field]),
        value: base,
        message: `with ci.applyRoles per-environment, each environment's CI apply ${role} is named '${base}-<environment>', at most ${IAM_NAME.maxLength} characters; even the shortest, '${name}', is ${name.length}. Shorten ci.${field} to at most ${IAM_NAME.maxLength - 1 - shortest.environment.length} characters, or set ci.applyRoles to shared.`,
      });
      continue;
    }
    // Only some environments overflow: reported where each is first written.
    for (const source of tooLong) {
      const name = perEnvironmentName(base, source.environment);
      problems.push({
        path: configPath(["productAccounts", source.index, source.field]),
        value: source.environment,
        message: `with ci.applyRoles per-environment, this environment's CI apply ${role} is named '${name}', ${name.length} characters; IAM allows at most ${IAM_NAME.maxLength}. Shorten the environment name, or ci.${field} ('${base}'), or set ci.applyRoles to shared.`,
      });
    }
  }
  const byLower = new Map<string, string[]>();
  for (const e of environments)
    byLower.set(e.toLowerCase(), [...(byLower.get(e.toLowerCase()) ?? []), e]);
  for (const same of byLower.values()) {
    if (same.length < 2) continue;
    problems.push({
      path: configPath(["productAccounts"]),
      value: same,
      message: `the environments ${same.join(", ")} differ only in case; with ci.applyRoles per-environment each gets a CI apply role, and IAM names ignore case, so they would be one role. Use one spelling for the environment.`,
    });
  }
  const planRole = typeof ci.planRoleName === "string" ? ci.planRoleName : "terraform-ci-plan";
  const roleBase = typeof ci.roleName === "string" ? ci.roleName : "terraform-ci";
  const clash = environments.find(
    (e) => perEnvironmentName(roleBase, e).toLowerCase() === planRole.toLowerCase(),
  );
  if (clash !== undefined) {
    problems.push({
      path: configPath(["ci", "planRoleName"]),
      value: planRole,
      message: `is also the name of the CI apply role of environment '${clash}' ('${roleBase}-${clash}'); the plan path needs a role of its own. Choose another ci.planRoleName.`,
    });
  }
  if (mode === "iam-user") {
    const planUser = typeof ci.planUserName === "string" ? ci.planUserName : "terraform-ci-plan";
    const userBase = typeof ci.userName === "string" ? ci.userName : "terraform-ci";
    const userClash = environments.find(
      (e) => perEnvironmentName(userBase, e).toLowerCase() === planUser.toLowerCase(),
    );
    if (userClash !== undefined) {
      problems.push({
        path: configPath(["ci", "planUserName"]),
        value: planUser,
        message: `is also the name of the CI apply user of environment '${userClash}' ('${userBase}-${userClash}'); the plan path needs a user of its own. Choose another ci.planUserName.`,
      });
    }
  }
  return problems;
}

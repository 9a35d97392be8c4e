/**
 * Rules of `ci.applyRoles: per-environment`: every environment's CI apply role (and, in
 * iam-user mode, its CI apply user) is named `<base>-<environment>`. Checked on the raw config
 * so the problems are reported with the schema's: a derived name longer than IAM allows, and
 * two environments whose names differ only in case (IAM role and user names are unique without
 * regard to case, so both would be one role).
 */
import type { ConfigProblem } from "../errors/config-error";
import { IAM_NAME } from "./rules";

type Raw = Readonly<Record<string, unknown>>;

/** The name of an environment's CI apply role or user: `<base>-<environment>`. */
export function perEnvironmentName(base: string, environment: string): string {
  return `${base}-${environment}`;
}

function objectAt(raw: Raw, key: string): Raw {
  const value = raw[key];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

/** The distinct environments of the raw product accounts, in config order. */
function rawEnvironments(raw: Raw): string[] {
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  const environments = products.flatMap((p) => {
    if (typeof p !== "object" || p === null) return [];
    const account = p as Raw;
    const environment = account.environment ?? account.workspace ?? account.name;
    return typeof environment === "string" ? [environment] : [];
  });
  return [...new Set(environments)];
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
    const tooLong = environments.filter(
      (e) => perEnvironmentName(base, e).length > IAM_NAME.maxLength,
    );
    if (tooLong.length > 0) {
      const longest = tooLong.reduce((a, b) => (b.length > a.length ? b : a));
      problems.push({
        path: configPath(["ci", field]),
        value: base,
        message: `with ci.applyRoles per-environment, each environment's CI apply ${field === "roleName" ? "role" : "user"} is named '${base}-<environment>', at most ${IAM_NAME.maxLength} characters; ${tooLong.length} environment(s) make it longer (${tooLong.join(", ")}; '${perEnvironmentName(base, longest)}' is ${perEnvironmentName(base, longest).length}). Shorten ci.${field} or the environment names, or set ci.applyRoles to shared.`,
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

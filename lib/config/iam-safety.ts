/**
 * Config values that end up inside IAM documents, checked for what IAM makes of them. A value
 * that validates as a string can still widen a policy: `*` and `?` are wildcards in an ARN and
 * in `ArnEquals`/`ArnNotEquals` conditions, `${aws:username}` is a policy variable, an account
 * root stands for every principal of the account, an ARN of another partition never matches,
 * and a name that equals the bootstrap role's, or another generated name, makes two resources
 * fight over one. Each is refused here, with the field, the value and the fix, so no generated
 * document grants more than the same config with a plain value would (a property test holds
 * the planner to that).
 */
import type { ConfigProblem } from "../errors/config-error";
import { DEFAULT_BOOTSTRAP_ROLE } from "./schema";
import { IAM_NAME, IAM_PATH, follows } from "./rules";
import { perEnvironmentName, rawEnvironments } from "./apply-role-rules";
import { objectAt, stringAt, type Raw } from "./raw";

type PathOf = (path: readonly PropertyKey[]) => string;

/** The one ARN shape an admin principal may have: a role or user of the Terraform account. */
const PRINCIPAL_ARN = /^arn:([^:]*):iam::([^:]*):(role|user)(\/.*)$/;

/** Why `arn` is not an exact role or user ARN of account `accountId`, or `undefined`. */
export function adminPrincipalProblem(
  arn: string,
  partition: string,
  accountId: string | undefined,
): string | undefined {
  const example = `arn:${partition}:iam::${accountId ?? "111111111111"}:role/PlatformAdmin`;
  if (/[*?]/.test(arn)) {
    return `holds a wildcard; admin principals land in the state bucket's and the state key's ArnEquals/ArnNotEquals conditions, where IAM reads '*' and '?' as wildcards, so every matching principal would read, write and decrypt state. Name each admin by its exact ARN, such as ${example}.`;
  }
  if (arn.includes("${")) {
    return `holds a policy variable ('\${...}'), which IAM substitutes per request: every caller would match itself. Name each admin by its exact ARN, such as ${example}.`;
  }
  if (/^arn:[^:]*:sts::[^:]*:assumed-role\//.test(arn)) {
    return `is a role session, not a role: state access is granted by aws:PrincipalArn, which is the role's ARN. Use the role's ARN (arn:${partition}:iam::<account>:role/<name>).`;
  }
  const match = PRINCIPAL_ARN.exec(arn);
  if (match === null) {
    return /^arn:[^:]*:iam::[^:]*:root$/.test(arn)
      ? `is an account root, which stands for every principal of that account. Name the admin roles or users by their exact ARNs, such as ${example}.`
      : `is not the ARN of an IAM role or user; admin principals are roles or users of the Terraform account, such as ${example}.`;
  }
  const [, arnPartition = "", arnAccount = "", , rest = ""] = match;
  if (arnPartition !== partition) {
    return `is in the '${arnPartition}' partition while the stack is in '${partition}'; IAM would never match it. Use arn:${partition}:... .`;
  }
  if (accountId !== undefined && arnAccount !== accountId) {
    return `is a principal of account ${arnAccount}, not of the Terraform account ${accountId}; state is kept in the Terraform account and only its own principals may administer it. Use a role or user of ${accountId}.`;
  }
  const slash = rest.lastIndexOf("/");
  const path = rest.slice(0, slash + 1);
  const name = rest.slice(slash + 1);
  if (!follows(IAM_PATH, path) || !follows(IAM_NAME, name)) {
    return `does not end in a valid IAM path and name (path: ${IAM_PATH.allowed}; name: ${IAM_NAME.allowed}); for example ${example}.`;
  }
  return undefined;
}

/**
 * The roles and users the stack itself creates in the Terraform account, by kind and lowercase
 * name (IAM names are unique per account regardless of case and path), with the setting that
 * names each: the CI roles always, the CI users in iam-user mode.
 */
function generatedIdentities(raw: Raw): Map<string, { setting: string; path: "apply" | "plan" }> {
  const ci = objectAt(raw, "ci");
  const iamUser = (stringAt(ci, "mode") ?? "iam-user") === "iam-user";
  const perEnvironment = stringAt(ci, "applyRoles") !== "shared";
  const identities = new Map<string, { setting: string; path: "apply" | "plan" }>();
  const add = (kind: "role" | "user", key: string, fallback: string, path: "apply" | "plan") => {
    const name = stringAt(ci, key) ?? fallback;
    identities.set(`${kind}/${name.toLowerCase()}`, { setting: `ci.${key}`, path });
    // The apply path's identities of every environment: `<name>-<environment>`.
    if (path !== "apply" || !perEnvironment) return;
    for (const environment of rawEnvironments(raw)) {
      identities.set(`${kind}/${perEnvironmentName(name, environment).toLowerCase()}`, {
        setting: `ci.${key}, environment '${environment}'`,
        path,
      });
    }
  };
  add("role", "roleName", "terraform-ci", "apply");
  add("role", "planRoleName", "terraform-ci-plan", "plan");
  if (iamUser) {
    add("user", "userName", "terraform-ci", "apply");
    add("user", "planUserName", "terraform-ci-plan", "plan");
  }
  return identities;
}

/**
 * Why the admin principal `arn` (already an exact role or user ARN) is an identity the stack
 * creates for CI, or `undefined`. An admin administers the state bucket's and the keys'
 * policies; a CI identity among them would let the pipeline (and, for the plan path, the code
 * of every pull request) rewrite them.
 */
function generatedIdentityProblem(raw: Raw, arn: string): string | undefined {
  const match = /:(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (match === null) return undefined;
  const [, kind = "", name = ""] = match;
  const generated = generatedIdentities(raw).get(`${kind}/${name.toLowerCase()}`);
  if (generated === undefined) return undefined;
  const { setting, path } = generated;
  return `is the CI ${path} ${kind} the stack creates (${setting}). Admin principals may rewrite the state bucket's and the keys' policies, so ${path === "plan" ? "the code of every pull request" : "every pipeline run"} could take state for itself. Name the roles or users people assume for break-glass instead, such as arn:${stringAt(raw, "partition") ?? "aws"}:iam::<terraform account>:role/PlatformAdmin.`;
}

function adminProblems(raw: Raw, at: PathOf): ConfigProblem[] {
  const admins = raw.adminPrincipals;
  if (!Array.isArray(admins)) return [];
  const partition = stringAt(raw, "partition") ?? "aws";
  const accountId = stringAt(objectAt(raw, "terraformAccount"), "id");
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  admins.forEach((value: unknown, i) => {
    // A value that is no ARN at all is the schema's to report.
    if (typeof value !== "string" || !value.startsWith("arn:")) return;
    const problem = adminPrincipalProblem(value, partition, accountId);
    if (problem !== undefined) {
      problems.push({ path: at(["adminPrincipals", i]), value, message: problem });
      return;
    }
    const generated = generatedIdentityProblem(raw, value);
    if (generated !== undefined) {
      problems.push({ path: at(["adminPrincipals", i]), value, message: generated });
      return;
    }
    const first = seen.get(value);
    if (first !== undefined) {
      problems.push({
        path: at(["adminPrincipals", i]),
        value,
        message: `repeats adminPrincipals[${first}]. Remove the duplicate.`,
      });
    }
    seen.set(value, i);
  });
  return problems;
}

/** AWS managed policy ARNs must be in the stack's partition, or IAM would never find them. */
function partitionProblems(raw: Raw, at: PathOf): ConfigProblem[] {
  const partition = stringAt(raw, "partition") ?? "aws";
  const problems: ConfigProblem[] = [];
  const check = (value: unknown, path: PropertyKey[]) => {
    if (typeof value !== "string") return;
    const match = /^arn:([^:]+):/.exec(value);
    if (match === null || match[1] === partition) return;
    problems.push({
      path: at(path),
      value,
      message: `is an ARN of the '${match[1]}' partition while the stack is in '${partition}'; IAM would not find the policy. Use ${value.replace(/^arn:[^:]+:/, `arn:${partition}:`)}.`,
    });
  };
  for (const block of ["terraformRole", "terraformPlanRole"]) {
    const arns = objectAt(raw, block).managedPolicyArns;
    if (Array.isArray(arns))
      arns.forEach((v: unknown, i) => check(v, [block, "managedPolicyArns", i]));
  }
  check(objectAt(raw, "terraformRole").permissionsBoundary, [
    "terraformRole",
    "permissionsBoundary",
  ]);
  return problems;
}

/** The longest IAM path, slashes included. */
const MAX_IAM_PATH = 512;

/**
 * AWS managed policies that grant IAM writes: a Terraform role that holds one manages IAM as
 * surely as with `iam` in `allowedServices`, and as a permissions boundary one bounds nothing a
 * role the Terraform role creates could do to IAM.
 */
const IAM_WRITING_MANAGED_POLICIES =
  /^arn:[^:]+:iam::aws:policy\/(AdministratorAccess|IAMFullAccess)$/;

/**
 * Why `value`, a customer managed policy given by name (`Name` or `path/Name`), is not one, or
 * `undefined`. An ARN passes IAM's name rules as a path (`arn:aws:iam::1:policy/` would become
 * the path), and would name a policy nobody meant.
 */
function policyNameProblem(
  value: string,
  field: "customerManagedPolicies" | "permissionsBoundary",
) {
  if (value.startsWith("arn:")) {
    const match = /^arn:([^:]*):iam::([^:]*):([^/]*)\/(.+)$/.exec(value);
    const alternative =
      field === "permissionsBoundary"
        ? "an AWS managed policy ARN (arn:aws:iam::aws:policy/NAME) or the name of a customer managed policy"
        : "the name of a customer managed policy (AWS managed policies go in managedPolicyArns)";
    if (match === null || match[3] !== "policy") {
      return `is an ARN but not of an IAM policy; ${field} takes ${alternative}, such as TerraformBoundary or team/TerraformBoundary.`;
    }
    if (match[2] === "aws") {
      return `is an AWS managed policy ARN; list it in terraformRole.managedPolicyArns instead.`;
    }
    return `is the ARN of one account's policy, but the policy must exist under the same name in every product account; give its name instead: ${match[4]}.`;
  }
  const slash = value.lastIndexOf("/");
  if (slash >= 0 && slash + 2 > MAX_IAM_PATH) {
    return `has a path of ${slash + 2} characters (with its leading and trailing '/'); IAM paths are at most ${MAX_IAM_PATH}. Use a shorter path.`;
  }
  return undefined;
}

function policyReferenceProblems(raw: Raw, at: PathOf): ConfigProblem[] {
  const role = objectAt(raw, "terraformRole");
  const problems: ConfigProblem[] = [];
  const policies = Array.isArray(role.customerManagedPolicies)
    ? (role.customerManagedPolicies as unknown[])
    : [];
  policies.forEach((value, i) => {
    if (typeof value !== "string") return;
    const message = policyNameProblem(value, "customerManagedPolicies");
    if (message === undefined) return;
    problems.push({ path: at(["terraformRole", "customerManagedPolicies", i]), value, message });
  });
  const boundary = stringAt(role, "permissionsBoundary");
  if (boundary !== undefined && !/^arn:[^:]*:iam::aws:policy\//.test(boundary)) {
    const message = policyNameProblem(boundary, "permissionsBoundary");
    if (message !== undefined) {
      problems.push({
        path: at(["terraformRole", "permissionsBoundary"]),
        value: boundary,
        message,
      });
    }
  }
  return problems;
}

/**
 * Role names that would collide in one account. IAM role names are unique per account without
 * regard to case or path, and the bootstrap role (which the deployer assumes) must stay the
 * deployer's: a Terraform, plan or CI role of the same name would replace or fail on it.
 */
function collisionProblems(raw: Raw, at: PathOf): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const tf = objectAt(raw, "terraformAccount");
  const tfBootstrap = stringAt(tf, "bootstrapRoleName") ?? DEFAULT_BOOTSTRAP_ROLE;
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  const productBootstraps = new Set([tfBootstrap.toLowerCase()]);
  for (const p of products) {
    if (typeof p !== "object" || p === null) continue;
    const name = (p as Raw).bootstrapRoleName;
    if (typeof name === "string") productBootstraps.add(name.toLowerCase());
  }
  const role = objectAt(raw, "terraformRole");
  const planRole = objectAt(raw, "terraformPlanRole");
  const ci = objectAt(raw, "ci");
  const productRoles: [PropertyKey[], string][] = [
    [["terraformRole", "name"], stringAt(role, "name") ?? "terraform"],
    [["terraformPlanRole", "name"], stringAt(planRole, "name") ?? "terraform-plan"],
  ];
  for (const [path, name] of productRoles) {
    if (!productBootstraps.has(name.toLowerCase())) continue;
    problems.push({
      path: at(path),
      value: name,
      message: `is the name of a bootstrap role (the role the deployer assumes in the product accounts; ${DEFAULT_BOOTSTRAP_ROLE} by default). IAM role names are unique per account regardless of case, so the stack would take over or fail on the deployer's own role. Choose another name.`,
    });
  }
  const ciRoles: [PropertyKey[], string][] = [
    [["ci", "roleName"], stringAt(ci, "roleName") ?? "terraform-ci"],
    [["ci", "planRoleName"], stringAt(ci, "planRoleName") ?? "terraform-ci-plan"],
  ];
  for (const [path, name] of ciRoles) {
    if (name.toLowerCase() !== tfBootstrap.toLowerCase()) continue;
    problems.push({
      path: at(path),
      value: name,
      message: `is the name of the Terraform account's bootstrap role (terraformAccount.bootstrapRoleName), which the deployer assumes. IAM role names are unique per account regardless of case. Choose another name.`,
    });
  }
  const caseOnly = (a: PropertyKey[], b: PropertyKey[], x: string, y: string, what: string) => {
    if (x === y || x.toLowerCase() !== y.toLowerCase()) return;
    problems.push({
      path: at(b),
      value: y,
      message: `differs from ${a.join(".")} ('${x}') only in case; IAM ${what} names are unique regardless of case, so both would be one ${what}. Choose another name.`,
    });
  };
  const [apply, plan] = ciRoles;
  if (apply && plan) caseOnly(apply[0], plan[0], apply[1], plan[1], "role");
  const [tfRole, tfPlanRole] = productRoles;
  if (tfRole && tfPlanRole) caseOnly(tfRole[0], tfPlanRole[0], tfRole[1], tfPlanRole[1], "role");
  caseOnly(
    ["ci", "userName"],
    ["ci", "planUserName"],
    stringAt(ci, "userName") ?? "terraform-ci",
    stringAt(ci, "planUserName") ?? "terraform-ci-plan",
    "user",
  );
  const stateAlias = stringAt(objectAt(raw, "state"), "kmsAlias") ?? "terraform-state";
  const auditAlias = stringAt(objectAt(raw, "audit"), "kmsAlias") ?? "terraform-audit";
  if (stateAlias === auditAlias) {
    problems.push({
      path: at(["audit", "kmsAlias"]),
      value: auditAlias,
      message:
        "is the same as state.kmsAlias; the state key and the trail key are two keys of the Terraform account, and an alias names exactly one. Choose another alias.",
    });
  }
  return problems;
}

/**
 * `iam` in `allowedServices` lets the Terraform role create roles and policies; without a
 * permissions boundary, a role it creates can hold any permission, so the Terraform role
 * controls its whole account. That is refused unless the stack says it accepts it.
 */
function iamServiceProblems(raw: Raw, at: PathOf): ConfigProblem[] {
  const role = objectAt(raw, "terraformRole");
  const services = Array.isArray(role.allowedServices) ? (role.allowedServices as unknown[]) : [];
  const managed = Array.isArray(role.managedPolicyArns)
    ? (role.managedPolicyArns as unknown[])
    : [];
  const iamService = services.some((s) => typeof s === "string" && s.toLowerCase() === "iam");
  const iamPolicy = managed.findIndex(
    (p) => typeof p === "string" && IAM_WRITING_MANAGED_POLICIES.test(p),
  );
  const hasIam = iamService || iamPolicy >= 0;
  const boundary = stringAt(role, "permissionsBoundary");
  const acknowledged = role.acknowledgeIamWithoutBoundary === true;
  if (hasIam && boundary === undefined && !acknowledged) {
    const [path, value, what] = iamService
      ? [["terraformRole", "allowedServices"], services, "includes 'iam'"]
      : [
          ["terraformRole", "managedPolicyArns", iamPolicy],
          managed[iamPolicy],
          "grants IAM writes (as 'iam' in allowedServices would)",
        ];
    return [
      {
        path: at(path),
        value,
        message: `${what} without a permissionsBoundary: the Terraform role could create a role with any permission and take it, so unreviewed-but-merged Terraform code would control the whole account, the plan role included. Set terraformRole.permissionsBoundary (the boundary then applies to every role and user it creates), or accept full control with terraformRole.acknowledgeIamWithoutBoundary: true.`,
      },
    ];
  }
  if (hasIam && boundary !== undefined && IAM_WRITING_MANAGED_POLICIES.test(boundary)) {
    return [
      {
        path: at(["terraformRole", "permissionsBoundary"]),
        value: boundary,
        message:
          "grants every IAM action, so as the boundary of the roles and users the Terraform role creates it bounds nothing: such a role could change the plan role or create an unbounded role. Use a boundary that denies IAM changes to the topology's roles (a customer managed policy of your own), or remove the boundary and accept full control with terraformRole.acknowledgeIamWithoutBoundary: true.",
      },
    ];
  }
  if (acknowledged && (!hasIam || boundary !== undefined)) {
    return [
      {
        path: at(["terraformRole", "acknowledgeIamWithoutBoundary"]),
        value: true,
        message: `has no effect: ${hasIam ? "a permissionsBoundary is set" : "the Terraform role is not allowed IAM ('iam' is not in allowedServices)"}. Remove the setting.`,
      },
    ];
  }
  return [];
}

/** Every problem above, for the raw config (keys without the namespace). */
export function iamSafetyProblems(raw: Raw, configPath: PathOf): ConfigProblem[] {
  return [
    ...adminProblems(raw, configPath),
    ...partitionProblems(raw, configPath),
    ...policyReferenceProblems(raw, configPath),
    ...collisionProblems(raw, configPath),
    ...iamServiceProblems(raw, configPath),
  ];
}

/**
 * What the core stack of a split organisation exports for its account-group stacks
 * (`orgCore`), and the check every group stack makes against it: each of the group's accounts
 * is listed by the core stack, with the same id, workspace, environment and role ARNs (so the
 * core's CI roles may assume exactly the group's roles), under the same Terraform account.
 *
 * The program makes the check when a group stack runs (its preview fails on any mismatch);
 * the policy pack makes it again on what the group stack registered (`org-stack-consistent`).
 */
import type { TopologyPlan } from "../plan/model";
import { roleDefinitions, type RoleDefinitions } from "./role-definition";

/** One product account as the core stack lists it. */
export interface CoreAccount {
  readonly id: string;
  readonly workspace: string;
  readonly environment: string;
  readonly roleArn: string;
  readonly planRoleArn: string;
}

/** The core stack's `orgCore` output. */
export interface CoreContract {
  readonly terraformAccountId: string;
  /** Every product account of the organisation, by its configured name. */
  readonly accounts: Readonly<Record<string, CoreAccount>>;
  readonly roleDefinitions: RoleDefinitions;
}

/** The stack output a core stack exports its contract as. */
export const CORE_OUTPUT = "orgCore";

/** The contract of a core stack's plan. */
export function coreContract(plan: TopologyPlan): CoreContract {
  const accounts: Record<string, CoreAccount> = {};
  for (const p of plan.products) {
    accounts[p.key] = {
      id: p.accountId,
      workspace: p.workspace,
      environment: p.environment,
      roleArn: p.terraformRole.arn,
      planRoleArn: p.planRole.arn,
    };
  }
  return {
    terraformAccountId: plan.terraform.accountId,
    accounts,
    roleDefinitions: roleDefinitions(plan),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The contract read from a core stack's outputs, or why it cannot be: the stack has no
 * `orgCore` output (it is not a core stack, or was never deployed with one).
 */
export function readCoreContract(
  outputs: Readonly<Record<string, unknown>> | undefined,
  coreName: string,
): { ok: true; contract: CoreContract } | { ok: false; problem: string } {
  const value = outputs?.[CORE_OUTPUT];
  const fix =
    `Fix: run \`pulumi up\` on the core stack ${coreName} first (npm run org -- up runs it ` +
    `before the groups), and check orgStack.core names it.`;
  if (!isRecord(value)) {
    return {
      ok: false,
      problem: `the core stack ${coreName} exports no ${CORE_OUTPUT} output: it is not a core stack (orgStack.part: core), or has not been deployed as one. ${fix}`,
    };
  }
  const accounts = value.accounts;
  const defs = value.roleDefinitions;
  if (
    typeof value.terraformAccountId !== "string" ||
    !isRecord(accounts) ||
    !isRecord(defs) ||
    !isRecord(defs.terraform) ||
    !isRecord(defs.plan) ||
    typeof defs.terraform.digest !== "string" ||
    typeof defs.plan.digest !== "string"
  ) {
    return {
      ok: false,
      problem: `the core stack ${coreName}'s ${CORE_OUTPUT} output is not in the shape this version writes (terraformAccountId, accounts, roleDefinitions). ${fix}`,
    };
  }
  return { ok: true, contract: value as unknown as CoreContract };
}

/**
 * How one of a group's accounts disagrees with the core's list: missing from it (`fields`
 * empty), or listed with other values, each as `[what, the group's, the core's]`.
 */
export interface AccountMismatch {
  readonly account: string;
  readonly fields: readonly (readonly [string, string, string])[];
}

/** Every account of `mine` that `core` does not list, or lists with other values. */
export function accountMismatches(mine: CoreContract, core: CoreContract): AccountMismatch[] {
  const out: AccountMismatch[] = [];
  for (const [name, account] of Object.entries(mine.accounts)) {
    const listed = core.accounts[name];
    if (listed === undefined) {
      out.push({ account: name, fields: [] });
      continue;
    }
    const fields = (
      [
        ["id", account.id, listed.id],
        ["workspace", account.workspace, listed.workspace],
        ["environment", account.environment, listed.environment],
        ["Terraform role", account.roleArn, listed.roleArn],
        ["plan role", account.planRoleArn, listed.planRoleArn],
      ] as const
    ).filter(([, here, there]) => here !== there);
    if (fields.length > 0) out.push({ account: name, fields });
  }
  return out;
}

/** One way a group stack disagrees with its core stack. */
export interface Mismatch {
  /** `Org::TerraformAccount`, `Org::RoleDefinition`, `Org::NotInCore` or `Org::AccountDiffers`. */
  readonly id: string;
  readonly message: string;
}

/**
 * Every way a group stack (`mine`: what its config says of its accounts, as
 * {@link coreContract} renders it) disagrees with its core stack's contract, one sentence each
 * with the fix; empty when the core stack admits every account of the group.
 */
export function groupMismatches(
  mine: CoreContract,
  core: CoreContract,
  coreName: string,
): Mismatch[] {
  const problems: Mismatch[] = [];
  if (core.terraformAccountId !== mine.terraformAccountId) {
    problems.push({
      id: "Org::TerraformAccount",
      message: `terraformAccount.id is ${mine.terraformAccountId}, but the core stack ${coreName}'s Terraform account is ${core.terraformAccountId}. Fix: give every stack of the organisation the core stack's terraformAccount.`,
    });
  }
  for (const [role, setting] of [
    ["terraform", "terraformRole"],
    ["plan", "terraformPlanRole"],
  ] as const) {
    const here = mine.roleDefinitions[role].digest;
    const there = core.roleDefinitions[role].digest;
    if (here === there) continue;
    problems.push({
      id: "Org::RoleDefinition",
      message: `the ${setting} settings give this stack's ${role === "terraform" ? "Terraform" : "plan"} roles other permissions than the core stack ${coreName}'s definition (${here} here, ${there} there). Fix: give every stack of the organisation the same ${setting} (npm run org -- split writes them from one file).`,
    });
  }
  for (const m of accountMismatches(mine, core)) {
    const account = mine.accounts[m.account];
    if (m.fields.length === 0) {
      problems.push({
        id: "Org::NotInCore",
        message: `product account ${m.account} (${account?.id ?? "?"}) is not listed by the core stack ${coreName}, so no CI role may assume its roles. Fix: add { name: ${m.account}, id: "${account?.id ?? "?"}" } to the core stack's productAccounts and run the core stack first (npm run org -- up does).`,
      });
      continue;
    }
    for (const [what, here, there] of m.fields) {
      problems.push({
        id: "Org::AccountDiffers",
        message: `product account ${m.account}: its ${what} is ${here} here, but ${there} in the core stack ${coreName}. Fix: give the account the same entry (and the same role settings) in both stacks.`,
      });
    }
  }
  return problems;
}

/**
 * The report on an organisation split across stacks (`npm run org -- report`), from its stack
 * files alone: the core stack, each account-group stack with its accounts, totals, and every
 * way the files disagree — an account in a group the core does not list (the group's preview
 * fails), an account the core lists that no group builds, an account in two groups, a shared
 * setting a group gives otherwise than the core, a group whose role definition differs from
 * the core's. Pure: the caller reads and validates the files.
 */
import type { TopologyConfig } from "../config/parse";
import { planTopology } from "../plan/topology";
import { accountMismatches, coreContract, type CoreContract } from "./core-contract";

/** One stack file of the stacks directory. */
export type ReportInput =
  | {
      readonly ok: true;
      /** The stack name: `acme-core` for `Pulumi.acme-core.yaml`. */
      readonly stack: string;
      /** The file as shown to the user. */
      readonly file: string;
      readonly config: TopologyConfig;
    }
  | {
      readonly ok: false;
      readonly stack: string;
      readonly file: string;
      /** How many problems the file has (`npm run synth -- STACK` lists them). */
      readonly problems: number;
    };

/** One product account as a stack file lists it. */
export interface ReportAccount {
  readonly name: string;
  readonly id: string;
  readonly environment: string;
  /** Its organisational unit, when the config gives one. */
  readonly ou?: string;
}

/** The role definitions' digests. */
export interface ReportDigests {
  readonly terraform: string;
  readonly plan: string;
}

/** The core stack. */
export interface ReportCore {
  readonly stack: string;
  readonly file: string;
  readonly organization: string;
  readonly terraformAccountId: string;
  /** With `orgStack.handOver: true` the core still builds the product accounts' roles. */
  readonly handOver: boolean;
  readonly accounts: readonly ReportAccount[];
  readonly roleDefinitions: ReportDigests;
}

/** One account-group stack. */
export interface ReportGroup {
  readonly stack: string;
  readonly file: string;
  readonly adopt: boolean;
  readonly accounts: readonly ReportAccount[];
  readonly roleDefinitions: ReportDigests;
  /** Whether both role definitions equal the core's. */
  readonly roleDefinition: "same" | "differs";
}

/** What kind of disagreement a finding is. */
export type FindingId =
  | "Org::InvalidStackFile"
  | "Org::UnknownCore"
  | "Org::AccountNotInCore"
  | "Org::AccountDiffers"
  | "Org::AccountInNoGroup"
  | "Org::AccountInTwoGroups"
  | "Org::SettingDiffers"
  | "Org::RoleDefinition";

/** One disagreement between the organisation's stack files, with the fix. */
export interface Finding {
  readonly id: FindingId;
  /** The stack file the finding is about. */
  readonly stack: string;
  readonly account?: string;
  /** `ci` or `terraformRole` for a setting that differs. */
  readonly setting?: string;
  readonly message: string;
}

/** The report. */
export interface OrgReport {
  readonly core: ReportCore;
  readonly groups: readonly ReportGroup[];
  readonly totals: {
    readonly groups: number;
    /** Product accounts the core stack lists. */
    readonly coreAccounts: number;
    /** Distinct product accounts the groups hold. */
    readonly groupAccounts: number;
    /** Stack files of the directory that are no part of this organisation. */
    readonly otherStacks: number;
  };
  readonly findings: readonly Finding[];
}

/** Why there is no report: no core stack, or more than one to choose from. */
export type OrgReportResult =
  | { readonly ok: true; readonly report: OrgReport }
  | { readonly ok: false; readonly message: string };

/**
 * The settings every stack of a split organisation shares with the core stack (all but
 * `productAccounts`, `orgStack` and `ci.pipeline`, which only the core has).
 */
export const SHARED_SETTINGS = [
  "organization",
  "region",
  "partition",
  "terraformAccount",
  "ci",
  "terraformRole",
  "terraformPlanRole",
  "state",
  "audit",
  "adminPrincipals",
  "tags",
] as const;

/** The stack name a reference (`acme-core`, `project/acme-core`, `org/project/acme-core`) names. */
export function stackOfReference(reference: string): string {
  return reference.slice(reference.lastIndexOf("/") + 1);
}

function accountsOf(config: TopologyConfig, contract: CoreContract): ReportAccount[] {
  return config.productAccounts.map((a) => ({
    name: a.name,
    id: a.id,
    environment: contract.accounts[a.name]?.environment ?? a.name,
    ...(a.ou !== undefined ? { ou: a.ou } : {}),
  }));
}

function digestsOf(contract: CoreContract): ReportDigests {
  return {
    terraform: contract.roleDefinitions.terraform.digest,
    plan: contract.roleDefinitions.plan.digest,
  };
}

function sharedValue(config: TopologyConfig, setting: (typeof SHARED_SETTINGS)[number]): unknown {
  const value: unknown = config[setting];
  if (setting !== "ci" || typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([key]) => key !== "pipeline"),
  );
}

/**
 * Where two values differ, as paths below `path` (`terraformRole.allowedServices`); objects are
 * compared key by key, anything else as a whole.
 */
export function differingPaths(path: string, a: unknown, b: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(`${path}.${k}`, a[k], b[k]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function findCore(
  inputs: readonly ReportInput[],
  coreName: string | undefined,
): { ok: true; core: Extract<ReportInput, { ok: true }> } | { ok: false; message: string } {
  const cores = inputs.filter(
    (i): i is Extract<ReportInput, { ok: true }> => i.ok && i.config.orgStack?.part === "core",
  );
  if (coreName !== undefined) {
    const named = inputs.find((i) => i.stack === coreName);
    if (named === undefined) {
      return {
        ok: false,
        message: `--core ${coreName}: there is no Pulumi.${coreName}.yaml in the stacks directory${cores.length > 0 ? `; its core stacks are ${cores.map((c) => c.stack).join(", ")}` : ""}. Fix: pass the name of a core stack's file.`,
      };
    }
    if (!named.ok) {
      return {
        ok: false,
        message: `--core ${coreName}: ${named.file} has ${plural(named.problems, "problem")}, so the organisation cannot be read from it. Fix: run npm run synth -- ${coreName} to see them, and correct the file.`,
      };
    }
    if (named.config.orgStack?.part !== "core") {
      return {
        ok: false,
        message: `--core ${coreName}: ${named.file} is not a core stack (its orgStack.part is ${named.config.orgStack?.part ?? "not set: it holds a whole organisation"}). Fix: pass a stack whose orgStack.part is core.`,
      };
    }
    return { ok: true, core: named };
  }
  const [only, ...more] = cores;
  if (only === undefined) {
    return {
      ok: false,
      message:
        "no core stack in the stacks directory: no stack file sets orgStack.part: core. Fix: pass --stacks-dir where the organisation's stack files are, or split a stack with npm run org -- split.",
    };
  }
  if (more.length > 0) {
    return {
      ok: false,
      message: `the stacks directory holds ${cores.length} core stacks (${cores.map((c) => c.stack).join(", ")}). Fix: name the organisation's with --core NAME.`,
    };
  }
  return { ok: true, core: only };
}

/**
 * The report on the organisation whose core stack is `coreName` (default: the only core stack
 * among `inputs`), from the stack files `inputs`.
 */
export function orgReport(inputs: readonly ReportInput[], coreName?: string): OrgReportResult {
  const found = findCore(inputs, coreName);
  if (!found.ok) return found;
  const coreInput = found.core;
  const coreConfig = coreInput.config;
  const coreContractOf = coreContract(planTopology(coreConfig));
  const core: ReportCore = {
    stack: coreInput.stack,
    file: coreInput.file,
    organization: coreConfig.organization,
    terraformAccountId: coreConfig.terraformAccount.id,
    handOver: coreConfig.orgStack?.handOver ?? false,
    accounts: accountsOf(coreConfig, coreContractOf),
    roleDefinitions: digestsOf(coreContractOf),
  };
  const coreNames = new Set(
    inputs.filter((i) => i.ok && i.config.orgStack?.part === "core").map((i) => i.stack),
  );
  const findings: Finding[] = [];
  const groups: ReportGroup[] = [];
  let other = 0;
  for (const input of inputs) {
    if (input.stack === core.stack) continue;
    if (!input.ok) {
      findings.push({
        id: "Org::InvalidStackFile",
        stack: input.stack,
        message: `${input.file} has ${plural(input.problems, "problem")}, so it cannot be told whether it is a group of ${core.stack}. Fix: run npm run synth -- ${input.stack} to see them, and correct the file.`,
      });
      continue;
    }
    const org = input.config.orgStack;
    if (org?.part !== "group") {
      other += 1;
      continue;
    }
    const named = stackOfReference(org.core ?? "");
    if (named !== core.stack) {
      if (!coreNames.has(named) && coreName === undefined) {
        findings.push({
          id: "Org::UnknownCore",
          stack: input.stack,
          message: `${input.file} is an account-group stack of '${org.core ?? ""}', which has no core stack file here (the core stack is ${core.stack}). Fix: set its orgStack.core to ${core.stack}, or put the file of its core stack here.`,
        });
      } else other += 1;
      continue;
    }
    groups.push(groupOf(input, core, coreContractOf, coreConfig, findings));
  }

  // Accounts across groups: held by two groups, or by none.
  const holders = new Map<string, string[]>();
  for (const g of groups)
    for (const a of g.accounts) holders.set(a.name, [...(holders.get(a.name) ?? []), g.stack]);
  for (const [account, stacks] of holders) {
    if (stacks.length < 2) continue;
    findings.push({
      id: "Org::AccountInTwoGroups",
      stack: stacks[0] ?? "",
      account,
      message: `product account ${account} is in ${plural(stacks.length, "group")} (${stacks.join(", ")}): each would build its roles, and the stacks would fight over them. Fix: keep it in one group's productAccounts only.`,
    });
  }
  if (!core.handOver) {
    for (const a of core.accounts) {
      if (holders.has(a.name)) continue;
      findings.push({
        id: "Org::AccountInNoGroup",
        stack: core.stack,
        account: a.name,
        message: `product account ${a.name} (${a.id}) is listed by the core stack ${core.stack} but in no account-group stack, so its Terraform and plan roles are built nowhere (the CI roles may assume roles that do not exist). Fix: add it to a group's productAccounts, or remove it from the core's.`,
      });
    }
  }
  return {
    ok: true,
    report: {
      core,
      groups,
      totals: {
        groups: groups.length,
        coreAccounts: core.accounts.length,
        groupAccounts: holders.size,
        otherStacks: other,
      },
      findings,
    },
  };
}

function groupOf(
  input: Extract<ReportInput, { ok: true }>,
  core: ReportCore,
  coreContractOf: CoreContract,
  coreConfig: TopologyConfig,
  findings: Finding[],
): ReportGroup {
  const contract = coreContract(planTopology(input.config));
  const digests = digestsOf(contract);
  const accounts = accountsOf(input.config, contract);
  for (const setting of SHARED_SETTINGS) {
    const paths = differingPaths(
      setting,
      sharedValue(input.config, setting),
      sharedValue(coreConfig, setting),
    );
    if (paths.length === 0) continue;
    const shown = paths.slice(0, 5).join(", ") + (paths.length > 5 ? ", ..." : "");
    findings.push({
      id: "Org::SettingDiffers",
      stack: input.stack,
      setting,
      message: `${setting} differs from the core stack ${core.stack}'s (at ${shown}); every stack of the organisation shares it${setting === "ci" ? " (all but ci.pipeline, which only the core has)" : ""}. Fix: copy the core stack's ${setting} into ${input.file}.`,
    });
  }
  for (const m of accountMismatches(contract, coreContractOf)) {
    const account = contract.accounts[m.account];
    if (m.fields.length === 0) {
      findings.push({
        id: "Org::AccountNotInCore",
        stack: input.stack,
        account: m.account,
        message: `product account ${m.account} (${account?.id ?? "?"}) is in the group ${input.stack} but not in the core stack ${core.stack}, so no CI role may assume its roles and the group's preview fails. Fix: add { name: ${m.account}, id: "${account?.id ?? "?"}" } to the core stack's productAccounts.`,
      });
      continue;
    }
    findings.push({
      id: "Org::AccountDiffers",
      stack: input.stack,
      account: m.account,
      message: `product account ${m.account}: ${m.fields.map(([what, here, there]) => `its ${what} is ${here} in ${input.stack} but ${there} in the core stack ${core.stack}`).join("; ")}, so the group's preview fails. Fix: give the account the same entry in both files.`,
    });
  }
  const same =
    digests.terraform === core.roleDefinitions.terraform &&
    digests.plan === core.roleDefinitions.plan;
  for (const [role, setting] of [
    ["terraform", "terraformRole"],
    ["plan", "terraformPlanRole"],
  ] as const) {
    if (digests[role] === core.roleDefinitions[role]) continue;
    findings.push({
      id: "Org::RoleDefinition",
      stack: input.stack,
      setting,
      message: `the ${role === "terraform" ? "Terraform" : "plan"} role definition of ${input.stack} (${digests[role]}) is not the core stack ${core.stack}'s (${core.roleDefinitions[role]}): its accounts' roles would get other permissions than the rest of the organisation's, and the group's preview fails. Fix: give it the core stack's terraformRole and terraformPlanRole (the plan role's reads follow the Terraform role's services).`,
    });
  }
  return {
    stack: input.stack,
    file: input.file,
    adopt: input.config.orgStack?.adopt ?? false,
    accounts,
    roleDefinitions: digests,
    roleDefinition: same ? "same" : "differs",
  };
}

function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    `${indent}${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd(),
  );
}

function accountTable(accounts: readonly ReportAccount[]): string[] {
  return table(
    [
      ["account", "id", "environment", "ou"],
      ...accounts.map((a) => [a.name, a.id, a.environment, a.ou ?? "-"]),
    ],
    "  ",
  );
}

/** The report as text. */
export function renderOrgReport(report: OrgReport): string {
  const { core, groups, totals, findings } = report;
  const lines = [
    `organisation ${core.organization}: core stack ${core.stack} (${core.file})`,
    `  Terraform account ${core.terraformAccountId}; lists ${plural(core.accounts.length, "product account")}${core.handOver ? "; handOver: the core still builds their roles" : ""}`,
    `  role definitions: terraform ${core.roleDefinitions.terraform}, plan ${core.roleDefinitions.plan}`,
    "",
  ];
  for (const g of groups) {
    lines.push(
      `group ${g.stack} (${g.file}): ${plural(g.accounts.length, "account")}; role definition ${g.roleDefinition === "same" ? "same as the core's" : "DIFFERS from the core's"}${g.adopt ? "; adopt: imports existing roles" : ""}`,
      ...accountTable(g.accounts),
      "",
    );
  }
  lines.push(
    `totals: ${plural(totals.groups, "group")}; ${plural(totals.coreAccounts, "account")} in the core stack, ${plural(totals.groupAccounts, "account")} in groups${totals.otherStacks > 0 ? `; ${plural(totals.otherStacks, "other stack file")} ignored` : ""}`,
  );
  if (findings.length === 0) {
    lines.push("findings: none: the stack files agree");
  } else {
    lines.push(`findings: ${findings.length}`);
    for (const f of findings) lines.push(`  ${f.id} [${f.stack}] ${f.message}`);
  }
  return lines.join("\n");
}

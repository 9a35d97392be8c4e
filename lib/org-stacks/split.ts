/**
 * Splits one stack file that holds a whole organisation into a core stack file (the Terraform
 * account, listing every product account) and account-group stack files (each holding some of
 * the product accounts), and plans the migration of a deployed stack onto them without
 * replacing any resource (docs/org-stacks.md). Pure: text in, texts and plan out; the command
 * (`npm run org -- split`, scripts/org/split.ts) reads and writes the files.
 *
 * Every generated file is the source file's YAML document with only what the split changes
 * edited, so comments, key order and every other setting stay as written.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { checkStackFile } from "../config/check";
import { CONFIG_NAMESPACE, type TopologyConfig } from "../config/parse";
import type { ConfigProblem } from "../errors/config-error";

/** How accounts are grouped: by organisational unit, or in config order up to a size. */
export type SplitBy = "ou" | "size";

/** Memory one `pulumi up` needs before any account: the CLI, the language host and the program. */
export const BASE_MEMORY_MB = 1024;

/**
 * Memory one product account adds to a run: its own `pulumi-resource-aws` process, measured at
 * 170–430 MB each (pulumi/pulumi#19534); the upper end, so a group fits the budget.
 */
export const MEMORY_PER_ACCOUNT_MB = 430;

/** Accounts per group for `--by size` when neither a size nor a budget is given. */
export const DEFAULT_MAX_ACCOUNTS = 10;

/** What to split and how. */
export interface SplitRequest {
  /** The source stack's name (`acme` for `Pulumi.acme.yaml`). */
  readonly stack: string;
  /** The source stack file's text. */
  readonly text: string;
  /** The source file as messages name it. */
  readonly file: string;
  readonly by: SplitBy;
  /** `--by size`: accounts per group. */
  readonly maxAccounts?: number;
  /** `--by size`: the memory one stack's run may take, in MB; gives the accounts per group. */
  readonly memoryBudgetMb?: number;
  /** The core stack's name. Default: the source's name with `--migrate`, else `<stack>-core`. */
  readonly core?: string;
  /** Migrate the deployed source stack: the core keeps its name (and state). */
  readonly migrate: boolean;
  /** How the command was run, for the generated files' header. */
  readonly commandLine: string;
}

/** One account-group stack of the split. */
export interface GroupPlan {
  /** The group: the OU's slug, or `g1`, `g2`, … by size. */
  readonly group: string;
  /** The OU, for `--by ou`. */
  readonly ou?: string;
  /** The group stack's name: `<core>-<group>`. */
  readonly stack: string;
  /** Its accounts' configured names, in config order. */
  readonly accounts: readonly string[];
  /** The estimated memory of one run of the stack, MB. */
  readonly memoryMb: number;
  /** The stack file's text. */
  readonly text: string;
}

/** The split: the files to write and how the accounts fall into groups. */
export interface SplitPlan {
  readonly source: string;
  readonly core: {
    readonly stack: string;
    /** The core stack file's text; with `migrate`, the source file with `orgStack` added. */
    readonly text: string;
    /** True when the core is the source file, edited in place (`--migrate`). */
    readonly inPlace: boolean;
    /** The estimated memory of one run once split (its one account, the Terraform account), MB. */
    readonly memoryMb: number;
  };
  readonly groups: readonly GroupPlan[];
  /** The accounts per group that `--by size` used, and how it was arrived at. */
  readonly sizing?: { readonly maxAccounts: number; readonly arithmetic: string };
  /** The source stack's memory estimate (every product account and the Terraform account), MB. */
  readonly wholeMemoryMb: number;
}

/** The split, or every problem that stops it. */
export type SplitResult =
  | { readonly ok: true; readonly plan: SplitPlan }
  | { readonly ok: false; readonly problems: readonly string[] }
  | {
      readonly ok: false;
      readonly configProblems: readonly ConfigProblem[];
      readonly problems?: undefined;
    };

/** The estimated memory of one run of a stack with `accounts` product accounts, MB. */
export function memoryEstimateMb(accounts: number): number {
  return BASE_MEMORY_MB + MEMORY_PER_ACCOUNT_MB * accounts;
}

/** The accounts one stack's run may hold in `budgetMb`, with the arithmetic as text. */
export function accountsForBudget(budgetMb: number): { accounts: number; arithmetic: string } {
  const accounts = Math.floor((budgetMb - BASE_MEMORY_MB) / MEMORY_PER_ACCOUNT_MB);
  const arithmetic =
    `(${fmt(budgetMb)} MB budget − ${fmt(BASE_MEMORY_MB)} MB base) / ` +
    `${MEMORY_PER_ACCOUNT_MB} MB per account (one pulumi-resource-aws process each, ` +
    `170–430 MB, pulumi/pulumi#19534) = ${accounts} account${accounts === 1 ? "" : "s"} per group`;
  return { accounts, arithmetic };
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

/** An OU's name as part of a stack name: lower case, runs of anything else than [a-z0-9] as '-'. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const KEY = (name: string) => `${CONFIG_NAMESPACE}:${name}`;

interface Grouping {
  readonly group: string;
  readonly ou?: string;
  readonly accounts: string[];
}

function groupByOu(config: TopologyConfig): Grouping[] | string[] {
  const missing = config.productAccounts.filter((a) => a.ou === undefined).map((a) => a.name);
  if (missing.length > 0) {
    return [
      `--by ou: ${missing.length} product account${missing.length === 1 ? " has" : "s have"} no ou: ${missing.join(", ")}. ` +
        `Every account must sit in one group stack. Fix: set \`ou\` on ${missing.length === 1 ? "it" : "each"} in the stack file ` +
        `(productAccounts[].ou, the organisational unit's name), or split with --by size.`,
    ];
  }
  const groups = new Map<string, Grouping>();
  const problems: string[] = [];
  for (const account of config.productAccounts) {
    const ou = account.ou ?? "";
    const group = slug(ou);
    if (group === "") {
      problems.push(
        `--by ou: account ${account.name} has ou ${JSON.stringify(ou)}, which gives no stack name ` +
          `(a group's name is the OU's letters and digits). Fix: give the OU a name with letters or digits.`,
      );
      continue;
    }
    const found = groups.get(group);
    if (found && found.ou !== ou) {
      problems.push(
        `--by ou: the OUs ${JSON.stringify(found.ou)} and ${JSON.stringify(ou)} both give the group name ${group}. ` +
          `Fix: spell one OU the same as the other if they are one OU, or rename one.`,
      );
      continue;
    }
    if (found) found.accounts.push(account.name);
    else groups.set(group, { group, ou, accounts: [account.name] });
  }
  return problems.length > 0 ? problems : [...groups.values()];
}

function groupBySize(config: TopologyConfig, size: number): Grouping[] {
  const groups: Grouping[] = [];
  config.productAccounts.forEach((account, i) => {
    const n = Math.floor(i / size);
    if (groups[n] === undefined) groups[n] = { group: `g${n + 1}`, accounts: [] };
    groups[n].accounts.push(account.name);
  });
  return groups;
}

function header(lines: readonly string[], doc: Document): void {
  const own = lines.map((l) => ` ${l}`).join("\n");
  doc.commentBefore = doc.commentBefore ? `${own}\n\n${doc.commentBefore}` : own;
}

/** The document as text, its flow sequences and long lines as the source wrote them. */
function render(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function setOrgStack(doc: Document, value: Record<string, unknown>): void {
  doc.setIn(["config", KEY("orgStack")], doc.createNode(value));
}

/** The source document with only `accounts` left in productAccounts, without ci.pipeline. */
function groupDocument(text: string, accounts: ReadonlySet<string>): Document {
  const doc = parseDocument(text);
  const products = doc.getIn(["config", KEY("productAccounts")], true);
  if (isSeq(products)) {
    products.items = products.items.filter((item) => {
      const name = isMap(item) ? item.get("name") : undefined;
      return typeof name === "string" && accounts.has(name);
    });
  }
  const ci = doc.getIn(["config", KEY("ci")], true);
  if (isMap(ci)) ci.delete("pipeline");
  return doc;
}

/** True when the file sets `orgStack` (in any spelling of the key the config reads). */
function hasOrgStack(text: string): boolean {
  const doc = parseDocument(text);
  const config = doc.get("config", true);
  return (
    isMap(config) &&
    config.items.some((p) => isScalar(p.key) && String(p.key.value) === KEY("orgStack"))
  );
}

/**
 * Plans the split of the stack file `request.text`: validates it with the project's config
 * parser (every problem at once), groups its product accounts, and renders the core file and
 * one file per group, each checked again as the program would read it.
 */
export function planSplit(request: SplitRequest): SplitResult {
  const checked = checkStackFile(request.text, request.file);
  if (!checked.ok) return { ok: false, configProblems: checked.problems };
  const config = checked.config;
  const problems: string[] = [];
  if (config.orgStack !== undefined || hasOrgStack(request.text)) {
    const part = config.orgStack?.part ?? "set";
    return {
      ok: false,
      problems: [
        `${request.file} is already part of a split organisation (orgStack.part: ${part}); ` +
          `only a stack that holds the whole organisation (no orgStack) can be split. ` +
          `Fix: split the whole stack it came from, or add accounts to a group stack's file by hand.`,
      ],
    };
  }
  const core = request.core ?? (request.migrate ? request.stack : `${request.stack}-core`);
  if (request.migrate && core !== request.stack) {
    problems.push(
      `--core ${core} with --migrate: the core stack keeps the source stack's name (${request.stack}), ` +
        `so its state (bucket, lock, trail, CI roles) never moves and no URN changes. ` +
        `Fix: leave out --core, or give --core ${request.stack}.`,
    );
  }
  if (!STACK_NAME.test(core) || core.length > 100) {
    problems.push(
      `--core ${JSON.stringify(core)} is not a stack name: use letters, digits, '-', '_' and '.', as in acme-core.`,
    );
  }
  if (config.productAccounts.length === 0) {
    problems.push(
      `${request.file} has no product accounts: there is nothing to put in a group stack.`,
    );
  }

  let sizing: SplitPlan["sizing"];
  let groupings: Grouping[] = [];
  if (request.by === "ou") {
    if (request.maxAccounts !== undefined || request.memoryBudgetMb !== undefined) {
      problems.push(
        "--max-accounts and --memory-budget size groups for --by size only; --by ou makes one group per OU. Fix: drop them, or use --by size.",
      );
    }
    const byOu = groupByOu(config);
    if (byOu.length > 0 && typeof byOu[0] === "string") problems.push(...(byOu as string[]));
    else groupings = byOu as Grouping[];
  } else {
    if (request.maxAccounts !== undefined && request.memoryBudgetMb !== undefined) {
      problems.push("--max-accounts and --memory-budget both size the groups; give one of them.");
    } else if (request.memoryBudgetMb !== undefined) {
      const { accounts, arithmetic } = accountsForBudget(request.memoryBudgetMb);
      if (accounts < 1) {
        problems.push(
          `--memory-budget ${request.memoryBudgetMb}: ${arithmetic}; a group needs at least one. ` +
            `Fix: give at least ${fmt(memoryEstimateMb(1))} MB (${fmt(BASE_MEMORY_MB)} MB + ${MEMORY_PER_ACCOUNT_MB} MB for one account).`,
        );
      } else sizing = { maxAccounts: accounts, arithmetic };
    } else {
      const k = request.maxAccounts ?? DEFAULT_MAX_ACCOUNTS;
      if (!Number.isInteger(k) || k < 1) {
        problems.push(
          `--max-accounts ${k}: must be a whole number of accounts, at least 1. Fix: --max-accounts 10.`,
        );
      } else {
        sizing = {
          maxAccounts: k,
          arithmetic:
            `${k} accounts per group${request.maxAccounts === undefined ? " (the default)" : ""}: ` +
            `${fmt(BASE_MEMORY_MB)} MB base + ${k} × ${MEMORY_PER_ACCOUNT_MB} MB = ${fmt(memoryEstimateMb(k))} MB per run at most`,
        };
      }
    }
    if (sizing) groupings = groupBySize(config, sizing.maxAccounts);
  }
  if (problems.length > 0) return { ok: false, problems };

  const groups: GroupPlan[] = [];
  const coreDoc = parseDocument(request.text);
  const groupNames = groupings.map((g) => `${core}-${g.group}`);
  if (request.migrate) {
    setOrgStack(coreDoc, { part: "core", handOver: true });
  } else {
    setOrgStack(coreDoc, { part: "core" });
    header(
      [
        `Generated by \`${request.commandLine}\` from ${request.file}.`,
        `Core stack ${core} of a split organisation: the Terraform account (state, lock, trail, CI`,
        `identities and roles) for every product account listed below. Its account-group stacks,`,
        `which hold the product accounts' roles: ${groupNames.join(", ")}.`,
        "An account is added here and in the file of the group it belongs to.",
      ],
      coreDoc,
    );
  }
  for (const g of groupings) {
    const stack = `${core}-${g.group}`;
    const doc = groupDocument(request.text, new Set(g.accounts));
    setOrgStack(doc, { part: "group", core, ...(request.migrate ? { adopt: true } : {}) });
    header(
      [
        `Generated by \`${request.commandLine}\` from ${request.file}.`,
        `Account-group stack ${stack} of core stack ${core}${g.ou ? ` (OU ${g.ou})` : ""}: the`,
        `providers and Terraform/plan roles of ${g.accounts.join(", ")}. Every other setting is the`,
        `core's and must stay identical to it; the core's CI roles assume these accounts' roles, and`,
        `this stack's preview fails unless the core stack lists each account alike.`,
        ...(request.migrate
          ? [
              "adopt: true imports the roles the single stack created; remove it once this stack is up",
              "(docs/org-stacks.md, migration).",
            ]
          : []),
      ],
      doc,
    );
    groups.push({
      group: g.group,
      ...(g.ou !== undefined ? { ou: g.ou } : {}),
      stack,
      accounts: g.accounts,
      memoryMb: memoryEstimateMb(g.accounts.length),
      text: render(doc),
    });
  }
  const coreText = render(coreDoc);

  // Each file as the program reads it: a problem here is a setting the split cannot carry over.
  const generated = [
    { name: `Pulumi.${core}.yaml`, text: coreText },
    ...groups.map((g) => ({ name: `Pulumi.${g.stack}.yaml`, text: g.text })),
  ];
  const invalid: ConfigProblem[] = [];
  for (const file of generated) {
    const result = checkStackFile(file.text, file.name);
    if (!result.ok) invalid.push(...result.problems);
  }
  if (invalid.length > 0) return { ok: false, configProblems: invalid };

  return {
    ok: true,
    plan: {
      source: request.stack,
      core: {
        stack: core,
        text: coreText,
        inPlace: request.migrate,
        memoryMb: memoryEstimateMb(1),
      },
      groups,
      ...(sizing ? { sizing } : {}),
      wholeMemoryMb: memoryEstimateMb(config.productAccounts.length + 1),
    },
  };
}

/**
 * The migration of a deployed whole stack onto the split, as numbered steps with the exact
 * commands. `stacksDir` is how the commands name the stacks folder.
 */
export function migrationSteps(plan: SplitPlan, stacksDir: string): string[] {
  const core = plan.core.stack;
  const file = (stack: string) => `${stacksDir}/Pulumi.${stack}.yaml`;
  const groups = plan.groups.map((g) => g.stack);
  return [
    `1. Hand over. ${file(core)} now has \`orgStack: {part: core, handOver: true}\` (the only edit made to it). Run:`,
    `     pulumi up --stack ${core}`,
    "   No cloud resource is created, replaced or deleted: the product accounts' roles get retainOnDelete in the state.",
    `2. Adopt. Each group file has \`orgStack: {part: group, core: ${core}, adopt: true}\`. For each group stack run:`,
    ...groups.flatMap((g) => [`     pulumi stack init ${g}`, `     pulumi up --stack ${g}`]),
    "   Each role and policy is imported (read, not created); nothing is created or replaced.",
    `3. Finish. Remove \`handOver: true\` from ${file(core)} and \`adopt: true\` from ${groups
      .map(file)
      .join(", ")}, then run:`,
    `     pulumi up --stack ${core}`,
    "   The core's state drops the product accounts' resources; they stay in AWS (retainOnDelete) and in the group stacks. Then:",
    ...[core, ...groups].map((s) => `     pulumi preview --stack ${s} --expect-no-changes`),
    "   Every stack shows no changes.",
  ];
}

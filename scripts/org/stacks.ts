/**
 * Finds an organisation's stacks in a stacks directory: the core stack (`orgStack.part: core`)
 * and the account-group stacks that name it (`orgStack.part: group`, `orgStack.core`). Reads the
 * stack files only; nothing here runs Pulumi.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { formatProblems } from "../../lib/errors/config-error";
import { parseStackFile } from "../../lib/config/stack-file";
import { displayPath } from "../inputs";

/** The config key of the organisation setting. */
const ORG_KEY = "tf-bootstrap:orgStack";
const ACCOUNTS_KEY = "tf-bootstrap:productAccounts";

/** One stack file of the stacks directory, as far as the organisation is concerned. */
export interface OrgStackFile {
  /** The stack name: `acme-core` for `Pulumi.acme-core.yaml`. */
  readonly name: string;
  /** The file's path. */
  readonly file: string;
  /** `core`, `group`, or `undefined` for a stack that is not split. */
  readonly part?: "core" | "group";
  /** A group's core stack, as its config names it. */
  readonly core?: string;
  /** The product accounts the file lists, by name. */
  readonly accounts: readonly string[];
}

/** The stack files of a directory, or every file that could not be read. */
export type StackFiles =
  | { readonly ok: true; readonly stacks: readonly OrgStackFile[] }
  | { readonly ok: false; readonly message: string };

const STACK_FILE = /^Pulumi\.([A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$/;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function jsonValue(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Reads every `Pulumi.<stack>.yaml` of `dir`. A file that is not valid YAML is reported, with
 * every other such file: it could be a group of the organisation, and leaving it out silently
 * would leave its accounts out of the run.
 */
export function readStackFiles(dir: string): StackFiles {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return {
      ok: false,
      message: `--stacks-dir ${dir}: no such directory. Fix: pass the directory that holds the Pulumi.<stack>.yaml files (default: stacks).`,
    };
  }
  const stacks: OrgStackFile[] = [];
  const broken: string[] = [];
  for (const entry of entries) {
    const match = STACK_FILE.exec(entry);
    if (!match?.[1]) continue;
    const file = join(dir, entry);
    const shown = displayPath(file);
    const parsed = parseStackFile(readFileSync(file, "utf8"), shown);
    if (!parsed.ok) {
      broken.push(formatProblems(parsed.problems, shown));
      continue;
    }
    const org = asRecord(jsonValue(parsed.flat[ORG_KEY]));
    const part = org?.part === "core" || org?.part === "group" ? org.part : undefined;
    const accounts = jsonValue(parsed.flat[ACCOUNTS_KEY]);
    stacks.push({
      name: match[1],
      file,
      ...(part ? { part } : {}),
      ...(typeof org?.core === "string" ? { core: org.core } : {}),
      accounts: Array.isArray(accounts)
        ? accounts.flatMap((a) => {
            const name = asRecord(a)?.name;
            return typeof name === "string" ? [name] : [];
          })
        : [],
    });
  }
  if (broken.length > 0) {
    return {
      ok: false,
      message: `${broken.length} stack file${broken.length === 1 ? "" : "s"} in ${displayPath(dir)} could not be read, so the organisation's stacks cannot be told:\n${broken.join("\n")}`,
    };
  }
  return { ok: true, stacks };
}

/** Whether a group's `orgStack.core` (a bare name or `org/project/name`) names `core`. */
export function namesCore(reference: string, core: string): boolean {
  return reference === core || reference.split("/").at(-1) === core;
}

/** The organisation to run: its core stack and its groups. */
export interface Organisation {
  readonly core: OrgStackFile;
  readonly groups: readonly OrgStackFile[];
  /** Group stacks of the directory that name another core stack (not run). */
  readonly otherGroups: readonly OrgStackFile[];
}

/** The organisation of `stacks` whose core is `coreName` (or the only core), or why not. */
export function findOrganisation(
  stacks: readonly OrgStackFile[],
  dirShown: string,
  coreName?: string,
): { ok: true; org: Organisation } | { ok: false; message: string } {
  const cores = stacks.filter((s) => s.part === "core");
  let core: OrgStackFile | undefined;
  if (coreName !== undefined) {
    const named = stacks.find((s) => s.name === coreName);
    if (named === undefined) {
      return {
        ok: false,
        message: `--core ${coreName}: there is no Pulumi.${coreName}.yaml in ${dirShown}. Core stacks there: ${cores.map((c) => c.name).join(", ") || "none"}.`,
      };
    }
    if (named.part !== "core") {
      return {
        ok: false,
        message: `--core ${coreName}: its config has orgStack.part ${named.part ?? "unset"}, not core. Fix: name a core stack (${cores.map((c) => c.name).join(", ") || "none in " + dirShown}), or set tf-bootstrap:orgStack.part: core in its stack file.`,
      };
    }
    core = named;
  } else if (cores.length === 1) {
    core = cores[0];
  } else if (cores.length === 0) {
    return {
      ok: false,
      message: `no stack file in ${dirShown} has tf-bootstrap:orgStack.part: core, so there is no organisation to run. Fix: split the organisation first (npm run org -- split), or pass --stacks-dir with the directory that holds its stack files.`,
    };
  } else {
    return {
      ok: false,
      message: `${cores.length} stack files in ${dirShown} are core stacks (${cores.map((c) => c.name).join(", ")}). Fix: pick one with --core NAME.`,
    };
  }
  if (core === undefined) throw new Error("bug: no core stack chosen");
  const groups = stacks.filter(
    (s) => s.part === "group" && s.core !== undefined && namesCore(s.core, core.name),
  );
  const otherGroups = stacks.filter((s) => s.part === "group" && !groups.includes(s));
  return { ok: true, org: { core, groups, otherGroups } };
}

/**
 * The project directory (the one holding `Pulumi.yaml`) nearest above `start`, or `undefined`.
 */
export function findProjectDir(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "Pulumi.yaml")) && statSync(join(dir, "Pulumi.yaml")).isFile())
      return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The project's `stackConfigDir`, resolved (the project directory itself when unset). */
export function projectStacksDir(projectDir: string): string {
  const project = asRecord(parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")));
  const configured = project?.stackConfigDir;
  return resolve(projectDir, typeof configured === "string" ? configured : ".");
}

/**
 * For each group, the accounts it shares with the core stack's file that the core's deployed
 * contract does not list yet: the core's pending update adds them, and until it is applied the
 * group's check against the core fails. `deployed` is `undefined` when the core has no contract.
 */
export function accountsPendingInCore(
  org: Organisation,
  deployed: ReadonlySet<string> | undefined,
): Map<string, string[]> {
  const inCoreFile = new Set(org.core.accounts);
  const pending = new Map<string, string[]>();
  for (const group of org.groups) {
    const waiting = group.accounts.filter((a) => inCoreFile.has(a) && !deployed?.has(a));
    if (waiting.length > 0) pending.set(group.name, waiting);
  }
  return pending;
}

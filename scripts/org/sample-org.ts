/**
 * A sample organisation split across stacks, for the engine tests and the benchmark: the
 * repository's example-oidc stack with product accounts of its own, as a core stack's config
 * (every account) and one config per account group (its accounts; every other setting the
 * core's, without ci.pipeline). Stack files written by the sample are the caller's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

/** The repository's stack the sample starts from. */
const BASE_STACK = resolve(__dirname, "..", "..", "stacks", "Pulumi.example-oidc.yaml");

/** One product account of the sample. */
export interface SampleAccount {
  readonly name: string;
  readonly id: string;
}

/** A stack's `config:` map. */
export type StackConfig = Record<string, unknown>;

/** The sample account `n` (1-based) of group `g` (1-based): `g2-a3`, id 5000000 0203. */
export function sampleAccount(g: number, n: number): SampleAccount {
  return { name: `g${g}-a${n}`, id: `5${String(g).padStart(5, "0")}${String(n).padStart(6, "0")}` };
}

/** The accounts of `groups` groups sharing `accounts` accounts as evenly as they can. */
export function sampleGroups(accounts: number, groups: number): SampleAccount[][] {
  return Array.from({ length: groups }, (_, g) => {
    const size = Math.floor(accounts / groups) + (g < accounts % groups ? 1 : 0);
    return Array.from({ length: size }, (_, n) => sampleAccount(g + 1, n + 1));
  });
}

/** The base config: example-oidc's, as its stack file holds it. */
export function baseConfig(): StackConfig {
  return (parse(readFileSync(BASE_STACK, "utf8")) as { config: StackConfig }).config;
}

/** The core stack's config: every account of `groups`, the pipeline in config order. */
export function coreConfig(groups: readonly (readonly SampleAccount[])[]): StackConfig {
  const base = baseConfig();
  const ci = { ...(base["tf-bootstrap:ci"] as Record<string, unknown>) };
  const pipeline = { ...(ci.pipeline as Record<string, unknown>) };
  delete pipeline.applyOrder;
  return {
    ...base,
    "tf-bootstrap:ci": { ...ci, pipeline },
    "tf-bootstrap:productAccounts": groups.flat().map((a) => ({ ...a })),
    "tf-bootstrap:orgStack": { part: "core" },
  };
}

/** A group stack's config: its accounts, the core's other settings, no pipeline. */
export function groupConfig(core: string, accounts: readonly SampleAccount[]): StackConfig {
  const base = baseConfig();
  const ci = { ...(base["tf-bootstrap:ci"] as Record<string, unknown>) };
  delete ci.pipeline;
  return {
    ...base,
    "tf-bootstrap:ci": ci,
    "tf-bootstrap:productAccounts": accounts.map((a) => ({ ...a })),
    "tf-bootstrap:orgStack": { part: "group", core },
  };
}

/** The stack file's path for `stack` in `dir`. */
export function stackFilePath(dir: string, stack: string): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/**
 * Writes `config` as the `config:` of `dir/Pulumi.<stack>.yaml`, keeping the file's other keys
 * (the encryption salt `pulumi stack init` adds).
 */
export function writeSampleStack(dir: string, stack: string, config: StackConfig): void {
  const file = stackFilePath(dir, stack);
  let previous: Record<string, unknown> = {};
  try {
    previous = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    // a new file
  }
  writeFileSync(file, stringify({ ...previous, config }));
}

/** Writes a core stack `<prefix>-core` and groups `<prefix>-g1`… into `dir`; returns the names. */
export function writeSampleOrg(
  dir: string,
  prefix: string,
  groups: readonly (readonly SampleAccount[])[],
): { core: string; groups: string[] } {
  const core = `${prefix}-core`;
  writeSampleStack(dir, core, coreConfig(groups));
  const names = groups.map((accounts, i) => {
    const name = `${prefix}-g${i + 1}`;
    writeSampleStack(dir, name, groupConfig(core, accounts));
    return name;
  });
  return { core, groups: names };
}

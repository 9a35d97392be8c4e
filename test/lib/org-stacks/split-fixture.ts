/**
 * Stack files of an organisation split across stacks, written to a temporary directory: the
 * example-oidc organisation as a core stack and account-group stacks, each edited as a test
 * needs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ROOT } from "../../helpers/stack";

/** A stack file's `config:` map, keyed as in the file (`tf-bootstrap:region`). */
export type StackFileConfig = Record<string, unknown>;

/** The config of stacks/Pulumi.example-oidc.yaml (dev, staging, prod; a CI pipeline). */
export function exampleOidcConfig(): StackFileConfig {
  const doc = parse(readFileSync(join(ROOT, "stacks", "Pulumi.example-oidc.yaml"), "utf8")) as {
    config: StackFileConfig;
  };
  return doc.config;
}

/** Writes `Pulumi.<name>.yaml` with `config` into `dir`. */
export function writeStack(dir: string, name: string, config: StackFileConfig): void {
  writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
}

/** The example-oidc organisation's core stack config. */
export function coreConfig(): StackFileConfig {
  return { ...exampleOidcConfig(), "tf-bootstrap:orgStack": { part: "core" } };
}

/** An account-group stack config of `core` holding the example accounts named `accounts`. */
export function groupConfig(core: string, accounts: readonly string[]): StackFileConfig {
  const config = exampleOidcConfig();
  const all = config["tf-bootstrap:productAccounts"] as { name: string }[];
  const missing = accounts.filter((a) => !all.some((p) => p.name === a));
  if (missing.length > 0) throw new Error(`not an example account: ${missing.join(", ")}`);
  const ci = { ...(config["tf-bootstrap:ci"] as Record<string, unknown>) };
  delete ci.pipeline;
  return {
    ...config,
    "tf-bootstrap:productAccounts": all.filter((p) => accounts.includes(p.name)),
    "tf-bootstrap:ci": ci,
    "tf-bootstrap:orgStack": { part: "group", core },
  };
}

/**
 * Writes the example-oidc organisation split into the core stack acme-core and the groups
 * acme-dev (dev) and acme-live (staging, prod).
 */
export function writeSplitOrg(dir: string): void {
  writeStack(dir, "acme-core", coreConfig());
  writeStack(dir, "acme-dev", groupConfig("acme-core", ["dev"]));
  writeStack(dir, "acme-live", groupConfig("acme-core", ["staging", "prod"]));
}

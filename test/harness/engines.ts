/**
 * The Terraform engines the handoff is proven with, and where their `hashicorp/aws` provider
 * comes from.
 *
 * - OpenTofu: always, the pinned release `.ci/setup-tools` builds.
 * - HashiCorp Terraform: the binary {@link locateTerraform} finds (this machine image ships
 *   one). In CI (`CI=true`) it is required: a suite without it fails with a message saying how
 *   to provide it. Elsewhere a machine without Terraform runs the OpenTofu suites and reports
 *   the Terraform ones as pending, never as passed.
 * - The provider: from the filesystem mirror {@link locateProviderMirror} finds (this image's,
 *   or `$TF_BOOTSTRAP_PROVIDER_MIRROR`); without one `init` downloads it (a machine with
 *   internet access), except in CI, where a missing mirror fails the suite.
 *
 * OpenTofu resolves `hashicorp/aws` to `registry.opentofu.org/hashicorp/aws`, while mirrors are
 * laid out for Terraform (`registry.terraform.io/...`): an OpenTofu sandbox gets a mirror of
 * symbolic links to the same packages under both hosts, so both engines run the very same
 * provider binary.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  describeRun,
  runEngineBinary,
  tofuSandbox,
  writeCliConfig,
  type TofuOptions,
  type TofuResult,
  type TofuSandbox,
} from "./tofu";
import {
  cacheDir,
  ensureTools,
  inCi,
  locateProviderMirror,
  locateTerraform,
  PROVIDER_MIRROR_ENV,
  TERRAFORM_ENV,
  TERRAFORM_REGISTRY,
  type Located,
  type ProviderMirror,
} from "./tools";

/** An engine's command name. */
export type EngineName = "terraform" | "tofu";

/** The engines, in the order the suites run them. */
export const ENGINE_NAMES: readonly EngineName[] = ["terraform", "tofu"];

/** A located engine. */
export interface Engine {
  readonly name: EngineName;
  /** "Terraform" or "OpenTofu". */
  readonly displayName: string;
  readonly binary: string;
  /** What `version -json` reports, e.g. `1.11.4`. */
  readonly version: string;
  /** The registry host a bare `hashicorp/aws` source means to this engine. */
  readonly registryHost: string;
}

/** Where `init` gets the `hashicorp/aws` provider from. */
export type ProviderSource =
  | { readonly kind: "mirror"; readonly mirror: ProviderMirror; readonly source: string }
  | { readonly kind: "download"; readonly reason: string };

const DISPLAY: Record<EngineName, string> = { terraform: "Terraform", tofu: "OpenTofu" };
const REGISTRY: Record<EngineName, string> = {
  terraform: TERRAFORM_REGISTRY,
  tofu: "registry.opentofu.org",
};

/** An engine's display name. */
export function displayName(name: EngineName): string {
  return DISPLAY[name];
}

/** Whether a suite of `name` is registered here, or why not (synchronous, for load time). */
export function engineAvailability(
  name: EngineName,
  env: NodeJS.ProcessEnv = process.env,
): { readonly register: true } | { readonly register: false; readonly reason: string } {
  if (name === "tofu") return { register: true };
  const terraform = locateTerraform(env);
  // In CI a missing Terraform is registered anyway: its suite fails in its first hook.
  if (terraform.found || inCi(env)) return { register: true };
  return {
    register: false,
    reason:
      `Terraform was not found (${terraform.reason}), so its suites did not run. Install ` +
      `Terraform 1.11 or newer, or set ${TERRAFORM_ENV} to its binary; in CI this fails.`,
  };
}

const resolved = new Map<EngineName, Promise<Engine>>();

/**
 * Locates `name` and reads its version. Rejects with a message that says how to provide a
 * missing Terraform; call it from a `before` hook so a missing engine fails the suite.
 */
export function resolveEngine(name: EngineName): Promise<Engine> {
  let pending = resolved.get(name);
  if (pending === undefined) {
    pending = locate(name);
    resolved.set(name, pending);
  }
  return pending;
}

async function locate(name: EngineName): Promise<Engine> {
  let binary: string;
  if (name === "tofu") {
    binary = (await ensureTools()).tofu;
  } else {
    const terraform = locateTerraform();
    if (!terraform.found) {
      throw new Error(
        `HashiCorp Terraform is required${inCi() ? " in CI" : ""} but was not found: ` +
          `${terraform.reason}. This machine image ships it as /usr/local/bin/terraform; ` +
          `elsewhere install Terraform 1.11 or newer, or set ${TERRAFORM_ENV}=/path/to/terraform.`,
      );
    }
    binary = terraform.value;
  }
  const version = await engineVersion(binary);
  return { name, displayName: DISPLAY[name], binary, version, registryHost: REGISTRY[name] };
}

/** `binary version -json`'s `terraform_version` (both engines use that key). */
async function engineVersion(binary: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-version-"));
  try {
    const config = path.join(dir, "empty.tfrc");
    writeFileSync(config, "");
    const args = ["version", "-json"];
    const result = await runEngineBinary(binary, args, {
      cwd: dir,
      env: { TF_CLI_CONFIG_FILE: config, TF_DATA_DIR: path.join(dir, "data"), HOME: dir },
      timeoutMs: 60_000,
    });
    if (result.code !== 0) throw new Error(describeRun(args, result, binary));
    const version = (JSON.parse(result.stdout) as { terraform_version?: unknown })
      .terraform_version;
    if (typeof version !== "string") throw new Error(`${binary} version -json: ${result.stdout}`);
    return version;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the provider comes from: a mirror when {@link locateProviderMirror} finds one, else a
 * download; in CI a missing mirror rejects (the image has one; without it a run would depend
 * on the registry).
 */
export function resolveProviderSource(env: NodeJS.ProcessEnv = process.env): ProviderSource {
  const mirror: Located<ProviderMirror> = locateProviderMirror(env);
  if (mirror.found) return { kind: "mirror", mirror: mirror.value, source: mirror.source };
  if (inCi(env)) {
    throw new Error(
      `The hashicorp/aws provider mirror is required in CI but was not found: ${mirror.reason}. ` +
        `This machine image has it under /opt/tf-plugins; elsewhere set ${PROVIDER_MIRROR_ENV} ` +
        `to a mirror (terraform providers mirror DIR), or run outside CI to let init download it.`,
    );
  }
  return { kind: "download", reason: mirror.reason };
}

/** A sandbox (see {@link tofuSandbox}) whose CLI config installs providers from `providers`. */
export function engineSandbox(
  prefix: string,
  engine: Engine,
  providers: ProviderSource,
): TofuSandbox {
  if (providers.kind === "download") {
    // One shared cache, so a provider is downloaded once per machine, not once per test.
    const pluginCacheDir = path.join(cacheDir(), "plugin-cache");
    mkdirSync(pluginCacheDir, { recursive: true });
    return tofuSandbox(`${engine.name}-${prefix}`, { allowDownload: true, pluginCacheDir });
  }
  // No plugin cache: it would copy the provider (hundreds of MB); a mirror is linked instead.
  const sandbox = tofuSandbox(`${engine.name}-${prefix}`, { ownPluginCache: false });
  const mirror =
    engine.registryHost === TERRAFORM_REGISTRY
      ? providers.mirror.dir
      : linkedMirror(path.join(sandbox.dir, "provider-mirror"), providers.mirror, [
          engine.registryHost,
          TERRAFORM_REGISTRY,
        ]);
  writeCliConfig(sandbox.env.TF_CLI_CONFIG_FILE ?? "", { filesystemMirror: mirror });
  return sandbox;
}

/**
 * A mirror under `dir` whose packages are symbolic links to `mirror`'s `hashicorp/aws`
 * packages, under each of `hosts`. Engines follow a link at the package (platform) level.
 */
function linkedMirror(dir: string, mirror: ProviderMirror, hosts: readonly string[]): string {
  for (const host of hosts) {
    for (const p of mirror.aws) {
      const versionDir = path.join(dir, host, "hashicorp", "aws", p.version);
      mkdirSync(versionDir, { recursive: true });
      symlinkSync(p.dir, path.join(versionDir, p.platform));
    }
  }
  return dir;
}

/** Runs `engine <args>`; see {@link runEngineBinary}. */
export function runEngine(
  engine: Engine,
  args: readonly string[],
  options: TofuOptions,
): Promise<TofuResult> {
  return runEngineBinary(engine.binary, args, options);
}

/**
 * Locates the test-only tools (moto, OpenTofu, actionlint, check-jsonschema, the Pulumi CLI
 * and its engine plugins) that `.ci/setup-tools` installs into a cache directory,
 * and runs that script when they are missing, so `npm test` works on a fresh machine. The pinned
 * versions live in the script only; this module reads them from it.
 *
 * It also locates what the machine image provides and the script does not install: HashiCorp
 * Terraform, and a filesystem mirror of the `hashicorp/aws` provider (see
 * {@link locateTerraform} and {@link locateProviderMirror}).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";

/** Paths and versions of the installed tools. */
export interface Tools {
  /** The cache directory (`$TF_BOOTSTRAP_CACHE`, default `~/.cache/tf-bootstrap`). */
  readonly cacheDir: string;
  readonly motoVersion: string;
  /** `moto_server` inside the cached venv (never the one a machine may have on PATH). */
  readonly motoServer: string;
  /** The venv's python, which has boto3 (moto depends on it). */
  readonly python: string;
  readonly tofuVersion: string;
  /** The OpenTofu binary built from the Go module proxy. */
  readonly tofu: string;
  readonly actionlintVersion: string;
  /** The actionlint binary (GitHub Actions workflow linter) built from the Go module proxy. */
  readonly actionlint: string;
  readonly checkJsonschemaVersion: string;
  /** `check-jsonschema` inside its own cached venv; ships the GitLab CI and workflow schemas. */
  readonly checkJsonschema: string;
  readonly pulumiVersion: string;
  /**
   * The Pulumi CLI (and engine) built from the Go module proxy, in a folder laid out as a Pulumi
   * install: the language host beside it is the one the engine runs.
   */
  readonly pulumi: string;
  /** The Node.js language host built from `test/engine/language-host` (`pulumi-language-nodejs`). */
  readonly languageHost: string;
  /** The aws provider stand-in built from `test/engine/aws-standin` (`pulumi-resource-aws`). */
  readonly awsStandin: string;
  /** The `@pulumi/aws` version of package.json: the version the stand-in reports. */
  readonly awsVersion: string;
}

/** Repository root (this file is `test/harness/tools.ts`). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** The install script; it holds the pinned versions. */
export const setupScript = path.join(repoRoot, ".ci", "setup-tools");

/**
 * Time a first-time setup may take (venv + moto ≈ 1 min, OpenTofu build ≈ 5 min, actionlint
 * ≈ 20 s, check-jsonschema ≈ 15 s, Pulumi CLI ≈ 7 min, engine plugins ≈ 1 min on 2 cores).
 */
export const SETUP_TIMEOUT_MS = 30 * 60_000;

/** Same logic as `.ci/setup-tools`: `$TF_BOOTSTRAP_CACHE`, else `$HOME/.cache/tf-bootstrap`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TF_BOOTSTRAP_CACHE;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return path.join(env.HOME ?? homedir(), ".cache", "tf-bootstrap");
}

/** Reads `NAME="value"` from the setup script, the single place versions are pinned. */
export function pinnedVersions(scriptText = readFileSync(setupScript, "utf8")): {
  moto: string;
  tofu: string;
  actionlint: string;
  checkJsonschema: string;
  pulumi: string;
} {
  const read = (name: string): string => {
    const match = new RegExp(`^${name}="([^"]+)"$`, "m").exec(scriptText);
    if (!match?.[1]) throw new Error(`${setupScript} does not pin ${name}="<version>"`);
    return match[1];
  };
  return {
    moto: read("MOTO_VERSION"),
    tofu: read("TOFU_VERSION"),
    actionlint: read("ACTIONLINT_VERSION"),
    checkJsonschema: read("CHECK_JSONSCHEMA_VERSION"),
    pulumi: read("PULUMI_VERSION"),
  };
}

/** The `@pulumi/aws` version package.json depends on. */
export function awsPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const version = manifest.dependencies?.["@pulumi/aws"];
  if (!version) throw new Error(`${repoRoot}/package.json does not depend on @pulumi/aws`);
  return version;
}

/**
 * The hash of the engine plugins' sources (`test/engine/**` Go files, go.mod, go.sum) that names
 * their cache folder; the same as `.ci/setup-tools` computes: sha256 of the `sha256sum` lines of
 * the files, sorted by path.
 */
export function enginePluginsHash(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (/\.go$|^go\.(mod|sum)$/.test(entry.name)) files.push(rel);
    }
  };
  walk("test/engine");
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = files
    .map((f) => {
      const digest = createHash("sha256")
        .update(readFileSync(path.join(repoRoot, f)))
        .digest("hex");
      return `${digest}  ${f}\n`;
    })
    .join("");
  return createHash("sha256").update(lines).digest("hex").slice(0, 12);
}

/** Where the tools are (or will be) for the pinned versions; does not check they exist. */
export function toolPaths(dir = cacheDir(), versions = pinnedVersions()): Tools {
  const motoDir = path.join(dir, `moto-${versions.moto}`);
  const tofuDir = path.join(dir, `tofu-${versions.tofu}`);
  const actionlintDir = path.join(dir, `actionlint-${versions.actionlint}`);
  const checkJsonschemaDir = path.join(dir, `check-jsonschema-${versions.checkJsonschema}`);
  const awsVersion = awsPackageVersion();
  const pluginsDir = path.join(
    dir,
    `pulumi-plugins-${versions.pulumi}-aws-${awsVersion}-${enginePluginsHash()}`,
  );
  return {
    cacheDir: dir,
    motoVersion: versions.moto,
    motoServer: path.join(motoDir, "venv", "bin", "moto_server"),
    python: path.join(motoDir, "venv", "bin", "python"),
    tofuVersion: versions.tofu,
    tofu: path.join(tofuDir, "tofu"),
    actionlintVersion: versions.actionlint,
    actionlint: path.join(actionlintDir, "actionlint"),
    checkJsonschemaVersion: versions.checkJsonschema,
    checkJsonschema: path.join(checkJsonschemaDir, "venv", "bin", "check-jsonschema"),
    pulumiVersion: versions.pulumi,
    pulumi: path.join(pluginsDir, "bin", "pulumi"),
    languageHost: path.join(pluginsDir, "bin", "pulumi-language-nodejs"),
    awsStandin: path.join(pluginsDir, "pulumi-resource-aws"),
    awsVersion,
  };
}

/** The list of what is missing (empty when every tool is installed completely). */
export function missingTools(tools: Tools): string[] {
  const complete = (binary: string, marker: string): boolean =>
    existsSync(binary) && existsSync(marker);
  const missing: string[] = [];
  const motoDir = path.dirname(path.dirname(path.dirname(tools.motoServer)));
  if (!complete(tools.motoServer, path.join(motoDir, ".complete"))) {
    missing.push(`moto ${tools.motoVersion}`);
  }
  if (!complete(tools.tofu, path.join(path.dirname(tools.tofu), ".complete"))) {
    missing.push(`OpenTofu ${tools.tofuVersion}`);
  }
  if (!complete(tools.actionlint, path.join(path.dirname(tools.actionlint), ".complete"))) {
    missing.push(`actionlint ${tools.actionlintVersion}`);
  }
  const checkJsonschemaDir = path.dirname(path.dirname(path.dirname(tools.checkJsonschema)));
  if (!complete(tools.checkJsonschema, path.join(checkJsonschemaDir, ".complete"))) {
    missing.push(`check-jsonschema ${tools.checkJsonschemaVersion}`);
  }
  const pluginsDir = path.dirname(tools.awsStandin);
  const engine = [tools.pulumi, tools.languageHost, tools.awsStandin];
  if (!engine.every((p) => complete(p, path.join(pluginsDir, ".complete")))) {
    missing.push(
      `the Pulumi CLI ${tools.pulumiVersion} with the engine plugins of test/engine ` +
        `(${path.basename(pluginsDir)})`,
    );
  }
  return missing;
}

let pending: Promise<Tools> | undefined;

/**
 * Returns the tools, installing them first with `.ci/setup-tools` when any is missing (its
 * progress goes to stderr). Memoized for the process. Rejects with a message that says what
 * failed and how to run the setup by hand; callers must let that fail the test, never skip.
 * Call it from a hook with `this.timeout(SETUP_TIMEOUT_MS)`.
 */
export function ensureTools(): Promise<Tools> {
  pending ??= install();
  return pending;
}

async function install(): Promise<Tools> {
  const tools = toolPaths();
  const missing = missingTools(tools);
  if (missing.length === 0) return tools;
  process.stderr.write(
    `[harness] ${missing.join(" and ")} not in ${tools.cacheDir}; running ${setupScript}\n`,
  );
  const started = Date.now();
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>(
    (resolve, reject) => {
      const child = spawn("bash", [setupScript], {
        cwd: repoRoot,
        // Its stdout (the paths) goes to stderr too, to keep the test reporter's output clean.
        stdio: ["ignore", 2, 2],
        env: process.env,
      });
      child.on("error", reject);
      child.on("exit", (c, s) => resolve({ code: c, signal: s }));
    },
  );
  const stillMissing = missingTools(tools);
  if (code !== 0 || stillMissing.length > 0) {
    throw new Error(
      `Test tools could not be set up: ${setupScript} exited with ${code ?? signal}` +
        (stillMissing.length > 0 ? `; still missing: ${stillMissing.join(", ")}` : "") +
        `. Its output is above. It needs python3 (venv) and go on PATH, and PyPI and the Go` +
        ` module proxy reachable. Run \`bash .ci/setup-tools\` by hand to see the problem.`,
    );
  }
  process.stderr.write(`[harness] tools ready in ${Math.round((Date.now() - started) / 1000)}s\n`);
  return tools;
}

const tracked = new Map<ChildProcess, (() => void) | undefined>();
let exitHooked = false;

/**
 * Kills `child`'s process group if the test process exits while it still runs (a failed hook,
 * an uncaught error, Ctrl-C). `child` must have been spawned with `detached: true` so that it
 * leads its own group. `cleanup` (synchronous) runs after the kill, e.g. to remove temp files.
 * Returns a function that stops tracking it.
 */
export function killGroupOnExit(child: ChildProcess, cleanup?: () => void): () => void {
  tracked.set(child, cleanup);
  child.once("exit", () => tracked.delete(child));
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", killTracked);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      // `once`: the handler is removed before it runs, so re-raising ends the process as usual.
      process.once(signal, () => {
        killTracked();
        process.kill(process.pid, signal);
      });
    }
  }
  return () => {
    tracked.delete(child);
  };
}

/** Sends SIGKILL to the process group of every tracked child (synchronous; safe in "exit"). */
function killTracked(): void {
  for (const [child, cleanup] of tracked) {
    killGroup(child, "SIGKILL");
    try {
      cleanup?.();
    } catch {
      // best effort while exiting
    }
  }
  tracked.clear();
}

/** Signals `child`'s whole process group; ignores a group that is already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group has exited already.
  }
}

/** Names a Terraform binary to use instead of the one on `PATH`. */
export const TERRAFORM_ENV = "TF_BOOTSTRAP_TERRAFORM";

/** Names a provider mirror directory to use instead of {@link IMAGE_PROVIDER_MIRROR}. */
export const PROVIDER_MIRROR_ENV = "TF_BOOTSTRAP_PROVIDER_MIRROR";

/** Where this machine image keeps its filesystem mirror of the `hashicorp/aws` provider. */
export const IMAGE_PROVIDER_MIRROR = "/opt/tf-plugins";

/** The registry host Terraform addresses `hashicorp/aws` by (and mirrors are laid out under). */
export const TERRAFORM_REGISTRY = "registry.terraform.io";

/** What a locator found, or why it found nothing. */
export type Located<T> =
  | { readonly found: true; readonly value: T; readonly source: string }
  | { readonly found: false; readonly reason: string };

/** Whether the tests run in CI (`CI=true`, as `.ci/run` and every CI platform set it). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? "").toLowerCase();
  return value !== "" && value !== "false" && value !== "0";
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds HashiCorp Terraform: the file named by `$TF_BOOTSTRAP_TERRAFORM`, else `terraform` on
 * `PATH` (this machine image has `/usr/local/bin/terraform`). `.ci/setup-tools` does not install
 * it. Synchronous, so a test file can decide at load time which engines it registers.
 */
export function locateTerraform(env: NodeJS.ProcessEnv = process.env): Located<string> {
  const named = env[TERRAFORM_ENV];
  if (named !== undefined && named !== "") {
    return isExecutableFile(named)
      ? { found: true, value: named, source: `$${TERRAFORM_ENV}` }
      : { found: false, reason: `$${TERRAFORM_ENV}=${named} is not an executable file` };
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, "terraform");
    if (isExecutableFile(candidate)) return { found: true, value: candidate, source: "PATH" };
  }
  return {
    found: false,
    reason: `no terraform on PATH (${env.PATH ?? ""}) and $${TERRAFORM_ENV} is not set`,
  };
}

/** The platform directory name of provider packages for this machine, e.g. `linux_amd64`. */
export function providerPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string {
  const goArch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${platform === "win32" ? "windows" : platform}_${goArch[arch] ?? arch}`;
}

/** One provider package of a filesystem mirror (unpacked layout). */
export interface MirroredProvider {
  /** `registry.terraform.io/hashicorp/aws`. */
  readonly address: string;
  readonly version: string;
  readonly platform: string;
  /** The package directory: `<mirror>/<address>/<version>/<platform>`. */
  readonly dir: string;
}

/** A filesystem provider mirror holding `hashicorp/aws` for this platform. */
export interface ProviderMirror {
  readonly dir: string;
  /** The `hashicorp/aws` packages for this platform, newest version first. */
  readonly aws: readonly MirroredProvider[];
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i] ?? 0, pb[i] ?? 0];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

/**
 * The `hashicorp/aws` packages for this platform in mirror `dir` (unpacked layout,
 * `registry.terraform.io/hashicorp/aws/<version>/<platform>/terraform-provider-aws_*`),
 * newest first; empty when there is none.
 */
export function mirroredAwsProviders(
  dir: string,
  platform = providerPlatform(),
): MirroredProvider[] {
  const address = `${TERRAFORM_REGISTRY}/hashicorp/aws`;
  const base = path.join(dir, ...address.split("/"));
  let versions: string[];
  try {
    versions = readdirSync(base);
  } catch {
    return [];
  }
  return versions
    .map((version) => ({ address, version, platform, dir: path.join(base, version, platform) }))
    .filter((p) => {
      try {
        return readdirSync(p.dir).some(
          (f) => f.startsWith("terraform-provider-aws") && isExecutableFile(path.join(p.dir, f)),
        );
      } catch {
        return false;
      }
    })
    .sort((a, b) => compareVersions(b.version, a.version));
}

/**
 * Finds a filesystem mirror of the `hashicorp/aws` provider: the directory named by
 * `$TF_BOOTSTRAP_PROVIDER_MIRROR`, else this image's {@link IMAGE_PROVIDER_MIRROR}. Not found
 * means `init` must download the provider (a machine with internet access).
 */
export function locateProviderMirror(
  env: NodeJS.ProcessEnv = process.env,
): Located<ProviderMirror> {
  const named = env[PROVIDER_MIRROR_ENV];
  const layout = `${TERRAFORM_REGISTRY}/hashicorp/aws/<version>/${providerPlatform()}/terraform-provider-aws_*`;
  if (named !== undefined && named !== "") {
    const aws = mirroredAwsProviders(named);
    return aws.length > 0
      ? { found: true, value: { dir: named, aws }, source: `$${PROVIDER_MIRROR_ENV}` }
      : { found: false, reason: `$${PROVIDER_MIRROR_ENV}=${named} holds no ${layout}` };
  }
  const aws = mirroredAwsProviders(IMAGE_PROVIDER_MIRROR);
  return aws.length > 0
    ? { found: true, value: { dir: IMAGE_PROVIDER_MIRROR, aws }, source: "the machine image" }
    : {
        found: false,
        reason: `${IMAGE_PROVIDER_MIRROR} holds no ${layout} and $${PROVIDER_MIRROR_ENV} is not set`,
      };
}

/**
 * A real Pulumi engine for the tests: the CLI, the Node.js language host and the aws provider
 * stand-in that `.ci/setup-tools` builds, a `PULUMI_HOME` and a file backend in a temp
 * directory, a passphrase for secrets, and copies of the project (`pulumi stack init` writes
 * the stack's encryption salt into its stack file, so the repository's `stacks/` is never
 * used). Each stack runs the repository's real program (`index.ts`, `components/`, `lib/`)
 * and the real policy pack (`policy-pack/`).
 */
import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ensureTools, repoRoot, type Tools } from "../harness/tools";
import { describeRun, runPulumi, type PulumiOptions, type PulumiResult } from "./pulumi-cli";

/** The passphrase of every test stack's secrets. */
export const PASSPHRASE = "tf-bootstrap engine tests";

/** The policy pack as users pass it: `--policy-pack policy-pack`. */
export const POLICY_PACK_DIR = path.join(repoRoot, "policy-pack");

/** The parts of the repository a project copy links to. */
const PROJECT_FILES = [
  "index.ts",
  "components",
  "lib",
  "package.json",
  "tsconfig.json",
  "node_modules",
];

/** A Pulumi home shared by the stacks of one suite: the plugins are installed once. */
export interface EngineHome {
  readonly dir: string;
  readonly tools: Tools;
  /** The environment every CLI run starts from (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Removes the home and every stack made in it. */
  cleanup(): void;
}

/**
 * Makes a Pulumi home in a temp directory with the aws stand-in installed as the plugin
 * `resource aws <@pulumi/aws version>` (`pulumi plugin install --file`); the language host
 * ships beside the CLI, as Pulumi's own does. Builds the tools
 * first when they are missing (`.ci/setup-tools`); fails, never skips, when that fails.
 */
export async function createEngineHome(): Promise<EngineHome> {
  const tools = await ensureTools();
  const dir = mkdtempSync(path.join(tmpdir(), "tfb-engine-"));
  const env: Record<string, string> = {
    // The language host runs programs with the node that runs the tests.
    PATH: [path.dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(
      path.delimiter,
    ),
    HOME: path.join(dir, "user"),
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    LANG: process.env.LANG ?? "C.UTF-8",
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // Plugins come from PULUMI_HOME and beside the CLI only, never from the machine's PATH.
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // Type checking is `npm run typecheck`'s job; the program is transpiled only, as in synth.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    // Makes `--event-log` (the engine's events as JSON lines) available to preview, up, destroy.
    PULUMI_DEBUG_COMMANDS: "true",
  };
  mkdirSync(env.HOME, { recursive: true });
  // Removed by cleanup(), or when the test process exits without it.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  const home: EngineHome = {
    dir,
    tools,
    env,
    cleanup: () => {
      process.removeListener("exit", removeDir);
      removeDir();
    },
  };
  try {
    const install = await runPulumi(
      ["plugin", "install", "resource", "aws", tools.awsVersion, "--file", tools.awsStandin],
      { pulumi: tools.pulumi, cwd: dir, env, timeoutMs: 120_000 },
    );
    if (install.code !== 0)
      throw new Error(`pulumi plugin install failed: ${describeRun(install)}`);
  } catch (error) {
    home.cleanup();
    throw error;
  }
  return home;
}

/** Options of {@link createStack}. */
export interface StackOptions {
  /**
   * A program that replaces `index.ts` as the project's entry point (file name and source),
   * e.g. one that changes what the real program registers before loading it.
   */
  readonly main?: { readonly file: string; readonly source: string };
}

/** A stack of a project copy, on its own file backend. */
export interface EngineStack {
  readonly name: string;
  readonly home: EngineHome;
  /** The project copy (the CLI's working directory). */
  readonly dir: string;
  /** Its `stacks/` (the project's `stackConfigDir`). */
  readonly stacksDir: string;
  /** The CLI's environment for this stack. */
  readonly env: Readonly<Record<string, string>>;
}

let stackCount = 0;

/**
 * Copies the project (the program's files linked, `Pulumi.yaml` and the stack file written),
 * points a file backend at it and runs `pulumi stack init`. `config` is the stack file's
 * `config:` map (keys like `tf-bootstrap:region`).
 */
export async function createStack(
  home: EngineHome,
  name: string,
  config: Record<string, unknown>,
  options: StackOptions = {},
): Promise<EngineStack> {
  stackCount += 1;
  const { dir, stacksDir, env } = createProjectCopy(home, `${name}-${stackCount}`, options.main);
  writeStackConfig({ name, stacksDir }, config);
  const stack: EngineStack = {
    name,
    home,
    dir,
    stacksDir,
    env,
  };
  const init = await pulumi(stack, ["stack", "init", name, "--secrets-provider", "passphrase"]);
  if (init.code !== 0) throw new Error(`pulumi stack init failed: ${describeRun(init)}`);
  return stack;
}

/** A copy of the project in the engine home: the program linked, its own file backend. */
export interface ProjectCopy {
  readonly dir: string;
  /** Its `stacks/` (the project's `stackConfigDir`). */
  readonly stacksDir: string;
  /** The home's environment with `PULUMI_BACKEND_URL` at the copy's file backend. */
  readonly env: Record<string, string>;
}

/**
 * Makes `projects/<dirName>` in the engine home: the repository's program linked, the project
 * file (with another `main` when given), an empty `stacks/` and a file backend that every stack
 * of the copy shares (so one stack's StackReference reads another).
 */
export function createProjectCopy(
  home: EngineHome,
  dirName: string,
  main?: { readonly file: string; readonly source: string },
): ProjectCopy {
  const dir = path.join(home.dir, "projects", dirName);
  const stacksDir = path.join(dir, "stacks");
  const backend = path.join(dir, ".backend");
  mkdirSync(stacksDir, { recursive: true });
  mkdirSync(backend, { recursive: true });
  for (const file of PROJECT_FILES) symlinkSync(path.join(repoRoot, file), path.join(dir, file));
  const project = parse(readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as Record<
    string,
    unknown
  >;
  if (main) {
    writeFileSync(path.join(dir, main.file), main.source);
    project.main = main.file;
  }
  writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
  return { dir, stacksDir, env: { ...home.env, PULUMI_BACKEND_URL: `file://${backend}` } };
}

/** Reads a stack file of the repository (`stacks/Pulumi.<name>.yaml`) as its config map. */
export function repositoryStackConfig(name: string): Record<string, unknown> {
  const file = parse(
    readFileSync(path.join(repoRoot, "stacks", `Pulumi.${name}.yaml`), "utf8"),
  ) as { config: Record<string, unknown> };
  return file.config;
}

/**
 * Replaces the stack's config (keeping the encryption salt `pulumi stack init` wrote), as a
 * user edits `stacks/Pulumi.<stack>.yaml` between runs.
 */
export function writeStackConfig(
  stack: Pick<EngineStack, "name" | "stacksDir">,
  config: Record<string, unknown>,
): void {
  const file = path.join(stack.stacksDir, `Pulumi.${stack.name}.yaml`);
  const previous = existsSync(file)
    ? (parse(readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  writeFileSync(file, stringify({ ...previous, config }));
}

/** Runs `pulumi <args>` for the stack. */
export function pulumi(
  stack: EngineStack,
  args: readonly string[],
  options: Partial<Pick<PulumiOptions, "eventLog" | "timeoutMs" | "onStart">> = {},
): Promise<PulumiResult> {
  return runPulumi(args, {
    pulumi: stack.home.tools.pulumi,
    cwd: stack.dir,
    env: stack.env,
    ...options,
  });
}

/** A policy pack config: policy name to its settings (`--policy-pack-config`). */
export type PackConfig = Record<string, unknown>;

let packConfigCount = 0;

/**
 * The policy pack arguments of every preview and up: `--policy-pack policy-pack`, and
 * `--policy-pack-config` with the stack's pack config merged with `overrides`, when there is
 * any config.
 */
export function policyPackArgs(stack: EngineStack, overrides: PackConfig = {}): string[] {
  // The settings every run of the stack takes; `overrides` are merged over them.
  const stackPackConfig: PackConfig = {};
  const config = { ...stackPackConfig, ...overrides };
  if (Object.keys(config).length === 0) return ["--policy-pack", POLICY_PACK_DIR];
  packConfigCount += 1;
  const file = path.join(stack.dir, `policy-pack-config-${packConfigCount}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return ["--policy-pack", POLICY_PACK_DIR, "--policy-pack-config", file];
}

/** Options of {@link preview} and {@link up}. */
export interface RunOptions {
  /** Settings merged into the policy pack config. */
  readonly packConfig?: PackConfig;
  /** More CLI arguments. */
  readonly args?: readonly string[];
  readonly onStart?: PulumiOptions["onStart"];
  readonly timeoutMs?: number;
}

function eventLogOf(stack: EngineStack): string {
  packConfigCount += 1;
  return path.join(stack.dir, `events-${packConfigCount}.jsonl`);
}

/** `pulumi preview --policy-pack policy-pack`, with the engine's events. */
export function preview(stack: EngineStack, options: RunOptions = {}): Promise<PulumiResult> {
  return pulumi(
    stack,
    ["preview", ...policyPackArgs(stack, options.packConfig), ...(options.args ?? [])],
    { eventLog: eventLogOf(stack), onStart: options.onStart, timeoutMs: options.timeoutMs },
  );
}

/** `pulumi up --yes --policy-pack policy-pack` (with its preview), with the engine's events. */
export function up(stack: EngineStack, options: RunOptions = {}): Promise<PulumiResult> {
  return pulumi(
    stack,
    ["up", "--yes", ...policyPackArgs(stack, options.packConfig), ...(options.args ?? [])],
    { eventLog: eventLogOf(stack), onStart: options.onStart, timeoutMs: options.timeoutMs },
  );
}

/** The stack's state as `pulumi stack export` writes it (secrets stay encrypted). */
export async function exportState(stack: EngineStack): Promise<StateExport> {
  const result = await pulumi(stack, ["stack", "export"]);
  if (result.code !== 0) throw new Error(`pulumi stack export failed: ${describeRun(result)}`);
  return {
    text: result.stdout,
    deployment: JSON.parse(result.stdout) as StateExport["deployment"],
  };
}

/** One resource of an exported state. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom: boolean;
  readonly id?: string;
  readonly parent?: string;
  readonly provider?: string;
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  readonly dependencies?: string[];
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** An exported state: its text and its parsed form. */
export interface StateExport {
  readonly text: string;
  readonly deployment: { readonly deployment: { readonly resources?: StateResource[] } };
}

/**
 * Runs the offline synth (`npm run synth`) on the stack's own stack file, into the stack's
 * copy; returns its `resources.json`. A mandatory violation (exit 1) still writes it.
 */
export async function synthResources(stack: EngineStack): Promise<SynthRecord[]> {
  const out = path.join(stack.dir, "out", stack.name);
  const { code, output } = await new Promise<{ code: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn(
        "npm",
        [
          "run",
          "--silent",
          "synth",
          "--",
          "--stack",
          stack.name,
          "--stacks-dir",
          stack.stacksDir,
          "--out",
          out,
        ],
        { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
      );
      let text = "";
      child.stdout.on("data", (c: Buffer) => (text += c.toString()));
      child.stderr.on("data", (c: Buffer) => (text += c.toString()));
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, output: text }));
    },
  );
  if (code !== 0 && code !== 1) throw new Error(`npm run synth exited ${code}:\n${output}`);
  return JSON.parse(readFileSync(path.join(out, "resources.json"), "utf8")) as SynthRecord[];
}

/** One resource of the synth's `resources.json`. */
export interface SynthRecord {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent?: string;
  readonly provider?: string;
  readonly accountId?: string;
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependsOn: readonly string[];
}

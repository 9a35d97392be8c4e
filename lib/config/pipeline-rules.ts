/**
 * The rules of `ci.pipeline` that involve more than one field: the Terraform roots (names that
 * end up in state keys, job names and comment markers; directories that do not overlap;
 * workspaces that exist), the environment order, and the tool release's checksum. Checked on
 * the raw config so they are reported together with the schema's errors.
 */
import type { ConfigProblem } from "../errors/config-error";
import { pinnedToolSha256, type PipelineTool } from "../pipeline/pins";
import { follows, type NameRule } from "./rules";
import { objectAt, type Raw } from "./raw";

type PathOf = (path: readonly PropertyKey[]) => string;

/**
 * A Terraform root's name. It becomes a state key segment (`<name>/terraform.tfstate`), part of
 * job ids and check names, and part of an HTML comment marker (where `--` is not allowed).
 */
export const ROOT_NAME: NameRule = {
  pattern: /^[a-z](?:-?[a-z0-9])*$/,
  maxLength: 32,
  allowed:
    "lowercase letters, digits and single '-', starting with a letter and not ending with '-', at most 32 characters",
  example: "network",
};

/** A path inside the repository whose change replans every root (a shared module folder). */
export const REPOSITORY_PATH: NameRule = {
  pattern: /^(?!\.\.?(?:\/|$))[\w.-]+(?:\/(?!\.\.?(?:\/|$))[\w.-]+)*$/,
  maxLength: 255,
  allowed:
    "a relative path inside the repository: letters, digits, '_', '.', '-' and '/', no '..' or '.' segment, no leading or trailing '/'",
  example: "modules",
};

/** A five-field cron schedule (minute hour day-of-month month day-of-week), UTC. */
export const CRON_SCHEDULE: NameRule = {
  pattern: /^[\d*,/-]+ [\d*,/-]+ [\d*,/-]+ [\d*,/A-Za-z-]+ [\d*,/A-Za-z-]+$/,
  maxLength: 100,
  allowed:
    "a five-field cron schedule (minute hour day-of-month month day-of-week, in UTC) such as '23 5 * * 1-5'",
  example: "23 5 * * 1-5",
};

/** A SHA-256 in lowercase hex. */
export const SHA256_HEX: NameRule = {
  pattern: /^[0-9a-f]{64}$/,
  maxLength: 64,
  allowed: "64 lowercase hexadecimal digits (a SHA-256)",
  example: "1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc",
};

/** The state object of a root that keeps the layout of a stack without roots. */
export const SHARED_STATE_KEY = "terraform.tfstate";

/** The most parallel jobs a stage's matrix may run (GitHub's matrix limit). */
export const MAX_PARALLEL_LIMIT = 256;

function rawWorkspaces(raw: Raw): string[] {
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  return products.flatMap((p) => {
    if (typeof p !== "object" || p === null) return [];
    const account = p as Raw;
    const workspace = account.workspace ?? account.name;
    return typeof workspace === "string" ? [workspace] : [];
  });
}

function rawEnvironments(raw: Raw): string[] {
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  const environments = products.flatMap((p) => {
    if (typeof p !== "object" || p === null) return [];
    const account = p as Raw;
    const environment = account.environment ?? account.workspace ?? account.name;
    return typeof environment === "string" ? [environment] : [];
  });
  return [...new Set(environments)];
}

/** Whether directory `a` is `b` or inside it (`.` holds everything). */
function within(a: string, b: string): boolean {
  return b === "." || a === b || a.startsWith(`${b}/`);
}

function rootProblems(raw: Raw, pipeline: Raw, at: PathOf): ConfigProblem[] {
  const roots = pipeline.roots;
  if (!Array.isArray(roots)) return [];
  const problems: ConfigProblem[] = [];
  if (pipeline.terraformDirectory !== undefined) {
    problems.push({
      path: at(["ci", "pipeline", "terraformDirectory"]),
      value: pipeline.terraformDirectory,
      message:
        "is set together with 'roots'; with roots, each root names its own directory. Move it into a root ({ name, directory }) or remove it.",
    });
  }
  const workspaces = rawWorkspaces(raw);
  const known = new Set(workspaces);
  const keyPrefix = objectAt(raw, "state").keyPrefix ?? "terraform";
  const names = new Map<string, number>();
  const directories: { directory: string; index: number }[] = [];
  let sharedKeyAt: number | undefined;
  roots.forEach((root: unknown, i) => {
    if (typeof root !== "object" || root === null || Array.isArray(root)) return;
    const r = root as Raw;
    const path = (...rest: PropertyKey[]) => at(["ci", "pipeline", "roots", i, ...rest]);
    if (typeof r.name === "string" && follows(ROOT_NAME, r.name)) {
      const first = names.get(r.name);
      if (first !== undefined) {
        problems.push({
          path: path("name"),
          value: r.name,
          message: `repeats the name of roots[${first}]; each root needs its own name (it keys the root's state, jobs and plan comment). Rename one.`,
        });
      } else names.set(r.name, i);
      if (r.name === keyPrefix && r.stateKey !== SHARED_STATE_KEY) {
        problems.push({
          path: path("name"),
          value: r.name,
          message: `is the state key prefix (state.keyPrefix '${keyPrefix}'): the root's default-workspace state '${r.name}/terraform.tfstate' would lie among the workspaces' states. Choose another name.`,
        });
      }
    }
    if (typeof r.directory === "string") {
      const clash = directories.find(
        (d) =>
          within(r.directory as string, d.directory) || within(d.directory, r.directory as string),
      );
      if (clash) {
        problems.push({
          path: path("directory"),
          value: r.directory,
          message: `overlaps the directory '${clash.directory}' of roots[${clash.index}]; a file would belong to two roots. Give each root a directory of its own, neither inside the other.`,
        });
      }
      directories.push({ directory: r.directory, index: i });
    }
    if (r.stateKey === SHARED_STATE_KEY) {
      if (sharedKeyAt !== undefined) {
        problems.push({
          path: path("stateKey"),
          value: r.stateKey,
          message: `is also set on roots[${sharedKeyAt}]; only one root can keep the state layout of a single root, or both would share one state. Remove it from one.`,
        });
      }
      sharedKeyAt = i;
    }
    if (Array.isArray(r.workspaces)) {
      const seen = new Set<string>();
      r.workspaces.forEach((w: unknown, j) => {
        if (typeof w !== "string") return;
        if (!known.has(w)) {
          problems.push({
            path: path("workspaces", j),
            value: w,
            message: `is not the workspace of any product account; the workspaces are ${workspaces.join(", ")}. Correct the name or remove it.`,
          });
        } else if (seen.has(w)) {
          problems.push({
            path: path("workspaces", j),
            value: w,
            message: "appears twice in this root. Remove one.",
          });
        }
        seen.add(w);
      });
    }
  });
  return problems;
}

function environmentOrderProblems(raw: Raw, pipeline: Raw, at: PathOf): ConfigProblem[] {
  const order = pipeline.environmentOrder;
  if (!Array.isArray(order)) return [];
  const problems: ConfigProblem[] = [];
  if (pipeline.applyOrder !== undefined) {
    problems.push({
      path: at(["ci", "pipeline", "environmentOrder"]),
      value: order,
      message:
        "is set together with 'applyOrder'; the apply stages come from one of them. Keep environmentOrder (one stage per environment) or applyOrder (stages of workspaces).",
    });
  }
  const environments = rawEnvironments(raw);
  const known = new Set(environments);
  const seen = new Set<string>();
  order.forEach((environment: unknown, i) => {
    if (typeof environment !== "string") return;
    const path = at(["ci", "pipeline", "environmentOrder", i]);
    if (!known.has(environment)) {
      problems.push({
        path,
        value: environment,
        message: `is not the environment of any product account; the environments are ${environments.join(", ")}. Correct the name or remove it.`,
      });
    } else if (seen.has(environment)) {
      problems.push({ path, value: environment, message: "appears twice. Remove one." });
    }
    seen.add(environment);
  });
  const missing = environments.filter((e) => !seen.has(e));
  if (missing.length > 0) {
    problems.push({
      path: at(["ci", "pipeline", "environmentOrder"]),
      value: order,
      message: `leaves out the environment(s) ${missing.join(", ")}; every environment is applied in one stage. Add them, or remove environmentOrder for the default order.`,
    });
  }
  return problems;
}

function toolSha256Problems(pipeline: Raw, at: PathOf, defaultVersion: string): ConfigProblem[] {
  const tool: PipelineTool = pipeline.tool === "tofu" ? "tofu" : "terraform";
  if (pipeline.tool !== undefined && pipeline.tool !== "tofu" && pipeline.tool !== "terraform") {
    return [];
  }
  const version = typeof pipeline.toolVersion === "string" ? pipeline.toolVersion : defaultVersion;
  const given = pipeline.toolSha256;
  const pinned = pinnedToolSha256(tool, version);
  if (given === undefined && pinned === undefined) {
    return [
      {
        path: at(["ci", "pipeline", "toolSha256"]),
        value: undefined,
        message: `is required for ${tool} ${version}, a release tf-bootstrap has no checksum for: the pipelines install only an archive whose SHA-256 they know. Set it to the SHA-256 of ${tool}_${version}_linux_amd64.zip from the release's signed SHA256SUMS, or use a release the table in lib/pipeline/pins.ts lists.`,
      },
    ];
  }
  if (typeof given === "string" && pinned !== undefined && given !== pinned) {
    return [
      {
        path: at(["ci", "pipeline", "toolSha256"]),
        value: given,
        message: `is not the SHA-256 of the official ${tool} ${version} linux_amd64 archive (${pinned}). Remove it (the pinned checksum is used) or correct it.`,
      },
    ];
  }
  return [];
}

/** Every cross-field problem of `ci.pipeline`. `defaultVersion` is the tool's default release. */
export function pipelineConfigProblems(
  raw: Raw,
  pipeline: Raw,
  at: PathOf,
  defaultVersion: string,
): ConfigProblem[] {
  return [
    ...rootProblems(raw, pipeline, at),
    ...environmentOrderProblems(raw, pipeline, at),
    ...toolSha256Problems(pipeline, at, defaultVersion),
  ];
}

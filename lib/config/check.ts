/**
 * Checks a stack file the way the commands read it: YAML syntax, then the config, every problem
 * and warning with its place in the file. Keys the program never reads (no namespace, or a
 * misspelt one) are warned about, and named in the problem of the setting they were meant for.
 */
import type { ConfigProblem } from "../errors/config-error";
import { closest } from "./closest";
import {
  CONFIG_NAMESPACE,
  decodeConfigValue,
  decodePulumiConfig,
  parseStackConfig,
  type TopologyConfig,
} from "./parse";
import { STACK_CONFIG_KEYS } from "./schema";
import { parseStackFile, type StackFileSource } from "./stack-file";

/** Namespaces of other programs a stack file may rightly hold. */
const OTHER_NAMESPACES = ["pulumi", "aws"];

/** The outcome of checking a stack file. */
export type StackFileCheck =
  | {
      readonly ok: true;
      readonly flat: Record<string, string>;
      readonly config: TopologyConfig;
      readonly warnings: readonly ConfigProblem[];
    }
  | {
      readonly ok: false;
      readonly problems: readonly ConfigProblem[];
      readonly warnings: readonly ConfigProblem[];
    };

interface ForeignKey {
  readonly key: string;
  /** The setting it was likely meant as, when it names one. */
  readonly intended: string | undefined;
  readonly warning: ConfigProblem;
}

/** Keys the program will not read that look meant for it. */
export function foreignKeys(flat: Readonly<Record<string, string>>): ForeignKey[] {
  const out: ForeignKey[] = [];
  for (const key of Object.keys(flat)) {
    const colon = key.indexOf(":");
    const ns = colon < 0 ? undefined : key.slice(0, colon);
    const name = colon < 0 ? key : key.slice(colon + 1);
    if (ns === CONFIG_NAMESPACE) continue;
    const known = STACK_CONFIG_KEYS.includes(name) ? name : closest(name, STACK_CONFIG_KEYS);
    if (ns !== undefined && OTHER_NAMESPACES.includes(ns)) continue;
    const nsTypo = ns !== undefined && closest(ns, [CONFIG_NAMESPACE]) !== undefined;
    if (ns !== undefined && !nsTypo && known === undefined) continue;
    const fix = `${CONFIG_NAMESPACE}:${known ?? name}`;
    const why =
      ns === undefined
        ? `has no '${CONFIG_NAMESPACE}:' prefix, so the program never reads it`
        : `is in the namespace '${ns}', not '${CONFIG_NAMESPACE}', so the program never reads it`;
    out.push({
      key,
      intended: known,
      warning: {
        path: key,
        value: decodeConfigValue(flat[key] ?? ""),
        message: `${why}. Rename it to '${fix}'.`,
      },
    });
  }
  return out;
}

/** The path one level up: `a.b[1].c` → `a.b[1]` → `a.b` → `a`; undefined at the top. */
function parentPath(path: string): string | undefined {
  const match = /^(.+?)(?:\.[^.[\]]+|\[\d+\])$/.exec(path);
  return match?.[1];
}

/** The position of `path`, or of its nearest ancestor that has one. */
function locate(source: StackFileSource, path: string): string | undefined {
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    const at = source.positions.get(p);
    if (at) return `${source.file}:${at.line}:${at.column}`;
  }
  return undefined;
}

function located(source: StackFileSource, problem: ConfigProblem): ConfigProblem {
  if (problem.location) return problem;
  const location = locate(source, problem.path);
  return location ? { ...problem, location } : problem;
}

/** Checks the text of a stack file; `file` names it in every message. */
export function checkStackFile(text: string, file: string): StackFileCheck {
  const parsed = parseStackFile(text, file);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, warnings: [] };
  const { flat, source } = parsed;
  const foreign = foreignKeys(flat);
  const result = parseStackConfig(decodePulumiConfig(flat), {
    numberSources: new Map(
      [...source.numberSources].filter(([path]) => path.startsWith(`${CONFIG_NAMESPACE}:`)),
    ),
  });
  const explained = new Set<ForeignKey>();
  const explain = (problem: ConfigProblem): ConfigProblem => {
    const meant = foreign.find(
      (f) => f.intended !== undefined && problem.path === `${CONFIG_NAMESPACE}:${f.intended}`,
    );
    if (!meant || problem.value !== undefined) return problem;
    explained.add(meant);
    return {
      ...problem,
      location: locate(source, meant.key),
      message: `${problem.message} The file has '${meant.key}', which the program never reads: rename it to '${CONFIG_NAMESPACE}:${meant.intended}'.`,
    };
  };
  const warningsOf = (own: readonly ConfigProblem[]) =>
    [...foreign.filter((f) => !explained.has(f)).map((f) => f.warning), ...own].map((w) =>
      located(source, w),
    );
  if (!result.ok) {
    const problems = result.problems.map(explain).map((p) => located(source, p));
    return { ok: false, problems, warnings: warningsOf(result.warnings) };
  }
  return { ok: true, flat, config: result.config, warnings: warningsOf(result.warnings) };
}

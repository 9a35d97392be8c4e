/**
 * Reads a `Pulumi.<stack>.yaml` file into the flat config map Pulumi hands a program, and keeps
 * where each value stands in the file so config errors can point at `file:line:column`. A file
 * that is not valid YAML gives one problem per broken line, each with its position and the fix;
 * it never throws the parser's own error.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
} from "yaml";
import { ConfigError, type ConfigProblem } from "../errors/config-error";
import { keyAt, yamlProblem } from "./yaml-problems";

/** A position in the stack file, 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Where the values of a stack file stand, by config path (`tf-bootstrap:ci.mode`). */
export interface StackFileSource {
  /** The file, as messages name it. */
  readonly file: string;
  /** Position of each value (of its key, for a mapping entry), by config path. */
  readonly positions: ReadonlyMap<string, SourcePosition>;
  /** The source text of each number, by config path (`012345678901` read as 12345678901). */
  readonly numberSources: ReadonlyMap<string, string>;
}

/** A stack file read into Pulumi's flat config map, or every syntax problem found. */
export type StackFileParse =
  | {
      readonly ok: true;
      readonly flat: Record<string, string>;
      readonly source: StackFileSource;
    }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/** Parser errors that do not follow from another one. */
const INDEPENDENT = new Set(["TAB_AS_INDENT", "DUPLICATE_KEY"]);

/** More aliases than this in one file is an alias bomb, not a stack config. */
const MAX_ALIAS_COUNT = 100;

interface Walk {
  readonly lines: LineCounter;
  readonly positions: Map<string, SourcePosition>;
  readonly ranges: { path: string; start: number; end: number }[];
  readonly numberSources: Map<string, string>;
}

function position(lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** A path under a full config key as problems show it: `tf-bootstrap:productAccounts[1].id`. */
function renderPath(path: readonly PropertyKey[]): string {
  let out = "";
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? String(part) : `.${String(part)}`;
  });
  return out;
}

/** Records positions, ranges and number sources of `node` and everything under it. */
function walk(node: unknown, path: PropertyKey[], w: Walk, at?: YamlNode): void {
  const key = renderPath(path);
  const start = (at ?? (node as YamlNode | undefined))?.range?.[0];
  const end = (node as YamlNode | undefined)?.range?.[2] ?? at?.range?.[2];
  if (start !== undefined && end !== undefined) {
    if (!w.positions.has(key)) w.positions.set(key, position(w.lines, start));
    w.ranges.push({ path: key, start, end });
  }
  if (isScalar(node) && typeof node.value === "number") {
    const source = (node.srcToken as { source?: string } | undefined)?.source;
    if (source !== undefined) w.numberSources.set(key, source);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === undefined) continue;
      walk(pair.value, [...path, k], w, (pair.key as YamlNode | null) ?? undefined);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, [...path, i], w));
  }
}

/** The innermost config path whose text holds `offset`; `config` when none does. */
function pathAt(ranges: Walk["ranges"], offset: number): string {
  let best: Walk["ranges"][number] | undefined;
  for (const r of ranges) {
    if (
      r.start <= offset &&
      offset <= r.end &&
      (!best || r.end - r.start <= best.end - best.start)
    ) {
      best = r;
    }
  }
  return best?.path ?? "config";
}

/** Aliases that point at a node holding them: a value that would contain itself. */
function selfReferences(doc: Document): YamlNode[] {
  const found: YamlNode[] = [];
  visit(doc, {
    Alias(_key, alias, ancestors) {
      const target = alias.resolve(doc);
      if (target && ancestors.includes(target)) found.push(alias);
    },
  });
  return found;
}

function firstAlias(doc: Document, unresolvedOnly: boolean): YamlNode | undefined {
  let found: YamlNode | undefined;
  visit(doc, {
    Alias(_key, alias) {
      if (unresolvedOnly && alias.resolve(doc) !== undefined) return undefined;
      found = alias;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * Parses a stack file. `file` names it in messages (`stacks/Pulumi.acme.yaml`). Keys of every
 * namespace are kept in the flat map, as Pulumi keeps them; values are strings, structured
 * values JSON text, and an empty value the text `null`.
 */
export function parseStackFile(text: string, file = "the stack file"): StackFileParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, uniqueKeys: true });
  const w: Walk = { lines, positions: new Map(), ranges: [], numberSources: new Map() };
  const root = doc.contents;
  const configPair = isMap(root)
    ? root.items.find((p) => isScalar(p.key) && p.key.value === "config")
    : undefined;
  const configNode = isPair(configPair) ? configPair.value : undefined;
  if (isMap(configNode)) {
    for (const pair of configNode.items) {
      if (!isScalar(pair.key)) continue;
      walk(pair.value, [String(pair.key.value)], w, pair.key ?? undefined);
    }
  }
  const at = (offset: number) => ({ ...position(lines, offset), path: pathAt(w.ranges, offset) });
  // A syntax error leaves a broken structure: its line is named by the key written on it.
  const atLine = (offset: number) => {
    const where = position(lines, offset);
    return { ...where, path: keyAt(text, where.line) ?? pathAt(w.ranges, offset) };
  };

  // Tabs and duplicate keys are reported wherever they are; of the other errors only the first,
  // since the parser's later complaints mostly follow from it (or from a tab).
  const problems: ConfigProblem[] = [];
  const seenLines = new Set<number>();
  const independent = doc.errors.filter((e) => INDEPENDENT.has(e.code));
  const tabs = independent.some((e) => e.code === "TAB_AS_INDENT");
  const structural = doc.errors.find((e) => !INDEPENDENT.has(e.code));
  const reported = [...independent, ...(structural && !tabs ? [structural] : [])];
  for (const error of reported.sort((a, b) => a.pos[0] - b.pos[0])) {
    const where = atLine(error.pos[0]);
    if (seenLines.has(where.line)) continue;
    seenLines.add(where.line);
    problems.push(yamlProblem(file, where, error.code, error.message, text));
  }
  if (problems.length > 0) return { ok: false, problems };

  for (const alias of selfReferences(doc)) {
    problems.push(yamlProblem(file, at(alias.range?.[0] ?? 0), "SELF_REFERENCE", "", text));
  }
  const unresolved = firstAlias(doc, true);
  if (unresolved) {
    problems.push(yamlProblem(file, at(unresolved.range?.[0] ?? 0), "BAD_ALIAS", "", text));
  }
  if (problems.length > 0) return { ok: false, problems };

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    // toJS throws for one reason the checks above leave: more alias expansions than allowed.
    const alias = firstAlias(doc, false);
    return {
      ok: false,
      problems: [yamlProblem(file, at(alias?.range?.[0] ?? 0), "RESOURCE_EXHAUSTION", "", text)],
    };
  }

  if (js !== null && js !== undefined && (typeof js !== "object" || Array.isArray(js))) {
    return {
      ok: false,
      problems: [yamlProblem(file, at(root?.range?.[0] ?? 0), "NOT_A_MAPPING", "", text)],
    };
  }
  const config = (js as { config?: unknown } | null | undefined)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    const offset = (configNode as YamlNode | undefined)?.range?.[0] ?? 0;
    return {
      ok: false,
      problems: [yamlProblem(file, at(offset), "CONFIG_NOT_A_MAPPING", "", text)],
    };
  }
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    flat[key] = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
  }
  return {
    ok: true,
    flat,
    source: { file, positions: w.positions, numberSources: w.numberSources },
  };
}

/**
 * Reads a stack file into the flat config map Pulumi hands a program: every key fully qualified,
 * every value a string, structured values as JSON text. Throws a {@link ConfigError} listing the
 * syntax problems of a file that is not valid YAML.
 */
export function flatConfigFromStackFile(text: string, file?: string): Record<string, string> {
  const parsed = parseStackFile(text, file);
  if (!parsed.ok) throw new ConfigError(parsed.problems, file);
  return parsed.flat;
}

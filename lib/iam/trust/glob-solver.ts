/**
 * A small decision procedure for questions about sets of strings described by IAM wildcard
 * patterns: "is there a string that matches these patterns and not those?".
 *
 * Each pattern is a sequence of tokens — a literal character, `?` (one character) or `*` (any
 * run) — where a wildcard may exclude a few characters (an ARN component cannot contain `:`).
 * A {@link Formula} combines pattern atoms with and/or/not. {@link solve} decides whether some
 * string satisfies the formula by exploring the product of the patterns' automata breadth-first
 * over a finite alphabet. In any product state only the characters that the current tokens react
 * to (their literals and the characters their wildcards exclude) behave differently from the
 * rest, so the search tries those plus one fresh character standing for all the others. The answer is exact; a state budget turns
 * pathological inputs into `unknown`, which callers must treat as "possibly satisfiable".
 *
 * Pattern inclusion (`globIncludes`) is the special case "p and not (q1 or ... or qn)" is
 * unsatisfiable.
 */

/** One position of a compiled pattern. */
export type GlobToken =
  | { readonly t: "lit"; readonly c: string; readonly ci: boolean }
  | { readonly t: "one"; readonly ex: string }
  | { readonly t: "star"; readonly ex: string };

/** A compiled pattern: it matches a string when the whole string matches the token sequence. */
export type Glob = readonly GlobToken[];

/** Options for {@link pattern} and {@link literal}. */
export interface GlobOptions {
  /** Letters match either case. Default `false`. */
  readonly ignoreCase?: boolean;
  /** Characters the wildcards of this pattern cannot match. Default: none. */
  readonly exclude?: string;
}

function litToken(ch: string, ignoreCase: boolean): GlobToken {
  return { t: "lit", c: ignoreCase ? ch.toLowerCase() : ch, ci: ignoreCase };
}

/** Tokens matching exactly `text` (no wildcards: `*` and `?` are literal characters). */
export function literal(text: string, options: GlobOptions = {}): GlobToken[] {
  const ignoreCase = options.ignoreCase === true;
  const tokens: GlobToken[] = [];
  for (let i = 0; i < text.length; i += 1) {
    tokens.push(litToken(text.charAt(i), ignoreCase));
  }
  return tokens;
}

/** Tokens for an IAM wildcard pattern (`*` any run, `?` one character). */
export function pattern(text: string, options: GlobOptions = {}): GlobToken[] {
  const ignoreCase = options.ignoreCase === true;
  const ex = options.exclude ?? "";
  const tokens: GlobToken[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (ch === "*") {
      tokens.push({ t: "star", ex });
    } else if (ch === "?") {
      tokens.push({ t: "one", ex });
    } else {
      tokens.push(litToken(ch, ignoreCase));
    }
  }
  return tokens;
}

/** A `*` token whose matches cannot contain any character of `exclude`. */
export function star(exclude = ""): GlobToken {
  return { t: "star", ex: exclude };
}

/** A boolean combination of pattern atoms. */
export type Formula =
  | { readonly k: "const"; readonly v: boolean }
  | { readonly k: "atom"; readonly g: Glob; readonly key: string }
  | { readonly k: "not"; readonly f: Formula }
  | { readonly k: "and"; readonly fs: readonly Formula[] }
  | { readonly k: "or"; readonly fs: readonly Formula[] };

/** The formula that every string satisfies. */
export const TRUE: Formula = { k: "const", v: true };
/** The formula that no string satisfies. */
export const FALSE: Formula = { k: "const", v: false };

function tokenKey(token: GlobToken): string {
  switch (token.t) {
    case "lit":
      return token.ci ? `i${token.c}` : `l${token.c}`;
    case "one":
      return `?${token.ex}\u0001`;
    case "star":
      return `*${token.ex}\u0001`;
  }
}

/** The strings matching `glob`. */
export function atom(glob: Glob): Formula {
  return { k: "atom", g: glob, key: glob.map(tokenKey).join("") };
}

/** Conjunction; constants are folded. */
export function and(...formulas: readonly Formula[]): Formula {
  const parts: Formula[] = [];
  for (const f of formulas) {
    if (f.k === "const") {
      if (!f.v) {
        return FALSE;
      }
    } else if (f.k === "and") {
      parts.push(...f.fs);
    } else {
      parts.push(f);
    }
  }
  if (parts.length === 0) {
    return TRUE;
  }
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : { k: "and", fs: parts };
}

/** Disjunction; constants are folded. */
export function or(...formulas: readonly Formula[]): Formula {
  const parts: Formula[] = [];
  for (const f of formulas) {
    if (f.k === "const") {
      if (f.v) {
        return TRUE;
      }
    } else if (f.k === "or") {
      parts.push(...f.fs);
    } else {
      parts.push(f);
    }
  }
  if (parts.length === 0) {
    return FALSE;
  }
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : { k: "or", fs: parts };
}

/** Negation; constants and double negations are folded. */
export function not(formula: Formula): Formula {
  if (formula.k === "const") {
    return formula.v ? FALSE : TRUE;
  }
  if (formula.k === "not") {
    return formula.f;
  }
  return { k: "not", f: formula };
}

/** Result of {@link solve}. */
export type SolveResult =
  | { readonly kind: "sat"; readonly witness: string }
  | { readonly kind: "unsat" }
  | { readonly kind: "unknown" };

/** Options for {@link solve}. */
export interface SolveOptions {
  /** Product states explored before giving up with `unknown`. Default 20,000. */
  readonly maxStates?: number;
}

const FRESH_CANDIDATES = "xyzqwkjvb0123456789-_";

/** A formula whose atoms are numbered. */
type Compiled =
  | { readonly k: "const"; readonly v: boolean }
  | { readonly k: "atom"; readonly i: number }
  | { readonly k: "not"; readonly f: Compiled }
  | { readonly k: "and" | "or"; readonly fs: readonly Compiled[] };

function compile(formula: Formula, index: Map<string, number>, globs: Glob[]): Compiled {
  switch (formula.k) {
    case "const":
      return formula;
    case "atom": {
      let i = index.get(formula.key);
      if (i === undefined) {
        i = globs.length;
        index.set(formula.key, i);
        globs.push(formula.g);
      }
      return { k: "atom", i };
    }
    case "not":
      return { k: "not", f: compile(formula.f, index, globs) };
    case "and":
    case "or":
      return { k: formula.k, fs: formula.fs.map((f) => compile(f, index, globs)) };
  }
}

/** Three-valued: 0 false, 1 true, 2 unknown. */
type Tri = 0 | 1 | 2;

/**
 * Evaluates with, per atom, 0/1 (known for this string and every extension of it) or 2.
 * With `now` values (0/1 only) this is plain evaluation of the current string.
 */
function evaluate(formula: Compiled, values: readonly Tri[]): Tri {
  switch (formula.k) {
    case "const":
      return formula.v ? 1 : 0;
    case "atom":
      return values[formula.i] ?? 2;
    case "not": {
      const v = evaluate(formula.f, values);
      return v === 2 ? 2 : v === 1 ? 0 : 1;
    }
    case "and": {
      let result: Tri = 1;
      for (const f of formula.fs) {
        const v = evaluate(f, values);
        if (v === 0) {
          return 0;
        }
        if (v === 2) {
          result = 2;
        }
      }
      return result;
    }
    case "or": {
      let result: Tri = 0;
      for (const f of formula.fs) {
        const v = evaluate(f, values);
        if (v === 1) {
          return 1;
        }
        if (v === 2) {
          result = 2;
        }
      }
      return result;
    }
  }
}

/** Adds the positions reachable through `*` tokens matching the empty string. */
function closure(glob: Glob, positions: Iterable<number>): number[] {
  const result = new Set<number>();
  for (const start of positions) {
    let i = start;
    result.add(i);
    while (i < glob.length && glob[i]?.t === "star") {
      i += 1;
      result.add(i);
    }
  }
  return [...result].sort((a, b) => a - b);
}

function step(glob: Glob, positions: readonly number[], ch: string): number[] {
  const next: number[] = [];
  const lower = ch.toLowerCase();
  for (const i of positions) {
    const token = glob[i];
    if (token === undefined) {
      continue;
    }
    if (token.t === "lit") {
      if (token.ci ? lower === token.c : ch === token.c) {
        next.push(i + 1);
      }
    } else if (!token.ex.includes(ch)) {
      next.push(token.t === "one" ? i + 1 : i);
    }
  }
  return next.length === 0 ? next : closure(glob, next);
}

/** The characters a token reacts to: its literal (both cases if case-insensitive) or exclusions. */
function tokenChars(token: GlobToken): string[] {
  if (token.t !== "lit") {
    return [...token.ex];
  }
  if (!token.ci) {
    return [token.c];
  }
  const variants = new Set([token.c]);
  for (const variant of [token.c.toUpperCase(), token.c.toLowerCase()]) {
    if (variant.length === 1) {
      variants.add(variant);
    }
  }
  return [...variants];
}

/** A character that no token of `globs` reacts to; it stands for all such characters. */
function freshChar(globs: readonly Glob[]): string {
  const chars = new Set<string>();
  for (const glob of globs) {
    for (const token of glob) {
      for (const ch of tokenChars(token)) {
        chars.add(ch);
      }
    }
  }
  const unused = (ch: string): boolean =>
    !chars.has(ch) && !chars.has(ch.toUpperCase()) && !chars.has(ch.toLowerCase());
  let fresh = [...FRESH_CANDIDATES].find(unused);
  for (let code = 0x100; fresh === undefined; code += 1) {
    const ch = String.fromCharCode(code);
    if (unused(ch)) {
      fresh = ch;
    }
  }
  return fresh;
}

/**
 * Decides whether some string satisfies `formula`. On `sat`, `witness` is a shortest such
 * string (its characters come from the patterns, plus one fresh character such as `x` standing
 * for "any other character").
 */
export function solve(formula: Formula, options: SolveOptions = {}): SolveResult {
  if (formula.k === "const") {
    return formula.v ? { kind: "sat", witness: "" } : { kind: "unsat" };
  }
  const globs: Glob[] = [];
  const compiled = compile(formula, new Map(), globs);
  const fresh = freshChar(globs);
  // Per pattern and position: the characters that behave differently from `fresh` there.
  const reactive = globs.map((glob) => glob.map(tokenChars));
  // Per pattern and position: whether every extension matches from there (only plain stars left).
  const universal = globs.map((glob) => {
    const flags: boolean[] = new Array<boolean>(glob.length + 1).fill(false);
    flags[glob.length] = false;
    for (let i = glob.length - 1; i >= 0; i -= 1) {
      const token = glob[i];
      flags[i] =
        token !== undefined &&
        token.t === "star" &&
        token.ex === "" &&
        (i === glob.length - 1 || flags[i + 1] === true);
    }
    return flags;
  });
  const maxStates = options.maxStates ?? 20_000;

  interface Node {
    readonly states: readonly (readonly number[])[];
    readonly parent: number;
    readonly ch: string;
  }
  const nodes: Node[] = [{ states: globs.map((g) => closure(g, [0])), parent: -1, ch: "" }];
  const seen = new Set<string>([nodes[0]?.states.map((s) => s.join(",")).join("|") ?? ""]);
  const now: Tri[] = new Array<Tri>(globs.length).fill(0);
  const future: Tri[] = new Array<Tri>(globs.length).fill(2);
  for (let index = 0; index < nodes.length; index += 1) {
    const node = nodes[index];
    if (node === undefined) {
      break;
    }
    node.states.forEach((positions, i) => {
      const glob = globs[i] ?? [];
      now[i] = positions.includes(glob.length) ? 1 : 0;
      const flags = universal[i] ?? [];
      future[i] = positions.length === 0 ? 0 : positions.some((p) => flags[p] === true) ? 1 : 2;
    });
    if (evaluate(compiled, now) === 1) {
      let witness = "";
      for (let at = index; at > 0;) {
        const current = nodes[at];
        if (current === undefined) {
          break;
        }
        witness = current.ch + witness;
        at = current.parent;
      }
      return { kind: "sat", witness };
    }
    if (evaluate(compiled, future) !== 2) {
      continue; // the value can no longer change along any extension (and it is false now)
    }
    // At this state every character outside `relevant` behaves exactly like `fresh`.
    const relevant = new Set<string>([fresh]);
    node.states.forEach((positions, i) => {
      const chars = reactive[i] ?? [];
      for (const position of positions) {
        for (const ch of chars[position] ?? []) {
          relevant.add(ch);
        }
      }
    });
    for (const ch of relevant) {
      const states = node.states.map((positions, i) => step(globs[i] ?? [], positions, ch));
      const key = states.map((s) => s.join(",")).join("|");
      if (!seen.has(key)) {
        if (nodes.length >= maxStates) {
          return { kind: "unknown" };
        }
        seen.add(key);
        nodes.push({ states, parent: index, ch });
      }
    }
  }
  return { kind: "unsat" };
}

/** Result of {@link globIncludes}. */
export type InclusionResult =
  | { readonly kind: "included" }
  | { readonly kind: "not-included"; readonly witness: string }
  | { readonly kind: "unknown" };

/**
 * Whether every string matched by `sub` is matched by at least one of `sups` (exact, up to the
 * state budget). On `not-included`, `witness` is a string matched by `sub` and by none of `sups`.
 */
export function globIncludes(
  sub: Glob,
  sups: readonly Glob[],
  options: SolveOptions = {},
): InclusionResult {
  const result = solve(and(atom(sub), not(or(...sups.map(atom)))), options);
  switch (result.kind) {
    case "sat":
      return { kind: "not-included", witness: result.witness };
    case "unsat":
      return { kind: "included" };
    case "unknown":
      return { kind: "unknown" };
  }
}

/**
 * Whether every string matched by the IAM wildcard pattern `sub` is matched by one of the
 * patterns `sups` — e.g. `repo:org/repo:ref:refs/heads/main` is included in `repo:org/repo:*`,
 * but `repo:org/repo:*` is not included in `repo:org/repo:ref:refs/heads/main`.
 */
export function patternIncludes(
  sub: string,
  sups: readonly string[],
  options: { readonly ignoreCase?: boolean } & SolveOptions = {},
): InclusionResult {
  const globOptions = { ignoreCase: options.ignoreCase === true };
  return globIncludes(
    pattern(sub, globOptions),
    sups.map((s) => pattern(s, globOptions)),
    options,
  );
}

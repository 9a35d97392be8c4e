/**
 * Building and collecting trust findings.
 */
import type { ConditionEntry } from "./conditions";
import type { StatementInfo } from "./statements";
import type { TrustFinding } from "./types";

/** A finding with its path. */
export function finding(id: string, path: string, message: string): TrustFinding {
  return { id, message, path };
}

/** Collects findings, dropping repeats of the same id at the same path. */
export class FindingSink {
  private readonly byKey = new Map<string, TrustFinding>();

  /** Adds a finding unless one with the same id and path is already there. */
  add(item: TrustFinding): void {
    const key = `${item.path ?? ""}\u0000${item.id}`;
    if (!this.byKey.has(key)) {
      this.byKey.set(key, item);
    }
  }

  /** How many findings have been kept. */
  size(): number {
    return this.byKey.size;
  }

  /** The findings, ordered by statement index, then path, then id. */
  list(): TrustFinding[] {
    return [...this.byKey.values()].sort((a, b) => {
      const ia = statementIndex(a.path);
      const ib = statementIndex(b.path);
      if (ia !== ib) {
        return ia - ib;
      }
      const pa = a.path ?? "";
      const pb = b.path ?? "";
      if (pa !== pb) {
        return pa < pb ? -1 : 1;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }
}

function statementIndex(path: string | undefined): number {
  const match = /^Statement\[(\d+)\]/.exec(path ?? "");
  return match?.[1] === undefined ? -1 : Number(match[1]);
}

/** How a statement without a plain principal list admits callers. */
export interface Route {
  readonly id: string;
  readonly text: string;
  readonly path: string;
}

/**
 * The route for statements whose principal element is not a list of named principals: no
 * principal at all, NotPrincipal, `"*"`, or a list containing `{"AWS": "*"}`.
 */
export function principalRoute(info: StatementInfo): Route {
  const base = `Statement[${info.index}]`;
  const spec = info.principal;
  if (spec.kind === "none") {
    return {
      id: "Statement::NoPrincipal",
      text: "a statement without Principal or NotPrincipal, whose callers cannot be bounded",
      path: base,
    };
  }
  if (spec.kind === "notPrincipal") {
    return {
      id: "NotPrincipal",
      text: `NotPrincipal ${JSON.stringify(spec.value)}, which with Allow admits everyone not listed`,
      path: `${base}.NotPrincipal`,
    };
  }
  if (spec.value === "*") {
    return { id: "Principal::*", text: `Principal "*" (everyone)`, path: `${base}.Principal` };
  }
  return {
    id: "Principal::AWS:*",
    text: `Principal {"AWS": "*"}, which AWS documents as equivalent to "*" (everyone)`,
    path: `${base}.Principal`,
  };
}

/** A sentence listing condition entries that did not narrow because they are not understood. */
export function describeUnknown(entries: readonly ConditionEntry[]): string {
  if (entries.length === 0) {
    return "";
  }
  const listed = entries.map((e) => `${e.operator} ${e.key}`).join(", ");
  return ` Conditions that do not restrict who the caller is were not counted: ${listed}.`;
}

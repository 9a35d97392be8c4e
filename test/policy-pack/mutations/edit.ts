/**
 * Edits on a copy of a stack as the engine holds it: what a careless admin or an attacker does
 * to the program's resources (statements found by their Sid only to point at them; the pack
 * never reads Sids).
 */
import { sibling, type EngineResource } from "../helpers/engine";

/** A policy document as the corpus edits it. */
export interface Doc {
  Version: string;
  Statement: Statement[];
}

/** One statement, loosely typed. */
export type Statement = Record<string, unknown>;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A mutable copy of a stack with the edits the corpus needs. */
export class StackEdit {
  readonly resources: EngineResource[];

  constructor(resources: readonly EngineResource[]) {
    this.resources = clone(resources) as EngineResource[];
  }

  /** The resource (not a component) named `name`. */
  get(name: string): EngineResource {
    const found = this.resources.find(
      (r) => r.name === name && !r.type.startsWith("tf-bootstrap:"),
    );
    if (found === undefined) throw new Error(`corpus: no resource named ${name}`);
    return found;
  }

  /** Every resource of `type`. */
  ofType(type: string): EngineResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** Edits the JSON document in `name`'s `key` (default `policy`). */
  doc(name: string, edit: (doc: Doc) => void, key = "policy"): this {
    const r = this.get(name);
    const doc = JSON.parse(String(r.props[key])) as Doc;
    edit(doc);
    r.props[key] = JSON.stringify(doc);
    return this;
  }

  /** Edits the statement `sid` of `name`'s document; `edit` returning `null` removes it. */
  statement(
    name: string,
    sid: string,
    edit: (s: Statement) => Statement | null | void,
    key = "policy",
  ): this {
    return this.doc(
      name,
      (doc) => {
        const index = doc.Statement.findIndex((s) => s.Sid === sid);
        if (index < 0) throw new Error(`corpus: ${name} has no statement ${sid}`);
        const current = doc.Statement[index];
        const result = edit(current);
        if (result === null) doc.Statement.splice(index, 1);
        else if (result !== undefined) doc.Statement[index] = result;
      },
      key,
    );
  }

  /** Appends a statement to `name`'s document. */
  add(name: string, statement: Statement, key = "policy"): this {
    return this.doc(name, (doc) => void doc.Statement.push(statement), key);
  }

  /** Sets `name`'s property `key`. */
  set(name: string, key: string, value: unknown): this {
    this.get(name).props[key] = clone(value);
    return this;
  }

  /** Removes the resource `name`. */
  remove(name: string): this {
    const r = this.get(name);
    this.resources.splice(this.resources.indexOf(r), 1);
    return this;
  }

  /** Adds a resource modelled on `like` (same provider and parent). */
  addResource(like: string, type: string, name: string, props: Record<string, unknown>): this {
    this.resources.push(sibling(this.get(like), type, name, props));
    return this;
  }
}

/** `value` as a list (IAM's string-or-array). */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Edits of a `Pulumi.<stack>.yaml` file that keep everything the user wrote: the file is read
 * with the `yaml` package's document API (which knows where every node starts and ends) and
 * only the text of the node being changed is replaced. Comments, quoting, blank lines, key
 * order and flow or block style everywhere else stay byte for byte as they were.
 *
 * Every function takes the file's text and returns the new text, or the reason the edit cannot
 * be made; none throws for a file it cannot edit.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from "yaml";
import { CONFIG_NAMESPACE } from "../config/parse";

/** The new text of a stack file, or why the edit could not be made. */
export type EditResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

/** A product account entry as written in a stack file (`tf-bootstrap:productAccounts`). */
export interface AccountEntry {
  readonly name: string;
  readonly id: string;
  readonly workspace?: string;
  readonly environment?: string;
  readonly bootstrapRoleName?: string;
}

/** The order fields of a new entry are written in. */
const ENTRY_FIELDS: readonly (keyof AccountEntry)[] = [
  "name",
  "id",
  "workspace",
  "environment",
  "bootstrapRoleName",
];

/** The config key that lists the product accounts. */
export const PRODUCT_ACCOUNTS_KEY = `${CONFIG_NAMESPACE}:productAccounts`;

/** The config key of the CI settings (the apply order lives under `pipeline`). */
export const CI_KEY = `${CONFIG_NAMESPACE}:ci`;

type Range = [number, number, number];

function parse(text: string): { doc: Document.Parsed } | { error: string } {
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  const [first] = doc.errors;
  if (first !== undefined) {
    const at = first.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    return { error: `the stack file is not valid YAML${where}: ${first.message.split("\n")[0]}` };
  }
  return { doc };
}

function rangeOf(node: unknown): Range | undefined {
  const range = (node as { range?: Range | null } | null | undefined)?.range;
  return range ?? undefined;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const next = text.indexOf("\n", offset);
  return next < 0 ? text.length : next + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** A YAML scalar for a value of ours: plain when that reads back as the same string. */
export function scalarText(key: string, value: string): string {
  if (key === "id") return JSON.stringify(value);
  return /^[A-Za-z][A-Za-z0-9_.@=+-]*$/.test(value) &&
    !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

function entryPairs(entry: AccountEntry): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of ENTRY_FIELDS) {
    const value = entry[field];
    if (value !== undefined) pairs.push([field, scalarText(field, value)]);
  }
  return pairs;
}

function commentSuffix(comment: string | undefined): string {
  return comment === undefined || comment === "" ? "" : ` # ${comment.replace(/\n/g, " ")}`;
}

function configMap(doc: Document.Parsed): { map: Node } | { error: string } {
  const config = doc.get("config", true);
  if (!isMap(config)) {
    return { error: "the stack file has no 'config:' mapping; is it a Pulumi stack file?" };
  }
  return { map: config };
}

function accountsSeq(doc: Document.Parsed) {
  const found = configMap(doc);
  if ("error" in found) return found;
  const node = doc.getIn(["config", PRODUCT_ACCOUNTS_KEY], true);
  if (node === undefined) return { missing: true as const, config: found.map };
  if (!isSeq(node)) {
    return { error: `'${PRODUCT_ACCOUNTS_KEY}' must be a list of accounts to be edited` };
  }
  return { seq: node };
}

function entryName(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get("name");
  return typeof name === "string" ? name : undefined;
}

function findEntry(text: string, name: string) {
  const parsed = parse(text);
  if ("error" in parsed) return { error: parsed.error };
  const found = accountsSeq(parsed.doc);
  if ("error" in found) return { error: found.error };
  if ("missing" in found) return { error: `the stack file lists no '${PRODUCT_ACCOUNTS_KEY}'` };
  const index = found.seq.items.findIndex((item) => entryName(item) === name);
  if (index < 0) {
    const names = found.seq.items.map(entryName).filter(Boolean).join(", ");
    return {
      error: `no product account named '${name}' in the stack file (accounts: ${names || "none"})`,
    };
  }
  return { seq: found.seq, index, item: found.seq.items[index] };
}

/**
 * Appends `entry` to `tf-bootstrap:productAccounts` in the style of the entries above it (a
 * flow map `- { name: dev, id: "…" }` after flow maps, block style otherwise), with `comment` at
 * the end of its first line. Creates the key when the file has none.
 */
export function appendAccount(text: string, entry: AccountEntry, comment?: string): EditResult {
  const parsed = parse(text);
  if ("error" in parsed) return { ok: false, message: parsed.error };
  const found = accountsSeq(parsed.doc);
  if ("error" in found) return { ok: false, message: found.error };
  const pairs = entryPairs(entry);
  const flowEntry = `{ ${pairs.map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
  if ("missing" in found) {
    const range = rangeOf(found.config);
    const firstPair = (found.config as { items: Pair[] }).items[0];
    const keyRange = rangeOf(firstPair?.key);
    if (range === undefined || keyRange === undefined) {
      return { ok: false, message: "the stack file's 'config:' mapping is empty or in flow style" };
    }
    const indent = " ".repeat(column(text, keyRange[0]));
    const at = lineEndAfter(text, range[2]);
    const block = [
      `${indent}${PRODUCT_ACCOUNTS_KEY}:`,
      `${indent}  - ${pairs.map(([k, v]) => `${k}: ${v}`).join(`\n${indent}    `)}${commentSuffix(comment)}`,
    ];
    const prefix = at > 0 && text[at - 1] !== "\n" ? "\n" : "";
    return {
      ok: true,
      text: `${text.slice(0, at)}${prefix}${block.join("\n")}\n${text.slice(at)}`,
    };
  }
  const { seq } = found;
  const last = seq.items[seq.items.length - 1];
  const seqRange = rangeOf(seq);
  if (seqRange === undefined) return { ok: false, message: "cannot locate the accounts list" };
  if (seq.flow) {
    const close = text.lastIndexOf("]", seqRange[1]);
    const lastRange = rangeOf(last);
    const at = lastRange ? lastRange[1] : close;
    const sep = lastRange ? ", " : "";
    return {
      ok: true,
      text: `${text.slice(0, at)}${sep}${flowEntry}${text.slice(at)}`,
    };
  }
  const lastRange = rangeOf(last);
  if (lastRange === undefined) return { ok: false, message: "cannot locate the last account" };
  const dashColumn = column(text, text.lastIndexOf("-", lastRange[0]));
  const indent = " ".repeat(dashColumn);
  const at = lineEndAfter(text, lastRange[2] > lastRange[1] ? lastRange[2] : lastRange[1]);
  const lines =
    isMap(last) && last.flow
      ? [`${indent}- ${flowEntry}${commentSuffix(comment)}`]
      : pairs.map(
          ([k, v], i) =>
            `${indent}${i === 0 ? "- " : "  "}${k}: ${v}${i === 0 ? commentSuffix(comment) : ""}`,
        );
  const prefix = at > 0 && text[at - 1] !== "\n" ? "\n" : "";
  return { ok: true, text: `${text.slice(0, at)}${prefix}${lines.join("\n")}\n${text.slice(at)}` };
}

/**
 * Removes the entry named `name` from `tf-bootstrap:productAccounts`, with the comment lines
 * written directly above it (they describe it). Nothing else changes.
 */
export function removeAccount(text: string, name: string): EditResult {
  const found = findEntry(text, name);
  if ("error" in found) return { ok: false, message: found.error ?? "" };
  const range = rangeOf(found.item);
  if (range === undefined) return { ok: false, message: `cannot locate account '${name}'` };
  if (found.seq.flow) {
    const items = found.seq.items;
    const next = rangeOf(items[found.index + 1]);
    const prev = rangeOf(items[found.index - 1]);
    const [start, end] = next ? [range[0], next[0]] : prev ? [prev[1], range[1]] : range;
    return { ok: true, text: text.slice(0, start) + text.slice(end) };
  }
  const dash = text.lastIndexOf("-", range[0]);
  let start = lineStart(text, dash);
  const dashColumn = dash - start;
  // Comment lines right above the entry, indented like its dash, belong to it.
  for (;;) {
    if (start === 0) break;
    const prevStart = lineStart(text, start - 1);
    const line = text.slice(prevStart, start - 1);
    if (!/^\s*#/.test(line) || line.indexOf("#") !== dashColumn) break;
    start = prevStart;
  }
  const end = lineEndAfter(text, range[2] > range[1] ? range[2] : range[1]);
  return { ok: true, text: text.slice(0, start) + text.slice(end) };
}

/**
 * Sets `field` of the account named `name` to `value`: replaces the value where the field is
 * written, or adds the field after the entry's last one.
 */
export function setAccountField(
  text: string,
  name: string,
  field: keyof AccountEntry,
  value: string,
): EditResult {
  const found = findEntry(text, name);
  if ("error" in found) return { ok: false, message: found.error ?? "" };
  const item = found.item;
  if (!isMap(item)) return { ok: false, message: `account '${name}' is not a mapping` };
  const rendered = scalarText(field, value);
  const pair = item.items.find((p) => isScalar(p.key) && p.key.value === field);
  if (pair !== undefined) {
    const valueRange = rangeOf(pair.value);
    if (valueRange === undefined) {
      return { ok: false, message: `cannot locate '${field}' of account '${name}'` };
    }
    return {
      ok: true,
      text: text.slice(0, valueRange[0]) + rendered + text.slice(valueRange[1]),
    };
  }
  const lastPair = item.items[item.items.length - 1];
  const lastValue = rangeOf(lastPair?.value) ?? rangeOf(lastPair?.key);
  const firstKey = rangeOf(item.items[0]?.key);
  if (lastValue === undefined || firstKey === undefined) {
    return { ok: false, message: `account '${name}' has no fields to add '${field}' after` };
  }
  if (item.flow) {
    return {
      ok: true,
      text: `${text.slice(0, lastValue[1])}, ${field}: ${rendered}${text.slice(lastValue[1])}`,
    };
  }
  const at = lineEndAfter(text, lastValue[2] > lastValue[1] ? lastValue[2] : lastValue[1]);
  const line = `${" ".repeat(column(text, firstKey[0]))}${field}: ${rendered}\n`;
  const prefix = text[at - 1] !== "\n" ? "\n" : "";
  return { ok: true, text: `${text.slice(0, at)}${prefix}${line}${text.slice(at)}` };
}

function flowList(stages: readonly (string | readonly string[])[]): string {
  return `[${stages
    .map((s) =>
      typeof s === "string"
        ? scalarText("workspace", s)
        : `[${s.map((w) => scalarText("workspace", w)).join(", ")}]`,
    )
    .join(", ")}]`;
}

/**
 * Rewrites the apply order (when the file has one) with `rename(workspace)` applied to every
 * workspace: a new name renames it, `undefined` removes it (and a stage left empty). The order
 * is written back in the style it had (flow `[a, [b, c]]`, or a block list).
 */
export function rewriteApplyOrder(
  text: string,
  rename: (workspace: string) => string | undefined,
): EditResult {
  const parsed = parse(text);
  if ("error" in parsed) return { ok: false, message: parsed.error };
  const node = parsed.doc.getIn(["config", CI_KEY, "pipeline", "applyOrder"], true);
  if (node === undefined) return { ok: true, text };
  if (!isSeq(node)) return { ok: false, message: "ci.pipeline.applyOrder is not a list" };
  const before: unknown[] = node.toJSON();
  const after: (string | string[])[] = [];
  for (const stage of before) {
    if (typeof stage === "string") {
      const next = rename(stage);
      if (next !== undefined) after.push(next);
    } else if (Array.isArray(stage)) {
      const next = stage
        .filter((w): w is string => typeof w === "string")
        .map(rename)
        .filter((w): w is string => w !== undefined);
      if (next.length > 0) after.push(next);
    }
  }
  if (JSON.stringify(after) === JSON.stringify(before)) return { ok: true, text };
  const range = rangeOf(node);
  if (range === undefined) return { ok: false, message: "cannot locate ci.pipeline.applyOrder" };
  if (node.flow) {
    return { ok: true, text: text.slice(0, range[0]) + flowList(after) + text.slice(range[1]) };
  }
  const first = rangeOf(node.items[0]);
  const dash = first ? text.lastIndexOf("-", first[0]) : range[0];
  const indent = " ".repeat(column(text, dash));
  const start = lineStart(text, dash);
  const end = lineEndAfter(text, range[2] > range[1] ? range[2] : range[1]);
  const lines = after.map(
    (s) => `${indent}- ${typeof s === "string" ? scalarText("workspace", s) : flowList(s)}`,
  );
  return { ok: true, text: text.slice(0, start) + lines.join("\n") + "\n" + text.slice(end) };
}

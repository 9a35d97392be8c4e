/**
 * Reading a property of a resource in the guard's view. Every read says whether the value is
 * there, absent, unknown (with the path of the unknown part) or of the wrong type, so no
 * analysis can mistake an unknown value for an absent or harmless one.
 */
import { isUnknown } from "./unknown";
import type { ViewProps, ViewValue } from "./view";

/** A path into a resource's properties: object keys and array indexes. */
export type PropertyPath = readonly (string | number)[];

/** The outcome of reading a property. */
export type Read<T> =
  | { readonly kind: "value"; readonly value: T }
  | { readonly kind: "absent" }
  | { readonly kind: "unknown"; readonly path: string }
  | { readonly kind: "invalid"; readonly path: string; readonly expected: string };

/** Renders a path as `a.b[0].c`. */
export function pathText(path: PropertyPath): string {
  let out = "";
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out;
}

/** Reads the value at `path`; an unknown value on the way makes the whole read unknown. */
export function readAt(props: ViewProps, path: PropertyPath): Read<ViewValue> {
  let current: ViewValue = props;
  for (let i = 0; i < path.length; i += 1) {
    if (isUnknown(current)) {
      return { kind: "unknown", path: pathText(path.slice(0, i)) };
    }
    const part = path[i];
    if (part === undefined || current === null || typeof current !== "object") {
      return { kind: "absent" };
    }
    const next: ViewValue | undefined = Array.isArray(current)
      ? typeof part === "number"
        ? (current as readonly ViewValue[])[part]
        : undefined
      : (current as { readonly [key: string]: ViewValue })[String(part)];
    if (next === undefined || next === null) {
      return { kind: "absent" };
    }
    current = next;
  }
  if (isUnknown(current)) {
    return { kind: "unknown", path: pathText(path) };
  }
  return { kind: "value", value: current };
}

function typed<T>(
  read: Read<ViewValue>,
  path: PropertyPath,
  expected: string,
  accept: (value: ViewValue) => T | undefined,
): Read<T> {
  if (read.kind !== "value") {
    return read;
  }
  const value = accept(read.value);
  return value === undefined
    ? { kind: "invalid", path: pathText(path), expected }
    : { kind: "value", value };
}

/** Reads a string. */
export function readString(props: ViewProps, path: PropertyPath): Read<string> {
  return typed(readAt(props, path), path, "a string", (v) =>
    typeof v === "string" ? v : undefined,
  );
}

/** Reads a boolean; the strings `"true"`/`"false"` (how provider inputs travel) count. */
export function readBoolean(props: ViewProps, path: PropertyPath): Read<boolean> {
  return typed(readAt(props, path), path, "true or false", (v) => {
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    return undefined;
  });
}

/** Reads a number; a string of digits (how provider inputs travel) counts. */
export function readNumber(props: ViewProps, path: PropertyPath): Read<number> {
  return typed(readAt(props, path), path, "a number", (v) => {
    if (typeof v === "number") return v;
    if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    return undefined;
  });
}

/** Reads an array whose items are all known; an unknown item makes the read unknown. */
export function readArray(props: ViewProps, path: PropertyPath): Read<readonly ViewValue[]> {
  const read = readAt(props, path);
  if (read.kind !== "value") {
    return read;
  }
  if (!Array.isArray(read.value)) {
    return { kind: "invalid", path: pathText(path), expected: "a list" };
  }
  const items = read.value as readonly ViewValue[];
  const unknownAt = items.findIndex((item) => isUnknown(item));
  if (unknownAt >= 0) {
    return { kind: "unknown", path: pathText([...path, unknownAt]) };
  }
  return { kind: "value", value: items };
}

/**
 * Reads a list of strings. A single string counts as a one-item list, and a string holding a
 * JSON array is parsed: Pulumi passes a provider's structured inputs as JSON text.
 */
export function readStringList(props: ViewProps, path: PropertyPath): Read<readonly string[]> {
  const read = readAt(props, path);
  if (read.kind === "value" && typeof read.value === "string") {
    const text = read.value.trim();
    if (text.startsWith("[")) {
      try {
        const parsed = JSON.parse(text) as unknown;
        if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) {
          return { kind: "value", value: parsed };
        }
      } catch {
        return { kind: "invalid", path: pathText(path), expected: "a list of strings" };
      }
      return { kind: "invalid", path: pathText(path), expected: "a list of strings" };
    }
    return { kind: "value", value: [read.value] };
  }
  const list = readArray(props, path);
  if (list.kind !== "value") {
    return list;
  }
  if (!list.value.every((item) => typeof item === "string")) {
    return { kind: "invalid", path: pathText(path), expected: "a list of strings" };
  }
  return { kind: "value", value: list.value };
}

/** The items of a list property that are objects; absent or unknown as read. */
export function readObjects(
  props: ViewProps,
  path: PropertyPath,
): Read<readonly { readonly [key: string]: ViewValue }[]> {
  const list = readArray(props, path);
  if (list.kind !== "value") {
    return list;
  }
  const objects = list.value.filter(
    (item): item is { readonly [key: string]: ViewValue } =>
      typeof item === "object" && item !== null && !Array.isArray(item),
  );
  return objects.length === list.value.length
    ? { kind: "value", value: objects }
    : { kind: "invalid", path: pathText(path), expected: "a list of objects" };
}

/** The path of the first unknown value inside `value` (itself at `base`), if any. */
export function firstUnknown(value: ViewValue, base: PropertyPath): string | undefined {
  if (isUnknown(value)) return pathText(base);
  if (Array.isArray(value)) {
    const items = value as readonly ViewValue[];
    for (let i = 0; i < items.length; i += 1) {
      const found = firstUnknown(items[i] ?? null, [...base, i]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value as ViewProps)) {
      const found = firstUnknown(item, [...base, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

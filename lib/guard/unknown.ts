/**
 * Values that are not known yet.
 *
 * During `pulumi preview` a property computed from another resource's output (an ARN, an id) has
 * no value yet. The engine sends such a property to a policy pack as one of seven sentinel
 * strings, one per kind of value (Pulumi's `plugin.Unknown*Value` constants, which
 * `@pulumi/policy` mirrors in `proxy.ts`); `@pulumi/policy` then throws an `UnknownValueError`
 * when a policy reads one, and downgrades that policy's result to an advisory note: the check
 * silently does not run. The guard's view never holds a sentinel string: it holds an
 * {@link UnknownValue}, so every analysis sees the gap and can fail closed.
 */

/** The kinds of value the engine can leave unknown. */
export type UnknownKind =
  "boolean" | "number" | "string" | "array" | "asset" | "archive" | "object";

/** Pulumi's wire sentinels for unknown values, by kind. */
export const UNKNOWN_SENTINELS: Readonly<Record<UnknownKind, string>> = {
  boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  asset: "030794c1-ac77-496b-92df-f27374a8bd58",
  archive: "e48ece36-62e2-4504-bad9-02848725956a",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
};

const KIND_OF_SENTINEL = new Map<string, UnknownKind>(
  (Object.entries(UNKNOWN_SENTINELS) as [UnknownKind, string][]).map(([kind, s]) => [s, kind]),
);

/** A value the engine does not know yet, in the guard's view of a resource. */
export interface UnknownValue {
  /** What kind of value it will be once known. */
  readonly $unknown: UnknownKind;
}

/** The view's representation of an unknown value of `kind`. */
export function unknownValue(kind: UnknownKind): UnknownValue {
  return { $unknown: kind };
}

/** Whether `value` is an {@link UnknownValue}. */
export function isUnknown(value: unknown): value is UnknownValue {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { $unknown?: unknown }).$unknown === "string"
  );
}

/** The kind of unknown a Pulumi sentinel string stands for, or `undefined` for any other value. */
export function sentinelKind(value: unknown): UnknownKind | undefined {
  return typeof value === "string" ? KIND_OF_SENTINEL.get(value) : undefined;
}

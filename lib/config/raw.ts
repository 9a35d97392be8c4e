/**
 * Readers of the raw stack config (before the schema): the rules that report problems next to
 * the schema's read values that may be of any type, so each reader answers only for its own.
 */

/** A raw config object: any key, any value. */
export type Raw = Readonly<Record<string, unknown>>;

/** The object at `key`, or an empty one when the value is missing or not an object. */
export function objectAt(raw: Raw, key: string): Raw {
  const value = raw[key];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

/** The string at `key`, or `undefined` when the value is missing or not a string. */
export function stringAt(raw: Raw, key: string): string | undefined {
  const value = raw[key];
  return typeof value === "string" ? value : undefined;
}

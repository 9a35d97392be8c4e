import { parse } from "yaml";

/**
 * Reads a `Pulumi.<stack>.yaml` file into the flat config map Pulumi hands a program: every key
 * fully qualified, every value a string, structured values as JSON text.
 */
export function flatConfigFromStackFile(text: string): Record<string, string> {
  const doc = (parse(text) ?? {}) as { config?: Record<string, unknown> };
  const config = doc.config ?? {};
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    flat[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return flat;
}

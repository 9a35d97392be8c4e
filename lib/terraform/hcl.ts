/**
 * The few pieces of HCL syntax the handoff needs, written the way `tofu fmt` writes them, so the
 * generated files pass `tofu fmt -check` (an end-to-end test runs it).
 */

/** An HCL quoted string: escapes backslashes, quotes, newlines and template sequences. */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
  return `"${escaped}"`;
}

/** One `name = expression` line of a block body; `expression` is already HCL. */
export interface Attribute {
  readonly name: string;
  readonly expression: string;
}

/**
 * Consecutive single-line attributes with their `=` aligned, as `tofu fmt` aligns them, each
 * line prefixed by `indent`.
 */
export function attributeLines(attributes: readonly Attribute[], indent = ""): string[] {
  const width = Math.max(0, ...attributes.map((a) => a.name.length));
  return attributes.map((a) => `${indent}${a.name.padEnd(width)} = ${a.expression}`);
}

/**
 * Syntax problems of a stack file, one line each: where (`file:line:column`, and the setting
 * the line belongs to), what is wrong in the reader's terms, and the fix.
 */
import type { ConfigProblem } from "../errors/config-error";

/** Problems found past the parser: aliases and a file of the wrong shape. */
export type StackFileCode =
  "SELF_REFERENCE" | "BAD_ALIAS" | "RESOURCE_EXHAUSTION" | "NOT_A_MAPPING" | "CONFIG_NOT_A_MAPPING";

const INDENT_FIX =
  "A key must line up with the other keys of its mapping, a nested value be indented further than its key, and ': ' (colon and space) separate a key from its value. Correct the indentation or add the missing ': '.";

/** The fix for each kind of problem, by the parser's error code or ours. */
const FIXES: Readonly<Record<string, (key: string | undefined) => string>> = {
  TAB_AS_INDENT: () =>
    "a tab indents this line, and YAML indents with spaces only. Replace the tab with spaces.",
  DUPLICATE_KEY: (key) =>
    `the key ${key ? `'${key}' ` : ""}appears twice in the same mapping, and YAML would keep only one of its values. Remove one of them or merge them.`,
  BAD_INDENT: () => `the indentation does not fit the lines above. ${INDENT_FIX}`,
  BLOCK_AS_IMPLICIT_KEY: () => `a nested mapping starts where a value was expected. ${INDENT_FIX}`,
  MULTILINE_IMPLICIT_KEY: () =>
    `a key runs over more than one line: a ': ' is missing or a line is indented too far. ${INDENT_FIX}`,
  MISSING_CHAR: () =>
    "a closing quote or bracket is missing. Close the string with the quote it opened with, and every [ with ] and { with }.",
  UNEXPECTED_TOKEN: () =>
    "a character YAML does not expect here. Quote a value that holds ':', '#', '[', ']', '{', '}', ',' or starts with '@', '`', '*', '&' or '!'.",
  BAD_SCALAR_START: () => "a value starts with a character that YAML reserves. Quote the value.",
  MULTIPLE_DOCS: () =>
    "the file holds more than one YAML document (a '---' line). A stack file is one document: remove the extra one.",
  BAD_ALIAS: () =>
    "this alias (*name) refers to an anchor (&name) that is not set before it. Define the anchor first or write the value out.",
  SELF_REFERENCE: () =>
    "this alias (*name) is inside the value its anchor (&name) marks, so the value would contain itself. Write the value out.",
  RESOURCE_EXHAUSTION: () =>
    "the aliases (*name) in this file expand to more values than a stack config can hold (an alias bomb). Write the values out instead of nesting aliases.",
  NOT_A_MAPPING: () =>
    "the file must be a mapping with a 'config:' key, as Pulumi writes it. Put the settings under 'config:'.",
  CONFIG_NOT_A_MAPPING: () =>
    "'config:' must hold one 'tf-bootstrap:<setting>: value' line per setting, not a list or a single value.",
};

/** The key written at `line` from `column` on (`tf-bootstrap:region` in `  tf-bootstrap:region: x`). */
export function keyAt(text: string, line: number, column = 1): string | undefined {
  const source = text.split(/\r?\n/)[line - 1] ?? "";
  const rest = source.slice(column - 1);
  const match = /^[\s-]*(["']?)(.+?)\1:(?:\s|$)/.exec(rest) ?? /^[\s-]*([^\s"'#]+)/.exec(rest);
  return (match?.[2] ?? match?.[1])?.trim() || undefined;
}

/** The parser's own message, without its position (the problem carries that). */
function plain(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * One syntax problem at `where`: `code` is the parser's error code (or a {@link StackFileCode}),
 * `message` its own text, used only for codes without a fix of ours.
 */
export function yamlProblem(
  file: string,
  where: { readonly line: number; readonly column: number; readonly path: string },
  code: string,
  message: string,
  text: string,
): ConfigProblem {
  const fix = FIXES[code];
  return {
    path: where.path,
    value: undefined,
    location: `${file}:${where.line}:${where.column}`,
    syntax: true,
    message: fix
      ? fix(keyAt(text, where.line, where.column))
      : `${plain(message)}. Correct the YAML syntax on this line.`,
  };
}

import { stringify } from "yaml";

/**
 * Serialises a CI document: keys in insertion order, no line folding (a folded `run:` line
 * would still work but reads badly), multi-line strings as literal blocks, and the `#` header
 * on top. `lineComments` maps a line's exact text (without indentation) to a comment put at its
 * end: the version beside a pinned `uses:`, why a permission is needed. The same object always
 * gives the same text.
 */
export function renderYaml(
  header: string,
  document: object,
  lineComments: ReadonlyMap<string, string> = new Map(),
): string {
  const body = stringify(document, {
    indent: 2,
    lineWidth: 0,
    minContentWidth: 0,
    blockQuote: "literal",
    aliasDuplicateObjects: false,
  });
  // Lines inside a block scalar (a `run:` script) are content, never annotated.
  let blockIndent: number | undefined;
  const commented = body
    .split("\n")
    .map((line) => {
      const indent = line.length - line.trimStart().length;
      if (blockIndent !== undefined && (line.trim() === "" || indent > blockIndent)) return line;
      blockIndent = /: [|>][+-]?$/.test(line) ? indent : undefined;
      const comment = lineComments.get(line.trim().replace(/^- /, ""));
      return comment === undefined ? line : `${line} # ${comment}`;
    })
    .join("\n");
  return `${header}\n\n${commented}`;
}

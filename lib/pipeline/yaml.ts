import { stringify } from "yaml";

/**
 * Serialises a CI document: keys in insertion order, no line folding (a folded `run:` line
 * would still work but reads badly), multi-line strings as literal blocks, and the `#` header
 * on top. The same object always gives the same text.
 */
export function renderYaml(header: string, document: object): string {
  const body = stringify(document, {
    indent: 2,
    lineWidth: 0,
    minContentWidth: 0,
    blockQuote: "literal",
    aliasDuplicateObjects: false,
  });
  return `${header}\n\n${body}`;
}

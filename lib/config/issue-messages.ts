/**
 * Messages for the validation issues that the schema gives no text of its own: a value of the
 * wrong shape, too few or too many items, an unknown choice. Passed to zod as the parse-time
 * error map, which zod consults only where the schema did not set a message, so every rule's
 * own message is kept as written and no message is the validator's generic text.
 */
import type { z } from "zod";
import { describeValue, fieldShape } from "./field-shapes";

type Issue = z.core.$ZodRawIssue;

function shapeText(path: readonly PropertyKey[], fallback: string): string {
  const shape = fieldShape(path);
  return shape ? `${shape.what}, such as ${shape.example}` : fallback;
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: "a mapping of settings (key: value lines)",
  record: "a mapping of keys to values",
  array: "a list (one '- item' line each, or [a, b])",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function expectedText(expected: unknown): string {
  return typeof expected === "string" ? (EXPECTED[expected] ?? `a ${expected}`) : "another value";
}

/** The message for `issue`, in the reader's terms: what was found, what is allowed. */
export function issueMessage(issue: Issue): string {
  const path = issue.path ?? [];
  const found = describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type": {
      const allowed = shapeText(path, expectedText(issue.expected));
      if (issue.expected === "array" && typeof issue.input === "string") {
        return `must be ${allowed}, not ${found}; write a single item as a list: [${issue.input}]`;
      }
      return `must be ${allowed}, not ${found}`;
    }
    case "too_small":
      return issue.origin === "array"
        ? `must hold at least ${String(issue.minimum)} item(s); add ${shapeText(path, "an item")}`
        : `is too short: at least ${String(issue.minimum)} character(s) are needed`;
    case "too_big":
      return issue.origin === "array"
        ? `must hold at most ${String(issue.maximum)} item(s); remove some`
        : `is too long: at most ${String(issue.maximum)} character(s) are allowed`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return `must be ${shapeText(path, "one of the documented forms of this setting")}, not ${found}`;
    case "invalid_key":
      return `has a key that is not allowed here; use ${shapeText(path, "the documented keys")}`;
    case "invalid_element":
      return `has an entry that is not allowed here; use ${shapeText(path, "the documented entries")}`;
    case "unrecognized_keys":
      return `has settings that are not known here: ${issue.keys.join(", ")}`;
    default:
      return `is not a valid value here; it must be ${shapeText(path, "as the README describes")}`;
  }
}

/**
 * The `tags` setting, held to AWS's tag limits ("Tag naming limits and requirements" in the
 * AWS Tagging Resources guide): keys of 1-128 and values of 0-256 Unicode characters, letters,
 * digits, spaces and `_ . : / = + - @`, no key starting with `aws:`, at most 50 tags on one
 * resource. tf-bootstrap adds tags of its own to every resource, so fewer are left for the user.
 */
import { z } from "zod";

/** Longest tag key AWS accepts. */
export const TAG_KEY_MAX = 128;
/** Longest tag value AWS accepts. */
export const TAG_VALUE_MAX = 256;
/** Most tags one AWS resource may carry. */
export const TAGS_PER_RESOURCE = 50;

/**
 * Tag keys tf-bootstrap sets itself: `ManagedBy` and `Organization` on every resource, and the
 * access level on the CI roles and users.
 */
export const RESERVED_TAG_KEYS = ["ManagedBy", "Organization", "tf-bootstrap:access"] as const;

/** Most tags the config may add: what is left of the per-resource limit after the reserved ones. */
export const MAX_USER_TAGS = TAGS_PER_RESOURCE - RESERVED_TAG_KEYS.length;

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const CHARACTERS_ALLOWED = "letters, digits, spaces and _ . : / = + - @";

/** Why `key` cannot be a tag key, or `undefined` when it can. */
export function tagKeyProblem(key: string): string | undefined {
  const length = [...key].length;
  if (length === 0) return "is empty; a tag key needs 1 to 128 characters";
  if (length > TAG_KEY_MAX) {
    return `is ${length} characters long; AWS allows tag keys of at most ${TAG_KEY_MAX}. Shorten it.`;
  }
  if (key.toLowerCase().startsWith("aws:")) {
    return "starts with 'aws:', which AWS reserves for its own tags. Choose a key without that prefix.";
  }
  if ((RESERVED_TAG_KEYS as readonly string[]).includes(key)) {
    return `is set by tf-bootstrap on every resource it creates (${RESERVED_TAG_KEYS.join(", ")}). Choose another key.`;
  }
  if (!TAG_CHARACTERS.test(key)) {
    return `holds a character AWS does not allow in tag keys; use ${CHARACTERS_ALLOWED}.`;
  }
  return undefined;
}

/** Why `value` cannot be a tag value, or `undefined` when it can. */
export function tagValueProblem(value: string): string | undefined {
  const length = [...value].length;
  if (length > TAG_VALUE_MAX) {
    return `is ${length} characters long; AWS allows tag values of at most ${TAG_VALUE_MAX}. Shorten it.`;
  }
  if (!TAG_CHARACTERS.test(value)) {
    return `holds a character AWS does not allow in tag values; use ${CHARACTERS_ALLOWED}.`;
  }
  return undefined;
}

/** The `tags` setting: a mapping of tag keys to string values, within AWS's limits. */
export const tagsSchema = z
  .record(z.string(), z.unknown(), {
    error:
      "must be a mapping of tag keys to values, one 'Key: value' line each, such as CostCenter: platform",
  })
  .superRefine((tags, ctx) => {
    const keys = Object.keys(tags);
    if (keys.length > MAX_USER_TAGS) {
      ctx.addIssue({
        code: "custom",
        input: `${keys.length} tags`,
        message: `holds ${keys.length} tags; an AWS resource carries at most ${TAGS_PER_RESOURCE} and tf-bootstrap adds ${RESERVED_TAG_KEYS.length} of its own, so at most ${MAX_USER_TAGS} are left. Remove some.`,
      });
    }
    for (const key of keys) {
      const value = tags[key];
      const keyProblem = tagKeyProblem(key);
      const valueProblem =
        typeof value !== "string"
          ? `tag values must be strings; quote a number, a date or true/false, as in CostCenter: "1234"`
          : tagValueProblem(value);
      const message = keyProblem ? `the key ${keyProblem}` : valueProblem;
      if (message) {
        // The expected type marks a value of the wrong type, so its message can say why.
        const expected = !keyProblem && typeof value !== "string" ? "string" : undefined;
        ctx.addIssue(
          expected
            ? { code: "invalid_type", expected, path: [key], input: value, message }
            : { code: "custom", path: [key], input: key, message },
        );
      }
    }
  })
  .transform((tags) => tags as Record<string, string>)
  .default({});

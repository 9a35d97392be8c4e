/**
 * IAM wildcard matching and ARN parsing.
 *
 * IAM patterns know two wildcards: `*` (any run of characters, possibly empty) and `?` (exactly
 * one character). Action names compare case-insensitively; ARNs compare case-sensitively. The
 * matcher below is a plain two-pointer scan with one backtracking point: no regular expression
 * is compiled, so it is cheap enough to call in hot loops.
 *
 * Sources: "IAM JSON policy elements: Action" and "IAM JSON policy elements: Condition
 * operators" (ARN condition operators) in the AWS IAM User Guide.
 */

/** Options for {@link wildcardMatch}. */
export interface WildcardOptions {
  /** Compare letters without regard to case. Default: `false` (case-sensitive). */
  readonly caseInsensitive?: boolean;
}

const STAR = 42; // "*"
const QUESTION = 63; // "?"

/**
 * Whether `value` matches the IAM wildcard `pattern` as a whole string. `*` matches any run of
 * characters (including none), `?` matches exactly one character; every other character matches
 * itself. There is no escape syntax.
 */
export function wildcardMatch(
  pattern: string,
  value: string,
  options: WildcardOptions = {},
): boolean {
  const p = options.caseInsensitive === true ? pattern.toLowerCase() : pattern;
  const v = options.caseInsensitive === true ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let starAt = -1;
  let starValue = 0;
  while (vi < v.length) {
    const pc = pi < p.length ? p.charCodeAt(pi) : -1;
    if (pc === STAR) {
      starAt = pi;
      starValue = vi;
      pi += 1;
    } else if (pc !== -1 && (pc === QUESTION || pc === v.charCodeAt(vi))) {
      pi += 1;
      vi += 1;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      starValue += 1;
      vi = starValue;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === STAR) {
    pi += 1;
  }
  return pi === p.length;
}

/** Whether `value` contains an IAM wildcard character (`*` or `?`). */
export function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}

/**
 * Whether an `Action`/`NotAction` pattern such as `sts:AssumeRole*` or `*` matches the concrete
 * action `action` (`service:Operation`). Action names are case-insensitive in IAM.
 */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, { caseInsensitive: true });
}

/** Whether any pattern in `patterns` matches `action` (see {@link actionMatches}). */
export function anyActionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => actionMatches(pattern, action));
}

/** The six colon-separated components of an ARN. */
export interface Arn {
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  readonly partition: string;
  /** `iam`, `sts`, `s3`, ... */
  readonly service: string;
  /** Empty for global services such as IAM and STS principals. */
  readonly region: string;
  /** The 12-digit account id; empty for some resources (S3 buckets). */
  readonly account: string;
  /** Everything after the fifth colon; may itself contain colons and slashes. */
  readonly resource: string;
}

/** Result of {@link parseArn}. */
export type ParseArnResult =
  { readonly ok: true; readonly arn: Arn } | { readonly ok: false; readonly reason: string };

/**
 * Splits `arn:partition:service:region:account:resource`. The resource part keeps any further
 * colons. Does not check that the components are valid for the service; a missing `arn` prefix
 * or fewer than six components is reported as a reason, never thrown.
 */
export function parseArn(value: string): ParseArnResult {
  const parts = splitArnComponents(value);
  if (parts === undefined) {
    return { ok: false, reason: `"${value}" does not have six colon-separated components` };
  }
  const [prefix, partition, service, region, account, resource] = parts;
  if (prefix !== "arn") {
    return { ok: false, reason: `"${value}" does not start with "arn:"` };
  }
  return { ok: true, arn: { partition, service, region, account, resource } };
}

/**
 * The six components of an ARN-shaped string (the last one keeps its colons), or `undefined`
 * when the string has fewer than five colons. The first component is returned as written.
 */
export function splitArnComponents(
  value: string,
): [string, string, string, string, string, string] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i += 1) {
    const colon = value.indexOf(":", start);
    if (colon < 0) {
      return undefined;
    }
    parts.push(value.slice(start, colon));
    start = colon + 1;
  }
  const [a, b, c, d, e] = parts;
  if (a === undefined || b === undefined || c === undefined || d === undefined || e === undefined) {
    return undefined;
  }
  return [a, b, c, d, e, value.slice(start)];
}

/**
 * `ArnLike`/`ArnEquals` semantics: both strings are split into their six colon-delimited
 * components and each component is matched separately, case-sensitively, with `*` and `?`
 * wildcards. A pattern or value with fewer than six components matches nothing.
 */
export function arnLike(pattern: string, arn: string): boolean {
  const p = splitArnComponents(pattern);
  const v = splitArnComponents(arn);
  if (p === undefined || v === undefined) {
    return false;
  }
  for (let i = 0; i < 6; i += 1) {
    if (!wildcardMatch(p[i] ?? "", v[i] ?? "")) {
      return false;
    }
  }
  return true;
}

import type { z } from "zod";
import { ConfigError, ConfigProblem } from "../errors/config-error";
import { ciProblems } from "./ci-rules";
import { iamSafetyProblems } from "./iam-safety";
import { orgStackProblems } from "./org-stack-rules";
import { closest } from "./closest";
import { fieldShape } from "./field-shapes";
import { suppressFollowOns, type TaggedProblem } from "./follow-on";
import { issueMessage } from "./issue-messages";
import { regionProblem } from "./regions";
import { bucketNameProblem, follows, REGION } from "./rules";
import { STACK_CONFIG_KEYS, StackConfig, stackConfigSchema } from "./schema";
import { resolveNames, ResolvedNames } from "./names";

/** The config namespace: every key is `tf-bootstrap:<key>`. */
export const CONFIG_NAMESPACE = "tf-bootstrap";

/** A parsed and validated stack config with every derived name resolved. */
export interface TopologyConfig extends StackConfig {
  /** Names computed from the config (bucket names, workspaces), validated like given ones. */
  readonly names: ResolvedNames;
}

/**
 * Outcome of parsing: the config, or every problem found; either way the warnings (settings
 * left empty whose default applies).
 */
export type ParseResult =
  | {
      readonly ok: true;
      readonly config: TopologyConfig;
      readonly warnings: readonly ConfigProblem[];
    }
  | {
      readonly ok: false;
      readonly problems: ConfigProblem[];
      readonly warnings: readonly ConfigProblem[];
    };

/** What the stack file tells beyond the values, so messages can quote it. */
export interface ParseHints {
  /**
   * The source text of numbers, by config path, where YAML's reading of it differs from how
   * it was written (`012345678901` read as 12345678901).
   */
  readonly numberSources?: ReadonlyMap<string, string>;
}

/**
 * Reads the flat config map Pulumi hands a program (`{ "tf-bootstrap:region": "eu-west-1",
 * "tf-bootstrap:productAccounts": "[...]" }`): structured values arrive as JSON text. Keys of
 * other namespaces (`aws:`, `pulumi:`) are ignored.
 */
export function decodePulumiConfig(
  flat: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(flat)) {
    const [ns, key] = splitKey(fullKey);
    if (ns !== CONFIG_NAMESPACE || key === undefined) continue;
    out[key] = decodeConfigValue(text);
  }
  return out;
}

function splitKey(fullKey: string): [string, string | undefined] {
  const i = fullKey.indexOf(":");
  return i < 0 ? [fullKey, undefined] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

/** One value of Pulumi's flat config map: JSON text decoded, `true`/`false`, `null` as empty. */
export function decodeConfigValue(text: string): unknown {
  const t = text.trim();
  if (t === "null") return null;
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  if (t === "true" || t === "false") return t === "true";
  return text;
}

/**
 * Validates a stack config (keys without the namespace) and applies defaults. Returns every
 * problem at once: schema errors, cross-field errors (duplicates, the Terraform account used as a
 * product account, partition and region that disagree) and errors in derived names. An empty
 * value (YAML's null) counts as missing. Problems that only follow from another reported problem
 * (a misspelt `productAccounts` makes every apply-order entry unknown) are left out.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, unknown>>,
  hints: ParseHints = {},
): ParseResult {
  const empty: string[] = [];
  const config = withoutEmpty(raw, [], empty) as Record<string, unknown>;
  const emptySet = new Set(empty);
  const tagged: TaggedProblem[] = [];
  const parsed = stackConfigSchema.safeParse(config, { reportInput: true, error: issueMessage });
  if (!parsed.success) {
    tagged.push(...parsed.error.issues.flatMap((i) => fromIssue(i, config, emptySet, hints)));
  }
  for (const problem of [
    ...crossFieldProblems(config),
    ...ciProblems(config, configPath),
    ...iamSafetyProblems(config, configPath),
    ...orgStackProblems(config, configPath),
  ]) {
    tagged.push({ problem });
  }
  const problems = suppressFollowOns(tagged, config);
  const reported = new Set(problems.map((p) => p.path));
  const warnings = empty
    .filter((path) => !reported.has(path))
    .map((path) => ({
      path,
      value: null,
      message:
        "is empty (nothing after the colon), so it is not set and its default applies. Give it a value or remove the line.",
    }));
  if (problems.length > 0 || !parsed.success)
    return { ok: false, problems: dedupe(problems), warnings };

  const names = resolveNames(parsed.data);
  const nameProblems = derivedNameProblems(parsed.data, names);
  if (nameProblems.length > 0) return { ok: false, problems: nameProblems, warnings };
  return { ok: true, config: { ...parsed.data, names }, warnings };
}

/**
 * A copy of `value` without the null entries of its mappings, whose config paths are pushed on
 * `empty`: YAML reads `key:` with nothing after it as null, and the config treats it as unset.
 */
function withoutEmpty(value: unknown, path: PropertyKey[], empty: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutEmpty(v, [...path, i], empty));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) {
      empty.push(configPath([...path, key]));
      continue;
    }
    out[key] = withoutEmpty(v, [...path, key], empty);
  }
  return out;
}

/** Like {@link parseStackConfig}, but throws a {@link ConfigError} listing every problem. */
export function loadStackConfig(
  raw: Readonly<Record<string, unknown>>,
  source?: string,
): TopologyConfig {
  const result = parseStackConfig(raw);
  if (!result.ok) throw new ConfigError(result.problems, source);
  return result.config;
}

/** A config path as problems show it: `tf-bootstrap:productAccounts[1].id`. */
export function configPath(path: readonly PropertyKey[]): string {
  let out = CONFIG_NAMESPACE;
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function fromIssue(
  issue: z.core.$ZodIssue,
  raw: unknown,
  empty: ReadonlySet<string>,
  hints: ParseHints,
): TaggedProblem[] {
  if (issue.code === "unrecognized_keys") {
    const known = issue.path.length === 0 ? STACK_CONFIG_KEYS : knownKeysAt(issue.path);
    return issue.keys.map((key) => {
      const path = [...issue.path, key] as PropertyKey[];
      const hint = closest(key, known);
      return {
        problem: {
          path: configPath(path),
          value: valueAt(raw, path),
          message:
            `is not a known setting${hint ? `; did you mean '${hint}'?` : "."}` +
            ` Known settings here: ${known.join(", ")}. Remove or rename it.`,
        },
        unknownKey: { parent: configPath(issue.path), suggestion: hint },
      };
    });
  }
  const path = issue.path;
  const at = configPath(path);
  const value = valueAt(raw, path);
  if (value === undefined && issue.code === "invalid_type") {
    return [
      {
        problem: { path: at, value, message: requiredMessage(path, issue.message, empty.has(at)) },
        required: true,
      },
    ];
  }
  if (path.length === 1 && path[0] === "region" && typeof value === "string") {
    const partition = (raw as Record<string, unknown>).partition;
    const message = regionProblem(value, typeof partition === "string" ? partition : "aws");
    if (message) return [{ problem: { path: at, value, message } }];
  }
  let message = issue.message;
  if (issue.code === "invalid_type" && issue.expected === "string" && typeof value === "number") {
    message += numberNote(value, hints.numberSources?.get(at));
  }
  return [{ problem: { path: at, value, message } }];
}

/** Why YAML made a number of what was meant as text, and how to write it. */
function numberNote(value: number, source: string | undefined): string {
  if (source === undefined) {
    return `. YAML reads an unquoted number as a number, and drops its leading zeros; write it in quotes: "${value}" (with any zeros it started with)`;
  }
  const zeros = /^[+-]?(0+)\d/.exec(source)?.[1]?.length ?? 0;
  const dropped = zeros === 0 ? "" : `, dropping the leading zero${zeros > 1 ? "s" : ""}`;
  const read =
    source === String(value)
      ? `YAML read the unquoted ${source} as a number`
      : `YAML read the unquoted ${source} as the number ${value}${dropped}`;
  return `. ${read}; write it in quotes: "${source}"`;
}

function requiredMessage(
  path: readonly PropertyKey[],
  ruleMessage: string,
  isEmpty: boolean,
): string {
  const shape = fieldShape(path);
  const key = path[path.length - 1];
  const where =
    path.length <= 1
      ? `add \`${CONFIG_NAMESPACE}:${String(key)}: ${shape?.example ?? "..."}\` under config: in the stack file`
      : `add \`${String(key)}: ${shape?.example ?? "..."}\` to ${configPath(path.slice(0, -1))}`;
  const what = shape ? `It must be ${shape.what}` : `It ${ruleMessage}`;
  const head = isEmpty
    ? "is empty (nothing after the colon, which YAML reads as no value), and it is required"
    : "is required";
  return shape ? `${head}: ${where}. ${what}.` : `${head}. ${what}.`;
}

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  // Walk the schema's shape along the path; arrays are stepped through by their element.
  let node: unknown = stackConfigSchema;
  for (const part of path) {
    node = unwrap(node);
    if (typeof part === "number") {
      node = (node as { element?: unknown }).element;
    } else {
      const shape = (node as { shape?: Record<string, unknown> }).shape;
      node = shape?.[String(part)];
    }
  }
  const shape = (unwrap(node) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(node: unknown): unknown {
  let cur = node as { def?: { innerType?: unknown; in?: unknown } } | undefined;
  while (cur?.def?.innerType ?? cur?.def?.in) {
    cur = (cur.def.innerType ?? cur.def.in) as typeof cur;
  }
  return cur;
}

interface RawAccount {
  name?: unknown;
  id?: unknown;
  workspace?: unknown;
}

/** Problems that involve more than one field, found on the raw input so they are reported
 * together with schema errors. */
function crossFieldProblems(raw: Readonly<Record<string, unknown>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const products = Array.isArray(raw.productAccounts)
    ? (raw.productAccounts as unknown[]).map((a) => (isObject(a) ? (a as RawAccount) : {}))
    : [];
  const tfAccount = isObject(raw.terraformAccount)
    ? (raw.terraformAccount as RawAccount).id
    : undefined;

  const reported = new Set<number>();
  const duplicates = (field: "name" | "id" | "workspace", what: string, fix: string) => {
    const seen = new Map<string, number>();
    products.forEach((account, i) => {
      const value = field === "workspace" ? (account.workspace ?? account.name) : account[field];
      if (typeof value !== "string") return;
      // A workspace that defaults to a repeated name is the same mistake: report it once.
      if (field === "workspace" && account.workspace === undefined && reported.has(i)) return;
      const first = seen.get(value);
      if (first === undefined) {
        seen.set(value, i);
        return;
      }
      if (field === "name") reported.add(i);
      problems.push({
        path: configPath(["productAccounts", i, field]),
        value,
        message: `repeats the ${what} of productAccounts[${first}]; every product account needs its own ${what}. ${fix}`,
      });
    });
  };
  duplicates("name", "name", "Rename one of them.");
  duplicates("id", "account id", "Remove the duplicate entry or correct the id.");
  duplicates(
    "workspace",
    "workspace",
    "Set a distinct 'workspace' on one of them (it defaults to the account name).",
  );

  products.forEach((account, i) => {
    if (typeof tfAccount === "string" && account.id === tfAccount) {
      problems.push({
        path: configPath(["productAccounts", i, "id"]),
        value: account.id,
        message:
          "is the Terraform account's id; the Terraform account holds state and the CI identity and must not also be a product account. Remove this entry or use the product account's own id.",
      });
    }
    if (account.name === "terraform") {
      problems.push({
        path: configPath(["productAccounts", i, "name"]),
        value: account.name,
        message:
          "'terraform' is reserved for the Terraform account's resources. Choose another name for this product account.",
      });
    }
    if (
      account.workspace === "default" ||
      (account.workspace === undefined && account.name === "default")
    ) {
      problems.push({
        path: configPath([
          "productAccounts",
          i,
          account.workspace === undefined ? "name" : "workspace",
        ]),
        value: "default",
        message:
          "'default' is Terraform's unnamed workspace and cannot be mapped to an account. Choose another workspace name.",
      });
    }
  });

  const role = isObject(raw.terraformRole)
    ? (raw.terraformRole as Record<string, unknown>)
    : undefined;
  const isEmpty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
  if (
    role &&
    isEmpty(role.managedPolicyArns) &&
    isEmpty(role.customerManagedPolicies) &&
    isEmpty(role.allowedServices)
  ) {
    problems.push({
      path: configPath(["terraformRole"]),
      value: role,
      message:
        "grants Terraform no permissions: set 'allowedServices' (e.g. [ec2, s3]), 'managedPolicyArns' and/or 'customerManagedPolicies' so the role can manage the services Terraform owns.",
    });
  }

  const partition = raw.partition ?? "aws";
  const region = raw.region;
  if (typeof region === "string" && typeof partition === "string" && follows(REGION, region)) {
    const message = regionProblem(region, partition);
    if (message) problems.push({ path: configPath(["region"]), value: region, message });
  }
  return problems;
}

function derivedNameProblems(config: StackConfig, names: ResolvedNames): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (
    field: "state.bucketName" | "audit.logBucketName",
    explicit: string | undefined,
    name: string,
  ) => {
    const problem = bucketNameProblem(name);
    if (!problem) return;
    const what = field === "state.bucketName" ? "state bucket name" : "log bucket name";
    const generatedFrom =
      config.state.bucketPrefix === undefined ? "organization" : "state.bucketPrefix";
    problems.push(
      explicit !== undefined
        ? {
            path: configPath(field.split(".")),
            value: explicit,
            message: `${what} '${name}' ${problem}. Choose a name that follows the S3 bucket naming rules.`,
          }
        : {
            path: configPath(generatedFrom.split(".")),
            value: config.state.bucketPrefix ?? config.organization,
            message: `the generated ${what} '${name}' ${problem}. Use a shorter ${generatedFrom}, or set ${field} explicitly.`,
          },
    );
  };
  check("state.bucketName", config.state.bucketName, names.stateBucket);
  check("audit.logBucketName", config.audit.logBucketName, names.logBucket);
  if (names.stateBucket === names.logBucket) {
    problems.push({
      path: configPath(["audit", "logBucketName"]),
      value: names.logBucket,
      message:
        "is the same as the state bucket name; logs need a bucket of their own. Choose another name.",
    });
  }
  return problems;
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Lifecycle rules that could delete or hide what a bucket must keep.
 *
 * - **State bucket:** no enabled rule that can reach a state object (the workspaces' prefix, or
 *   the default workspace's object at the bucket root) may expire current objects or move them
 *   to an archive storage class (Glacier Flexible Retrieval, Deep Archive: a state read would
 *   fail until restored), and noncurrent versions must be kept at least
 *   `state.noncurrentVersionRetentionDays` days. An S3 Intelligent-Tiering configuration that
 *   archives objects of the state bucket is refused for the same reason.
 * - **Log bucket:** no rule may expire logs, current or noncurrent, sooner than
 *   `audit.logRetentionDays`, or at all when logs are kept forever.
 *
 * Rules are read from `aws.s3.BucketLifecycleConfiguration` (and `V2`) and from the bucket's own
 * `lifecycleRules`. A rule applies unless its prefix provably lies outside what must be kept;
 * a tag or size filter may match, so it counts. Unknown values fail closed.
 */
import { describe, type Findings } from "./finding";
import { firstUnknown, readAt, readObjects, type PropertyPath } from "./read";
import { settingsOf, type StateBucket } from "./buckets";
import type { Topology } from "./topology";
import type { ResourceView, ViewValue } from "./view";

/** The lifecycle configuration type the program registers. */
export const LIFECYCLE_TYPE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

/** Lifecycle configuration types (current and `V2` names of @pulumi/aws). */
export const LIFECYCLE_TYPES = [
  LIFECYCLE_TYPE,
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];

/** S3 Intelligent-Tiering configuration type. */
export const TIERING_TYPE =
  "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration";

/** Storage classes from which an object cannot be read without a restore. */
const ARCHIVE_CLASSES = ["GLACIER", "DEEP_ARCHIVE"];

type Obj = { readonly [key: string]: ViewValue };

/** One lifecycle rule, read the same way from both resource shapes. */
interface Rule {
  readonly source: ResourceView;
  readonly path: string;
  readonly enabled: boolean;
  /** Prefixes the rule is limited to; `undefined`: the whole bucket. */
  readonly prefix?: string;
  readonly expirationDays?: number;
  readonly expirationDate?: string;
  readonly noncurrentDays?: number;
  readonly archiveTransition?: string;
}

function num(value: ViewValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function obj(value: ViewValue | undefined): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

function str(value: ViewValue | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function archiveClass(transitions: ViewValue | undefined): string | undefined {
  const list = Array.isArray(transitions) ? (transitions as readonly ViewValue[]) : [];
  for (const item of list) {
    const cls = str(obj(item)?.storageClass);
    if (cls !== undefined && ARCHIVE_CLASSES.includes(cls.toUpperCase())) return cls;
  }
  return undefined;
}

function ruleOfConfiguration(source: ResourceView, raw: Obj, index: number): Rule {
  const filter = obj(raw.filter);
  const prefix = str(filter?.prefix) ?? str(obj(filter?.and)?.prefix) ?? str(raw.prefix);
  const expiration = obj(raw.expiration);
  const noncurrent = obj(raw.noncurrentVersionExpiration);
  return {
    source,
    path: `rules[${index}]`,
    enabled: raw.status === "Enabled",
    ...(prefix !== undefined ? { prefix } : {}),
    ...optional("expirationDays", num(expiration?.days)),
    ...optional("expirationDate", str(expiration?.date)),
    ...optional("noncurrentDays", num(noncurrent?.noncurrentDays)),
    ...optional("archiveTransition", archiveClass(raw.transitions)),
  };
}

function ruleOfBucket(source: ResourceView, raw: Obj, index: number): Rule {
  const prefix = str(raw.prefix);
  const expiration = obj(raw.expiration);
  const noncurrent = obj(raw.noncurrentVersionExpiration);
  return {
    source,
    path: `lifecycleRules[${index}]`,
    enabled: raw.enabled === true || raw.enabled === "true",
    ...(prefix !== undefined ? { prefix } : {}),
    ...optional("expirationDays", num(expiration?.days)),
    ...optional("expirationDate", str(expiration?.date)),
    ...optional("noncurrentDays", num(noncurrent?.days)),
    ...optional("archiveTransition", archiveClass(raw.transitions)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Reads the rules of one resource at `path`; unknown parts are reported and fail closed. */
function readRules(
  resource: ResourceView,
  path: PropertyPath,
  make: (source: ResourceView, raw: Obj, index: number) => Rule,
  out: Findings,
  what: string,
): Rule[] | undefined {
  const raw = readAt(resource.props, path);
  const unknownAt =
    raw.kind === "unknown"
      ? raw.path
      : raw.kind === "value"
        ? firstUnknown(raw.value, path)
        : undefined;
  if (unknownAt !== undefined) {
    out.unreadable({ kind: "unknown", path: unknownAt }, resource, what);
    return undefined;
  }
  const rules = readObjects(resource.props, path);
  if (out.unreadable(rules, resource, what)) return undefined;
  return rules.kind === "value" ? rules.value.map((r, i) => make(resource, r, i)) : [];
}

/** Every lifecycle rule of `bucket`, or `undefined` when one cannot be read (reported). */
function rulesOf(topology: Topology, bucket: StateBucket, out: Findings): Rule[] | undefined {
  const what = `the lifecycle rules of bucket ${bucket.name}`;
  const rules: Rule[] = [];
  for (const config of settingsOf(topology, LIFECYCLE_TYPES, bucket.name, out, "lifecycle")) {
    const read = readRules(config, ["rules"], ruleOfConfiguration, out, what);
    if (read === undefined) return undefined;
    rules.push(...read);
  }
  const inline = readRules(bucket.resource, ["lifecycleRules"], ruleOfBucket, out, what);
  if (inline === undefined) return undefined;
  return [...rules, ...inline];
}

/** Whether a rule limited to `prefix` can reach an object under one of `kept`. */
function reaches(rule: Rule, kept: readonly string[]): boolean {
  const prefix = rule.prefix;
  if (prefix === undefined) return true;
  return kept.some((k) => k.startsWith(prefix) || prefix.startsWith(k));
}

function where(rule: Rule): string {
  return `${describe(rule.source)} ${rule.path}${rule.prefix !== undefined ? ` (prefix "${rule.prefix}")` : ""}`;
}

/** The state bucket's lifecycle (see the module comment). */
export function checkStateLifecycle(
  topology: Topology,
  bucket: StateBucket,
  kept: readonly string[],
  retentionDays: number,
  out: Findings,
): void {
  const rules = rulesOf(topology, bucket, out);
  for (const rule of (rules ?? []).filter((r) => r.enabled && reaches(r, kept))) {
    if (rule.expirationDays !== undefined || rule.expirationDate !== undefined) {
      out.add(
        "Lifecycle::ExpiresState",
        `State bucket ${bucket.name}: ${where(rule)} expires current objects ` +
          `(${rule.expirationDays !== undefined ? `after ${rule.expirationDays} days` : `on ${rule.expirationDate}`}), ` +
          `which reaches the state: every workspace's current state would become a noncurrent ` +
          `version and, with the noncurrent expiry, be deleted. Fix: never expire current state ` +
          `objects; the stack's rule expires only noncurrent versions (lib/plan/state.ts).`,
        rule.source,
      );
    }
    if (rule.noncurrentDays !== undefined && rule.noncurrentDays < retentionDays) {
      out.add(
        "Lifecycle::NoncurrentRetention",
        `State bucket ${bucket.name}: ${where(rule)} deletes noncurrent state versions after ` +
          `${rule.noncurrentDays} days, sooner than the configured ` +
          `state.noncurrentVersionRetentionDays (${retentionDays}): an overwritten or damaged ` +
          `state could no longer be recovered from its versions. Fix: keep noncurrent versions at ` +
          `least ${retentionDays} days, or change the config.`,
        rule.source,
      );
    }
    if (rule.archiveTransition !== undefined) {
      out.add(
        "Lifecycle::ArchivesState",
        `State bucket ${bucket.name}: ${where(rule)} moves current objects to ` +
          `${rule.archiveTransition}, from which they cannot be read without a restore: ` +
          `Terraform could not read state. Fix: remove the transition.`,
        rule.source,
      );
    }
  }
  for (const tiering of settingsOf(topology, [TIERING_TYPE], bucket.name, out, "tiering")) {
    const status = readAt(tiering.props, ["status"]);
    if (status.kind === "value" && status.value === "Disabled") continue;
    out.add(
      "Lifecycle::ArchivesState",
      `State bucket ${bucket.name}: ${describe(tiering)} moves objects to archive access tiers, ` +
        `from which they cannot be read without a restore: Terraform could not read state. ` +
        `Fix: remove it.`,
      tiering,
    );
  }
}

/** The log bucket's lifecycle (see the module comment). */
export function checkLogLifecycle(
  topology: Topology,
  bucket: StateBucket,
  retentionDays: number | undefined,
  out: Findings,
): void {
  const rules = rulesOf(topology, bucket, out);
  const kept = retentionDays === undefined ? "forever" : `${retentionDays} days`;
  for (const rule of (rules ?? []).filter((r) => r.enabled)) {
    const days = [rule.expirationDays, rule.noncurrentDays].filter(
      (d): d is number => d !== undefined,
    );
    const early =
      rule.expirationDate !== undefined ||
      days.some((d) => retentionDays === undefined || d < retentionDays);
    if (!early) continue;
    out.add(
      "Lifecycle::ExpiresLogs",
      `Log bucket ${bucket.name}: ${where(rule)} deletes logs (current or noncurrent) sooner ` +
        `than the configured retention (${kept}, audit.logRetentionDays): the evidence of who ` +
        `changed the topology or read state would be gone. Fix: expire logs no sooner than ` +
        `audit.logRetentionDays, as lib/plan/audit.ts does.`,
      rule.source,
    );
  }
}

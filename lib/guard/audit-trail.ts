/**
 * `audit-trail-enabled`: every change and every state read or write leaves evidence.
 *
 * The Terraform account must have a CloudTrail trail that is multi-region, validates log files,
 * is encrypted with a KMS key of the Terraform account, is logging, and records data events
 * (reads and writes) for every object of every state bucket. Event selectors are read
 * conservatively: a selector counts only if it selects S3 object data events and restricts
 * nothing but the object ARN prefix, and that prefix covers the whole bucket. One compliant
 * trail is enough; when there is none, every trail's problems are reported.
 */
import { bucketArn } from "../arn";
import { describe, Findings } from "./finding";
import { checkKeyReference } from "./kms-reference";
import { requireTerraformAccount } from "./prerequisites";
import { firstUnknown, readAt, readBoolean, readObjects, readString, type Read } from "./read";
import { checkBucketAccess, checkKeyAccess, trailArnOf, trailKeys } from "./backend-access";
import { logBuckets, S3, settingsOf, stateBuckets, TRAIL_TYPE, type StateBucket } from "./buckets";
import { requireIntent } from "./intent";
import { checkLogLifecycle } from "./lifecycle";
import { checkBucketBasics } from "./state-backend";
import { inTerraformAccount, type Topology } from "./topology";
import type { ResourceView, ViewValue } from "./view";

type Obj = { readonly [key: string]: ViewValue };

function list(value: ViewValue | undefined): readonly ViewValue[] {
  return Array.isArray(value) ? (value as readonly ViewValue[]) : [];
}

function isObj(value: ViewValue): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether an advanced event selector records every data event on objects under `prefix`. */
export function advancedSelectorCovers(selector: Obj, prefix: string): boolean {
  let data = false;
  let objects = false;
  let arnCovered = true;
  for (const raw of list(selector.fieldSelectors)) {
    if (!isObj(raw)) return false;
    const equals = list(raw.equals);
    if (
      ["notEquals", "notStartsWiths", "notEndsWiths", "endsWiths"].some(
        (k) => list(raw[k]).length > 0,
      )
    ) {
      return false;
    }
    switch (raw.field) {
      case "eventCategory":
        data = equals.length === 1 && equals[0] === "Data";
        break;
      case "resources.type":
        objects = equals.length === 1 && equals[0] === "AWS::S3::Object";
        break;
      case "resources.ARN":
        arnCovered =
          equals.length === 0 &&
          list(raw.startsWiths).some((s) => typeof s === "string" && prefix.startsWith(s));
        break;
      default:
        // Any other field (readOnly, eventName, userIdentity.arn...) narrows the selection.
        return false;
    }
  }
  return data && objects && arnCovered;
}

/** Whether a basic event selector records every data event on objects under `prefix`. */
export function basicSelectorCovers(selector: Obj, prefix: string): boolean {
  const readWrite = selector.readWriteType;
  if (readWrite !== undefined && readWrite !== null && readWrite !== "All") return false;
  return list(selector.dataResources).some(
    (raw) =>
      isObj(raw) &&
      raw.type === "AWS::S3::Object" &&
      list(raw.values).some((v) => typeof v === "string" && prefix.startsWith(v)),
  );
}

function flag(
  trail: ResourceView,
  read: Read<boolean>,
  absentMeans: boolean,
  id: string,
  needs: string,
  out: Findings,
): void {
  if (out.unreadable(read, trail, needs)) return;
  if (!(read.kind === "value" ? read.value : absentMeans)) {
    out.add(
      id,
      `${describe(trail)} does not meet the audit requirement: it needs ${needs}. Fix: set ` +
        `${needs} on the trail (components/audit-trail.ts).`,
      trail,
    );
  }
}

function checkSelectors(
  trail: ResourceView,
  buckets: readonly StateBucket[],
  partition: string,
  out: Findings,
): void {
  for (const prop of ["advancedEventSelectors", "eventSelectors"]) {
    const raw = readAt(trail.props, [prop]);
    const unknownAt =
      raw.kind === "unknown"
        ? raw.path
        : raw.kind === "value"
          ? firstUnknown(raw.value, [prop])
          : undefined;
    if (unknownAt !== undefined) {
      out.unreadable(
        { kind: "unknown", path: unknownAt },
        trail,
        "which data events the trail records",
      );
      return;
    }
  }
  const advanced = readObjects(trail.props, ["advancedEventSelectors"]);
  const basic = readObjects(trail.props, ["eventSelectors"]);
  for (const bucket of buckets) {
    const prefix = `${bucketArn(partition, bucket.name)}/`;
    const covered =
      (advanced.kind === "value" &&
        advanced.value.some((s) => advancedSelectorCovers(s, prefix))) ||
      (basic.kind === "value" && basic.value.some((s) => basicSelectorCovers(s, prefix)));
    if (!covered) {
      out.add(
        "Trail::NoStateDataEvents",
        `${describe(trail)} does not record every read and write of the state bucket ` +
          `${bucket.name}: no event selector selects S3 object data events for ${prefix} ` +
          `without narrowing them (readOnly, eventName and other fields narrow). Fix: add an ` +
          `advanced event selector with eventCategory = Data, resources.type = AWS::S3::Object ` +
          `and resources.ARN startsWith ${prefix}.`,
        trail,
      );
    }
  }
}

/** Whether an advanced event selector records every management event, reads and writes. */
function advancedManagementCovers(selector: Obj): boolean {
  const fields = list(selector.fieldSelectors);
  return (
    fields.length === 1 &&
    fields.every((raw) => {
      if (!isObj(raw) || raw.field !== "eventCategory") return false;
      const equals = list(raw.equals);
      const narrowed = ["notEquals", "notStartsWiths", "notEndsWiths", "endsWiths", "startsWiths"];
      return (
        equals.length === 1 &&
        equals[0] === "Management" &&
        narrowed.every((k) => list(raw[k]).length === 0)
      );
    })
  );
}

/** Whether a basic event selector records every management event, reads and writes. */
function basicManagementCovers(selector: Obj): boolean {
  const readWrite = selector.readWriteType;
  const include = selector.includeManagementEvents;
  return (
    (readWrite === undefined || readWrite === null || readWrite === "All") &&
    include !== false &&
    include !== "false" &&
    list(selector.excludeManagementEventSources).length === 0
  );
}

/**
 * Management events (every API call that changes or reads the topology: IAM, KMS, S3 bucket
 * settings, STS) must be recorded, reads and writes. A trail without selectors records them by
 * default; with advanced selectors one must select eventCategory = Management and nothing
 * narrower; with basic selectors one must include management events, read and write, excluding
 * no event source. IAM and STS events are global: the trail must include them.
 */
function checkManagementEvents(trail: ResourceView, out: Findings): void {
  const advanced = readObjects(trail.props, ["advancedEventSelectors"]);
  const basic = readObjects(trail.props, ["eventSelectors"]);
  if (out.unreadable(advanced, trail, "which management events the trail records")) return;
  if (out.unreadable(basic, trail, "which management events the trail records")) return;
  const advancedList = advanced.kind === "value" ? advanced.value : [];
  const basicList = basic.kind === "value" ? basic.value : [];
  const covered =
    advancedList.length > 0
      ? advancedList.some(advancedManagementCovers)
      : basicList.length === 0 || basicList.some(basicManagementCovers);
  if (!covered) {
    out.add(
      "Trail::NoManagementEvents",
      `${describe(trail)} does not record every management event, read and write: its event ` +
        `selectors leave out management events, or narrow them (read-only or write-only, ` +
        `excluded event sources). Changes to the topology's roles, keys and buckets, and reads ` +
        `of their settings, would leave no evidence. Fix: add an advanced event selector with ` +
        `only eventCategory = Management (components/audit-trail.ts).`,
      trail,
    );
  }
  const global = readBoolean(trail.props, ["includeGlobalServiceEvents"]);
  if (out.unreadable(global, trail, "whether the trail records global service events")) return;
  if (global.kind === "value" && !global.value) {
    out.add(
      "Trail::NoGlobalServiceEvents",
      `${describe(trail)} has includeGlobalServiceEvents: false, so IAM and STS calls (role, ` +
        `policy and trust changes, role assumptions) are not recorded. Fix: set ` +
        `includeGlobalServiceEvents: true.`,
      trail,
    );
  }
}

function checkTrail(
  topology: Topology,
  trail: ResourceView,
  buckets: readonly StateBucket[],
  partition: string,
  out: Findings,
): void {
  const p = trail.props;
  flag(
    trail,
    readBoolean(p, ["isMultiRegionTrail"]),
    false,
    "Trail::NotMultiRegion",
    "isMultiRegionTrail: true",
    out,
  );
  flag(
    trail,
    readBoolean(p, ["enableLogFileValidation"]),
    false,
    "Trail::NoLogFileValidation",
    "enableLogFileValidation: true",
    out,
  );
  flag(
    trail,
    readBoolean(p, ["enableLogging"]),
    true,
    "Trail::LoggingOff",
    "enableLogging: true",
    out,
  );
  const key = readString(p, ["kmsKeyId"]);
  if (!checkKeyReference(topology, key, trail, "kmsKeyId", "kmsKeyId", out)) {
    out.add(
      "Trail::NotEncrypted",
      `${describe(trail)} is not encrypted with a KMS key (kmsKeyId is not set), so its logs ` +
        `are readable by anyone who can read the log bucket. Fix: set kmsKeyId to the trail ` +
        `key of the Terraform account.`,
      trail,
    );
  }
  checkManagementEvents(trail, out);
  checkSelectors(trail, buckets, partition, out);
}

/** `audit-trail-enabled`. */
export function checkAuditTrail(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const tf = topology.terraformAccount;
  const partition = tf.kind === "resolved" ? tf.partition : "aws";
  const trails = inTerraformAccount(topology, [TRAIL_TYPE]);
  const buckets = stateBuckets(topology, out);
  if (trails.length === 0) {
    out.add(
      "Trail::Missing",
      `The Terraform account${tf.kind === "resolved" ? ` ${tf.id}` : ""} has no CloudTrail ` +
        `trail, so changes to the topology and reads of state leave no evidence. Fix: keep the ` +
        `audit trail (components/audit-trail.ts) in the Terraform account.`,
    );
    return;
  }
  const perTrail = trails.map((trail) => {
    const own = new Findings(out.policy);
    checkTrail(topology, trail, buckets, partition, own);
    return own;
  });
  if (!perTrail.some((own) => own.size === 0)) perTrail.forEach((own) => out.merge(own));
  checkEvidence(topology, trails, buckets, out);
}

/**
 * Where the evidence lands: every log bucket never loses data (versioned, private, ACLs off,
 * protected), refuses deletion and reconfiguration by everyone but the backend administrators,
 * takes logs only from the stack's own trail and state bucket, keeps them as long as
 * configured; the trail key encrypts only for the stack's trail and is administered only by
 * the administrators; each state bucket sends its access logs to a log bucket.
 */
function checkEvidence(
  topology: Topology,
  trails: readonly ResourceView[],
  buckets: readonly StateBucket[],
  out: Findings,
): void {
  const logs = logBuckets(topology, out);
  for (const bucket of logs)
    checkBucketBasics(topology, bucket, "Log bucket", "the log bucket", out);
  checkAccessLogs(topology, buckets, logs, out);
  const intent = requireIntent(
    topology.intent,
    out,
    "who may read, delete and administer the logs, and how long they are kept",
  );
  if (intent === undefined) return;
  const trail = trails[0];
  const trailArn = trail === undefined ? undefined : trailArnOf(trail, intent);
  const trailPrefix = trail === undefined ? undefined : readString(trail.props, ["s3KeyPrefix"]);
  const source = buckets[0];
  for (const bucket of logs) {
    const logging = source ? accessLogging(topology, source, out) : undefined;
    checkBucketAccess(
      topology,
      intent,
      bucket,
      "log-bucket",
      {
        ...(trailArn !== undefined ? { trailArn } : {}),
        ...(trailPrefix?.kind === "value" ? { trailPrefix: trailPrefix.value } : {}),
        ...(source ? { accessLogSource: bucketArn(intent.partition, source.name) } : {}),
        ...(logging?.prefix !== undefined ? { accessLogPrefix: logging.prefix } : {}),
      },
      out,
    );
    checkLogLifecycle(topology, bucket, intent.audit.logRetentionDays, out);
  }
  checkKeyAccess(
    topology,
    intent,
    trailKeys(topology),
    "trail-key",
    trailArn !== undefined ? { trailArn } : {},
    out,
  );
}

/** The access-logging setting of `bucket`: where its logs go, under which prefix. */
function accessLogging(
  topology: Topology,
  bucket: StateBucket,
  out: Findings,
): { target?: string; prefix?: string } | undefined {
  const [setting] = settingsOf(topology, S3.logging, bucket.name, out, "access logging");
  if (setting === undefined) return undefined;
  const target = readString(setting.props, ["targetBucket"]);
  const prefix = readString(setting.props, ["targetPrefix"]);
  return {
    ...(target.kind === "value" ? { target: target.value } : {}),
    ...(prefix.kind === "value" ? { prefix: prefix.value } : {}),
  };
}

function checkAccessLogs(
  topology: Topology,
  buckets: readonly StateBucket[],
  logs: readonly StateBucket[],
  out: Findings,
): void {
  const logNames = new Set(logs.map((b) => b.name));
  for (const bucket of buckets) {
    const logging = accessLogging(topology, bucket, out);
    if (logging?.target !== undefined && logNames.has(logging.target)) continue;
    out.add(
      "AccessLogs::Missing",
      `State bucket ${bucket.name} (${describe(bucket.resource)}) does not send its server ` +
        `access logs to the trail's log bucket${logging?.target !== undefined ? ` (it sends them to ${logging.target})` : ""}: ` +
        `requests that CloudTrail data events do not show (refused ones, anonymous ones) would ` +
        `leave no record. Fix: keep the aws.s3.BucketLogging of the state bucket targeting the ` +
        `log bucket (components/state-backend.ts).`,
      bucket.resource,
    );
  }
}

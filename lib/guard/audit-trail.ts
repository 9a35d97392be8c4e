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
import { stateBuckets, TRAIL_TYPE, type StateBucket } from "./state-backend";
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
  if (perTrail.some((own) => own.size === 0)) return;
  perTrail.forEach((own) => out.merge(own));
}

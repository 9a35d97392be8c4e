/**
 * The buckets of the Terraform account as the guard tells them apart: state buckets (every
 * bucket no trail or access log writes to, and any bucket a CI role writes objects to) and log
 * buckets (the trails' destinations), with the settings resources that configure a bucket.
 */
import { bucketArn } from "../arn";
import { anyActionMatches, wildcardMatch } from "../iam/matching";
import { Findings, describe } from "./finding";
import { readableDocuments } from "./principal-documents";
import { readString } from "./read";
import { inTerraformAccount, type Topology } from "./topology";
import type { ResourceView } from "./view";

/** S3 resource types the backend checks read (current and `V2` names of @pulumi/aws). */
export const S3 = {
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  versioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  publicAccess: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  ownership: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
} as const;

/** The CloudTrail trail type. */
export const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";

/** The DynamoDB table type. */
export const TABLE_TYPE = "aws:dynamodb/table:Table";

/** A state bucket: its resource and its name. */
export interface StateBucket {
  readonly resource: ResourceView;
  readonly name: string;
}

/**
 * The state buckets of the Terraform account (see the module comment). A bucket whose name
 * cannot be read is reported and left out; a log destination that cannot be read leaves every
 * bucket a state bucket (stricter).
 */
export function stateBuckets(topology: Topology, out: Findings): StateBucket[] {
  const logTargets = new Set<string>();
  for (const trail of inTerraformAccount(topology, [TRAIL_TYPE])) {
    const name = readString(trail.props, ["s3BucketName"]);
    if (name.kind === "value") logTargets.add(name.value);
  }
  for (const logging of inTerraformAccount(topology, S3.logging)) {
    const name = readString(logging.props, ["targetBucket"]);
    if (name.kind === "value") logTargets.add(name.value);
  }
  const buckets: StateBucket[] = [];
  for (const bucket of inTerraformAccount(topology, S3.bucket)) {
    const name = readString(bucket.props, ["bucket"]);
    if (out.unreadable(name, bucket, "which bucket it is")) continue;
    if (name.kind !== "value") {
      out.add(
        "Bucket::NoName",
        `${describe(bucket)} has no bucket name, so the policy cannot link its settings ` +
          `(versioning, encryption, public access, policy) and fails closed. Fix: name the ` +
          `bucket from config (lib/config/names.ts).`,
        bucket,
      );
      continue;
    }
    if (!logTargets.has(name.value) || ciWritesObjects(topology, name.value)) {
      buckets.push({ resource: bucket, name: name.value });
    }
  }
  return buckets;
}

/**
 * Whether a CI role's policies let it write objects to `bucket`: that bucket holds state, even
 * if a trail or access logs also write to it (so a log destination cannot hide the state bucket).
 */
function ciWritesObjects(topology: Topology, bucket: string): boolean {
  const tf = topology.terraformAccount;
  const arn = bucketArn(tf.kind === "resolved" ? tf.partition : "aws", bucket);
  const scratch = new Findings("state-backend-hardened");
  const names = (pattern: string) =>
    pattern === "*" || wildcardMatch(pattern.split("/")[0] ?? pattern, arn);
  return topology.ciRoles.some((role) =>
    readableDocuments(topology, role, scratch).some(({ document }) =>
      document.Statement.some(
        (st) =>
          st.Effect === "Allow" &&
          (st.Action
            ? anyActionMatches(st.Action, "s3:PutObject")
            : !anyActionMatches(st.NotAction ?? [], "s3:PutObject")) &&
          (st.Resource ? st.Resource.some(names) : true),
      ),
    ),
  );
}

/** The settings resources (of one of `types`) of the bucket named `name`. */
export function settingsOf(
  topology: Topology,
  types: readonly string[],
  name: string,
  out: Findings,
  what: string,
): ResourceView[] {
  return inTerraformAccount(topology, types).filter((r) => {
    const bucket = readString(r.props, ["bucket"]);
    if (bucket.kind === "unknown" || bucket.kind === "invalid") {
      out.unreadable(bucket, r, `which bucket's ${what} it sets`);
      return false;
    }
    return bucket.kind === "value" && bucket.value === name;
  });
}

/** The buckets the Terraform account's trails deliver logs to. */
export function logBuckets(topology: Topology, out: Findings): StateBucket[] {
  const names = new Set<string>();
  for (const trail of inTerraformAccount(topology, [TRAIL_TYPE])) {
    const name = readString(trail.props, ["s3BucketName"]);
    if (out.unreadable(name, trail, "which bucket the trail writes to")) continue;
    if (name.kind === "value") names.add(name.value);
  }
  return inTerraformAccount(topology, S3.bucket).flatMap((resource) => {
    const name = readString(resource.props, ["bucket"]);
    return name.kind === "value" && names.has(name.value) ? [{ resource, name: name.value }] : [];
  });
}

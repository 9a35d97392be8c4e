/**
 * The state backend's and the audit trail's resource policies judged against the access matrix
 * (`access-matrix.ts`), the state bucket's lifecycle, and the keys' deletion window. The
 * caller classes come from the stack's intent (admin principals, the bootstrap role) and from
 * the topology (the CI roles of each path), so a principal a hand edit adds to a policy is a
 * principal of the Terraform account like any other.
 */
import { accountRootArn, bucketArn, trailArn } from "../arn";
import { POLICY_VERSION, type PolicyDocument } from "../iam/types";
import { KEY_DELETION_WINDOW_DAYS } from "../plan/kms";
import { matrixOf, type MatrixResource } from "./access-matrix";
import { parseDocument } from "./documents";
import { describe, type Findings } from "./finding";
import { readDocumentText } from "./iam-index";
import type { StackIntent } from "./intent";
import { KMS_KEY_TYPE, referencedKeys } from "./kms-reference";
import { readNumber, readString } from "./read";
import { checkResourceAccess, type AccessSubject, type CallerDirectory } from "./resource-access";
import { S3, settingsOf, TABLE_TYPE, TRAIL_TYPE, type StateBucket } from "./buckets";
import { forAccess, inTerraformAccount, type Topology } from "./topology";
import type { ResourceView } from "./view";

/** Who is who, for the matrix: the CI roles of the topology, the admins of the intent. */
export function callerDirectory(topology: Topology, intent: StackIntent): CallerDirectory {
  const arns = (access: "plan" | "apply") =>
    forAccess(topology, access).ciRoles.flatMap((r) =>
      r.arn.kind === "value" ? [r.arn.value] : [],
    );
  return {
    ciPlanRoles: arns("plan"),
    ciApplyRoles: arns("apply"),
    adminPrincipals: intent.adminPrincipals,
    bootstrapRoles: [intent.bootstrapRoleArn],
  };
}

/**
 * The bucket policies of `bucket`: its `aws.s3.BucketPolicy` resources (the bucket resource's
 * own `policy` is a computed output, unknown at every preview, and not how the program sets a
 * policy; with none, `Tls::NoBucketPolicy` and the matrix's refusals report the bucket).
 */
function bucketPolicies(
  topology: Topology,
  bucket: StateBucket,
  out: Findings,
): { owner: ResourceView; document: PolicyDocument }[] {
  const docs: { owner: ResourceView; document: PolicyDocument }[] = [];
  const owners = settingsOf(topology, S3.policy, bucket.name, out, "bucket policy");
  if (owners.length === 0) {
    // No policy at all: judge the empty policy, so every refusal the matrix needs is reported.
    return [{ owner: bucket.resource, document: { Version: POLICY_VERSION, Statement: [] } }];
  }
  for (const owner of owners) {
    const prop = "policy";
    const text = readDocumentText(owner, prop);
    if (out.unreadable(text, owner, `the policy of bucket ${bucket.name}`)) continue;
    if (text.kind !== "value" || text.value === "") continue;
    const document = parseDocument(text.value, owner, `the policy of bucket ${bucket.name}`, out);
    if (document) docs.push({ owner, document });
  }
  return docs;
}

/** The AWS default key policy: the account may do everything with the key through IAM. */
function defaultKeyPolicy(partition: string, accountId: string): PolicyDocument {
  return {
    Version: POLICY_VERSION,
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: [accountRootArn(partition, accountId)] },
        Action: ["kms:*"],
        Resource: ["*"],
      },
    ],
  };
}

/** The key's policy; a key without one gets AWS's default. */
function keyPolicy(
  key: ResourceView,
  intent: StackIntent,
  out: Findings,
): PolicyDocument | undefined {
  const text = readDocumentText(key, "policy");
  if (out.unreadable(text, key, "the key policy")) return undefined;
  if (text.kind !== "value" || text.value === "") {
    return defaultKeyPolicy(intent.partition, intent.terraformAccountId);
  }
  return parseDocument(text.value, key, "the key policy", out);
}

/** Judges one bucket's policies against `resource`'s matrix. */
export function checkBucketAccess(
  topology: Topology,
  intent: StackIntent,
  bucket: StateBucket,
  resource: MatrixResource,
  subject: Omit<AccessSubject, "partition" | "region" | "accountId" | "bucketArn">,
  out: Findings,
): void {
  const full: AccessSubject = {
    partition: intent.partition,
    region: intent.region,
    accountId: intent.terraformAccountId,
    bucketArn: bucketArn(intent.partition, bucket.name),
    ...subject,
  };
  const directory = callerDirectory(topology, intent);
  for (const { owner, document } of bucketPolicies(topology, bucket, out)) {
    checkResourceAccess(matrixOf(resource), document, full, directory, owner, out);
  }
}

/** Judges keys' policies against `resource`'s matrix (each key once). */
export function checkKeyAccess(
  topology: Topology,
  intent: StackIntent,
  keys: readonly ResourceView[],
  resource: MatrixResource,
  subject: Omit<AccessSubject, "partition" | "region" | "accountId">,
  out: Findings,
): void {
  const full: AccessSubject = {
    partition: intent.partition,
    region: intent.region,
    accountId: intent.terraformAccountId,
    ...subject,
  };
  const directory = callerDirectory(topology, intent);
  for (const key of new Set(keys)) {
    const document = keyPolicy(key, intent, out);
    if (document) checkResourceAccess(matrixOf(resource), document, full, directory, key, out);
  }
}

/** The keys the state is encrypted with: the state buckets' default keys and the lock tables'. */
export function stateKeys(
  topology: Topology,
  buckets: readonly StateBucket[],
  out: Findings,
): ResourceView[] {
  const keys: ResourceView[] = [];
  for (const bucket of buckets) {
    for (const setting of settingsOf(topology, S3.encryption, bucket.name, out, "encryption")) {
      const rules = Array.isArray(setting.props.rules) ? setting.props.rules : [];
      rules.forEach((_rule, index) => {
        const read = readString(setting.props, [
          "rules",
          index,
          "applyServerSideEncryptionByDefault",
          "kmsMasterKeyId",
        ]);
        keys.push(...referencedKeys(topology, read, setting, "rules"));
      });
    }
  }
  for (const table of inTerraformAccount(topology, [TABLE_TYPE])) {
    const read = readString(table.props, ["serverSideEncryption", "kmsKeyArn"]);
    keys.push(...referencedKeys(topology, read, table, "serverSideEncryption"));
  }
  return [...new Set(keys)];
}

/** The keys the trails encrypt logs with. */
export function trailKeys(topology: Topology): ResourceView[] {
  return [
    ...new Set(
      inTerraformAccount(topology, [TRAIL_TYPE]).flatMap((trail) =>
        referencedKeys(topology, readString(trail.props, ["kmsKeyId"]), trail, "kmsKeyId"),
      ),
    ),
  ];
}

/** The ARN of a trail resource, from its name. */
export function trailArnOf(trail: ResourceView, intent: StackIntent): string | undefined {
  const name = readString(trail.props, ["name"]);
  if (name.kind === "value") {
    return trailArn(intent.partition, intent.region, intent.terraformAccountId, name.value);
  }
  const arn = readString(trail.props, ["arn"]);
  return arn.kind === "value" ? arn.value : undefined;
}

/** Every KMS key of the Terraform account keeps the longest deletion window KMS allows. */
export function checkDeletionWindows(topology: Topology, out: Findings): void {
  for (const key of inTerraformAccount(topology, [KMS_KEY_TYPE])) {
    const days = readNumber(key.props, ["deletionWindowInDays"]);
    if (out.unreadable(days, key, "the key's deletion window")) continue;
    if (days.kind === "value" && days.value < KEY_DELETION_WINDOW_DAYS) {
      out.add(
        "Kms::DeletionWindow",
        `${describe(key)} in the Terraform account would be deleted ${days.value} days after a ` +
          `deletion is scheduled; the stack keeps ${KEY_DELETION_WINDOW_DAYS} (the most KMS ` +
          `allows) so a scheduled deletion of the key that decrypts state or logs can be ` +
          `noticed and cancelled. Fix: set deletionWindowInDays: ${KEY_DELETION_WINDOW_DAYS}.`,
        key,
      );
    }
  }
}

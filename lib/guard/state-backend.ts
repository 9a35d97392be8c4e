/**
 * `state-backend-hardened`: Terraform's state cannot be read by others, tampered with or lost.
 *
 * The **state buckets** are the S3 buckets of the Terraform account that no trail or access
 * log writes to (those are log buckets, checked by `audit-trail-enabled`). Each must be
 * versioned, encrypted with SSE-KMS under a key of the Terraform account, block all public
 * access, deny every request made without TLS (the bucket policy, evaluated), enforce bucket
 * owner object ownership (ACLs disabled), never be `forceDestroy`, and be protected. Every KMS
 * key of the Terraform account must rotate and be protected; every DynamoDB table there (a lock
 * table) must have point-in-time recovery, encryption and deletion protection, and be
 * protected. Where the source can see `retainOnDelete` (the offline synth; CrossGuard cannot),
 * those resources must also be retained on delete.
 */
import { bucketArn } from "../arn";
import { evaluatePolicy } from "../iam/evaluate";
import type { PolicyDocument } from "../iam/types";
import { accountOfArn, parseDocument } from "./documents";
import { describe, Findings } from "./finding";
import { readDocumentText } from "./iam-index";
import { checkKeyReference, KMS_KEY_TYPE } from "./kms-reference";
import { requireTerraformAccount } from "./prerequisites";
import {
  checkBucketAccess,
  checkDeletionWindows,
  checkKeyAccess,
  stateKeys,
} from "./backend-access";
import { requireIntent } from "./intent";
import { checkStateLifecycle } from "./lifecycle";
import { readAt, readBoolean, readObjects, readString, type Read } from "./read";
import { inTerraformAccount, type Topology } from "./topology";
import { S3, settingsOf, stateBuckets, TABLE_TYPE, type StateBucket } from "./buckets";

export { S3, settingsOf, stateBuckets, TABLE_TYPE, TRAIL_TYPE, type StateBucket } from "./buckets";
import type { ResourceView } from "./view";

/** Reports a resource that is not `protect`ed (or, where visible, not retained on delete). */
export function checkKept(resource: ResourceView, role: string, out: Findings): void {
  if (!resource.protect) {
    out.add(
      `Protect::${resource.type}`,
      `${describe(resource)} (${role}) is not protected: \`pulumi destroy\` or a refactoring ` +
        `that drops it would delete it. Fix: register it with { protect: true, retainOnDelete: ` +
        `true } (components/options.ts KEEP).`,
      resource,
    );
  }
  if (resource.retainOnDelete === false) {
    out.add(
      `RetainOnDelete::${resource.type}`,
      `${describe(resource)} (${role}) is not retained on delete: removing it from the program ` +
        `would delete it in AWS. Fix: register it with { retainOnDelete: true }.`,
      resource,
    );
  }
}

function checkVersioning(
  topology: Topology,
  bucket: StateBucket,
  out: Findings,
  noun = "State bucket",
): void {
  const settings = settingsOf(topology, S3.versioning, bucket.name, out, "versioning");
  const inline = readBoolean(bucket.resource.props, ["versioning", "enabled"]);
  if (settings.length === 0 && inline.kind === "value" && inline.value) return;
  if (settings.length === 0) {
    out.add(
      "Versioning::Missing",
      `${noun} ${bucket.name} (${describe(bucket.resource)}) is not versioned: an ` +
        `overwritten or deleted state file could not be recovered. Fix: add an ` +
        `aws.s3.BucketVersioning with status "Enabled".`,
      bucket.resource,
    );
    return;
  }
  for (const setting of settings) {
    const status = readString(setting.props, ["versioningConfiguration", "status"]);
    if (out.unreadable(status, setting, "the state bucket's versioning")) continue;
    if (status.kind !== "value" || status.value !== "Enabled") {
      const value = status.kind === "value" ? status.value : "(missing)";
      out.add(
        `Versioning::${value}`,
        `${noun} ${bucket.name}: ${describe(setting)} sets versioning status ${value}; it ` +
          `must be "Enabled" so every state version can be recovered.`,
        setting,
      );
    }
  }
}

function checkEncryption(topology: Topology, bucket: StateBucket, out: Findings): void {
  const settings = settingsOf(topology, S3.encryption, bucket.name, out, "encryption");
  if (settings.length === 0) {
    out.add(
      "Encryption::Missing",
      `State bucket ${bucket.name} (${describe(bucket.resource)}) has no default encryption ` +
        `configuration. Fix: add an aws.s3.BucketServerSideEncryptionConfiguration with ` +
        `sseAlgorithm "aws:kms" and the state key.`,
      bucket.resource,
    );
    return;
  }
  for (const setting of settings) {
    const rules = readObjects(setting.props, ["rules"]);
    if (out.unreadable(rules, setting, "the state bucket's encryption")) continue;
    const list = rules.kind === "value" ? rules.value : [];
    if (list.length === 0) {
      out.add(
        "Encryption::NoRule",
        `State bucket ${bucket.name}: ${describe(setting)} has no rule. Fix: add a rule with ` +
          `sseAlgorithm "aws:kms" and the state key.`,
        setting,
      );
    }
    list.forEach((_rule, index) => {
      const base = ["rules", index, "applyServerSideEncryptionByDefault"];
      const algorithm = readString(setting.props, [...base, "sseAlgorithm"]);
      if (out.unreadable(algorithm, setting, "the state bucket's encryption algorithm")) return;
      const value = algorithm.kind === "value" ? algorithm.value : "(missing)";
      if (value !== "aws:kms" && value !== "aws:kms:dsse") {
        out.add(
          `Encryption::${value}`,
          `State bucket ${bucket.name}: ${describe(setting)} rules[${index}] encrypts with ` +
            `${value}; state must be encrypted with SSE-KMS ("aws:kms") under the state key, so ` +
            `only principals the key policy allows can read it.`,
          setting,
        );
        return;
      }
      const key = readString(setting.props, [...base, "kmsMasterKeyId"]);
      const named = checkKeyReference(
        topology,
        key,
        setting,
        "rules",
        `rules[${index}].applyServerSideEncryptionByDefault.kmsMasterKeyId`,
        out,
      );
      if (!named) {
        out.add(
          "Encryption::AwsManagedKey",
          `State bucket ${bucket.name}: ${describe(setting)} rules[${index}] uses SSE-KMS ` +
            `without kmsMasterKeyId, i.e. the AWS managed key aws/s3, whose policy lets every ` +
            `principal of the account use it. Fix: set kmsMasterKeyId to the state key.`,
          setting,
        );
      }
    });
  }
}

const PUBLIC_ACCESS_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

function checkPublicAccess(
  topology: Topology,
  bucket: StateBucket,
  out: Findings,
  noun = "State bucket",
): void {
  const settings = settingsOf(topology, S3.publicAccess, bucket.name, out, "public access block");
  if (settings.length === 0) {
    out.add(
      "PublicAccess::Missing",
      `${noun} ${bucket.name} (${describe(bucket.resource)}) has no public access block. ` +
        `Fix: add an aws.s3.BucketPublicAccessBlock with all four flags true.`,
      bucket.resource,
    );
    return;
  }
  for (const setting of settings) {
    for (const flag of PUBLIC_ACCESS_FLAGS) {
      const value = readBoolean(setting.props, [flag]);
      if (out.unreadable(value, setting, `the state bucket's ${flag}`)) continue;
      if (value.kind !== "value" || !value.value) {
        out.add(
          `PublicAccess::${flag}`,
          `${noun} ${bucket.name}: ${describe(setting)} has ${flag} = ` +
            `${value.kind === "value" ? String(value.value) : "(missing)"}; all four public ` +
            `access flags must be true. Fix: set ${flag}: true.`,
          setting,
        );
      }
    }
  }
}

/**
 * The principals to probe a bucket policy with: an outsider, the CI roles, and every IAM ARN the
 * policy itself names (a Deny that exempts some principals, like "everyone but the CI role",
 * must not pass for a TLS deny).
 */
function probePrincipals(topology: Topology, doc: PolicyDocument): string[] {
  const named = new Set<string>(["arn:aws:iam::000000000000:role/any-caller"]);
  for (const role of topology.ciRoles) if (role.arn.kind === "value") named.add(role.arn.value);
  const visit = (value: unknown): void => {
    if (typeof value === "string" && /^arn:[^:]+:iam::\d{12}:/.test(value)) named.add(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(visit);
  };
  for (const statement of doc.Statement) {
    visit(statement.Condition);
    visit(statement.Principal);
  }
  return [...named];
}

function deniedWithoutTls(
  doc: PolicyDocument,
  action: string,
  resource: string,
  caller: string,
): boolean {
  const account = accountOfArn(caller);
  const result = evaluatePolicy(doc, {
    action,
    resource,
    principal: { kind: "aws", arn: caller, accountId: account },
    context: {
      "aws:SecureTransport": "false",
      "aws:PrincipalArn": caller,
      "aws:PrincipalAccount": account,
    },
  });
  return result.decision === "explicit-deny";
}

function checkTls(topology: Topology, bucket: StateBucket, out: Findings): void {
  const policies = settingsOf(topology, S3.policy, bucket.name, out, "bucket policy");
  if (policies.length === 0) {
    out.add(
      "Tls::NoBucketPolicy",
      `State bucket ${bucket.name} (${describe(bucket.resource)}) has no bucket policy, so ` +
        `requests without TLS are not denied. Fix: add a bucket policy that denies s3:* when ` +
        `aws:SecureTransport is false (lib/plan/state.ts denyInsecureTransport).`,
      bucket.resource,
    );
    return;
  }
  const tf = topology.terraformAccount;
  const partition = tf.kind === "resolved" ? tf.partition : "aws";
  const arn = bucketArn(partition, bucket.name);
  const probes: [string, string][] = [
    ["s3:GetObject", `${arn}/any/terraform.tfstate`],
    ["s3:PutObject", `${arn}/any/terraform.tfstate`],
    ["s3:ListBucket", arn],
  ];
  for (const policy of policies) {
    const text = readDocumentText(policy, "policy");
    if (out.unreadable(text, policy, "the state bucket's policy")) continue;
    if (text.kind !== "value") continue;
    const doc = parseDocument(text.value, policy, "the state bucket's policy", out);
    if (doc === undefined) continue;
    const callers = probePrincipals(topology, doc);
    const open = probes
      .flatMap(([a, r]) => callers.map((c): [string, string, string] => [a, r, c]))
      .filter(([a, r, c]) => !deniedWithoutTls(doc, a, r, c));
    if (open.length > 0) {
      out.add(
        "Tls::NotDenied",
        `State bucket ${bucket.name}: ${describe(policy)} does not deny requests made without ` +
          `TLS (aws:SecureTransport = false): ${open
            .slice(0, 3)
            .map(([a, r, c]) => `${a} on ${r} by ${c}`)
            .join("; ")}${open.length > 3 ? ` and ${open.length - 3} more` : ""}. ` +
          `Fix: add a Deny statement for Principal "*", Action "s3:*", Resource the bucket and ` +
          `its objects, Condition Bool aws:SecureTransport "false".`,
        policy,
      );
    }
  }
}

function checkOwnership(
  topology: Topology,
  bucket: StateBucket,
  out: Findings,
  noun = "State bucket",
): void {
  const settings = settingsOf(topology, S3.ownership, bucket.name, out, "object ownership");
  if (settings.length === 0) {
    out.add(
      "Ownership::Missing",
      `${noun} ${bucket.name} (${describe(bucket.resource)}) has no ownership controls, so ` +
        `ACLs stay enabled. Fix: add an aws.s3.BucketOwnershipControls with objectOwnership ` +
        `"BucketOwnerEnforced".`,
      bucket.resource,
    );
    return;
  }
  for (const setting of settings) {
    const value = readString(setting.props, ["rule", "objectOwnership"]);
    if (out.unreadable(value, setting, "the state bucket's object ownership")) continue;
    if (value.kind !== "value" || value.value !== "BucketOwnerEnforced") {
      const shown = value.kind === "value" ? value.value : "(missing)";
      out.add(
        `Ownership::${shown}`,
        `${noun} ${bucket.name}: ${describe(setting)} sets objectOwnership ${shown}; it ` +
          `must be "BucketOwnerEnforced" (ACLs disabled), so no ACL can grant access to state.`,
        setting,
      );
    }
  }
}

function checkForceDestroy(bucket: StateBucket, out: Findings, noun = "State bucket"): void {
  const value = readBoolean(bucket.resource.props, ["forceDestroy"]);
  if (out.unreadable(value, bucket.resource, "forceDestroy")) return;
  if (value.kind === "value" && value.value) {
    out.add(
      "ForceDestroy",
      `${noun} ${bucket.name} (${describe(bucket.resource)}) has forceDestroy: true, so ` +
        `deleting it would delete every state file and version. Fix: set forceDestroy: false.`,
      bucket.resource,
    );
  }
}

function checkKeys(topology: Topology, out: Findings): void {
  for (const key of inTerraformAccount(topology, [KMS_KEY_TYPE])) {
    const rotation = readBoolean(key.props, ["enableKeyRotation"]);
    if (
      !out.unreadable(rotation, key, "key rotation") &&
      !(rotation.kind === "value" && rotation.value)
    ) {
      out.add(
        "Kms::RotationOff",
        `${describe(key)} in the Terraform account does not rotate (enableKeyRotation is ` +
          `${rotation.kind === "value" ? String(rotation.value) : "not set"}). Fix: set ` +
          `enableKeyRotation: true.`,
        key,
      );
    }
    checkKeyState(key, out);
    checkKept(key, "a KMS key of the Terraform account", out);
  }
}

/**
 * A key of the Terraform account is usable: not disabled (`isEnabled: false` in the program,
 * or `Disabled` live) and not scheduled for deletion (live: `keyState` `PendingDeletion`). A
 * disabled state key makes every state unreadable; a key pending deletion takes state and logs
 * with it when the window ends.
 */
function checkKeyState(key: ResourceView, out: Findings): void {
  const enabled = readBoolean(key.props, ["isEnabled"]);
  const state = readString(key.props, ["keyState"]);
  if (out.unreadable(enabled, key, "whether the key is enabled")) return;
  if (out.unreadable(state, key, "the key's state")) return;
  const value = state.kind === "value" ? state.value : undefined;
  if (value === "PendingDeletion" || value === "PendingReplicaDeletion") {
    out.add(
      "Kms::PendingDeletion",
      `${describe(key)} in the Terraform account is scheduled for deletion (${value}): when its ` +
        `window ends, everything it encrypts (state, its versions, the audit logs) becomes ` +
        `unreadable for good. Fix: cancel the deletion (kms:CancelKeyDeletion) and enable the key.`,
      key,
    );
  } else if ((enabled.kind === "value" && !enabled.value) || value === "Disabled") {
    out.add(
      "Kms::Disabled",
      `${describe(key)} in the Terraform account is disabled: nothing it encrypts (state, the ` +
        `lock table, the audit logs) can be read or written. Fix: enable the key ` +
        `(isEnabled: true, kms:EnableKey).`,
      key,
    );
  }
}

function requireTrue(
  table: ResourceView,
  read: Read<boolean>,
  id: string,
  what: string,
  fix: string,
  out: Findings,
): void {
  if (out.unreadable(read, table, what)) return;
  if (read.kind !== "value" || !read.value) {
    out.add(id, `Lock table ${describe(table)}: ${what} is off. Fix: ${fix}`, table);
  }
}

function checkLockTables(topology: Topology, out: Findings): void {
  for (const table of inTerraformAccount(topology, [TABLE_TYPE])) {
    requireTrue(
      table,
      readBoolean(table.props, ["pointInTimeRecovery", "enabled"]),
      "LockTable::PointInTimeRecovery",
      "point-in-time recovery",
      "set pointInTimeRecovery: { enabled: true }.",
      out,
    );
    requireTrue(
      table,
      readBoolean(table.props, ["serverSideEncryption", "enabled"]),
      "LockTable::Encryption",
      "encryption with a customer managed KMS key",
      "set serverSideEncryption: { enabled: true, kmsKeyArn: <the state key> }.",
      out,
    );
    const key = readString(table.props, ["serverSideEncryption", "kmsKeyArn"]);
    if (readAt(table.props, ["serverSideEncryption"]).kind !== "absent") {
      checkKeyReference(
        topology,
        key,
        table,
        "serverSideEncryption",
        "serverSideEncryption.kmsKeyArn",
        out,
      );
    }
    requireTrue(
      table,
      readBoolean(table.props, ["deletionProtectionEnabled"]),
      "LockTable::DeletionProtection",
      "deletion protection",
      "set deletionProtectionEnabled: true.",
      out,
    );
    checkKept(table, "the lock table", out);
  }
}

/**
 * The settings every bucket that must never lose data has: versioned, no public access, ACLs
 * off, never force-destroyed, protected. `noun` names it in messages.
 */
export function checkBucketBasics(
  topology: Topology,
  bucket: StateBucket,
  noun: string,
  role: string,
  out: Findings,
): void {
  checkForceDestroy(bucket, out, noun);
  checkKept(bucket.resource, role, out);
  checkVersioning(topology, bucket, out, noun);
  checkPublicAccess(topology, bucket, out, noun);
  checkOwnership(topology, bucket, out, noun);
}

/** `state-backend-hardened`. */
export function checkStateBackend(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const buckets = stateBuckets(topology, out);
  if (buckets.length === 0) {
    out.add(
      "StateBucket::Missing",
      "No state bucket was found: the Terraform account has no S3 bucket besides log " +
        "destinations. Fix: keep the state bucket in the Terraform account's provider.",
    );
  }
  for (const bucket of buckets) {
    checkBucketBasics(topology, bucket, "State bucket", "the state bucket", out);
    checkEncryption(topology, bucket, out);
    checkTls(topology, bucket, out);
  }
  checkKeys(topology, out);
  checkDeletionWindows(topology, out);
  checkLockTables(topology, out);
  const intent = requireIntent(
    topology.intent,
    out,
    "who may read, write and administer state, and how long its versions are kept",
  );
  if (intent === undefined) return;
  for (const bucket of buckets) {
    checkBucketAccess(
      topology,
      intent,
      bucket,
      "state-bucket",
      { stateKeyPrefix: intent.state.keyPrefix, stateKey: intent.state.key },
      out,
    );
    checkStateLifecycle(
      topology,
      bucket,
      [`${intent.state.keyPrefix}/`, intent.state.key],
      intent.state.noncurrentVersionRetentionDays,
      out,
    );
  }
  checkKeyAccess(topology, intent, stateKeys(topology, buckets, out), "state-key", {}, out);
}

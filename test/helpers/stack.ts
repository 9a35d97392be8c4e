import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { flatConfigFromStackFile } from "../../lib/config/stack-file";
import { normalizeDocument } from "../../lib/iam/normalize";
import type { PolicyDocument } from "../../lib/iam/types";
import { RecordedResource, synthesize, SynthResult } from "../../scripts/synth/mock-runtime";

/** Repository root. */
export const ROOT = join(__dirname, "..", "..");

/** The stack config of `stacks/Pulumi.<stack>.yaml` as Pulumi hands it to the program. */
export function stackConfig(stack = "example"): Record<string, string> {
  return flatConfigFromStackFile(
    readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"),
  );
}

/** Reads one structured config value of a flat config. */
export function getValue<T>(flat: Record<string, string>, key: string): T {
  const text = flat[`tf-bootstrap:${key}`];
  return (text === undefined ? undefined : parse(text)) as T;
}

/** A copy of `flat` with `key` set to `value` (JSON-encoded like Pulumi does). */
export function withValue(
  flat: Record<string, string>,
  key: string,
  value: unknown,
): Record<string, string> {
  const out = { ...flat };
  if (value === undefined) delete out[`tf-bootstrap:${key}`];
  else out[`tf-bootstrap:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  return out;
}

/** Runs the program on the mock runtime. */
export function synth(flat: Record<string, string> = stackConfig()): Promise<SynthResult> {
  return synthesize(flat, { stack: "test" });
}

/** The one resource of `type` named `name`; fails the test when there is not exactly one. */
export function resource(result: SynthResult, type: string, name: string): RecordedResource {
  const found = result.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    const names = result.resources.filter((r) => r.type === type).map((r) => r.name);
    throw new Error(
      `expected one ${type} named ${name}, found ${found.length}; names: ${names.join(", ")}`,
    );
  }
  return found[0];
}

/**
 * The custom resources registered inside component `component` (at any depth), found through
 * their parents: what the program put there, independent of the provider each one got.
 */
export function customResourcesUnder(result: SynthResult, component: string): RecordedResource[] {
  const parentOf = new Map(
    result.resources.filter((r) => !r.custom).map((r) => [r.name, r.parent]),
  );
  const inside = (r: RecordedResource): boolean => {
    for (let p = r.parent; p !== undefined; p = parentOf.get(p)) if (p === component) return true;
    return false;
  };
  return result.resources.filter((r) => r.custom && r.type !== T.provider && inside(r));
}

/** Every resource of `type`. */
export function resources(result: SynthResult, type: string): RecordedResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** Parses a document input of a recorded resource. */
export function documentOf(r: RecordedResource, field = "policy"): PolicyDocument {
  const parsed = normalizeDocument(r.inputs[field]);
  if (!parsed.ok)
    throw new Error(
      `${r.name}.${field} is not a valid document: ${JSON.stringify(parsed.problems)}`,
    );
  return parsed.document;
}

/** Parses a JSON-encoded input (Pulumi passes provider inputs as JSON text). */
export function jsonInput<T>(r: RecordedResource, field: string): T {
  const v = r.inputs[field];
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

/** Resource type tokens used in tests. */
export const T = {
  provider: "pulumi:providers:aws",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePoliciesExclusive: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
  roleAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  roleAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  userPoliciesExclusive: "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
  userAttachmentsExclusive: "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
  accessKey: "aws:iam/accessKey:AccessKey",
  loginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  table: "aws:dynamodb/table:Table",
  trail: "aws:cloudtrail/trail:Trail",
} as const;

/** The principal and request context of an evaluation request made by the IAM identity `arn`. */
export function asPrincipal(arn: string, accountId: string) {
  return {
    principal: { kind: "aws" as const, arn, accountId },
    context: {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": accountId,
      "aws:SecureTransport": "true",
    },
  };
}

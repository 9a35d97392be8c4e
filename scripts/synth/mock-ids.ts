import { createHash } from "node:crypto";

/**
 * Realistic ids and attributes for the resource types tf-bootstrap registers, so that an offline
 * synth reads like a real stack. Values are derived from the resource's name and inputs with a
 * hash, so the same program gives the same ids every run.
 */

/** Where a resource lives, as far as its ARN needs. */
export interface MockContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function uniqueId(prefix: string, seed: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = createHash("sha256").update(seed).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return out;
}

type Inputs = Record<string, unknown>;
const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);

/** Id and extra state for one resource; unknown types get a plain id and their inputs back. */
export function mockState(
  type: string,
  name: string,
  inputs: Inputs,
  ctx: MockContext,
): { id: string; state: Inputs } {
  const { accountId, region, partition } = ctx;
  const seed = `${type}/${name}/${accountId}`;
  switch (type) {
    case "aws:iam/role:Role": {
      const roleName = str(inputs.name, name);
      const path = str(inputs.path, "/");
      return {
        id: roleName,
        state: {
          arn: `arn:${partition}:iam::${accountId}:role${path}${roleName}`,
          uniqueId: uniqueId("AROA", seed),
        },
      };
    }
    case "aws:iam/user:User": {
      const userName = str(inputs.name, name);
      const path = str(inputs.path, "/");
      return {
        id: userName,
        state: {
          arn: `arn:${partition}:iam::${accountId}:user${path}${userName}`,
          uniqueId: uniqueId("AIDA", seed),
        },
      };
    }
    case "aws:iam/accessKey:AccessKey":
      return {
        id: uniqueId("AKIA", seed).slice(0, 20),
        state: { secret: hex(`secret/${seed}`, 40), status: "Active" },
      };
    case "aws:iam/policy:Policy": {
      const policyName = str(inputs.name, name);
      const arn = `arn:${partition}:iam::${accountId}:policy${str(inputs.path, "/")}${policyName}`;
      return { id: arn, state: { arn, policyId: uniqueId("ANPA", seed) } };
    }
    case "aws:iam/rolePolicy:RolePolicy":
      return { id: `${str(inputs.role, name)}:${str(inputs.name, name)}`, state: {} };
    case "aws:iam/userPolicy:UserPolicy":
      return { id: `${str(inputs.user, name)}:${str(inputs.name, name)}`, state: {} };
    case "aws:kms/key:Key": {
      const keyId = uuid(seed);
      return {
        id: keyId,
        state: { keyId, arn: `arn:${partition}:kms:${region}:${accountId}:key/${keyId}` },
      };
    }
    case "aws:kms/alias:Alias": {
      const alias = str(inputs.name, `alias/${name}`);
      return { id: alias, state: { arn: `arn:${partition}:kms:${region}:${accountId}:${alias}` } };
    }
    case "aws:s3/bucket:Bucket": {
      const bucket = str(inputs.bucket, name);
      return {
        id: bucket,
        state: {
          arn: `arn:${partition}:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.amazonaws.com`,
          region,
        },
      };
    }
    case "aws:dynamodb/table:Table": {
      const table = str(inputs.name, name);
      return {
        id: table,
        state: { arn: `arn:${partition}:dynamodb:${region}:${accountId}:table/${table}` },
      };
    }
    case "aws:cloudtrail/trail:Trail": {
      const trail = str(inputs.name, name);
      const arn = `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trail}`;
      return { id: arn, state: { arn, homeRegion: region } };
    }
    default:
      return {
        id: type.startsWith("aws:s3/") ? str(inputs.bucket, `${name}-id`) : `${name}-id`,
        state: {},
      };
  }
}

import { strict as assert } from "node:assert";
import { stateBackendHardened } from "../../policy-pack/state-backend";
import { synthesize } from "../../scripts/synth/mock-runtime";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import {
  changed,
  engineResources,
  exampleStack,
  editDocument,
  named,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type EngineResource,
} from "./helpers/engine";

const BUCKET = "terraform-state-bucket";

describe("policy pack: state backend", () => {
  const policy = stateBackendHardened();
  let stack: EngineResource[];
  let withTable: EngineResource[];
  before(async () => {
    stack = await exampleStack();
    const flat = stackConfig();
    const state = getValue<Record<string, unknown>>(flat, "state");
    const recorded = await synthesize(withValue(flat, "state", { ...state, lock: "dynamodb" }), {
      stack: "example",
    });
    withTable = engineResources(recorded.resources, { firstPreview: true });
  });

  it("passes the example stack at its first preview (KMS key ARNs unknown, traced to the stack's keys)", async () => {
    assert.deepEqual(await validateStack(policy, stack), []);
  });

  it("passes the example stack with a DynamoDB lock table", async () => {
    assert.ok(withTable.some((r) => r.type === "aws:dynamodb/table:Table"));
    assert.deepEqual(await validateStack(policy, withTable), []);
  });

  const cases: {
    name: string;
    resource: string;
    change: (r: EngineResource) => void;
    id: string;
  }[] = [
    {
      name: "versioning suspended",
      resource: `${BUCKET}-versioning`,
      change: (r) => {
        r.props.versioningConfiguration = { status: "Suspended" };
      },
      id: "Versioning::Suspended",
    },
    {
      name: "SSE-S3 instead of SSE-KMS",
      resource: `${BUCKET}-encryption`,
      change: (r) => {
        r.props.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
      },
      id: "Encryption::AES256",
    },
    {
      name: "SSE-KMS with the AWS managed key",
      resource: `${BUCKET}-encryption`,
      change: (r) => {
        r.props.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }];
        r.propertyDependencies = {};
      },
      id: "Encryption::AwsManagedKey",
    },
    {
      name: "a key of another account",
      resource: `${BUCKET}-encryption`,
      change: (r) => {
        r.props.rules = [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: "arn:aws:kms:eu-west-1:999999999999:key/abc",
            },
          },
        ];
      },
      id: "Kms::KeyOutsideAccount",
    },
    {
      name: "a public access flag off",
      resource: `${BUCKET}-public-access`,
      change: (r) => {
        r.props.restrictPublicBuckets = false;
      },
      id: "PublicAccess::restrictPublicBuckets",
    },
    {
      name: "ACLs enabled",
      resource: `${BUCKET}-ownership`,
      change: (r) => {
        r.props.rule = { objectOwnership: "ObjectWriter" };
      },
      id: "Ownership::ObjectWriter",
    },
    {
      name: "forceDestroy",
      resource: BUCKET,
      change: (r) => {
        r.props.forceDestroy = true;
      },
      id: "ForceDestroy",
    },
    {
      name: "an unprotected bucket",
      resource: BUCKET,
      change: (r) => {
        r.protect = false;
      },
      id: "Protect::aws:s3/bucket:Bucket",
    },
    {
      name: "key rotation off",
      resource: "terraform-state-key",
      change: (r) => {
        r.props.enableKeyRotation = false;
      },
      id: "Kms::RotationOff",
    },
    {
      name: "an unprotected key",
      resource: "terraform-audit-key",
      change: (r) => {
        r.protect = false;
      },
      id: "Protect::aws:kms/key:Key",
    },
    {
      name: "a bucket policy without the TLS deny (another Deny must not count)",
      resource: `${BUCKET}-policy`,
      change: (r) => {
        editDocument(r, "policy", (doc) => {
          doc.Statement = doc.Statement.filter((s) => s.Sid !== "DenyInsecureTransport");
        });
      },
      id: "Tls::NotDenied",
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, async () => {
      const odd = changed(stack, c.resource, c.change);
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        [c.id],
      );
      assert.equal(violations[0]?.urn, named(stack, c.resource).urn);
      assert.match(violations[0]?.message ?? "", /Fix|must/);
    });
  }

  const missing: [string, string][] = [
    [`${BUCKET}-versioning`, "Versioning::Missing"],
    [`${BUCKET}-encryption`, "Encryption::Missing"],
    [`${BUCKET}-public-access`, "PublicAccess::Missing"],
    [`${BUCKET}-ownership`, "Ownership::Missing"],
    [`${BUCKET}-policy`, "Tls::NoBucketPolicy"],
  ];
  for (const [name, id] of missing) {
    it(`reports a state bucket without ${name.slice(BUCKET.length + 1)}`, async () => {
      const ids = (await validateStack(policy, without(stack, name))).map((v) => v.id);
      assert.equal(ids[0], id);
      // Without a bucket policy nothing refuses what the access matrix says must be refused.
      const rest = id === "Tls::NoBucketPolicy" ? ids.slice(1) : [];
      assert.deepEqual(ids.slice(1), rest);
      assert.ok(
        rest.every((r) => r.startsWith("Access::StateBucket:")),
        rest.join(", "),
      );
      if (id === "Tls::NoBucketPolicy") {
        assert.ok(rest.includes("Access::StateBucket:ReadState:AccountPrincipal"));
      }
    });
  }

  it("holds a second bucket of the Terraform account to the same rules, whatever its name", async () => {
    const bucket = named(stack, BUCKET);
    const extra = sibling(bucket, bucket.type, "scratch", {
      bucket: "acme-scratch",
      forceDestroy: true,
    });
    const ids = (await validateStack(policy, [...stack, extra])).map((v) => v.id);
    for (const id of [
      "ForceDestroy",
      "Versioning::Missing",
      "Encryption::Missing",
      "Tls::NoBucketPolicy",
    ]) {
      assert.ok(ids.includes(id), `${id} not in ${ids.join(", ")}`);
    }
  });

  it("keeps checking the bucket CI writes state to, even when it is made a log destination", async () => {
    const logging = named(stack, `${BUCKET}-logging`);
    const decoy = sibling(logging, logging.type, "decoy-logging", {
      bucket: "acme-tfstate-logs-111111111111-eu-west-1",
      targetBucket: "acme-tfstate-111111111111-eu-west-1",
      targetPrefix: "x/",
    });
    const odd = changed([...stack, decoy], BUCKET, (r) => {
      r.props.forceDestroy = true;
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["ForceDestroy"],
    );
  });

  const table: [string, (r: EngineResource) => void, string][] = [
    [
      "point-in-time recovery off",
      (r) => (r.props.pointInTimeRecovery = { enabled: false }),
      "LockTable::PointInTimeRecovery",
    ],
    [
      "deletion protection off",
      (r) => (r.props.deletionProtectionEnabled = false),
      "LockTable::DeletionProtection",
    ],
    [
      "encryption off",
      (r) => (r.props.serverSideEncryption = { enabled: false }),
      "LockTable::Encryption",
    ],
    ["an unprotected table", (r) => (r.protect = false), "Protect::aws:dynamodb/table:Table"],
  ];
  for (const [name, change, id] of table) {
    it(`reports a lock table with ${name}`, async () => {
      const odd = changed(withTable, "terraform-state-lock", change);
      assert.deepEqual(
        (await validateStack(policy, odd)).map((v) => v.id),
        [id],
      );
    });
  }

  it("fails closed on an unknown key reference that no stack key explains", async () => {
    const odd = changed(stack, `${BUCKET}-encryption`, (r) => {
      r.propertyDependencies = {};
    });
    const violations = await validateStack(policy, odd);
    assert.deepEqual(
      violations.map((v) => v.id),
      ["Unknown::rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"],
    );
    assert.match(violations[0]?.message ?? "", /computed from a KMS key of the Terraform account/);
  });

  it("fails closed on a setting unknown at preview", async () => {
    const odd = changed(stack, BUCKET, (r) => {
      r.props.forceDestroy = UNKNOWN.boolean;
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Unknown::forceDestroy"],
    );
  });

  it("fails closed on a versioning resource whose bucket is unknown", async () => {
    const odd = changed(stack, `${BUCKET}-versioning`, (r) => {
      r.props.bucket = UNKNOWN.string;
    });
    const ids = (await validateStack(policy, odd)).map((v) => v.id);
    assert.deepEqual(ids, ["Unknown::bucket", "Versioning::Missing"]);
  });
});

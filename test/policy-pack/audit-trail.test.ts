import { strict as assert } from "node:assert";
import { auditTrailEnabled } from "../../policy-pack/audit-trail";
import {
  changed,
  exampleStack,
  named,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type EngineResource,
} from "./helpers/engine";

const TRAIL = "terraform-audit";
const STATE_OBJECTS = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/";

type Selector = { name?: string; fieldSelectors: Record<string, unknown>[] };

function stateSelector(trail: EngineResource): Selector {
  const selectors = trail.props.advancedEventSelectors as Selector[];
  const found = selectors.find((s) => s.name === "Terraform state reads and writes");
  if (!found) throw new Error("no state selector in the example trail");
  return found;
}

describe("policy pack: audit trail", () => {
  const policy = auditTrailEnabled();
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  it("passes the example stack at its first preview (trail key unknown, traced to the stack's key)", async () => {
    assert.deepEqual(await validateStack(policy, stack), []);
  });

  const flags: [string, (r: EngineResource) => void, string][] = [
    ["a single-region trail", (r) => (r.props.isMultiRegionTrail = false), "Trail::NotMultiRegion"],
    [
      "no log file validation",
      (r) => delete r.props.enableLogFileValidation,
      "Trail::NoLogFileValidation",
    ],
    ["logging off", (r) => (r.props.enableLogging = false), "Trail::LoggingOff"],
    [
      "no KMS key",
      (r) => {
        delete r.props.kmsKeyId;
        r.propertyDependencies = {};
      },
      "Trail::NotEncrypted",
    ],
    [
      "data events for writes only",
      (r) => stateSelector(r).fieldSelectors.push({ field: "readOnly", equals: ["false"] }),
      "Trail::NoStateDataEvents",
    ],
    [
      "data events for another bucket",
      (r) => {
        const arn = stateSelector(r).fieldSelectors.find((f) => f.field === "resources.ARN");
        if (arn) arn.startsWiths = ["arn:aws:s3:::some-other-bucket/"];
      },
      "Trail::NoStateDataEvents",
    ],
    [
      "no data event selector",
      (r) => {
        r.props.advancedEventSelectors = (r.props.advancedEventSelectors as Selector[]).slice(0, 1);
      },
      "Trail::NoStateDataEvents",
    ],
  ];
  for (const [name, change, id] of flags) {
    it(`reports ${name}`, async () => {
      const violations = await validateStack(policy, changed(stack, TRAIL, change));
      assert.deepEqual(
        violations.map((v) => v.id),
        [id],
      );
      assert.equal(violations[0]?.urn, named(stack, TRAIL).urn);
      assert.match(violations[0]?.message ?? "", /Fix/);
    });
  }

  it("accepts basic event selectors that cover the state bucket", async () => {
    const odd = changed(stack, TRAIL, (r) => {
      delete r.props.advancedEventSelectors;
      r.props.eventSelectors = [
        {
          readWriteType: "All",
          dataResources: [{ type: "AWS::S3::Object", values: [STATE_OBJECTS] }],
        },
      ];
    });
    assert.deepEqual(await validateStack(policy, odd), []);
  });

  it("reports a missing trail", async () => {
    const violations = await validateStack(policy, without(stack, TRAIL));
    assert.deepEqual(
      violations.map((v) => v.id),
      ["Trail::Missing"],
    );
  });

  it("passes when one of two trails meets every requirement", async () => {
    const trail = named(stack, TRAIL);
    const weak = sibling(trail, trail.type, "weak-trail", {
      name: "weak",
      s3BucketName: trail.props.s3BucketName,
      isMultiRegionTrail: false,
    });
    assert.deepEqual(await validateStack(policy, [...stack, weak]), []);
  });

  it("fails closed on a trail setting unknown at preview", async () => {
    const odd = changed(stack, TRAIL, (r) => {
      r.props.isMultiRegionTrail = UNKNOWN.boolean;
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Unknown::isMultiRegionTrail"],
    );
  });

  it("fails closed on an event selector unknown at preview", async () => {
    const odd = changed(stack, TRAIL, (r) => {
      const arn = stateSelector(r).fieldSelectors.find((f) => f.field === "resources.ARN");
      if (arn) arn.startsWiths = [UNKNOWN.string];
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Unknown::advancedEventSelectors[1].fieldSelectors[2].startsWiths[0]"],
    );
  });

  it("fails closed on a trail key that no stack key explains", async () => {
    const odd = changed(stack, TRAIL, (r) => {
      r.propertyDependencies = {};
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Unknown::kmsKeyId"],
    );
  });
});

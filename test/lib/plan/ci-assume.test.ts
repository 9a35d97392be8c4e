import { strict as assert } from "node:assert";
import fc from "fast-check";
import { loadStackConfig, type TopologyConfig } from "../../../lib/config/parse";
import { catalogServices } from "../../../lib/iam/action-catalog";
import { chunkBySize } from "../../../lib/plan/chunk";
import { generatedProductAccounts } from "../../../scripts/synth/generated-stack";
import { IAM_LIMITS, policySize } from "../../../lib/plan/limits";
import { planTopology, planTopologyChecked } from "../../../lib/plan/topology";

function config(accounts: number, overrides: Record<string, unknown> = {}): TopologyConfig {
  return loadStackConfig({
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: generatedProductAccounts(accounts),
    terraformRole: { allowedServices: ["ec2", "s3"] },
    // The one shared apply role: the layout whose assume list grows with every account.
    ci: { applyRoles: "shared" },
    ...overrides,
  });
}

const assumable = (c: TopologyConfig) =>
  planTopology(c).terraform.ciApply[0].role.customerPolicies.map((p) =>
    p.document.Statement.flatMap((s) => s.Resource ?? []),
  );

describe("CI role assume policies at scale", () => {
  it("names exactly every product role, in config order, within IAM's size quotas at 1,000 accounts", () => {
    const c = config(1000);
    const checked = planTopologyChecked(c);
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
    const policies = checked.plan.terraform.ciApply[0].role.customerPolicies;
    assert.ok(policies.length > 1, "1,000 ARNs cannot fit one managed policy");
    assert.ok(policies.length <= IAM_LIMITS.managedPerRole);
    const expected = checked.plan.products.map((p) => p.terraformRole.arn);
    assert.deepEqual(
      policies.flatMap((p) => p.document.Statement.flatMap((s) => s.Resource ?? [])),
      expected,
    );
    for (const [i, p] of policies.entries()) {
      assert.ok(policySize(p.document) <= IAM_LIMITS.managedPolicy, `${p.name} is too large`);
      assert.equal(p.name, `terraform-ci-assume-${i + 1}`);
      assert.equal(p.arn, `arn:aws:iam::111111111111:policy/terraform-ci-assume-${i + 1}`);
    }
  });

  it("fills every policy but the last to the size quota", () => {
    const chunks = assumable(config(1000));
    for (const chunk of chunks.slice(0, -1)) {
      const next = [...chunk, "arn:aws:iam::299999999999:role/terraform"];
      const doc = planTopology(config(1)).terraform.ciApply[0].role.customerPolicies[0].document;
      const bigger = { ...doc, Statement: [{ ...doc.Statement[0], Resource: next }] };
      assert.ok(policySize(bigger) > IAM_LIMITS.managedPolicy, "a policy was left with room");
    }
  });

  it("changes only the last policy when the 1,001st account is appended", () => {
    const before = assumable(config(1000));
    const after = assumable(config(1001));
    const changed = after.filter((chunk, i) => JSON.stringify(chunk) !== JSON.stringify(before[i]));
    assert.equal(changed.length, 1);
    assert.ok(after.length === before.length || after.length === before.length + 1);
    assert.deepEqual(
      after.flat().filter((a) => !before.flat().includes(a)),
      ["arn:aws:iam::200000001000:role/terraform"],
    );
  });

  it("refuses a stack whose assume list would need more managed policies than IAM attaches", () => {
    const checked = planTopologyChecked(config(1600));
    assert.equal(checked.ok, false);
    if (checked.ok) return;
    const problem = checked.problems.find((p) => p.path === "tf-bootstrap:productAccounts");
    assert.ok(problem);
    assert.match(problem.message, /managed policies attached; IAM allows 10 by default/);
    assert.match(problem.message, /docs\/scaling\.md/);
  });

  it("refuses a product role whose inline policy IAM would reject: the plan role reading every service", () => {
    const checked = planTopologyChecked(
      config(2, {
        terraformRole: {
          allowedServices: [...catalogServices()],
          acknowledgeIamWithoutBoundary: true,
        },
      }),
    );
    assert.equal(checked.ok, false);
    if (checked.ok) return;
    assert.ok(
      checked.problems.some((p) =>
        /inline policies of arn:aws:iam::200000000000:role\/terraform-plan would total \d+ characters; IAM allows 10240/.test(
          p.message,
        ),
      ),
      JSON.stringify(checked.problems),
    );
  });
});

describe("chunkBySize", () => {
  it("keeps order, loses nothing, and makes every chunk as long as it may be", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 60 }),
        (items, cap) => {
          const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
          const chunks = chunkBySize(items, (c) => sum(c) <= cap);
          assert.deepEqual(chunks.flat(), items);
          for (const [i, chunk] of chunks.entries()) {
            assert.ok(chunk.length > 0);
            if (chunk.length > 1) assert.ok(sum(chunk) <= cap);
            const next = chunks[i + 1];
            if (next) assert.ok(sum([...chunk, next[0]]) > cap, "greedy chunk left room");
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

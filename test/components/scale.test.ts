import { strict as assert } from "node:assert";
import type { RecordedResource, SynthResult } from "../../scripts/synth/mock-runtime";
import { generatedStack } from "../../scripts/synth/generated-stack";
import { synth } from "../helpers/stack";

describe("a stack of 1,000 product accounts", function () {
  this.timeout(180000);
  let thousand: SynthResult;
  let grown: SynthResult;
  before(async () => {
    thousand = await synth(generatedStack(1000));
    grown = await synth(generatedStack(1001));
  });

  it("registers at most 6 resources per product account on the apply path (provider included) and 4 on the plan path", () => {
    const apply = new Map<string, number>();
    const plan = new Map<string, number>();
    for (const r of thousand.resources) {
      if (!r.custom || r.account === undefined || r.account === "terraform") continue;
      const path = r.name.startsWith(`${r.account}-plan-role`) ? plan : apply;
      path.set(r.account, (path.get(r.account) ?? 0) + 1);
    }
    assert.equal(apply.size, 1000);
    assert.equal(plan.size, 1000);
    assert.ok(Math.max(...apply.values()) <= 6, `apply path: max ${Math.max(...apply.values())}`);
    assert.ok(Math.max(...plan.values()) <= 4, `plan path: max ${Math.max(...plan.values())}`);
  });

  it("adding the 1,001st account changes only its resources and one assume policy per CI role", () => {
    const key = (r: RecordedResource) => `${r.type}::${r.name}`;
    const old = new Map(thousand.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
    const added = grown.resources.filter((r) => !old.has(key(r)));
    const changed = grown.resources.filter(
      (r) => old.has(key(r)) && old.get(key(r)) !== JSON.stringify(r.inputs),
    );
    assert.equal(grown.resources.length, thousand.resources.length + added.length);
    for (const r of added) {
      assert.ok(
        r.name === "acct-1001" || r.name.startsWith("acct-1001-") || r.name === "aws-acct-1001",
        r.name,
      );
    }
    assert.equal(added.filter((r) => r.custom).length, 9);
    // The last assume policy of each CI role (they are filled in config order).
    const last = (prefix: string) => {
      const parts = grown.resources
        .filter((r) => r.type === "aws:iam/policy:Policy" && r.name.startsWith(prefix))
        .map((r) => Number(r.name.slice(prefix.length)));
      return `aws:iam/policy:Policy::${prefix}${Math.max(...parts)}`;
    };
    assert.deepEqual(changed.map(key).sort(), [
      last("terraform-ci-plan-role-terraform-ci-plan-assume-"),
      last("terraform-ci-role-terraform-ci-assume-"),
    ]);
  });
});

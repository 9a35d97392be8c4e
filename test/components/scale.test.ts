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
    const own = (r: RecordedResource) =>
      r.name === "acct-1001" || r.name.startsWith("acct-1001-") || r.name === "aws-acct-1001";
    assert.equal(added.filter((r) => own(r) && r.custom).length, 9);
    // Each CI role's assume policies are filled in config order: the new account's role lands
    // in the last one, or, when that one is full, in a new one after it, attached to the role
    // (its list of exclusive attachments changes with it). Nothing else changes.
    const chunks = (result: SynthResult, prefix: string) =>
      result.resources
        .filter((r) => r.type === "aws:iam/policy:Policy" && r.name.startsWith(prefix))
        .map((r) => Number(r.name.slice(prefix.length)));
    const touched: string[] = [];
    for (const role of ["terraform-ci-plan", "terraform-ci"]) {
      const prefix = `${role}-role-${role}-assume-`;
      const before = Math.max(...chunks(thousand, prefix));
      const after = Math.max(...chunks(grown, prefix));
      assert.ok(after === before || after === before + 1, `${prefix}: ${before} -> ${after}`);
      touched.push(`aws:iam/policy:Policy::${prefix}${after}`);
      if (after > before) {
        touched.push(
          `aws:iam/rolePolicyAttachment:RolePolicyAttachment::${prefix}${after}-attachment`,
          `aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive::${role}-role-managed-exclusive`,
        );
      }
    }
    const others = [...added.filter((r) => !own(r)), ...changed].map(key);
    assert.deepEqual(others.sort(), touched.sort());
  });
});

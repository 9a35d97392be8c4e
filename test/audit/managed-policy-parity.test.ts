import { strict as assert } from "node:assert";
import { managedPolicyParityFindings } from "../../lib/audit/managed-policy-parity";
import type { AccountSnapshot } from "../../lib/audit/snapshot";
import { planTopology } from "../../lib/plan/topology";
import { declaredSnapshots } from "./fixtures/declared-snapshots";
import { writeTestStack } from "./fixtures/stacks";

const stack = writeTestStack("parity", { products: 3 });
stack.cleanup();
const plan = planTopology(stack.config);

const policy = (accountId: string, actions: string[]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: actions, Resource: `arn:aws:s3:::bucket-${accountId}/*` },
    ],
  });

/** Product snapshots whose role has the customer policy `shared` with `actions[i]` in account i. */
function withPolicy(actions: string[][]): AccountSnapshot[] {
  return declaredSnapshots(plan)
    .slice(1)
    .map((s, i) => {
      const arn = `arn:aws:iam::${s.accountId}:policy/shared`;
      return {
        ...s,
        roles: s.roles.map((r) => ({ ...r, attachedPolicyArns: [arn] })),
        managedPolicies: [
          { arn, name: "shared", path: "/", document: policy(s.accountId, actions[i] ?? []) },
        ],
      };
    });
}

const cases = [
  {
    name: "the same document in every account (account ids aside)",
    actions: [["s3:GetObject"], ["s3:GetObject"], ["s3:GetObject"]],
    expected: [],
  },
  {
    name: "one account differs",
    actions: [["s3:GetObject"], ["s3:*"], ["s3:GetObject"]],
    expected: ["p01"],
  },
  {
    name: "spelling differences do not count",
    actions: [["s3:GetObject", "s3:GetObject"], ["s3:GetObject"], ["s3:GetObject"]],
    expected: [],
  },
];

describe("managedPolicyParityFindings", function () {
  for (const c of cases) {
    it(c.name, function () {
      const findings = managedPolicyParityFindings(plan, withPolicy(c.actions));
      assert.deepEqual(
        findings.map((f) => f.account),
        c.expected,
      );
      for (const f of findings) {
        assert.equal(f.id, "Permissions::ManagedPolicyDiffers");
        assert.match(f.diff ?? "", /^\+ .*"s3:\*"/m);
      }
    });
  }
});

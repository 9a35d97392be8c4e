import { strict as assert } from "node:assert";
import { decodePulumiConfig, loadStackConfig } from "../../lib/config/parse";
import type { TopologyPlan } from "../../lib/plan/model";
import { planTopology } from "../../lib/plan/topology";
import {
  assumeMatrix,
  productGroups,
  stateAccessMatrix,
  type StateAccessMatrix,
  type Verdict,
} from "../../lib/report/access";
import { stackConfig, withValue } from "../helpers/stack";

function planOf(flat: Record<string, string>): TopologyPlan {
  return planTopology(loadStackConfig(decodePulumiConfig(flat)));
}

function cellOf(m: StateAccessMatrix, identity: string, column: string): Verdict {
  const row = m.rows.find((r) => r.identity.label.startsWith(identity));
  const c = m.columns.indexOf(column);
  assert.ok(row && c >= 0, `${identity} / ${column}`);
  const cell = row.cells[c];
  assert.ok(cell);
  return cell;
}

describe("the picture's answers come from evaluating the plan's documents", function () {
  for (const stack of ["example", "example-oidc"]) {
    describe(`stack ${stack}`, function () {
      const plan = planOf(stackConfig(stack));
      const state = stateAccessMatrix(plan);

      const cases: {
        name: string;
        identity: string;
        column: string;
        expected: Verdict["kind"];
        by?: string;
      }[] = [
        {
          name: "control: the CI apply role writes state",
          identity: "CI apply role",
          column: "write state",
          expected: "allow",
        },
        {
          name: "attack: the CI plan role writes state",
          identity: "CI plan role",
          column: "write state",
          expected: "deny",
          by: "DenyPlanPathStateWrites",
        },
        {
          name: "control: the CI plan role reads state",
          identity: "CI plan role",
          column: "read state",
          expected: "allow",
        },
        {
          name: "control: the CI plan role takes the lockfile",
          identity: "CI plan role",
          column: "take the lockfile",
          expected: "allow",
        },
        {
          name: "attack: an administrator of the Terraform account reads state",
          identity: "any other principal",
          column: "read state",
          expected: "deny",
          by: "DenyStateAccessToOthers",
        },
        {
          name: "attack: the deployer reads state",
          identity: "the deployer",
          column: "read state",
          expected: "deny",
          by: "DenyStateAccessToOthers",
        },
        {
          name: "attack: a product account's Terraform role reads state",
          identity: "a product account's Terraform role",
          column: "read state",
          expected: "deny",
        },
        {
          name: "attack: the CI apply role deletes the bucket",
          identity: "CI apply role",
          column: "delete the bucket",
          expected: "deny",
          by: "DenyBucketDeletion",
        },
        {
          name: "the CI apply role may not delete a state object (only lockfiles)",
          identity: "CI apply role",
          column: "delete state",
          expected: "not-granted",
        },
        {
          name: "an admin principal: as its own policy allows",
          identity: "admin principal",
          column: "read state",
          expected: "if-own-policy",
        },
      ];
      for (const c of cases) {
        it(c.name, function () {
          const v = cellOf(state, c.identity, c.column);
          assert.equal(v.kind, c.expected, JSON.stringify(v));
          if (c.by !== undefined)
            assert.ok(v.kind !== "not-granted" && v.by.includes(c.by), JSON.stringify(v));
        });
      }

      it("who may assume what: each CI identity its own CI role only; each CI role its path's product roles only", function () {
        const groups = productGroups(plan);
        const m = assumeMatrix(plan, groups);
        const allowedTargets = (caller: string) => {
          const row = m.rows.find((r) => r.caller.label.startsWith(caller));
          assert.ok(row, caller);
          return m.targets.filter((_, i) => row.cells[i]?.kind === "allow").map((t) => t.label);
        };
        // Each environment's CI apply role reaches its own environment's Terraform roles only.
        for (const apply of plan.terraform.ciApply) {
          assert.deepEqual(
            allowedTargets(
              apply.environment === undefined
                ? "CI apply role"
                : `CI apply role of ${apply.environment}`,
            ),
            groups
              .filter((g) => g.accounts.every((a) => apply.accounts.includes(a.key)))
              .map((g) => `Terraform role in ${g.label}`),
          );
        }
        assert.deepEqual(
          allowedTargets("CI plan role"),
          groups.map((g) => `plan role in ${g.label}`),
        );
        assert.deepEqual(allowedTargets("any other principal"), []);
        assert.deepEqual(allowedTargets("the deployer"), []);
        // Each apply identity may assume its own environment's CI apply role, and no other.
        for (const a of plan.terraform.ciApply) {
          const caller =
            a.identity.kind === "iam-user"
              ? `CI apply user ${a.identity.name}`
              : `apply workflow, token subject ${a.identity.subjects[0] ?? ""}`;
          assert.deepEqual(allowedTargets(caller), [`CI apply role ${a.role.name}`]);
        }
        const planCaller = stack === "example" ? "CI plan user" : "plan workflow";
        assert.deepEqual(allowedTargets(planCaller), [
          `CI plan role ${plan.terraform.ciPlanRole.name}`,
        ]);
      });
    });
  }

  it("a DynamoDB lock: the lock column is evaluated against the CI roles' table permissions", function () {
    const plan = planOf(withValue(stackConfig("example"), "state", { lock: "dynamodb" }));
    const state = stateAccessMatrix(plan);
    assert.ok(!state.columns.includes("take the lockfile"));
    assert.equal(cellOf(state, "CI plan role", "lock in DynamoDB").kind, "allow");
    assert.equal(cellOf(state, "CI apply user", "lock in DynamoDB").kind, "not-granted");
  });

  it("40 accounts in three environments make three groups of identical accounts", function () {
    const accounts = Array.from({ length: 40 }, (_, i) => ({
      name: `acct-${String(i).padStart(2, "0")}`,
      id: String(200000000000 + i),
      environment: i < 10 ? "dev" : i < 25 ? "staging" : "production",
    }));
    const plan = planOf(withValue(stackConfig("example"), "productAccounts", accounts));
    const groups = productGroups(plan);
    assert.deepEqual(
      groups.map((g) => [g.label, g.accounts.length]),
      [
        ["environment dev", 10],
        ["environment staging", 15],
        ["environment production", 15],
      ],
    );
  });
});

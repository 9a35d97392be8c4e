import { strict as assert } from "node:assert";
import type { Policy, StackValidationPolicy } from "@pulumi/policy";
import { GUARD_POLICIES } from "../../lib/guard";
import { packPolicies } from "../../policy-pack/policies";
import {
  deployedExampleStack,
  exampleStack,
  validateResources,
  validateStack,
  type EngineResource,
} from "./helpers/engine";

/** Every policy of the pack with its default level and scope. Names are a contract. */
const INVENTORY: [name: string, level: string, scope: "stack" | "resource"][] = [
  ["terraform-role-policies-identical", "mandatory", "stack"],
  ["terraform-role-trust-restrictive", "mandatory", "stack"],
  ["terraform-role-self-protection", "mandatory", "stack"],
  ["plan-role-read-only", "mandatory", "stack"],
  ["plan-roles-identical", "mandatory", "stack"],
  ["ci-role-trust-restrictive", "mandatory", "stack"],
  ["ci-role-assume-scoped", "mandatory", "stack"],
  ["ci-apply-role-environment-scoped", "mandatory", "stack"],
  ["ci-role-least-privilege", "mandatory", "stack"],
  ["ci-identity-least-privilege", "mandatory", "stack"],
  ["state-backend-hardened", "mandatory", "stack"],
  ["audit-trail-enabled", "mandatory", "stack"],
  ["explicit-provider-pinned", "mandatory", "resource"],
  ["org-stack-consistent", "mandatory", "stack"],
];

function scopeOf(policy: Policy): "stack" | "resource" {
  return "validateStack" in policy ? "stack" : "resource";
}

describe("policy pack: inventory", () => {
  const policies = packPolicies();

  it("lists every policy with its default level and scope", () => {
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel, scopeOf(p)]),
      INVENTORY,
    );
  });

  it("is the guard's list: one implementation for the pack and the synth", () => {
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel, p.description]),
      GUARD_POLICIES.map((p) => [p.name, p.defaultLevel, p.description]),
    );
  });

  it("gives every policy a description and an exceptions config", () => {
    for (const p of policies) {
      assert.ok(p.description.length > 20, p.name);
      assert.ok(p.configSchema?.properties.exceptions, p.name);
      assert.ok(!("enforcementLevel" in (p.configSchema?.properties ?? {})), p.name);
    }
  });

  for (const [shape, load] of [
    ["at its first preview", exampleStack],
    ["once deployed", deployedExampleStack],
  ] as const) {
    it(`passes the example stack ${shape}, every policy`, async () => {
      const stack: EngineResource[] = await load();
      for (const p of policies) {
        const violations =
          scopeOf(p) === "stack"
            ? await validateStack(p as StackValidationPolicy, stack)
            : await validateResources(p, stack);
        assert.deepEqual(violations, [], p.name);
      }
    });
  }
});

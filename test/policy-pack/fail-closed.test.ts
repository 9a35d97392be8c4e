import { strict as assert } from "node:assert";
import { unknownCheckingProxy } from "@pulumi/policy";
import { isUnknown, UNKNOWN_SENTINELS } from "../../lib/guard";
import { plainProps } from "../../policy-pack/adapt";
import { packPolicies } from "../../policy-pack/policies";
import { terraformRoleTrustRestrictive } from "../../policy-pack/terraform-roles";
import {
  exampleStack,
  UNKNOWN,
  validateResources,
  validateStack,
  type EngineResource,
} from "./helpers/engine";
import { corpusStack } from "./mutations/stacks";

function everythingUnknown(value: unknown): unknown {
  if (typeof value === "string") return UNKNOWN.string;
  if (typeof value === "boolean") return UNKNOWN.boolean;
  if (typeof value === "number") return UNKNOWN.number;
  if (Array.isArray(value)) return value.map(everythingUnknown);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, everythingUnknown(v)]));
  }
  return value;
}

describe("policy pack: fails closed", () => {
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  it("knows the engine's unknown sentinels", () => {
    for (const kind of ["string", "boolean", "number", "array", "object"] as const) {
      assert.equal(UNKNOWN_SENTINELS[kind], UNKNOWN[kind], kind);
    }
  });

  it("reads the engine's proxied properties without tripping the unknown check", () => {
    const props = unknownCheckingProxy({
      known: "a",
      unknown: UNKNOWN.string,
      list: ["x", UNKNOWN.string],
      nested: { flag: UNKNOWN.boolean, items: UNKNOWN.array },
    }) as Record<string, unknown>;
    assert.throws(() => props.unknown, /can't be known during preview/);
    const view = plainProps(props);
    assert.equal(view.known, "a");
    assert.ok(isUnknown(view.unknown));
    assert.deepEqual(view.list, ["x", { $unknown: "string" }]);
    assert.deepEqual(view.nested, { flag: { $unknown: "boolean" }, items: { $unknown: "array" } });
  });

  it("reports a violation from every policy, and never throws, when every value is unknown", async () => {
    const unknownOf = (resources: readonly EngineResource[]) =>
      resources.map((r) => ({
        ...r,
        props: everythingUnknown(r.props) as Record<string, unknown>,
        ...(r.provider
          ? {
              provider: {
                ...r.provider,
                props: everythingUnknown(r.provider.props) as Record<string, unknown>,
              },
            }
          : {}),
      }));
    const unknown = unknownOf(stack);
    // The organisation policy judges the stacks of a split organisation only: an account group.
    const group = unknownOf(await corpusStack("org-group"));
    for (const policy of packPolicies()) {
      const resources = policy.name === "org-stack-consistent" ? group : unknown;
      const violations =
        "validateStack" in policy
          ? await validateStack(policy, resources)
          : await validateResources(policy, resources);
      assert.ok(violations.length > 0, `${policy.name} passed a stack it cannot read`);
      assert.ok(
        violations.every((v) => v.id !== "Guard::Error"),
        `${policy.name}: ${violations.map((v) => v.message).join("\n")}`,
      );
    }
  });

  it("reports an invalid config instead of running without it", async () => {
    const violations = await validateStack(terraformRoleTrustRestrictive(), stack, {
      exceptions: [{ id: "Principal::*", resorce: "typo" }],
    });
    assert.deepEqual(
      violations.map((v) => v.id),
      ["Config::Invalid"],
    );
    assert.match(violations[0]?.message ?? "", /unknown key "resorce"/);
  });

  it("pins the Terraform account from config, and fails closed when it is wrong", async () => {
    const policy = terraformRoleTrustRestrictive();
    assert.deepEqual(
      await validateStack(policy, stack, { terraformAccountId: "111111111111" }),
      [],
    );
    const ids = (await validateStack(policy, stack, { terraformAccountId: "999999999999" })).map(
      (v) => v.id,
    );
    // The pinned account is not the stack config's Terraform account.
    assert.deepEqual(ids, ["Topology::TerraformAccountMismatch"]);
    const blind = await validateStack(
      policy,
      stack,
      { terraformAccountId: "999999999999" },
      "none",
    );
    assert.deepEqual(
      blind.map((v) => v.id),
      ["Topology::NoCiRole", "Topology::NoCiPlanRole"],
    );
  });

  it("fails closed when the Terraform account is ambiguous", async () => {
    const bucket = stack.find((r) => r.name === "terraform-state-bucket");
    const dev = stack.find((r) => r.name === "dev-terraform-role");
    assert.ok(bucket?.provider && dev?.provider);
    const stray = { ...bucket, name: "stray", urn: `${bucket.urn}-stray`, provider: dev.provider };
    const ids = (await validateStack(terraformRoleTrustRestrictive(), [...stack, stray])).map(
      (v) => v.id,
    );
    assert.deepEqual(ids, ["Topology::TerraformAccountAmbiguous"]);
  });
});

import { strict as assert } from "node:assert";
import { applyExceptions, parsePolicyConfig, type Finding } from "../../../lib/guard";

const finding = (id: string, resource?: string): Finding => ({
  policy: "terraform-role-trust-restrictive",
  id,
  message: "m",
  ...(resource ? { resource: { type: "t", name: resource, urn: `urn:x::${resource}` } } : {}),
});

describe("guard: policy config and exceptions", () => {
  it("accepts exceptions as ids or objects, and a Terraform account pin", () => {
    assert.deepEqual(
      parsePolicyConfig({
        exceptions: ["Principal::*", { id: "Resource::*", resource: "ci", reason: "T-1" }],
        terraformAccountId: "111111111111",
      }),
      {
        ok: true,
        config: {
          exceptions: [
            { id: "Principal::*" },
            { id: "Resource::*", resource: "ci", reason: "T-1" },
          ],
          terraformAccountId: "111111111111",
        },
      },
    );
    assert.deepEqual(parsePolicyConfig(undefined), { ok: true, config: { exceptions: [] } });
  });

  const bad: [string, unknown, RegExp][] = [
    ["an unknown key", { exception: [] }, /unknown key "exception"/],
    ["an exception without id", { exceptions: [{ resource: "x" }] }, /exceptions\[0\]/],
    ["a bad account id", { terraformAccountId: "1234" }, /12-digit/],
    ["a bad level", { enforcementLevel: "loud" }, /enforcementLevel must be one of/],
    ["exceptions that are not a list", { exceptions: "Principal::*" }, /must be a list/],
  ];
  for (const [name, raw, message] of bad) {
    it(`rejects ${name}`, () => {
      const parsed = parsePolicyConfig(raw);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.problems.join("\n"), message);
    });
  }

  it("accepts a finding by id everywhere, or on one resource by name or URN", () => {
    const findings = [finding("A", "r1"), finding("A", "r2"), finding("B", "r1"), finding("C")];
    const run = applyExceptions(findings, [
      { id: "A", resource: "r1" },
      { id: "B", resource: "urn:x::r1" },
      { id: "C" },
    ]);
    assert.deepEqual(run.findings, [finding("A", "r2")]);
    assert.equal(run.accepted.length, 3);
  });

  it("never accepts an invalid config", () => {
    const run = applyExceptions([finding("Config::Invalid")], [{ id: "Config::Invalid" }]);
    assert.equal(run.findings.length, 1);
  });
});

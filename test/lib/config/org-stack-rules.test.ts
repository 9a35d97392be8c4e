import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../../lib/config/parse";
import { assertProblem } from "./problems";

/**
 * `orgStack`: the part a stack plays in an organisation split across stacks. Each setting that
 * belongs to the other part is refused at that setting, with why and the fix.
 */

function base(orgStack?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: [{ name: "dev", id: "222222222222", ou: "Workloads" }],
    terraformRole: { allowedServices: ["ec2"] },
    ...(orgStack === undefined ? {} : { orgStack }),
    ...extra,
  };
}

describe("config: orgStack", () => {
  it("accepts a core (also handing over) and a group (also adopting); defaults are false", () => {
    for (const orgStack of [
      { part: "core" },
      { part: "core", handOver: true },
      { part: "group", core: "acme-core" },
      { part: "group", core: "acme/tf-bootstrap/acme-core", adopt: true },
    ]) {
      const result = parseStackConfig(base(orgStack));
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      if (!result.ok) continue;
      assert.equal(result.config.orgStack?.part, orgStack.part);
      assert.equal(result.config.orgStack?.handOver, orgStack.handOver ?? false);
      assert.equal(result.config.orgStack?.adopt, orgStack.adopt ?? false);
      assert.equal(result.config.productAccounts[0]?.ou, "Workloads");
    }
  });

  it("refuses a group without its core stack, naming the setting and the fix", () => {
    assertProblem(
      base({ part: "group" }),
      "tf-bootstrap:orgStack.core",
      /is missing: an account-group stack names its core stack.*Fix: set orgStack.core/,
    );
  });

  it("refuses a group with the pipeline, which belongs to the core", () => {
    assertProblem(
      base({ part: "group", core: "acme-core" }, { ci: { pipeline: { tool: "tofu" } } }),
      "tf-bootstrap:ci.pipeline",
      /belongs to the core stack.*Remove it here/,
    );
  });

  it("refuses each setting of the other part, all at once", () => {
    const result = parseStackConfig(base({ part: "core", core: "x", adopt: true }));
    assert.equal(result.ok, false);
    if (result.ok) return;
    const paths = result.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ["tf-bootstrap:orgStack.adopt", "tf-bootstrap:orgStack.core"]);
    for (const p of result.problems)
      assert.match(p.message, /applies to a group stack only.*Remove it/);
    assertProblem(
      base({ part: "group", core: "acme-core", handOver: true }),
      "tf-bootstrap:orgStack.handOver",
      /applies to a core stack only/,
    );
  });

  it("refuses an unknown part and a malformed core name with what is allowed", () => {
    assertProblem(base({ part: "ou" }), "tf-bootstrap:orgStack.part", /must be one of core, group/);
    assertProblem(
      base({ part: "group", core: "a/b/c/d" }),
      "tf-bootstrap:orgStack.core",
      /a stack name .* optionally as project\/stack or organization\/project\/stack/,
    );
    assertProblem(
      base(undefined, { productAccounts: [{ name: "dev", id: "222222222222", ou: "" }] }),
      "tf-bootstrap:productAccounts[0].ou",
      /must not be empty/,
    );
  });
});

import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../../lib/config/parse";

function raw(ci: Record<string, unknown>, environments: string[] = ["dev", "prod"]) {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: environments.map((environment, i) => ({
      name: `acct-${i + 1}`,
      id: String(200000000000 + i),
      environment,
    })),
    terraformRole: { allowedServices: ["s3"] },
    ci,
  };
}

function problems(ci: Record<string, unknown>, environments?: string[]) {
  const result = parseStackConfig(raw(ci, environments));
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("config: ci.applyRoles", () => {
  it("defaults to per-environment, and accepts shared", () => {
    const fresh = parseStackConfig(raw({}));
    assert.ok(fresh.ok);
    assert.equal(fresh.config.ci.applyRoles, "per-environment");
    const shared = parseStackConfig(raw({ applyRoles: "shared" }));
    assert.ok(shared.ok);
    assert.equal(shared.config.ci.applyRoles, "shared");
  });

  const cases: {
    name: string;
    ci: Record<string, unknown>;
    environments?: string[];
    expected: RegExp;
  }[] = [
    {
      name: "an unknown value, with the allowed ones",
      ci: { applyRoles: "per-account" },
      expected: /tf-bootstrap:ci\.applyRoles: must be one of per-environment, shared/,
    },
    {
      name: "a role name too long for an environment, with the name and its length",
      ci: { roleName: "a".repeat(60) },
      environments: ["dev", "production"],
      expected:
        /tf-bootstrap:productAccounts\[1\]\.environment: .*'a{60}-production', 71 characters; IAM allows at most 64\. Shorten the environment name, or ci\.roleName \('a{60}'\), or set ci\.applyRoles to shared/,
    },
    {
      name: "a role name too long for every environment, at the role name",
      ci: { roleName: "a".repeat(61) },
      environments: ["dev", "production"],
      expected:
        /tf-bootstrap:ci\.roleName: .*even the shortest, 'a{61}-dev', is 65\. Shorten ci\.roleName to at most 60 characters/,
    },
    {
      name: "a user name too long for an environment (iam-user)",
      ci: { userName: "u".repeat(62) },
      expected: /tf-bootstrap:ci\.userName: .*each environment's CI apply user/,
    },
    {
      name: "environments that differ only in case",
      ci: {},
      environments: ["Prod", "prod"],
      expected: /the environments Prod, prod differ only in case/,
    },
    {
      name: "an environment whose apply role would be the plan role",
      ci: {},
      environments: ["dev", "plan"],
      expected:
        /tf-bootstrap:ci\.planRoleName: is also the name of the CI apply role of environment 'plan'/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const found = problems(c.ci, c.environments);
      assert.ok(
        found.some((p) => c.expected.test(p)),
        found.join("\n"),
      );
    });
  }

  it("checks none of the per-environment names when the apply role is shared", () => {
    assert.deepEqual(problems({ applyRoles: "shared", roleName: "a".repeat(60) }), []);
  });
});

import { strict as assert } from "node:assert";
import { accountKey, inOu, proposeAccounts } from "../../../lib/org/propose";
import { organizationCoverage } from "../../../lib/org/coverage";
import type { OrgAccount, OrgSnapshot } from "../../../lib/org/model";

const account = (id: string, name: string, ouPath: string, extra: Partial<OrgAccount> = {}) => ({
  id,
  name,
  email: `${name}@example.com`,
  status: "ACTIVE",
  joinedMethod: "CREATED",
  ouPath,
  ouId: `ou-${ouPath.length}`,
  ...extra,
});

const ORG: OrgSnapshot = {
  organizationId: "o-abcdefghij",
  managementAccountId: "100000000000",
  accounts: [
    account("100000000000", "Management", "Root", { ouId: "r-ab12" }),
    account("111111111111", "Terraform", "Root/Infrastructure"),
    account("222222222222", "Dev", "Root/Workloads/Dev"),
    account("333333333333", "Payments Prod (EU)", "Root/Workloads/Prod", { ouId: "ou-prod" }),
    account("444444444444", "Payments Prod (EU)", "Root/Workloads/Prod", { ouId: "ou-prod" }),
    account("555555555555", "Acquired Co", "Root/Workloads/Prod", {
      ouId: "ou-prod",
      joinedMethod: "INVITED",
    }),
    account("666666666666", "Closed", "Root/Workloads/Prod", { status: "SUSPENDED" }),
    account("777777777777", "2024 sandbox", "Root/Sandbox"),
  ],
};

const STACK = {
  terraformAccountId: "111111111111",
  productAccounts: [{ name: "dev", id: "222222222222" }],
};

describe("accounts of an organization the stack does not cover", function () {
  it("proposes every active account but the stack's, the Terraform and the management account", function () {
    const { proposed, skipped } = proposeAccounts(ORG, STACK);
    assert.deepEqual(
      proposed.map((p) => [p.entry.name, p.entry.id]),
      [
        ["payments-prod-eu", "333333333333"],
        ["payments-prod-eu-2", "444444444444"],
        ["acquired-co", "555555555555"],
        ["a-2024-sandbox", "777777777777"],
      ],
    );
    assert.deepEqual(
      skipped.map((s) => [s.account.id, s.reason]),
      [
        ["100000000000", "management-account"],
        ["111111111111", "terraform-account"],
        ["222222222222", "in-stack"],
        ["666666666666", "not-active"],
      ],
    );
  });

  it("names the OU in each entry's comment and warns about invited accounts", function () {
    const { proposed } = proposeAccounts(ORG, STACK);
    const acquired = proposed.find((p) => p.account.id === "555555555555");
    assert.equal(
      acquired?.comment,
      "Acquired Co; OU Root/Workloads/Prod (ou-prod); invited: create the bootstrap role first",
    );
    assert.match(acquired?.warnings.join() ?? "", /no OrganizationAccountAccessRole/);
    assert.deepEqual(proposed.find((p) => p.account.id === "333333333333")?.warnings, []);
  });

  it("limits the proposal to an OU, by path or by id, subtree included", function () {
    const byPath = proposeAccounts(ORG, STACK, { ou: "Workloads" }).proposed.map(
      (p) => p.account.id,
    );
    assert.deepEqual(byPath, ["333333333333", "444444444444", "555555555555"]);
    assert.deepEqual(
      proposeAccounts(ORG, STACK, { ou: "Root/Workloads/Prod/" }).proposed.length,
      3,
    );
    assert.deepEqual(proposeAccounts(ORG, STACK, { ou: "ou-prod" }).proposed.length, 3);
    assert.ok(
      !inOu(account("1", "x", "Root/Workloads2"), "Workloads", ORG),
      "a sibling with a longer name is not inside",
    );
  });

  it("proposes the management account only when asked", function () {
    const ids = proposeAccounts(ORG, STACK, { includeManagement: true }).proposed.map(
      (p) => p.account.id,
    );
    assert.ok(ids.includes("100000000000"));
  });

  it("derives keys the config accepts, unique among the stack's", function () {
    const taken = new Set(["dev"]);
    const cases: [string, string][] = [
      ["Dev", "dev-2"],
      ["ÉQUIPE Données", "equipe-donnees"],
      ["---", "account-123456789012"],
      ["x".repeat(40), "x".repeat(32)],
    ];
    for (const [name, expected] of cases) {
      const key = accountKey(name, "123456789012", taken);
      assert.equal(key, expected, name);
      assert.match(key, /^[a-z][a-z0-9-]{0,31}$/);
    }
  });

  it("coverage: uncovered accounts and stack accounts outside the organization become findings; ignored ones do not", function () {
    const coverage = organizationCoverage(
      ORG,
      {
        ...STACK,
        productAccounts: [
          ...STACK.productAccounts,
          { name: "gone", id: "999999999999" },
          { name: "closed", id: "666666666666" },
        ],
      },
      ["777777777777"],
    );
    assert.deepEqual(
      coverage.findings.map((f) => [f.id, f.accountId]),
      [
        ["Organization::AccountNotInStack", "333333333333"],
        ["Organization::AccountNotInStack", "444444444444"],
        ["Organization::AccountNotInStack", "555555555555"],
        ["Organization::AccountNotInOrganization", "999999999999"],
        ["Organization::AccountNotActive", "666666666666"],
      ],
    );
    assert.deepEqual(coverage.ignored, ["777777777777"]);
  });
});

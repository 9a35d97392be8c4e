import { strict as assert } from "node:assert";
import { parseAuditArgs } from "../../lib/audit/cli-args";
import { withOrganizationExit } from "../../scripts/aws/audit-organization";

describe("the audit's organization check: flags and exit code", function () {
  it("parses --organization and --organization-ignore", function () {
    const parsed = parseAuditArgs([
      "--stack",
      "acme",
      "--organization",
      "--organization-ignore",
      "111111111111,222222222222",
    ]);
    assert.equal(parsed.kind, "args");
    if (parsed.kind !== "args") return;
    assert.equal(parsed.args.organization, true);
    assert.deepEqual(parsed.args.organizationIgnore, ["111111111111", "222222222222"]);
  });

  it("refuses an ignore list that is not account ids, naming the value", function () {
    const parsed = parseAuditArgs(["--stack", "acme", "--organization-ignore", "dev"]);
    assert.deepEqual(parsed, {
      kind: "error",
      message: "--organization-ignore takes 12-digit account ids separated by commas; got 'dev'",
    });
  });

  it("uncovered accounts are findings (1); an organization not read is incomplete (2)", function () {
    const coverage = {
      organizationId: "o-x",
      managementAccountId: "1",
      uncovered: [],
      outside: [],
      ignored: [],
      findings: [],
    };
    assert.equal(withOrganizationExit(0, { kind: "read", coverage }), 0);
    const finding = {
      check: "c",
      id: "i",
      account: "a",
      accountId: "1",
      resource: "r",
      message: "m",
      fix: "f",
    };
    assert.equal(
      withOrganizationExit(0, { kind: "read", coverage: { ...coverage, findings: [finding] } }),
      1,
    );
    assert.equal(
      withOrganizationExit(1, { kind: "failed", code: "AccessDenied", message: "m", hint: "h" }),
      2,
    );
    assert.equal(withOrganizationExit(2, { kind: "read", coverage }), 2);
  });
});

import * as assert from "node:assert/strict";
import { analyzeTrust } from "../../../../lib/iam";
import { loadTrustFixtures } from "./fixture-loader";

describe("analyzeTrust fixture corpus", () => {
  const fixtures = loadTrustFixtures();

  it("holds at least 60 cases with both verdicts", () => {
    assert.ok(fixtures.length >= 60, `only ${fixtures.length} fixtures`);
    assert.ok(fixtures.filter((f) => f.expected === "restrictive").length >= 20);
    assert.ok(fixtures.filter((f) => f.expected === "permissive").length >= 20);
  });

  for (const fixture of fixtures) {
    it(`${fixture.file}: ${fixture.name} → ${fixture.expected}`, () => {
      const findings = analyzeTrust(fixture.policy, fixture.allowed);
      const verdict = findings.length === 0 ? "restrictive" : "permissive";
      assert.equal(
        verdict,
        fixture.expected,
        `${fixture.reason}\n${JSON.stringify(findings, null, 2)}`,
      );
      if (fixture.findings !== undefined) {
        assert.deepEqual(
          [...new Set(findings.map((f) => f.id))].sort(),
          [...fixture.findings].sort(),
        );
      }
      for (const finding of findings) {
        assert.ok(finding.message.length > 40, `message too short: ${finding.message}`);
        assert.match(finding.message, /Fix/, `message must say how to fix: ${finding.message}`);
        if (finding.id !== "Document::Invalid") {
          assert.match(finding.path ?? "", /^Statement\[\d+\]/);
          assert.match(finding.message, /Statement\[\d+\]/);
        }
      }
    });
  }
});

import { strict as assert } from "node:assert";
import { loadStackConfig, type TopologyConfig } from "../../../lib/config/parse";
import { IAM_LIMITS, policySize } from "../../../lib/plan/limits";
import { planTopologyChecked } from "../../../lib/plan/topology";

/** `accounts` product accounts spread round-robin over `environments` environments. */
function config(
  accounts: number,
  environments: number,
  ci: Record<string, unknown> = {},
  more: Record<string, unknown> = {},
): TopologyConfig {
  return loadStackConfig({
    ...more,
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: Array.from({ length: accounts }, (_, i) => ({
      name: `acct-${String(i + 1).padStart(4, "0")}`,
      id: String(200000000000 + i),
      environment: `env-${String((i % environments) + 1).padStart(3, "0")}`,
    })),
    terraformRole: { allowedServices: ["ec2", "s3"] },
    ci: { mode: "github-oidc", repository: "acme/infrastructure", ...ci },
  });
}

describe("per-environment CI apply roles at scale", () => {
  it("keeps every trust, policy and resource policy within quota at 1,000 accounts and 100 environments", () => {
    for (const lock of ["s3-lockfile", "both"] as const) {
      const c = config(1000, 100, {}, { state: { lock } });
      const checked = planTopologyChecked(c);
      assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
      const tf = checked.plan.terraform;
      assert.equal(tf.ciApply.length, 100);
      for (const apply of tf.ciApply) {
        assert.ok(policySize(apply.role.trustPolicy) <= IAM_LIMITS.trustPolicy);
        assert.equal(apply.accounts.length, 10);
        assert.ok(apply.role.customerPolicies.length <= IAM_LIMITS.managedPerRole);
        for (const p of apply.role.customerPolicies) {
          assert.ok(policySize(p.document) <= IAM_LIMITS.managedPolicy, p.name);
        }
      }
      assert.ok(policySize(tf.state.bucketPolicy) <= IAM_LIMITS.bucketPolicy);
      assert.ok(policySize(tf.state.kmsKey.policy) <= IAM_LIMITS.keyPolicy);
    }
  });

  it("lets each apply role assume exactly its environment's Terraform roles", () => {
    const checked = planTopologyChecked(config(60, 6));
    assert.ok(checked.ok);
    const { plan } = checked;
    for (const apply of plan.terraform.ciApply) {
      const assumable = apply.role.customerPolicies.flatMap((p) =>
        p.document.Statement.filter((s) => s.Action?.includes("sts:AssumeRole")).flatMap(
          (s) => s.Resource ?? [],
        ),
      );
      const expected = plan.products
        .filter((p) => p.environment === apply.environment)
        .map((p) => p.terraformRole.arn);
      assert.deepEqual(assumable, expected);
    }
  });

  it("is refused at validation, with the numbers and the fix, when one environment holds more accounts than one role's policies can name", () => {
    const checked = planTopologyChecked(config(1000, 1));
    assert.equal(checked.ok, false);
    const problem = !checked.ok
      ? checked.problems.find((p) => /managed policies attached/.test(p.message))
      : undefined;
    assert.ok(problem, JSON.stringify(!checked.ok && checked.problems));
    assert.match(problem.message, /would have \d+ managed policies attached; IAM allows 10/);
    assert.match(problem.message, /spread them over more environments/);
  });

  it("is refused at validation when the resource policies naming every apply role outgrow AWS's quota", () => {
    const checked = planTopologyChecked(
      config(400, 400, {
        roleName: "terraform-continuous-integration-apply",
        path: "/ci/terraform/",
      }),
    );
    assert.equal(checked.ok, false);
    const problem = !checked.ok
      ? checked.problems.find((p) => /state bucket policy/.test(p.message))
      : undefined;
    assert.ok(problem, JSON.stringify(!checked.ok && checked.problems.map((p) => p.message)));
    assert.match(
      problem.message,
      /would be \d+ characters with 400 CI apply role\(s\); AWS allows 20480/,
    );
  });

  it("the shared role's trust is what per-environment roles relieve: 100 environments refused, per environment accepted", () => {
    const shared = planTopologyChecked(config(200, 100, { applyRoles: "shared" }));
    assert.equal(shared.ok, false);
    assert.ok(!shared.ok && shared.problems.some((p) => /trust policy/.test(p.message)));
    assert.ok(planTopologyChecked(config(200, 100)).ok);
  });
});

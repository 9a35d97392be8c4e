import { strict as assert } from "node:assert";
import { intentFromFlatConfig } from "../../../lib/guard/intent";
import {
  accountOf,
  deriveTopology,
  forAccess,
  partitionOfRegion,
  runGuard,
  viewFromRegistrations,
  type Registration,
  type StackView,
} from "../../../lib/guard";
import { synthesize } from "../../../scripts/synth/mock-runtime";
import { stackConfig, withValue, getValue } from "../../helpers/stack";

const TF = "111111111111";

function view(registrations: readonly Registration[]): StackView {
  return viewFromRegistrations(registrations, { project: "tf-bootstrap", stack: "example" });
}

describe("guard: recognising the topology", () => {
  let example: StackView;
  before(async () => {
    example = view((await synthesize(stackConfig("example"), { stack: "example" })).resources);
  });

  it("builds the engine's URNs and gives each resource its provider's inputs", () => {
    const role = example.resources.find((r) => r.name === "dev-terraform-role");
    assert.equal(
      role?.urn,
      "urn:pulumi:example::tf-bootstrap::tf-bootstrap:index:Topology$tf-bootstrap:product:ProductAccount$aws:iam/role:Role::dev-terraform-role",
    );
    assert.equal(role?.provider?.name, "aws-dev");
    assert.equal(role?.provider?.props.allowedAccountIds, '["222222222222"]');
    const trail = example.resources.find((r) => r.type === "aws:cloudtrail/trail:Trail");
    assert.match(
      trail?.urn ?? "",
      /tf-bootstrap:terraform:AuditTrail\$aws:cloudtrail\/trail:Trail::terraform-audit$/,
    );
  });

  it("finds the Terraform account, each path's CI identity and CI role, and the product roles", () => {
    const topology = deriveTopology(example);
    assert.deepEqual(topology.terraformAccount, {
      kind: "resolved",
      id: TF,
      partition: "aws",
      source: "derived",
    });
    const arns = (list: typeof topology.ciRoles) =>
      list.map((p) => (p.arn.kind === "value" ? p.arn.value : "?"));
    const apply = forAccess(topology, "apply");
    const plan = forAccess(topology, "plan");
    assert.deepEqual(arns(apply.ciIdentities), [`arn:aws:iam::${TF}:user/terraform-ci`]);
    assert.deepEqual(arns(apply.ciRoles), [`arn:aws:iam::${TF}:role/terraform-ci`]);
    assert.deepEqual(arns(plan.ciIdentities), [`arn:aws:iam::${TF}:user/terraform-ci-plan`]);
    assert.deepEqual(arns(plan.ciRoles), [`arn:aws:iam::${TF}:role/terraform-ci-plan`]);
    assert.deepEqual(arns(apply.productRoles).sort(), [
      "arn:aws:iam::222222222222:role/terraform",
      "arn:aws:iam::333333333333:role/terraform",
      "arn:aws:iam::444444444444:role/terraform",
    ]);
    assert.deepEqual(arns(plan.productRoles).sort(), [
      "arn:aws:iam::222222222222:role/terraform-plan",
      "arn:aws:iam::333333333333:role/terraform-plan",
      "arn:aws:iam::444444444444:role/terraform-plan",
    ]);
    assert.deepEqual(topology.productAccountIds, ["222222222222", "333333333333", "444444444444"]);
  });

  it("passes every policy on the example stack", () => {
    const report = runGuard(example, {}, intentFromFlatConfig(stackConfig()));
    assert.deepEqual(
      report.verdicts.flatMap((v) => v.findings.map((f) => `${f.policy} ${f.id}`)),
      [],
    );
  });

  it("follows renamed roles and users: the CI role is whatever the CI identity may assume", async () => {
    const flat = stackConfig("example");
    const ci = getValue<Record<string, unknown>>(flat, "ci");
    const renamed = view(
      (
        await synthesize(
          withValue(flat, "ci", {
            ...ci,
            userName: "pipeline",
            roleName: "deployer",
            path: "/ci/",
          }),
          { stack: "example" },
        )
      ).resources,
    );
    const topology = deriveTopology(renamed);
    assert.deepEqual(
      forAccess(topology, "apply").ciRoles.map((p) => (p.arn.kind === "value" ? p.arn.value : "?")),
      [`arn:aws:iam::${TF}:role/ci/deployer`],
    );
    assert.deepEqual(
      runGuard(renamed, {}, intentFromFlatConfig(stackConfig())).verdicts.flatMap((v) =>
        v.findings.map((f) => f.id),
      ),
      [],
    );
  });

  it("reads partitions from regions and accounts from pinned providers only", () => {
    assert.equal(partitionOfRegion("cn-north-1"), "aws-cn");
    assert.equal(partitionOfRegion("us-gov-west-1"), "aws-us-gov");
    assert.equal(partitionOfRegion("eu-west-1"), "aws");
    const base = { type: "aws:s3/bucket:Bucket", name: "b", urn: "u", props: {}, protect: false };
    const reason = (r: Parameters<typeof accountOf>[0]) => {
      const account = accountOf(r);
      return account.kind === "unresolved" ? account.reason : account.id;
    };
    const provider = (name: string, props: Record<string, string>) => ({
      ...base,
      provider: { type: "pulumi:providers:aws", name, urn: "p", props },
    });
    assert.equal(reason(base), "no-provider");
    assert.equal(reason(provider("default_7_48_0", {})), "default-provider");
    assert.equal(reason(provider("aws-x", {})), "not-pinned");
    assert.equal(
      reason(provider("aws-x", { allowedAccountIds: '["1", "2"]' })),
      "several-accounts",
    );
    assert.equal(
      reason(provider("aws-x", { allowedAccountIds: '["222222222222"]' })),
      "222222222222",
    );
    assert.equal(reason({ ...base, accountId: "333333333333" }), "333333333333");
    assert.equal(reason({ ...base, accountId: "3" }), "invalid");
  });
});

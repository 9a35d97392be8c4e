import { strict as assert } from "node:assert";
import { explicitProviderPinned } from "../../policy-pack/providers";
import {
  changed,
  exampleStack,
  named,
  UNKNOWN,
  validateResources,
  type EngineResource,
} from "./helpers/engine";

describe("policy pack: providers", () => {
  const policy = explicitProviderPinned();
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  it("passes every resource of the example stack", async () => {
    assert.deepEqual(await validateResources(policy, stack), []);
  });

  it("reports an AWS resource without a provider", async () => {
    const odd = changed(stack, "dev-terraform-role", (r) => delete r.provider);
    const violations = await validateResources(policy, odd);
    assert.deepEqual(
      violations.map((v) => v.id),
      ["Provider::Missing"],
    );
    assert.match(violations[0]?.message ?? "", /aws:iam\/role:Role 'dev-terraform-role'/);
  });

  it("reports an AWS resource on the default provider", async () => {
    const odd = changed(stack, "terraform-state-bucket", (r) => {
      r.provider = {
        type: "pulumi:providers:aws",
        name: "default_7_48_0",
        urn: "urn:pulumi:example::tf-bootstrap::pulumi:providers:aws::default_7_48_0",
        props: { region: "eu-west-1" },
      };
    });
    assert.deepEqual(
      (await validateResources(policy, odd)).map((v) => v.id),
      ["Provider::Default"],
    );
  });

  it("reports a provider that is not pinned, on the provider and on its resources", async () => {
    const odd = stack.map((r) => {
      if (r.name === "aws-prod") return { ...r, props: { ...r.props, allowedAccountIds: "[]" } };
      if (r.provider?.name === "aws-prod") {
        return { ...r, provider: { ...r.provider, props: { region: "eu-west-1" } } };
      }
      return r;
    });
    const violations = await validateResources(policy, odd);
    assert.ok(violations.length >= 2);
    assert.ok(violations.every((v) => v.id === "Provider::NotPinned"));
  });

  it("reports a provider allowed in several accounts", async () => {
    const odd = changed(stack, "aws-dev", (r) => {
      r.props.allowedAccountIds = JSON.stringify(["222222222222", "333333333333"]);
    });
    assert.deepEqual(
      (await validateResources(policy, odd)).map((v) => v.id),
      ["Provider::SeveralAccounts"],
    );
  });

  it("fails closed on allowedAccountIds unknown at preview", async () => {
    const odd = stack.map((r) =>
      r.provider?.name === "aws-staging"
        ? {
            ...r,
            provider: {
              ...r.provider,
              props: { ...r.provider.props, allowedAccountIds: UNKNOWN.string },
            },
          }
        : r,
    );
    const violations = await validateResources(policy, odd);
    assert.ok(violations.length > 0);
    assert.ok(violations.every((v) => v.id === "Unknown::provider.allowedAccountIds"));
    assert.match(violations[0]?.message ?? "", /not known during preview/);
  });

  it("ignores components and non-AWS resources", async () => {
    const component = stack.find((r) => r.type.startsWith("tf-bootstrap:"));
    assert.ok(component && !component.provider);
    assert.deepEqual(await validateResources(policy, [component, named(stack, "aws-dev")]), []);
  });
});

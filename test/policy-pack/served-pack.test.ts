import { strict as assert } from "node:assert";
import { GUARD_POLICIES } from "../../lib/guard";
import { PACK_NAME } from "../../policy-pack/policies";
import { stackConfig } from "../helpers/stack";
import {
  changed,
  editDocument,
  exampleStack,
  named,
  UNKNOWN,
  type EngineResource,
} from "./helpers/engine";
import { LEVEL, ServedPack } from "./helpers/served-pack";

describe("policy pack: served as the Pulumi CLI serves it (run-policy-pack + gRPC)", function () {
  this.timeout(60000);
  let pack: ServedPack;
  let stack: EngineResource[];
  before(async () => {
    [pack, stack] = await Promise.all([ServedPack.start(), exampleStack()]);
    await pack.configureStack("example", stackConfig("example"));
  });
  after(() => pack?.stop());

  it("loads from policy-pack/ with ../lib resolved, and describes every policy", async () => {
    const info = await pack.info();
    assert.equal(info.name, PACK_NAME);
    assert.deepEqual(
      info.policies.map((p) => [p.name, p.enforcementLevel]),
      GUARD_POLICIES.map((p) => [p.name, LEVEL.mandatory]),
    );
    for (const p of info.policies) assert.ok("exceptions" in p.configProperties, p.name);
  });

  it("judges the stack against the config the engine sends (ConfigureStack)", async () => {
    const oidc = await exampleStack("example-oidc");
    await pack.configureStack("example-oidc", stackConfig("example-oidc"));
    assert.deepEqual(await pack.analyzeStack(oidc), []);
    // The CI apply role of the same stack, admitting a branch the config does not name.
    const scratch = changed(oidc, "terraform-ci-role-dev", (r) =>
      editDocument(r, "assumeRolePolicy", (doc) => {
        const condition = doc.Statement[0]?.Condition as Record<string, Record<string, unknown>>;
        const sub = condition.StringEquals?.["token.actions.githubusercontent.com:sub"];
        condition.StringEquals = {
          ...condition.StringEquals,
          "token.actions.githubusercontent.com:sub": [
            ...(Array.isArray(sub) ? sub : [sub]),
            "repo:acme/infrastructure:ref:refs/heads/scratch",
          ],
        };
      }),
    );
    const diagnostics = await pack.analyzeStack(scratch);
    assert.ok(
      diagnostics.some((d) =>
        d.message.includes("[OIDC::Subject:repo:acme/infrastructure:ref:refs/heads/scratch]"),
      ),
      JSON.stringify(diagnostics),
    );
    // Without the stack config, the checks that need it fail closed.
    await pack.configureStack("example-oidc", {});
    const blind = await pack.analyzeStack(oidc);
    assert.ok(blind.some((d) => d.message.includes("[Intent::Missing]")));
    for (const d of blind) assert.equal(d.enforcementLevel, LEVEL.mandatory);
    await pack.configureStack("example", stackConfig("example"));
  });

  it("finds nothing in the example stack's first preview", async () => {
    assert.deepEqual(await pack.analyzeStack(stack), []);
    for (const r of stack) assert.deepEqual(await pack.analyze(r), [], r.name);
  });

  it("turns an unknown trust policy into a mandatory violation, not an advisory note", async () => {
    const odd = changed(stack, "dev-terraform-role", (r) => {
      r.props.assumeRolePolicy = UNKNOWN.string;
    });
    const diagnostics = await pack.analyzeStack(odd);
    assert.ok(diagnostics.length > 0);
    for (const d of diagnostics) {
      assert.equal(d.enforcementLevel, LEVEL.mandatory, d.message);
      assert.doesNotMatch(d.message, /can't run policy/);
    }
    const trust = diagnostics.find((d) => d.policyName === "terraform-role-trust-restrictive");
    assert.ok(trust);
    // The server prefixes the policy's description, as the CLI shows it.
    assert.match(trust.message, /\n\[Unknown::assumeRolePolicy\] /);
    assert.equal(trust.urn, named(stack, "dev-terraform-role").urn);
  });

  it("reports a resource without a provider when it is registered", async () => {
    const odd = changed(stack, "terraform-state-bucket", (r) => delete r.provider);
    const diagnostics = await pack.analyze(named(odd, "terraform-state-bucket"));
    assert.deepEqual(
      diagnostics.map((d) => [
        d.policyName,
        d.enforcementLevel,
        d.message.split("\n")[1]?.slice(0, 19),
      ]),
      [["explicit-provider-pinned", LEVEL.mandatory, "[Provider::Missing]"]],
    );
  });

  it("applies --policy-pack-config: exceptions and levels", async () => {
    const odd = changed(stack, "prod-terraform-role-terraform", (r) =>
      editDocument(r, "policy", (doc) => {
        doc.Statement.push({ Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" });
      }),
    );
    const before = await pack.analyzeStack(odd);
    assert.deepEqual(
      before.map((d) => d.policyName),
      ["terraform-role-policies-identical"],
    );
    await pack.configure({
      "terraform-role-policies-identical": {
        level: "mandatory",
        properties: {
          exceptions: [{ id: "Permissions::Differ", resource: "prod-terraform-role" }],
        },
      },
    });
    assert.deepEqual(await pack.analyzeStack(odd), []);
    await pack.configure({ "terraform-role-policies-identical": { level: "advisory" } });
    assert.deepEqual(
      (await pack.analyzeStack(odd)).map((d) => d.enforcementLevel),
      [LEVEL.advisory],
    );
    await pack.configure({});
  });
});

import { strict as assert } from "node:assert";
import { analyzeTrust, canonicalJson, canonicalizeDocument } from "../../lib/iam";
import { evaluatePolicy } from "../../lib/iam/evaluate";
import { SELF_CHANGE_ACTIONS } from "../../lib/plan/product";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  customResourcesUnder,
  documentOf,
  getValue,
  jsonInput,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const PRODUCTS = { dev: "222222222222", staging: "333333333333", prod: "444444444444" };

describe("product accounts", () => {
  let result: SynthResult;
  before(async () => {
    result = await synth();
  });

  for (const [name, id] of Object.entries(PRODUCTS)) {
    describe(name, () => {
      it("has its own provider, pinned to the account, assuming the bootstrap role", () => {
        const p = resource(result, T.provider, `aws-${name}`);
        assert.deepEqual(jsonInput(p, "allowedAccountIds"), [id]);
        assert.deepEqual(jsonInput(p, "assumeRoles"), [
          {
            roleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
            sessionName: "tf-bootstrap",
          },
        ]);
        const inAccount = customResourcesUnder(result, name);
        assert.ok(inAccount.length >= 4, `only ${inAccount.length} resources in ${name}`);
        for (const r of inAccount) assert.equal(r.provider, `aws-${name}`, r.name);
      });

      it("has a Terraform role that only the CI Terraform role can assume", () => {
        const role = resource(result, T.role, `${name}-terraform-role`);
        assert.equal(role.accountId, id);
        assert.equal(role.inputs.name, "terraform");
        const trust = String(role.inputs.assumeRolePolicy);
        assert.deepEqual(analyzeTrust(trust, [{ kind: "aws", arn: CI_ROLE }]), []);
        const ciUser = `arn:aws:iam::${TF}:user/terraform-ci`;
        assert.ok(
          analyzeTrust(trust, [{ kind: "aws", arn: ciUser }]).length > 0,
          "the CI user must not be admitted",
        );
      });

      it("cannot change or delete itself", () => {
        const doc = documentOf(resource(result, T.rolePolicy, `${name}-terraform-role-terraform`));
        const self = `arn:aws:iam::${id}:role/terraform`;
        for (const action of SELF_CHANGE_ACTIONS) {
          assert.equal(
            evaluatePolicy(doc, { action, resource: self }).decision,
            "explicit-deny",
            action,
          );
        }
        assert.equal(
          evaluatePolicy(doc, {
            action: "ec2:RunInstances",
            resource: `arn:aws:ec2:eu-west-1:${id}:instance/i-1`,
          }).decision,
          "allow",
        );
        assert.equal(
          evaluatePolicy(doc, { action: "iam:CreateUser", resource: `arn:aws:iam::${id}:user/x` })
            .decision,
          "implicit-deny",
        );
      });

      it("has its inline and managed policies managed exclusively", () => {
        assert.deepEqual(
          resource(result, T.rolePoliciesExclusive, `${name}-terraform-role-inline-exclusive`)
            .inputs.policyNames,
          ["terraform"],
        );
        assert.deepEqual(
          resource(result, T.roleAttachmentsExclusive, `${name}-terraform-role-managed-exclusive`)
            .inputs.policyArns,
          [],
        );
      });
    });
  }

  it("gives every product account's role the same permissions, but for the account id", () => {
    const normalized = Object.entries(PRODUCTS).map(([name, id]) => {
      const doc = documentOf(resource(result, T.rolePolicy, `${name}-terraform-role-terraform`));
      return canonicalJson(canonicalizeDocument(doc)).split(id).join("${AccountId}");
    });
    assert.equal(new Set(normalized).size, 1);
    const trusts = Object.keys(PRODUCTS).map(
      (name) => resource(result, T.role, `${name}-terraform-role`).inputs.assumeRolePolicy,
    );
    assert.equal(new Set(trusts).size, 1);
  });

  it("attaches managed and customer policies and a boundary, the same in every account", async () => {
    const flat = withValue(stackConfig(), "terraformRole", {
      allowedServices: ["ec2"],
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      customerManagedPolicies: ["platform/TerraformExtras"],
      permissionsBoundary: "TerraformBoundary",
    });
    const r = await synth(flat);
    for (const [name, id] of Object.entries(PRODUCTS)) {
      const expected = [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        `arn:aws:iam::${id}:policy/platform/TerraformExtras`,
      ];
      assert.deepEqual(
        resource(r, T.roleAttachmentsExclusive, `${name}-terraform-role-managed-exclusive`).inputs
          .policyArns,
        expected,
      );
      const attached = resources(r, T.roleAttachment)
        .filter((a) => a.accountId === id)
        .map((a) => a.inputs.policyArn);
      assert.deepEqual(attached.sort(), [...expected].sort());
      const boundary = `arn:aws:iam::${id}:policy/TerraformBoundary`;
      assert.equal(
        resource(r, T.role, `${name}-terraform-role`).inputs.permissionsBoundary,
        boundary,
      );
      const doc = documentOf(resource(r, T.rolePolicy, `${name}-terraform-role-terraform`));
      assert.equal(
        evaluatePolicy(doc, { action: "iam:CreatePolicyVersion", resource: boundary }).decision,
        "explicit-deny",
      );
    }
  });
});

describe("bootstrapping a new account", () => {
  it("adds only that account's provider and roles, and widens each CI role's assume permission to its role there", async () => {
    const before = stackConfig();
    const accounts = getValue<object[]>(before, "productAccounts");
    const after = withValue(before, "productAccounts", [
      ...accounts,
      { name: "sandbox", id: "555555555555" },
    ]);
    const [a, b] = [await synth(before), await synth(after)];
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const beforeMap = new Map(a.resources.map((r) => [key(r), r]));
    const afterMap = new Map(b.resources.map((r) => [key(r), r]));

    const added = [...afterMap.keys()].filter((k) => !beforeMap.has(k)).sort();
    const removed = [...beforeMap.keys()].filter((k) => !afterMap.has(k));
    const changed = [...afterMap.keys()]
      .filter((k) => beforeMap.has(k))
      .filter(
        (k) => JSON.stringify(beforeMap.get(k)!.inputs) !== JSON.stringify(afterMap.get(k)!.inputs),
      );

    assert.deepEqual(removed, []);
    assert.deepEqual(added, [
      "aws:iam/role:Role::sandbox-plan-role",
      "aws:iam/role:Role::sandbox-terraform-role",
      "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive::sandbox-plan-role-inline-exclusive",
      "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive::sandbox-terraform-role-inline-exclusive",
      "aws:iam/rolePolicy:RolePolicy::sandbox-plan-role-terraform-plan",
      "aws:iam/rolePolicy:RolePolicy::sandbox-terraform-role-terraform",
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive::sandbox-plan-role-managed-exclusive",
      "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive::sandbox-terraform-role-managed-exclusive",
      "pulumi:providers:aws::aws-sandbox",
      "tf-bootstrap:product:ProductAccount::sandbox",
    ]);
    for (const k of added.filter((x) => !x.startsWith("tf-bootstrap:")))
      assert.equal(afterMap.get(k)!.accountId, "555555555555", k);
    assert.deepEqual(changed.sort(), [
      "aws:iam/policy:Policy::terraform-ci-plan-role-terraform-ci-plan-assume-1",
      "aws:iam/policy:Policy::terraform-ci-role-terraform-ci-assume-1",
    ]);

    const grants = (r: SynthResult, name: string) =>
      documentOf(resource(r, T.policy, name))
        .Statement.flatMap((s) => s.Resource ?? [])
        .sort();
    for (const [policy, role] of [
      ["terraform-ci-role-terraform-ci-assume-1", "terraform"],
      ["terraform-ci-plan-role-terraform-ci-plan-assume-1", "terraform-plan"],
    ] as const) {
      const widened = grants(b, policy).filter((arn) => !grants(a, policy).includes(arn));
      assert.deepEqual(widened, [`arn:aws:iam::555555555555:role/${role}`]);
      assert.equal(grants(a, policy).filter((arn) => !grants(b, policy).includes(arn)).length, 0);
    }
  });

  it("removing an account removes its role and provider, never state", async () => {
    const full = stackConfig();
    const accounts = getValue<{ name: string }[]>(full, "productAccounts");
    const fewer = withValue(
      full,
      "productAccounts",
      accounts.filter((x) => x.name !== "staging"),
    );
    const [a, b] = [await synth(full), await synth(fewer)];
    const names = (r: SynthResult) => new Set(r.resources.map((x) => `${x.type}::${x.name}`));
    const gone = [...names(a)].filter((k) => !names(b).has(k));
    assert.ok(gone.length > 0);
    for (const k of gone) assert.match(k, /(::staging|aws-staging|staging-terraform-role)/, k);
    for (const r of b.resources.filter((x) => x.type === T.bucket || x.type === T.key))
      assert.equal(r.protect, true);
  });
});

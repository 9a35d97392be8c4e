import { strict as assert } from "node:assert";
import {
  terraformRolePoliciesIdentical,
  terraformRoleTrustRestrictive,
} from "../../policy-pack/terraform-roles";
import {
  changed,
  exampleStack,
  editDocument,
  jsonProp,
  named,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type Doc,
  type EngineResource,
} from "./helpers/engine";

const TF = "111111111111";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;

describe("policy pack: terraform roles", () => {
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  describe("terraform-role-policies-identical", () => {
    const policy = terraformRolePoliciesIdentical();

    it("passes the example stack: the roles differ only in their own account id", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
    });

    it("reports the odd role with the diff from the majority when one inline policy differs", async () => {
      const odd = changed(stack, "staging-terraform-role-terraform", (r) =>
        editDocument(r, "policy", (doc) =>
          doc.Statement.push({ Sid: "Extra", Effect: "Allow", Action: "iam:*", Resource: "*" }),
        ),
      );
      const violations = await validateStack(policy, odd);
      assert.equal(violations.length, 1);
      const [v] = violations;
      assert.equal(v?.id, "Permissions::Differ");
      assert.equal(v?.urn, named(stack, "staging-terraform-role").urn);
      assert.match(v?.message ?? "", /2 of 3 roles \(accounts 222222222222, 444444444444\)/);
      assert.match(v?.message ?? "", /\+\s+"iam:\*"/);
      assert.match(v?.message ?? "", /\$\{AccountId\}/);
    });

    it("reports a managed policy attached to one account's role only", async () => {
      const devRole = named(stack, "dev-terraform-role");
      const attachment = sibling(
        devRole,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "dev-terraform-role-AdministratorAccess",
        { role: "terraform", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      );
      const violations = await validateStack(policy, [...stack, attachment]);
      assert.deepEqual(
        violations.map((v) => [v.id, v.urn]),
        [["Permissions::Differ", devRole.urn]],
      );
      assert.match(
        violations[0]?.message ?? "",
        /\+\s+arn:aws:iam::aws:policy\/AdministratorAccess/,
      );
    });

    it("reports a permissions boundary set on one role only", async () => {
      const odd = changed(stack, "prod-terraform-role", (r) => {
        r.props.permissionsBoundary = "arn:aws:iam::aws:policy/PowerUserAccess";
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Permissions::Differ"],
      );
      assert.match(
        violations[0]?.message ?? "",
        /\+ permissions boundary: arn:aws:iam::aws:policy\/PowerUserAccess/,
      );
    });

    it("compares a role of a product account whatever it is named", async () => {
      const devRole = named(stack, "dev-terraform-role");
      const extra = sibling(devRole, devRole.type, "dev-deployer", {
        ...devRole.props,
        name: "deployer",
        managedPolicyArns: [],
        inlinePolicies: [],
      });
      const violations = await validateStack(policy, [...stack, extra]);
      assert.deepEqual(
        violations.map((v) => [v.id, v.urn]),
        [["Permissions::Differ", extra.urn]],
      );
    });

    it("fails closed on a new role whose computed policy lists no exclusive resource decides", async () => {
      const devRole = named(stack, "dev-terraform-role");
      const extra = sibling(devRole, devRole.type, "dev-deployer", {
        ...devRole.props,
        name: "deployer",
      });
      const violations = await validateStack(policy, [...stack, extra]);
      assert.deepEqual(violations.map((v) => v.id).sort(), [
        "Unknown::inlinePolicies",
        "Unknown::managedPolicyArns",
      ]);
      assert.ok(violations.every((v) => v.urn === extra.urn));
    });

    it("fails closed on an inline policy unknown at preview", async () => {
      const odd = changed(stack, "dev-terraform-role-terraform", (r) => {
        r.props.policy = UNKNOWN.string;
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Unknown::policy"],
      );
      assert.match(violations[0]?.message ?? "", /not known during preview/);
      assert.match(violations[0]?.message ?? "", /build policy from stack config/);
    });

    it("fails closed on the role's computed managed policies when no exclusive resource decides them", async () => {
      const odd = without(stack, "dev-terraform-role-managed-exclusive");
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Unknown::managedPolicyArns"],
      );
    });

    it("accepts an excepted finding on the named resource only", async () => {
      const odd = changed(stack, "staging-terraform-role-terraform", (r) =>
        editDocument(r, "policy", (doc) => doc.Statement.pop()),
      );
      const config = {
        exceptions: [
          { id: "Permissions::Differ", resource: "staging-terraform-role", reason: "T-1" },
        ],
      };
      assert.deepEqual(await validateStack(policy, odd, config), []);
      const other = { exceptions: [{ id: "Permissions::Differ", resource: "dev-terraform-role" }] };
      assert.equal((await validateStack(policy, odd, other)).length, 1);
    });
  });

  describe("terraform-role-trust-restrictive", () => {
    const policy = terraformRoleTrustRestrictive();

    it("passes the example stack", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
    });

    const cases: { name: string; edit: (doc: Doc) => void; id: RegExp }[] = [
      {
        name: 'Principal "*"',
        edit: (doc) => {
          doc.Statement[0] = { ...doc.Statement[0], Principal: "*" };
        },
        id: /^Principal::\*$/,
      },
      {
        name: "the Terraform account root without the aws:PrincipalArn condition",
        edit: (doc) => {
          delete doc.Statement[0]?.Condition;
        },
        id: /^Principal::/,
      },
      {
        name: "a wildcard in the aws:PrincipalArn condition",
        edit: (doc) => {
          doc.Statement[0] = {
            ...doc.Statement[0],
            Condition: { ArnLike: { "aws:PrincipalArn": [`arn:aws:iam::${TF}:role/terraform-*`] } },
          };
        },
        id: /^Condition::/,
      },
      {
        name: "a second statement trusting another account",
        edit: (doc) =>
          doc.Statement.push({
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::999999999999:root" },
            Action: "sts:AssumeRole",
          }),
        id: /999999999999/,
      },
    ];
    for (const c of cases) {
      it(`reports ${c.name}`, async () => {
        const odd = changed(stack, "prod-terraform-role", (r) =>
          editDocument(r, "assumeRolePolicy", c.edit),
        );
        const violations = await validateStack(policy, odd);
        assert.ok(violations.length > 0, "expected a violation");
        assert.ok(
          violations.some((v) => c.id.test(v.id)),
          violations.map((v) => v.id).join(", "),
        );
        assert.ok(violations.every((v) => v.urn === named(stack, "prod-terraform-role").urn));
        assert.match(violations[0]?.message ?? "", /Statement\[\d\]/);
        assert.match(violations[0]?.message ?? "", /Fix/);
      });
    }

    it("reports a trust that no longer admits the CI role", async () => {
      const odd = changed(stack, "dev-terraform-role", (r) =>
        editDocument(r, "assumeRolePolicy", (doc) => {
          doc.Statement[0] = {
            ...doc.Statement[0],
            Condition: { ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${TF}:role/other`] } },
          };
        }),
      );
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.ok(ids.includes("Trust::CallerNotAdmitted"), ids.join(", "));
    });

    it("checks a differently named role in a product account", async () => {
      const devRole = named(stack, "dev-terraform-role");
      const sneaky = sibling(devRole, devRole.type, "dev-break-glass", {
        name: "break-glass",
        path: "/",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::999999999999:root" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
      });
      const violations = await validateStack(policy, [...stack, sneaky]);
      assert.ok(violations.length > 0);
      assert.ok(violations.every((v) => v.urn === sneaky.urn));
    });

    it("checks a role of the Terraform account that the CI role can assume", async () => {
      const ciRole = named(stack, "terraform-ci-role");
      const trust = jsonProp<Doc>(named(stack, "dev-terraform-role"), "assumeRolePolicy");
      trust.Statement.push({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::999999999999:root" },
        Action: "sts:AssumeRole",
      });
      const extra = sibling(ciRole, ciRole.type, "terraform-deployer", {
        name: "deployer",
        path: "/",
        assumeRolePolicy: JSON.stringify(trust),
      });
      const violations = await validateStack(policy, [...stack, extra]);
      assert.ok(violations.some((v) => v.urn === extra.urn && /999999999999/.test(v.id)));
    });

    it("fails closed on a trust policy unknown at preview", async () => {
      const odd = changed(stack, "staging-terraform-role", (r) => {
        r.props.assumeRolePolicy = UNKNOWN.string;
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Unknown::assumeRolePolicy"],
      );
      assert.equal(violations[0]?.urn, named(stack, "staging-terraform-role").urn);
    });

    it("fails closed when the CI role's name (its ARN) is unknown", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) => {
        r.props.name = UNKNOWN.string;
      });
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.ok(ids.includes("Unknown::name"), ids.join(", "));
    });

    it("fails closed without a CI role", async () => {
      const odd = without(without(stack, "terraform-ci-role"), "terraform-ci-assume-ci-role");
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.deepEqual(ids, ["Topology::NoCiRole"]);
    });

    it("names the CI role it compares against", async () => {
      const odd = changed(stack, "prod-terraform-role", (r) =>
        editDocument(r, "assumeRolePolicy", (doc) => {
          doc.Statement[0] = { ...doc.Statement[0], Principal: "*" };
        }),
      );
      const [v] = await validateStack(policy, odd);
      assert.match(v?.message ?? "", new RegExp(CI_ROLE.replace(/[/]/g, "\\/")));
    });
  });
});

describe("policy pack: terraform roles of each CI path", () => {
  const policy = terraformRoleTrustRestrictive();
  const CI_PLAN_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-plan`;
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  /** `stack` with the trust of `name` narrowed to the callers `arns`. */
  function admitting(name: string, arns: string[]): EngineResource[] {
    return changed(stack, name, (r) =>
      editDocument(r, "assumeRolePolicy", (doc) => {
        doc.Statement[0] = {
          ...doc.Statement[0],
          Condition: { ArnEquals: { "aws:PrincipalArn": arns } },
        };
      }),
    );
  }

  it("passes the example stack: each plan role admits the CI plan role only", async () => {
    const trust = jsonProp<Doc>(named(stack, "dev-plan-role"), "assumeRolePolicy");
    assert.deepEqual(trust.Statement[0]?.Condition, {
      ArnEquals: { "aws:PrincipalArn": [CI_PLAN_ROLE] },
    });
    assert.deepEqual(await validateStack(policy, stack), []);
  });

  it("reports a plan role whose trust admits the CI apply role instead", async () => {
    const odd = admitting("staging-plan-role", [CI_ROLE]);
    const violations = await validateStack(policy, odd);
    const urn = named(stack, "staging-plan-role").urn;
    assert.deepEqual(
      violations.map((v) => [v.id, v.urn]),
      [
        [`Condition::PrincipalArn:${CI_ROLE}`, urn],
        ["Trust::CallerNotAdmitted", urn],
      ],
    );
    assert.match(violations[0]?.message ?? "", /may be assumed by more than the CI plan role/);
  });

  it("reports a plan role whose trust admits both CI roles", async () => {
    const odd = admitting("prod-plan-role", [CI_PLAN_ROLE, CI_ROLE]);
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => [v.id, v.urn]),
      [[`Condition::PrincipalArn:${CI_ROLE}`, named(stack, "prod-plan-role").urn]],
    );
  });

  it("reports a Terraform role whose trust admits the CI plan role instead", async () => {
    const odd = admitting("staging-terraform-role", [CI_PLAN_ROLE]);
    const violations = await validateStack(policy, odd);
    const urn = named(stack, "staging-terraform-role").urn;
    assert.deepEqual(
      violations.map((v) => [v.id, v.urn]),
      [
        [`Condition::PrincipalArn:${CI_PLAN_ROLE}`, urn],
        ["Trust::CallerNotAdmitted", urn],
      ],
    );
    assert.match(violations[0]?.message ?? "", /may be assumed by more than the CI Terraform role/);
  });

  it("fails closed on a plan role's trust unknown at preview", async () => {
    const odd = changed(stack, "dev-plan-role", (r) => {
      r.props.assumeRolePolicy = UNKNOWN.string;
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => [v.id, v.urn]),
      [["Unknown::assumeRolePolicy", named(stack, "dev-plan-role").urn]],
    );
  });
});

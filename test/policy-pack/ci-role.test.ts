import { strict as assert } from "node:assert";
import { ciRoleAssumeScoped, ciRoleTrustRestrictive } from "../../policy-pack/ci-role";
import {
  changed,
  exampleStack,
  editDocument,
  named,
  setStatement,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type EngineResource,
} from "./helpers/engine";

const TF = "111111111111";
const CI_USER = `arn:aws:iam::${TF}:user/terraform-ci`;
/** The CI role's assume permission: a customer managed policy (docs/scaling.md). */
const ASSUME_POLICY = "terraform-ci-role-terraform-ci-assume-1";
const ASSUME_ATTACHMENT = "terraform-ci-role-terraform-ci-assume-1-attachment";

describe("policy pack: CI role", () => {
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  describe("ci-role-trust-restrictive", () => {
    const policy = ciRoleTrustRestrictive();

    it("passes the example stack", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
    });

    it("reports a trust that admits every principal of the Terraform account", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) => {
        editDocument(r, "assumeRolePolicy", (doc) => {
          delete doc.Statement[0]?.Condition;
        });
      });
      const violations = await validateStack(policy, odd);
      assert.ok(violations.length > 0);
      assert.ok(violations.every((v) => v.urn === named(stack, "terraform-ci-role").urn));
      assert.match(violations[0]?.message ?? "", new RegExp(CI_USER.replace(/\//g, "\\/")));
    });

    it("reports a trust that admits another role of the Terraform account too", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) =>
        setStatement(r, "assumeRolePolicy", {
          Condition: {
            ArnEquals: {
              "aws:PrincipalArn": [CI_USER, `arn:aws:iam::${TF}:role/PlatformAdmin`],
            },
          },
        }),
      );
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.ok(
        ids.some((id) => id.includes("PlatformAdmin")),
        ids.join(", "),
      );
    });

    it("reports a trust that no longer admits the CI identity", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) =>
        setStatement(r, "assumeRolePolicy", {
          Condition: { ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${TF}:user/someone`] } },
        }),
      );
      // The identity can no longer assume it: there is no CI role, and the message says which
      // role its policy targets.
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Topology::NoCiRole"],
      );
      assert.match(
        violations[0]?.message ?? "",
        /targets role 'terraform-ci'.*whose trust does not admit it/,
      );
    });

    it("judges every role of the Terraform account the CI identity can assume, whatever its name", async () => {
      const ciRole = named(stack, "terraform-ci-role");
      const wide = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: [CI_USER, "arn:aws:iam::999999999999:root"] },
            Action: "sts:AssumeRole",
          },
        ],
      });
      const extra = sibling(ciRole, ciRole.type, "terraform-helper", {
        name: "helper",
        path: "/",
        assumeRolePolicy: wide,
      });
      const violations = await validateStack(policy, [...stack, extra]);
      assert.ok(
        violations.some((v) => v.urn === extra.urn),
        JSON.stringify(violations),
      );
    });

    it("reports a second IAM user in the Terraform account", async () => {
      const user = named(stack, "terraform-ci-user");
      const extra = sibling(user, user.type, "terraform-other-user", { name: "other", path: "/" });
      const ids = (await validateStack(policy, [...stack, extra])).map((v) => v.id);
      assert.ok(ids.includes("Topology::SeveralCiIdentities"), ids.join(", "));
    });

    it("fails closed on a CI role trust unknown at preview", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) => {
        r.props.assumeRolePolicy = UNKNOWN.string;
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Unknown::assumeRolePolicy"],
      );
    });

    it("fails closed without a CI identity", async () => {
      const odd = without(stack, "terraform-ci-user");
      assert.deepEqual(
        (await validateStack(policy, odd)).map((v) => v.id),
        ["Topology::NoCiIdentity"],
      );
    });
  });

  describe("ci-role-assume-scoped", () => {
    const policy = ciRoleAssumeScoped();

    it("passes the example stack", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
    });

    const cases: {
      name: string;
      statement: Record<string, unknown>;
      id: string;
      value?: RegExp;
    }[] = [
      { name: "a wildcard resource", statement: { Resource: "*" }, id: "Resource::*" },
      {
        name: "a wildcard account in the role ARN",
        statement: { Resource: "arn:aws:iam::*:role/terraform" },
        id: "Resource::arn:aws:iam::*:role/terraform",
        value: /also matches arn:aws:iam::/,
      },
      {
        name: "another role",
        statement: {
          Resource: [
            "arn:aws:iam::222222222222:role/terraform",
            "arn:aws:iam::333333333333:role/terraform",
            "arn:aws:iam::444444444444:role/terraform",
            "arn:aws:iam::555555555555:role/admin",
          ],
        },
        id: "Resource::arn:aws:iam::555555555555:role/admin",
      },
      {
        name: "NotResource",
        statement: { Resource: undefined, NotResource: "arn:aws:iam::999999999999:role/x" },
        id: "NotResource",
      },
      {
        name: "NotAction that covers sts:AssumeRole on every resource",
        statement: { Action: undefined, NotAction: "s3:*", Resource: "*" },
        id: "Resource::*",
        value: /NotAction/,
      },
      {
        name: "sts:* on every resource",
        statement: { Action: "sts:*", Resource: "*" },
        id: "Resource::*",
        value: /Statement\[0\] \(Sid "AssumeProductTerraformRoles"\)/,
      },
    ];
    for (const c of cases) {
      it(`reports ${c.name}`, async () => {
        const odd = changed(stack, ASSUME_POLICY, (r) => setStatement(r, "policy", c.statement));
        const violations = await validateStack(policy, odd);
        const hit = violations.find((v) => v.id === c.id);
        assert.ok(hit, violations.map((v) => v.id).join(", "));
        assert.equal(hit.urn, named(stack, ASSUME_POLICY).urn);
        if (c.value) assert.match(hit.message, c.value);
        assert.match(hit.message, /Fix:/);
      });
    }

    it("reports a product role the CI role may not assume", async () => {
      const odd = changed(stack, ASSUME_POLICY, (r) =>
        setStatement(r, "policy", {
          Resource: [
            "arn:aws:iam::222222222222:role/terraform",
            "arn:aws:iam::333333333333:role/terraform",
          ],
        }),
      );
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Missing::arn:aws:iam::444444444444:role/terraform"],
      );
      assert.equal(violations[0]?.urn, named(stack, "terraform-ci-role").urn);
    });

    it("reads every inline policy of the CI role, whatever its name", async () => {
      const state = named(stack, "terraform-ci-role-terraform-state");
      const extra = sibling(state, state.type, "terraform-ci-role-extra", {
        role: "terraform-ci",
        name: "extra",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/*" },
          ],
        }),
      });
      const ids = (await validateStack(policy, [...stack, extra])).map((v) => v.id);
      assert.deepEqual(ids, ["Resource::arn:aws:iam::*:role/*"]);
    });

    describe("with the assume permission in customer managed policies (docs/scaling.md)", () => {
      /** The stack at first preview: the managed policy's ARN output is not known yet. */
      function managed(statement: Record<string, unknown> = {}, policyArn?: string) {
        let out = changed(stack, ASSUME_POLICY, (r) => {
          setStatement(r, "policy", statement);
          r.props.arn = UNKNOWN.string;
        });
        if (policyArn !== undefined) {
          out = changed(out, ASSUME_ATTACHMENT, (r) => {
            r.props.policyArn = policyArn;
          });
        }
        return {
          resources: out,
          policyResource: named(out, ASSUME_POLICY),
          attachment: named(out, ASSUME_ATTACHMENT),
        };
      }

      it("reads the stack's managed policy documents, with their ARNs unknown at preview", async () => {
        assert.equal(named(stack, ASSUME_POLICY).type, "aws:iam/policy:Policy");
        assert.deepEqual(await validateStack(policy, managed().resources), []);
      });

      it("reports a wildcard in a managed policy", async () => {
        const { resources, policyResource } = managed({ Resource: "*" });
        const violations = await validateStack(policy, resources);
        assert.deepEqual(
          violations.map((v) => [v.id, v.urn]),
          [["Resource::*", policyResource.urn]],
        );
      });

      it("fails closed on an attachment whose policy ARN is unknown at preview", async () => {
        const { resources, attachment } = managed({}, UNKNOWN.string);
        const violations = await validateStack(policy, resources);
        assert.deepEqual(
          violations.map((v) => [v.id, v.urn]),
          [["Unknown::policyArn", attachment.urn]],
        );
      });
    });

    it("fails closed on an attached managed policy it cannot read", async () => {
      const ciRole = named(stack, "terraform-ci-role");
      const attachment = sibling(
        ciRole,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "terraform-ci-role-admin",
        {
          role: "terraform-ci",
          policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      );
      const ids = (await validateStack(policy, [...stack, attachment])).map((v) => v.id);
      assert.deepEqual(ids, ["ManagedPolicy::arn:aws:iam::aws:policy/AdministratorAccess"]);
    });

    it("fails closed on a policy document unknown at preview", async () => {
      const odd = changed(stack, ASSUME_POLICY, (r) => {
        r.props.policy = UNKNOWN.string;
      });
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.equal(ids[0], "Unknown::policy");
    });

    it("fails closed on a product role whose name is unknown", async () => {
      const odd = changed(stack, "dev-terraform-role", (r) => {
        r.props.name = UNKNOWN.string;
      });
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.deepEqual(ids, ["Unknown::name"]);
    });
  });
});

describe("policy pack: CI roles of each path", () => {
  const CI_PLAN_USER = `arn:aws:iam::${TF}:user/terraform-ci-plan`;
  const PLAN_ASSUME_POLICY = "terraform-ci-plan-role-terraform-ci-plan-assume-1";
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  /** `stack` with `arn` added to the Resource of the assume policy named `name`. */
  function alsoAssuming(name: string, arn: string): EngineResource[] {
    return changed(stack, name, (r) =>
      editDocument(r, "policy", (doc) => {
        const resources = doc.Statement[0]?.Resource as string[];
        resources.push(arn);
      }),
    );
  }

  describe("ci-role-assume-scoped", () => {
    const policy = ciRoleAssumeScoped();

    it("reports the CI plan role allowed to assume a product Terraform role", async () => {
      const arn = "arn:aws:iam::222222222222:role/terraform";
      const violations = await validateStack(policy, alsoAssuming(PLAN_ASSUME_POLICY, arn));
      assert.deepEqual(
        violations.map((v) => [v.id, v.urn]),
        [[`Resource::${arn}`, named(stack, PLAN_ASSUME_POLICY).urn]],
      );
      assert.match(violations[0]?.message ?? "", /role 'terraform-ci-plan'/);
      assert.match(violations[0]?.message ?? "", /not a product plan role/);
    });

    it("reports the CI apply role allowed to assume a plan role", async () => {
      const arn = "arn:aws:iam::222222222222:role/terraform-plan";
      const violations = await validateStack(policy, alsoAssuming(ASSUME_POLICY, arn));
      assert.deepEqual(
        violations.map((v) => [v.id, v.urn]),
        [[`Resource::${arn}`, named(stack, ASSUME_POLICY).urn]],
      );
      assert.match(violations[0]?.message ?? "", /not a product Terraform role/);
    });

    it("reports a plan role the CI plan role may not assume", async () => {
      const odd = changed(stack, PLAN_ASSUME_POLICY, (r) =>
        setStatement(r, "policy", {
          Resource: [
            "arn:aws:iam::222222222222:role/terraform-plan",
            "arn:aws:iam::333333333333:role/terraform-plan",
          ],
        }),
      );
      assert.deepEqual(
        (await validateStack(policy, odd)).map((v) => [v.id, v.urn]),
        [
          [
            "Missing::arn:aws:iam::444444444444:role/terraform-plan",
            named(stack, "terraform-ci-plan-role").urn,
          ],
        ],
      );
    });
  });

  describe("ci-role-trust-restrictive", () => {
    const policy = ciRoleTrustRestrictive();

    it("reports the CI apply role admitting the CI plan user too", async () => {
      const odd = changed(stack, "terraform-ci-role", (r) =>
        setStatement(r, "assumeRolePolicy", {
          Condition: { ArnEquals: { "aws:PrincipalArn": [CI_USER, CI_PLAN_USER] } },
        }),
      );
      const violations = await validateStack(policy, odd);
      assert.ok(
        violations.some(
          (v) =>
            v.id === `Condition::PrincipalArn:${CI_PLAN_USER}` &&
            v.urn === named(stack, "terraform-ci-role").urn,
        ),
        violations.map((v) => v.id).join(", "),
      );
    });

    it("reports the CI plan role admitting the CI apply user instead: the plan path has no CI role", async () => {
      const odd = changed(stack, "terraform-ci-plan-role", (r) =>
        setStatement(r, "assumeRolePolicy", {
          Condition: { ArnEquals: { "aws:PrincipalArn": [CI_USER] } },
        }),
      );
      const violations = await validateStack(policy, odd);
      assert.deepEqual(
        violations.map((v) => v.id),
        ["Topology::NoCiPlanRole"],
      );
      assert.match(violations[0]?.message ?? "", /No CI role was found/);
    });
  });
});

import { strict as assert } from "node:assert";
import { ciIdentityLeastPrivilege } from "../../policy-pack/ci-identity";
import {
  changed,
  exampleStack,
  named,
  setStatement,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type EngineResource,
} from "./helpers/engine";

const USER_POLICY = "terraform-ci-assume-ci-role";

describe("policy pack: CI identity", () => {
  const policy = ciIdentityLeastPrivilege();
  let stack: EngineResource[];
  let user: EngineResource;
  before(async () => {
    stack = await exampleStack();
    user = named(stack, "terraform-ci-user");
  });

  it("passes the example stack", async () => {
    assert.deepEqual(await validateStack(policy, stack), []);
  });

  const statements: { name: string; statement: Record<string, unknown>; id: string }[] = [
    {
      name: "another action",
      statement: { Action: ["sts:AssumeRole", "s3:GetObject"] },
      id: "Action::s3:GetObject",
    },
    { name: "a wildcard action", statement: { Action: "sts:*" }, id: "Action::sts:*" },
    { name: "NotAction", statement: { Action: undefined, NotAction: "iam:*" }, id: "NotAction" },
    { name: "a wildcard resource", statement: { Resource: "*" }, id: "Resource::*" },
    {
      name: "another role",
      statement: { Resource: "arn:aws:iam::222222222222:role/terraform" },
      id: "Resource::arn:aws:iam::222222222222:role/terraform",
    },
    {
      name: "NotResource",
      statement: { Resource: undefined, NotResource: "arn:aws:iam::1:role/x" },
      id: "NotResource",
    },
  ];
  for (const c of statements) {
    it(`reports ${c.name} in its policy`, async () => {
      const odd = changed(stack, USER_POLICY, (r) => {
        setStatement(r, "policy", c.statement);
      });
      const violations = await validateStack(policy, odd);
      const hit = violations.find((v) => v.id === c.id);
      assert.ok(hit, violations.map((v) => v.id).join(", "));
      assert.equal(hit.urn, named(stack, USER_POLICY).urn);
      assert.match(hit.message, /Statement\[0\] \(Sid "AssumeCiRoleOnly"\)/);
    });
  }

  const extras: { name: string; type: string; props: Record<string, unknown>; id: string }[] = [
    {
      name: "a managed policy",
      type: "aws:iam/userPolicyAttachment:UserPolicyAttachment",
      props: { user: "terraform-ci", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      id: "ManagedPolicy::arn:aws:iam::aws:policy/ReadOnlyAccess",
    },
    {
      name: "a group membership",
      type: "aws:iam/userGroupMembership:UserGroupMembership",
      props: { user: "terraform-ci", groups: ["admins"] },
      id: "Group::admins",
    },
    {
      name: "a login profile",
      type: "aws:iam/userLoginProfile:UserLoginProfile",
      props: { user: "terraform-ci" },
      id: "LoginProfile",
    },
    {
      name: "an SSH key",
      type: "aws:iam/sshKey:SshKey",
      props: { username: "terraform-ci", encoding: "SSH", publicKey: "ssh-rsa AAAA" },
      id: "Credential::SshKey",
    },
  ];
  for (const c of extras) {
    it(`reports ${c.name}`, async () => {
      const extra = sibling(
        user,
        c.type,
        `terraform-ci-${c.id.toLowerCase().replace(/[^a-z]+/g, "-")}`,
        c.props,
      );
      const ids = (await validateStack(policy, [...stack, extra])).map((v) => v.id);
      assert.deepEqual(ids, [c.id]);
    });
  }

  it("accepts an access key", async () => {
    const key = sibling(user, "aws:iam/accessKey:AccessKey", "terraform-ci-access-key", {
      user: "terraform-ci",
    });
    assert.deepEqual(await validateStack(policy, [...stack, key]), []);
  });

  it("reports policies that are not held exclusively", async () => {
    const odd = without(
      without(stack, "terraform-ci-inline-exclusive"),
      "terraform-ci-managed-exclusive",
    );
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Exclusive::InlinePolicies", "Exclusive::ManagedPolicies"],
    );
  });

  it("reports a second role the identity may assume", async () => {
    const ciRole = named(stack, "terraform-ci-role");
    const extra = sibling(ciRole, ciRole.type, "terraform-second", {
      name: "second",
      path: "/",
      // Naming the user itself lets it assume the role without any permission of its own.
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111111111111:user/terraform-ci" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    });
    const ids = (await validateStack(policy, [...stack, extra])).map((v) => v.id);
    assert.deepEqual(ids, ["Topology::SeveralCiRoles"]);
  });

  it("does not count a role whose trust admits the account but that the identity may not assume", async () => {
    const ciRole = named(stack, "terraform-ci-role");
    const extra = sibling(ciRole, ciRole.type, "terraform-second", {
      name: "second",
      path: "/",
      assumeRolePolicy: ciRole.props.assumeRolePolicy,
    });
    assert.deepEqual(await validateStack(policy, [...stack, extra]), []);
  });

  it("reports every permission of an identity that can reach no CI role", async () => {
    const odd = changed(stack, USER_POLICY, (r) => {
      setStatement(r, "policy", { Resource: "arn:aws:iam::111111111111:role/other" });
    });
    const violations = await validateStack(policy, odd);
    assert.deepEqual(
      violations.map((v) => v.id),
      ["Topology::NoCiRole", "Resource::arn:aws:iam::111111111111:role/other"],
    );
  });

  it("fails closed on a policy unknown at preview", async () => {
    const odd = changed(stack, USER_POLICY, (r) => {
      r.props.policy = UNKNOWN.string;
    });
    assert.deepEqual(
      (await validateStack(policy, odd)).map((v) => v.id),
      ["Unknown::policy"],
    );
  });

  it("fails closed on an attachment whose user is unknown at preview", async () => {
    const extra = sibling(user, "aws:iam/userPolicyAttachment:UserPolicyAttachment", "mystery", {
      user: UNKNOWN.string,
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    });
    const violations = await validateStack(policy, [...stack, extra]);
    assert.deepEqual(
      violations.map((v) => [v.id, v.urn]),
      [["Unknown::user", extra.urn]],
    );
  });
});

describe("policy pack: CI plan identity", () => {
  const policy = ciIdentityLeastPrivilege();
  const PLAN_USER_POLICY = "terraform-ci-plan-assume-ci-role";
  const CI_APPLY_ROLE = "arn:aws:iam::111111111111:role/terraform-ci";
  const CI_PLAN_ROLE = "arn:aws:iam::111111111111:role/terraform-ci-plan";
  let stack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
  });

  it("reports the plan user allowed to assume the CI apply role too", async () => {
    const odd = changed(stack, PLAN_USER_POLICY, (r) => {
      setStatement(r, "policy", { Resource: [CI_PLAN_ROLE, CI_APPLY_ROLE] });
    });
    const violations = await validateStack(policy, odd);
    assert.deepEqual(
      violations.map((v) => [v.id, v.urn]),
      [[`Resource::${CI_APPLY_ROLE}`, named(stack, PLAN_USER_POLICY).urn]],
    );
    assert.match(violations[0]?.message ?? "", /user 'terraform-ci-plan'/);
    assert.match(violations[0]?.message ?? "", /which is not \(only\) the CI role/);
  });

  it("reports the apply user allowed to assume the CI plan role too", async () => {
    const odd = changed(stack, USER_POLICY, (r) => {
      setStatement(r, "policy", { Resource: [CI_APPLY_ROLE, CI_PLAN_ROLE] });
    });
    const violations = await validateStack(policy, odd);
    assert.deepEqual(
      violations.map((v) => [v.id, v.urn]),
      [[`Resource::${CI_PLAN_ROLE}`, named(stack, USER_POLICY).urn]],
    );
    assert.match(violations[0]?.message ?? "", /user 'terraform-ci'/);
  });
});

import { ciRoleLeastPrivilege } from "../../policy-pack/ci-role";
import { strict as assert } from "node:assert";
import { catalogAction } from "../../lib/iam/action-catalog";
import { SECRET_READ_ACTIONS } from "../../lib/plan/plan-permissions";
import { planRoleReadOnly, planRolesIdentical } from "../../policy-pack/plan-roles";
import { packPolicies } from "../../policy-pack/policies";
import {
  terraformRolePoliciesIdentical,
  terraformRoleTrustRestrictive,
} from "../../policy-pack/terraform-roles";
import { stackConfig, withValue } from "../helpers/stack";
import {
  changed,
  configuredStack,
  editDocument,
  exampleStack,
  named,
  sibling,
  UNKNOWN,
  validateStack,
  without,
  type EngineResource,
  type Violation,
} from "./helpers/engine";

const TF = "111111111111";
const STAGING = "333333333333";
const ACCESS_TAG = "tf-bootstrap:access";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_PLAN_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-plan`;
const PLAN_ROLE = "staging-plan-role";
const PLAN_POLICY = "staging-plan-role-terraform-plan";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** `[id, resource name]` of each violation, for exact comparisons. */
function found(violations: readonly Violation[], stack: readonly EngineResource[]) {
  const byUrn = new Map(stack.map((r) => [r.urn, r.name]));
  return violations.map((v) => [v.id, v.urn === undefined ? undefined : byUrn.get(v.urn)]);
}

/** `stack` with `statement` appended to the staging plan role's inline policy. */
function withPlanStatement(stack: readonly EngineResource[], statement: Record<string, unknown>) {
  return changed(stack, PLAN_POLICY, (r) =>
    editDocument(r, "policy", (doc) => {
      doc.Statement.push({ Sid: "Extra", ...statement });
    }),
  );
}

/** `stack` with the staging plan role's DenyReadingSecrets statement changed by `edit`. */
function withSecretsDeny(
  stack: readonly EngineResource[],
  edit: (statement: Record<string, unknown>) => void,
) {
  return changed(stack, PLAN_POLICY, (r) =>
    editDocument(r, "policy", (doc) => {
      const deny = doc.Statement.find((s) => s.Sid === "DenyReadingSecrets");
      assert.ok(deny, "the plan role's policy has a DenyReadingSecrets statement");
      edit(deny);
    }),
  );
}

/** An attachment of the managed policy `arn` to the staging plan role. */
function attachToPlanRole(stack: readonly EngineResource[], arn: string): EngineResource {
  const role = named(stack, PLAN_ROLE);
  const suffix = arn.slice(arn.lastIndexOf("/") + 1);
  return sibling(role, ATTACHMENT, `${PLAN_ROLE}-${suffix}`, {
    role: "terraform-plan",
    policyArn: arn,
  });
}

describe("policy pack: plan roles", () => {
  let stack: EngineResource[];
  let oidcStack: EngineResource[];
  before(async () => {
    stack = await exampleStack();
    oidcStack = await exampleStack("example-oidc");
  });

  describe("plan-role-read-only", () => {
    const policy = planRoleReadOnly();

    it("passes the example stack and the example OIDC stack", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
      assert.deepEqual(await validateStack(policy, oidcStack), []);
    });

    it("classifies by the action catalog: sts:GetFederationToken reads like a Get but is Write", () => {
      assert.deepEqual(catalogAction("sts:GetFederationToken")?.levels, ["Write"]);
    });

    const grants: {
      name: string;
      statement: Record<string, unknown>;
      id: string;
      text?: RegExp;
    }[] = [
      {
        name: "a write action",
        statement: { Action: "ec2:RunInstances" },
        id: "Action::ec2:RunInstances",
        text: /"ec2:RunInstances", which is not List or Read: ec2:RunInstances \(Write\)/,
      },
      {
        name: "every action of a service",
        statement: { Action: "s3:*" },
        id: "Action::s3:*",
        text: /"s3:\*", which grants \d+ of \d+ matching actions that are not List or Read/,
      },
      {
        name: "every action",
        statement: { Action: "*" },
        id: "Action::*",
        text: /"\*", which grants \d+ of \d+ matching actions/,
      },
      {
        name: "NotAction",
        statement: { NotAction: "s3:*" },
        id: "NotAction",
        text: /allows every action except \["s3:\*"\]/,
      },
      {
        name: "an unknown service",
        statement: { Action: "frobnicator:Get*" },
        id: "UnknownService::frobnicator",
        text: /whose service "frobnicator" is not in the IAM action catalog/,
      },
      {
        name: "an action the catalog does not list",
        statement: { Action: "s3:Frob" },
        id: "UnknownAction::s3:Frob",
        text: /matches no action the IAM action catalog/,
      },
      {
        name: "iam:PassRole",
        statement: { Action: "iam:PassRole" },
        id: "Action::iam:PassRole",
        text: /iam:PassRole \(Write\)/,
      },
      {
        name: "a Write action whose name starts with Get",
        statement: { Action: "sts:GetFederationToken" },
        id: "Action::sts:GetFederationToken",
        text: /sts:GetFederationToken \(Write\)/,
      },
      {
        name: "a Get* pattern that matches a Write action",
        statement: { Action: "sts:Get*" },
        id: "Action::sts:Get*",
        text: /sts:GetFederationToken \(Write\)/,
      },
    ];
    for (const c of grants) {
      it(`reports an Allow of ${c.name} in a plan role's inline policy`, async () => {
        const odd = withPlanStatement(stack, { Effect: "Allow", ...c.statement, Resource: "*" });
        const violations = await validateStack(policy, odd);
        // A grant this wide also reaches reads that mint credentials outside the role's Deny.
        assert.deepEqual(
          found(violations, odd).filter(([id]) => id !== "Credentials::NotDenied"),
          [[c.id, PLAN_POLICY]],
        );
        const [v] = violations;
        assert.match(v?.message ?? "", /role 'terraform-plan' \(resource 'staging-plan-role'\)/);
        assert.match(v?.message ?? "", /Statement\[2\] \(Sid "Extra"\)/);
        if (c.text) assert.match(v?.message ?? "", c.text);
        assert.match(v?.message ?? "", /Fix:/);
      });
    }

    it("accepts an extra Allow of read actions only, and ignores a Deny", async () => {
      const odd = withPlanStatement(
        withPlanStatement(stack, {
          Effect: "Allow",
          Action: ["iam:GetRole", "iam:List*"],
          Resource: "*",
        }),
        { Effect: "Deny", Action: "*", Resource: "arn:aws:s3:::secret-bucket/*" },
      );
      assert.deepEqual(await validateStack(policy, odd), []);
    });

    it("reports AdministratorAccess attached to a plan role", async () => {
      const attachment = attachToPlanRole(stack, "arn:aws:iam::aws:policy/AdministratorAccess");
      const odd = [...stack, attachment];
      const violations = await validateStack(policy, odd);
      assert.deepEqual(found(violations, odd), [
        ["ManagedPolicy::arn:aws:iam::aws:policy/AdministratorAccess", PLAN_ROLE],
      ]);
      assert.match(violations[0]?.message ?? "", /not one of the read-only AWS managed policies/);
    });

    it("reads a customer managed policy the stack defines and reports its write actions", async () => {
      const role = named(stack, PLAN_ROLE);
      const managed = sibling(role, "aws:iam/policy:Policy", "staging-plan-extra", {
        name: "plan-extra",
        path: "/",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }],
        }),
      });
      const attachment = attachToPlanRole(stack, `arn:aws:iam::${STAGING}:policy/plan-extra`);
      const odd = [...stack, managed, attachment];
      const violations = await validateStack(policy, odd);
      assert.deepEqual(found(violations, odd), [["Action::sqs:SendMessage", managed.name]]);
      assert.match(violations[0]?.message ?? "", /managed policy arn:aws:iam::333333333333/);
    });

    for (const arn of [
      READ_ONLY_ACCESS,
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      "arn:aws:iam::aws:policy/SecurityAudit",
    ]) {
      it(`accepts ${arn} on a plan role by its ARN, but not without the Deny of every credential read`, async () => {
        const odd = [...stack, attachToPlanRole(stack, arn)];
        // Attached by hand, the Deny still names only the credential reads of the role's own
        // services; the managed policy reads across AWS.
        const violations = await validateStack(policy, odd);
        assert.deepEqual(found(violations, odd), [["Credentials::NotDenied", PLAN_ROLE]]);
        assert.match(violations[0]?.message ?? "", /terraformPlanRole\.managedPolicyArns/);
      });
    }

    it("passes the stack generated with terraformPlanRole.managedPolicyArns = [ReadOnlyAccess]", async () => {
      const generated = await configuredStack(
        withValue(stackConfig("example"), "terraformPlanRole", {
          managedPolicyArns: [READ_ONLY_ACCESS],
        }),
        "example",
      );
      assert.equal(
        named(generated, "dev-plan-role-ReadOnlyAccess").props.policyArn,
        READ_ONLY_ACCESS,
      );
      assert.deepEqual(found(await validateStack(policy, generated), generated), []);
    });

    it("reports a Deny that no longer names kms:Decrypt", async () => {
      const odd = withSecretsDeny(stack, (deny) => {
        deny.Action = (deny.Action as string[]).filter((a) => a !== "kms:Decrypt");
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(found(violations, odd), [["Secrets::NotDenied:kms:Decrypt", PLAN_ROLE]]);
      assert.match(violations[0]?.message ?? "", /does not deny kms:Decrypt outright/);
    });

    it("reports every secret read when the Deny has a condition", async () => {
      const odd = withSecretsDeny(stack, (deny) => {
        deny.Condition = { Bool: { "aws:ViaAWSService": "false" } };
      });
      const violations = await validateStack(policy, odd);
      // The credential reads the Deny named are no longer denied outright either.
      assert.deepEqual(found(violations, odd), [
        ["Credentials::NotDenied", PLAN_ROLE],
        ...SECRET_READ_ACTIONS.map((a) => [`Secrets::NotDenied:${a}`, PLAN_ROLE]),
      ]);
    });

    it("reports every secret read when the Deny covers only some resources", async () => {
      const odd = withSecretsDeny(stack, (deny) => {
        deny.Resource = `arn:aws:kms:eu-west-1:${STAGING}:key/*`;
      });
      const ids = (await validateStack(policy, odd)).map((v) => v.id);
      assert.deepEqual(ids, [
        "Credentials::NotDenied",
        ...SECRET_READ_ACTIONS.map((a) => `Secrets::NotDenied:${a}`),
      ]);
    });

    it("accepts a Deny that covers the secret reads with a wildcard", async () => {
      const odd = withSecretsDeny(stack, (deny) => {
        deny.Action = [...(deny.Action as string[]).filter((a) => !a.startsWith("kms:")), "kms:*"];
      });
      assert.deepEqual(await validateStack(policy, odd), []);
    });

    it("holds a product role tagged plan to the plan rules: the tag cannot hide write permissions", async () => {
      const odd = changed(stack, "dev-terraform-role", (r) => {
        r.props.tags = { [ACCESS_TAG]: "plan" };
      });
      const violations = found(await validateStack(policy, odd), odd);
      assert.ok(
        violations.some(
          ([id, name]) => id === "Action::ec2:*" && name === "dev-terraform-role-terraform",
        ),
        JSON.stringify(violations),
      );
      assert.ok(
        violations.some(
          ([id, name]) => id === "Secrets::NotDenied:kms:Decrypt" && name === "dev-terraform-role",
        ),
      );
      const trust = found(await validateStack(terraformRoleTrustRestrictive(), odd), odd);
      assert.deepEqual(trust, [
        [`Condition::PrincipalArn:${CI_ROLE}`, "dev-terraform-role"],
        ["Trust::CallerNotAdmitted", "dev-terraform-role"],
      ]);
    });

    it("fails closed on a plan role's inline policy unknown at preview", async () => {
      const odd = changed(stack, PLAN_POLICY, (r) => {
        r.props.policy = UNKNOWN.string;
      });
      const violations = found(await validateStack(policy, odd), odd);
      assert.deepEqual(violations[0], ["Unknown::policy", PLAN_POLICY]);
      // Without its document the Deny cannot be read either.
      assert.ok(
        violations
          .slice(1)
          .every(([id, name]) => id?.startsWith("Secrets::NotDenied:") && name === PLAN_ROLE),
        JSON.stringify(violations),
      );
    });

    it("fails closed on a plan role's managed policies when no exclusive resource decides them", async () => {
      const odd = without(stack, "staging-plan-role-managed-exclusive");
      assert.deepEqual(found(await validateStack(policy, odd), odd), [
        ["Unknown::managedPolicyArns", PLAN_ROLE],
      ]);
    });
  });

  describe("ci-role-least-privilege: the CI plan role", () => {
    const policy = ciRoleLeastPrivilege();
    const STATE_POLICY = "terraform-ci-plan-role-terraform-state";
    const STATE = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/terraform";
    const withStateStatement = (statement: Record<string, unknown>) =>
      changed(stack, STATE_POLICY, (r) =>
        editDocument(r, "policy", (doc) => {
          doc.Statement.push({ Sid: "Extra", ...statement });
        }),
      );

    it("passes the lockfile, lock table and state key writes a plan needs, in every lock mode", async () => {
      const both = await configuredStack(
        withValue(stackConfig("example"), "state", { keyPrefix: "terraform", lock: "both" }),
        "example-both",
      );
      assert.deepEqual(await validateStack(policy, both), []);
    });

    it("reports a state write beyond the lockfiles", async () => {
      const odd = withStateStatement({
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${STATE}/*`,
      });
      assert.deepEqual(found(await validateStack(policy, odd), odd), [
        ["Action::s3:PutObject", STATE_POLICY],
      ]);
    });

    it("reports any other write, such as passing a role", async () => {
      const odd = withStateStatement({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" });
      assert.deepEqual(found(await validateStack(policy, odd), odd), [
        ["Action::iam:PassRole", STATE_POLICY],
      ]);
    });
  });

  describe("plan-roles-identical", () => {
    const policy = planRolesIdentical();

    it("passes the example stack and the example OIDC stack", async () => {
      assert.deepEqual(await validateStack(policy, stack), []);
      assert.deepEqual(await validateStack(policy, oidcStack), []);
    });

    it("reports the plan role with an extra statement, with the diff from the others", async () => {
      const odd = withPlanStatement(stack, {
        Effect: "Allow",
        Action: "iam:GetRole",
        Resource: "*",
      });
      const violations = await validateStack(policy, odd);
      assert.deepEqual(found(violations, odd), [["Permissions::Differ", PLAN_ROLE]]);
      const message = violations[0]?.message ?? "";
      assert.match(message, /the other plan roles/);
      assert.match(message, /2 of 3 roles \(accounts 222222222222, 444444444444\)/);
      assert.match(message, /\+\s+"iam:GetRole"/);
      assert.match(message, /terraformPlanRole/);
    });

    it("reports ReadOnlyAccess attached to one plan role only", async () => {
      const odd = [...stack, attachToPlanRole(stack, READ_ONLY_ACCESS)];
      const violations = await validateStack(policy, odd);
      assert.deepEqual(found(violations, odd), [["Permissions::Differ", PLAN_ROLE]]);
      assert.match(violations[0]?.message ?? "", /\+\s+arn:aws:iam::aws:policy\/ReadOnlyAccess/);
    });

    it("passes when the config attaches ReadOnlyAccess to every plan role", async () => {
      const generated = await configuredStack(
        withValue(stackConfig("example"), "terraformPlanRole", {
          managedPolicyArns: [READ_ONLY_ACCESS],
        }),
        "example",
      );
      assert.deepEqual(await validateStack(policy, generated), []);
    });

    it("does not compare the plan roles with the Terraform roles", async () => {
      const odd = changed(stack, "dev-terraform-role-terraform", (r) =>
        editDocument(r, "policy", (doc) => {
          doc.Statement.push({ Effect: "Allow", Action: "iam:GetRole", Resource: "*" });
        }),
      );
      assert.deepEqual(await validateStack(policy, odd), []);
    });

    it("fails closed on a plan role's inline policy unknown at preview", async () => {
      const odd = changed(stack, PLAN_POLICY, (r) => {
        r.props.policy = UNKNOWN.string;
      });
      assert.deepEqual(found(await validateStack(policy, odd), odd), [
        ["Unknown::policy", PLAN_POLICY],
      ]);
    });
  });

  describe("the access tag", () => {
    it("judges an untagged plan role as a Terraform role", async () => {
      const odd = changed(stack, PLAN_ROLE, (r) => {
        r.props.tags = {};
      });
      const identical = await validateStack(terraformRolePoliciesIdentical(), odd);
      assert.deepEqual(found(identical, odd), [["Permissions::Differ", PLAN_ROLE]]);
      assert.match(identical[0]?.message ?? "", /the other Terraform roles/);
      const trust = await validateStack(terraformRoleTrustRestrictive(), odd);
      assert.deepEqual(found(trust, odd), [
        [`Condition::PrincipalArn:${CI_PLAN_ROLE}`, PLAN_ROLE],
        ["Trust::CallerNotAdmitted", PLAN_ROLE],
      ]);
      assert.match(trust[0]?.message ?? "", /more than the CI Terraform role/);
    });

    it("fails closed on a plan role whose tag is unknown at preview: it is held to the apply rules", async () => {
      const odd = changed(stack, PLAN_ROLE, (r) => {
        r.props.tags = { [ACCESS_TAG]: UNKNOWN.string };
      });
      const trust = await validateStack(terraformRoleTrustRestrictive(), odd);
      assert.deepEqual(found(trust, odd), [
        [`Unknown::tags.${ACCESS_TAG}`, PLAN_ROLE],
        [`Condition::PrincipalArn:${CI_PLAN_ROLE}`, PLAN_ROLE],
        ["Trust::CallerNotAdmitted", PLAN_ROLE],
      ]);
    });

    it("fails closed on a plan role whose tags are unknown at preview", async () => {
      const odd = changed(stack, PLAN_ROLE, (r) => {
        r.props.tags = UNKNOWN.object;
      });
      const trust = await validateStack(terraformRoleTrustRestrictive(), odd);
      assert.ok(
        trust.some((v) => v.urn === named(odd, PLAN_ROLE).urn),
        JSON.stringify(trust),
      );
    });

    it("fails closed on a Terraform role whose tag is unknown at preview", async () => {
      const odd = changed(stack, "dev-terraform-role", (r) => {
        r.props.tags = { [ACCESS_TAG]: UNKNOWN.string };
      });
      const violations: Violation[] = [];
      for (const p of packPolicies()) {
        if ("validateStack" in p) {
          violations.push(...(await validateStack(p, odd)));
        }
      }
      assert.ok(
        violations.some((v) => v.urn === named(odd, "dev-terraform-role").urn),
        JSON.stringify(violations.map((v) => v.id)),
      );
    });
  });
});

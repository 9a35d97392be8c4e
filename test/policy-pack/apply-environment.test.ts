import { strict as assert } from "node:assert";
import { ciApplyRoleEnvironmentScoped } from "../../policy-pack/ci-role";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import {
  changed,
  configuredStack,
  editDocument,
  exampleStack,
  validateStack,
  type EngineResource,
} from "./helpers/engine";

const TF = "111111111111";
const DEV_REACH = "terraform-ci-role-dev-terraform-ci-dev-reach-1";
const PROD_TERRAFORM = "arn:aws:iam::444444444444:role/terraform";
const PROD_STATE = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/terraform/prod/*";
const DEV_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-dev`;

const ids = (violations: readonly { id: string }[]) => violations.map((v) => v.id).sort();

describe("policy pack: ci-apply-role-environment-scoped", () => {
  const policy = ciApplyRoleEnvironmentScoped();
  let oidc: EngineResource[];
  let users: EngineResource[];
  before(async () => {
    oidc = await exampleStack("example-oidc");
    const flat = stackConfig("example");
    const ci = getValue<Record<string, unknown>>(flat, "ci");
    users = await configuredStack(
      withValue(flat, "ci", { ...ci, applyRoles: "per-environment" }),
      "example-per-environment",
    );
  });

  it("passes both example stacks (per environment) and the shared example", async () => {
    assert.deepEqual(await validateStack(policy, oidc), []);
    assert.deepEqual(await validateStack(policy, users), []);
    assert.deepEqual(await validateStack(policy, await exampleStack("example")), []);
  });

  it("reports dev's apply role allowed to assume prod's Terraform role", async () => {
    const odd = changed(users, DEV_REACH, (r) =>
      editDocument(r, "policy", (doc) => {
        const s = doc.Statement[0] as { Resource: string[] };
        s.Resource = [...s.Resource, PROD_TERRAFORM];
      }),
    );
    assert.deepEqual(ids(await validateStack(policy, odd)), [
      `Reach::AssumeRole::${PROD_TERRAFORM}`,
    ]);
  });

  it("reports dev's apply role allowed to write prod's state, even through a wildcard", async () => {
    for (const resource of [
      PROD_STATE,
      "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/terraform/*",
    ]) {
      const odd = changed(users, DEV_REACH, (r) =>
        editDocument(r, "policy", (doc) => {
          const s = doc.Statement[1] as { Resource: string[] };
          s.Resource = [...s.Resource, resource];
        }),
      );
      const found = ids(await validateStack(policy, odd));
      assert.ok(found.includes("Reach::State::prod"), `${resource}: ${found.join()}`);
    }
  });

  it("reports prod's Terraform role trusting dev's apply role", async () => {
    const odd = changed(users, "prod-terraform-role", (r) =>
      editDocument(r, "assumeRolePolicy", (doc) => {
        const c = doc.Statement[0]?.Condition as Record<string, Record<string, string[]>>;
        const arns = c.ArnEquals?.["aws:PrincipalArn"] ?? [];
        c.ArnEquals = { "aws:PrincipalArn": [...arns, DEV_ROLE] };
      }),
    );
    assert.deepEqual(ids(await validateStack(policy, odd)), [
      `Trust::OtherEnvironmentApplyRole::${PROD_TERRAFORM}`,
    ]);
  });

  it("reports dev's apply role trusting production's OIDC subject", async () => {
    const odd = changed(oidc, "terraform-ci-role-dev", (r) =>
      editDocument(r, "assumeRolePolicy", (doc) => {
        const c = doc.Statement[0]?.Condition as Record<string, Record<string, string[]>>;
        const key = "token.actions.githubusercontent.com:sub";
        c.StringEquals = {
          ...c.StringEquals,
          [key]: [
            ...(c.StringEquals?.[key] ?? []),
            "repo:acme/infrastructure:environment:production",
          ],
        };
      }),
    );
    assert.deepEqual(ids(await validateStack(policy, odd)), [
      "Trust::OtherEnvironment::production",
    ]);
  });

  it("reports an apply role that cannot write its own state, and fails closed without the config", async () => {
    const odd = changed(users, DEV_REACH, (r) =>
      editDocument(r, "policy", (doc) => {
        doc.Statement = doc.Statement.filter((s) => s.Sid !== "ReadWriteEnvironmentState");
      }),
    );
    assert.deepEqual(ids(await validateStack(policy, odd)), ["Reach::OwnStateRefused::dev"]);
    assert.deepEqual(ids(await validateStack(policy, users, {}, "none")), ["Intent::Missing"]);
  });
});

/**
 * Several Terraform roots, on the documents the program registers: every object of workspace W
 * lives under `<keyPrefix>/W/` whatever the root; the CI roles read each root's default
 * workspace state by its exact key and nothing else at the bucket root; the bucket's lockfile
 * carve-out still lets the plan path lock (and only lock) each root's state. Decided by
 * evaluating the IAM documents: the attacker's request next to the legitimate one.
 */
import { strict as assert } from "node:assert";
import { evaluatePolicy, type EvaluationRequest } from "../../lib/iam/evaluate";
import type { PolicyDocument } from "../../lib/iam/types";
import { handoffFromStackOutputs } from "../../lib/terraform";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  asPrincipal,
  documentOf,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const STATE = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_PLAN_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-plan`;

function permissionsOf(result: SynthResult, role: string): PolicyDocument[] {
  return [
    ...resources(result, T.rolePolicy).filter((p) => p.name.startsWith(`${role}-`)),
    ...resources(result, T.policy).filter((p) => p.name.startsWith(`${role}-`)),
  ].map((p) => documentOf(p));
}

function decide(docs: readonly PolicyDocument[], request: EvaluationRequest): string {
  const decisions = docs.map((d) => evaluatePolicy(d, request).decision);
  if (decisions.includes("explicit-deny")) return "explicit-deny";
  return decisions.includes("allow") ? "allow" : "implicit-deny";
}

describe("CI roles with several Terraform roots", function () {
  this.timeout(60_000);
  let result: SynthResult;
  before(async () => {
    const ci = JSON.parse(stackConfig()["tf-bootstrap:ci"] ?? "{}") as Record<string, unknown>;
    result = await synth(
      withValue(stackConfig(), "ci", {
        ...ci,
        pipeline: {
          roots: [
            { name: "network", directory: "network" },
            { name: "app", directory: "app", workspaces: ["staging", "prod"] },
          ],
        },
      }),
    );
  });

  for (const [label, role] of [
    ["apply", "terraform-ci-role"],
    ["plan", "terraform-ci-plan-role"],
  ] as const) {
    it(`the CI ${label} role reads each root's default-workspace state by its key, nothing else at the bucket root`, () => {
      const docs = permissionsOf(result, role);
      const can = (action: string, key: string) =>
        decide(docs, { action, resource: `${STATE}/${key}` });
      for (const key of ["network/terraform.tfstate", "app/terraform.tfstate"]) {
        assert.equal(can("s3:GetObject", key), "allow", key);
        assert.equal(can("s3:PutObject", key), "implicit-deny", key);
        assert.equal(can("s3:DeleteObject", `${key}.tflock`), "implicit-deny", key);
      }
      for (const key of ["terraform.tfstate", "other/terraform.tfstate", "network/secrets.json"]) {
        assert.equal(can("s3:GetObject", key), "implicit-deny", key);
      }
      const statement = docs
        .flatMap((d) => d.Statement)
        .find((s) => s.Sid === "ReadDefaultWorkspaceState");
      const listed = [statement?.Resource].flat();
      assert.ok(
        listed.every((r) => typeof r === "string" && !r.includes("*")),
        "no wildcard",
      );
    });
  }

  it("puts every root's state of workspace W under <keyPrefix>/W/, where the plan path locks but never writes", () => {
    const policy = documentOf(resource(result, T.bucketPolicy, "terraform-state-bucket-policy"));
    const planDocs = permissionsOf(result, "terraform-ci-plan-role");
    const applyDocs = permissionsOf(result, "terraform-ci-role");
    for (const root of ["network", "app"]) {
      const state = `${STATE}/terraform/prod/${root}/terraform.tfstate`;
      const bucket = (who: string, action: string, res: string) =>
        evaluatePolicy(policy, { action, resource: res, ...asPrincipal(who, TF) }).decision;
      assert.equal(bucket(CI_PLAN_ROLE, "s3:PutObject", state), "explicit-deny", root);
      assert.notEqual(
        bucket(CI_PLAN_ROLE, "s3:PutObject", `${state}.tflock`),
        "explicit-deny",
        root,
      );
      assert.notEqual(bucket(CI_ROLE, "s3:PutObject", state), "explicit-deny", root);
      assert.equal(
        decide(planDocs, { action: "s3:PutObject", resource: `${state}.tflock` }),
        "allow",
      );
      assert.equal(decide(planDocs, { action: "s3:GetObject", resource: state }), "allow");
      assert.equal(decide(planDocs, { action: "s3:PutObject", resource: state }), "implicit-deny");
      assert.equal(decide(applyDocs, { action: "s3:PutObject", resource: state }), "allow");
      assert.equal(
        decide(applyDocs, { action: "s3:DeleteObject", resource: state }),
        "implicit-deny",
      );
    }
  });

  it("gives each root its backend key and only its workspaces; one root without roots keeps today's files", async () => {
    const handoff = handoffFromStackOutputs(result.outputs, { stack: "example" });
    assert.ok(handoff.ok, JSON.stringify(handoff));
    const file = (p: string) => handoff.files.find((f) => f.path === p)?.text ?? "";
    assert.match(file("network/backend.s3.tfbackend"), /key += "network\/terraform\.tfstate"/);
    assert.match(file("app/backend.s3.tfbackend"), /key += "app\/terraform\.tfstate"/);
    for (const f of ["network/backend.s3.tfbackend", "app/backend.s3.tfbackend"]) {
      assert.match(file(f), /workspace_key_prefix = "terraform"/);
    }
    const accounts = (p: string) =>
      Object.keys((JSON.parse(file(p)) as { accounts: object }).accounts).sort();
    assert.deepEqual(accounts("app/accounts.auto.tfvars.json"), ["prod", "staging"]);
    assert.deepEqual(accounts("network/accounts.auto.tfvars.json"), ["dev", "prod", "staging"]);
    const single = await synth(stackConfig());
    const plain = handoffFromStackOutputs(single.outputs, { stack: "example" });
    assert.ok(plain.ok);
    const backend = plain.files.find((f) => f.path === "backend.s3.tfbackend")?.text ?? "";
    assert.match(backend, /key += "terraform\.tfstate"/);
  });
});

import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { planAccountChange, type PlannedChange } from "../../../lib/accounts/lifecycle";
import { ROOT } from "../../helpers/stack";

const EXAMPLE = readFileSync(join(ROOT, "stacks", "Pulumi.example.yaml"), "utf8");
const OIDC = readFileSync(join(ROOT, "stacks", "Pulumi.example-oidc.yaml"), "utf8");

function planned(text: string, change: Parameters<typeof planAccountChange>[1]): PlannedChange {
  const result = planAccountChange(text, change);
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.planned;
}

function refused(text: string, change: Parameters<typeof planAccountChange>[1]): string {
  const result = planAccountChange(text, change);
  assert.ok(!result.ok, "expected the change to be refused");
  return result.message;
}

const config = (text: string) => (parse(text) as { config: Record<string, unknown> }).config;

describe("account lifecycle on a stack file", function () {
  it("add: the new account is in the config, with notes on its bootstrap role, workspace and environment", function () {
    const p = planned(EXAMPLE, { kind: "add", entry: { name: "qa", id: "555555555555" } });
    assert.deepEqual(
      p.after.productAccounts.map((a) => a.name),
      ["dev", "staging", "prod", "qa"],
    );
    assert.deepEqual(p.stateMoves, []);
    const notes = p.notes.join("\n");
    assert.match(notes, /assumes OrganizationAccountAccessRole there/);
    assert.match(notes, /invited into the organisation/);
    assert.match(notes, /a new workspace 'qa'/);
  });

  it("add refuses a config the program would refuse, listing every problem, and changes nothing", function () {
    const message = refused(EXAMPLE, { kind: "add", entry: { name: "dev", id: "2222" } });
    assert.match(message, /would make the stack file invalid/);
    assert.match(message, /productAccounts\[3\]\.id/);
    assert.match(message, /productAccounts\[3\]\.name|duplicate|more than once/i);
  });

  it("refuses to edit a stack file that is not valid as it is", function () {
    const broken = EXAMPLE.replace("tf-bootstrap:region: eu-west-1", "tf-bootstrap:region: moon-1");
    assert.match(refused(broken, { kind: "remove", name: "dev" }), /not a valid config as it is/);
  });

  it("remove: the account goes, its state is kept, its environment is released", function () {
    const p = planned(EXAMPLE, { kind: "remove", name: "staging" });
    assert.deepEqual(
      p.after.productAccounts.map((a) => a.name),
      ["dev", "prod"],
    );
    const notes = p.notes.join("\n");
    assert.match(
      notes,
      /s3:\/\/acme-tfstate-111111111111-eu-west-1\/terraform\/staging\/terraform\.tfstate is kept/,
    );
    assert.match(notes, /run `destroy` in workspace 'staging' before `pulumi up`/);
  });

  it("remove takes the workspace out of an explicit apply order", function () {
    const p = planned(OIDC, { kind: "remove", name: "staging" });
    assert.deepEqual(
      (config(p.text)["tf-bootstrap:ci"] as { pipeline: { applyOrder: unknown } }).pipeline
        .applyOrder,
      ["dev", "prod"],
    );
    assert.match(p.notes.join("\n"), /drops its subject/);
  });

  it("rename: the workspace and the state path change, the account's key stays, a state move is planned", function () {
    const p = planned(OIDC, { kind: "rename", name: "staging", to: "stage" });
    assert.deepEqual(p.stateMoves, [{ from: "staging", to: "stage" }]);
    assert.equal(p.after.productAccounts[1]?.name, "staging");
    assert.equal(p.after.names.workspaces.staging, "stage");
    assert.deepEqual(
      (config(p.text)["tf-bootstrap:ci"] as { pipeline: { applyOrder: unknown } }).pipeline
        .applyOrder,
      ["dev", "stage", "prod"],
    );
    const notes = p.notes.join("\n");
    assert.match(notes, /would start from empty state and create everything again/);
    assert.match(notes, /repo:acme\/infrastructure:environment:stage/);
  });

  it("rename refuses a workspace another account has", function () {
    assert.match(
      refused(EXAMPLE, { kind: "rename", name: "staging", to: "prod" }),
      /would make the stack file invalid/,
    );
  });

  it("move: the account's apply job runs in the new environment; no state moves", function () {
    const p = planned(OIDC, { kind: "move", name: "staging", environment: "production" });
    assert.equal(p.after.names.environments.staging, "production");
    assert.deepEqual(p.stateMoves, []);
    assert.match(p.notes.join("\n"), /runs in environment 'production' instead of 'staging'/);
    assert.match(p.notes.join("\n"), /no account uses environment 'staging' any more/);
  });

  it("names what it cannot find", function () {
    assert.match(refused(EXAMPLE, { kind: "remove", name: "qa" }), /no product account named 'qa'/);
    assert.match(
      refused(EXAMPLE, { kind: "move", name: "prod", environment: "prod" }),
      /is in environment 'prod' already/,
    );
  });
});

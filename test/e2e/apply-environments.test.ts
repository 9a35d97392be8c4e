/**
 * End to end: one CI apply identity per environment, with OpenTofu against the topology built
 * in moto from the program's own documents. dev's apply user takes a session of dev's CI apply
 * role, as dev's apply job does; with it OpenTofu initialises, selects dev's workspace and writes
 * its state. With the same session, prod's Terraform role and prod's workspace state are out of
 * reach. moto enforces the identity policies of the session (IAM enforcement on); what it
 * cannot enforce is said where it matters and proved by evaluation in
 * test/components/apply-environments.test.ts.
 */
import { strict as assert } from "node:assert";
import { useMoto } from "../harness/moto";
import { ensureTools, SETUP_TIMEOUT_MS } from "../harness/tools";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import { awsError, awsOk } from "./fixtures/aws";
import { assumeAs, deploy, type Deployed } from "./fixtures/deploy";
import { createRoot, type HandoffRoot } from "./fixtures/terraform-root";
import { stateKey } from "./fixtures/state-bucket";

describe("e2e: per-environment CI apply roles, run by OpenTofu against moto", function () {
  this.timeout(180_000);
  const moto = useMoto();
  const roots: HandoffRoot[] = [];
  let d: Deployed;

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await ensureTools();
    const flat = stackConfig();
    const ci = getValue<Record<string, unknown>>(flat, "ci");
    d = await deploy(moto(), withValue(flat, "ci", { ...ci, applyRoles: "per-environment" }));
  });

  after(() => {
    for (const root of roots.splice(0)) root.sandbox.cleanup();
  });

  /** A session of `environment`'s CI apply role, from that environment's user keys. */
  async function applySession(environment: string) {
    const path = d.topology.applyUsers.get(environment);
    assert.ok(path, `no CI apply user for ${environment}`);
    const credentials = await assumeAs(moto(), path.user, path.roleArn, "terraform-apply");
    return { credentials, access: "apply" as const };
  }

  it("hands each environment its own CI apply role, and each user only its own", async () => {
    assert.deepEqual([...d.topology.applyUsers.keys()], ["dev", "prod", "staging"]);
    const dev = d.topology.applyUsers.get("dev");
    const prod = d.topology.applyUsers.get("prod");
    assert.ok(dev && prod);
    assert.match(dev.roleArn, /:role\/terraform-ci-dev$/);
    const refused = await awsError(moto(), {
      service: "sts",
      op: "assume_role",
      params: { RoleArn: prod.roleArn, RoleSessionName: "cross" },
      as: dev.user,
    });
    assert.match(refused, /AccessDenied/);
  });

  it("dev's session initialises, selects dev's workspace and writes its state", async () => {
    const root = await createRoot("dev", moto(), d.files, await applySession("dev"));
    roots.push(root);
    await root.init();
    const selected = await root.selectWorkspace("dev");
    assert.equal(selected.code, 0, selected.stderr);
    await root.ok(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const head = await awsOk(moto(), {
      service: "s3",
      op: "head_object",
      params: { Bucket: d.backend.bucket, Key: stateKey(d.backend, "dev") },
      as: d.topology.inspector,
    });
    assert.equal(head.ServerSideEncryption, "aws:kms");
  });

  it("with dev's session, prod's workspace cannot be written and prod's Terraform role cannot be assumed", async () => {
    const session = await applySession("dev");
    const root = await createRoot("dev-to-prod", moto(), d.files, session);
    roots.push(root);
    await root.init();
    // Selecting creates prod's workspace: OpenTofu writes nothing until the first state write.
    await root.selectWorkspace("prod");
    const applied = await root.tofu(["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert.notEqual(applied.code, 0, root.describe(["apply"], applied));
    assert.match(applied.stderr + applied.stdout, /AccessDenied|403|Forbidden/);
    const absent = await awsError(moto(), {
      service: "s3",
      op: "head_object",
      params: { Bucket: d.backend.bucket, Key: stateKey(d.backend, "prod") },
      as: d.topology.inspector,
    });
    assert.match(absent, /404|Not Found|NoSuchKey/);
    const prodRole = d.tfvars.accounts.prod?.role_arn ?? "";
    const hop = await awsError(moto(), {
      service: "sts",
      op: "assume_role",
      params: { RoleArn: prodRole, RoleSessionName: "cross" },
      as: session.credentials,
    });
    assert.match(hop, /AccessDenied/);
  });
});

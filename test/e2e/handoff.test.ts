/**
 * End to end: the Terraform handoff generated from a synthesized stack, run by OpenTofu against
 * the topology built in moto from the exact documents the program registers.
 *
 * Every run starts from the CI user's access keys, with moto's IAM enforcement on: the user may
 * only assume the CI role (its exact policy), so whatever touched state did so as that role. The
 * root is `examples/terraform/main.tf` plus the generated files, but `providers.tf` (it needs the
 * aws provider, which cannot be downloaded here; see docs/terraform-handoff.md, "Testing").
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  handoffFromStackOutputs,
  HANDOFF_FILES,
  type AccountsTfvars,
  type HandoffFile,
} from "../../lib/terraform";
import { synthesize, type SynthResult } from "../../scripts/synth/mock-runtime";
import { useMoto, type MotoServer } from "../harness/moto";
import { describeRun, runTofu, tofuSandbox, type TofuResult } from "../harness/tofu";
import { ensureTools, repoRoot, SETUP_TIMEOUT_MS } from "../harness/tools";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import { aws, awsError, awsOk, type Credentials } from "./fixtures/aws";
import {
  createRoot,
  EXAMPLE_ROOT,
  GATE_TF,
  NOT_IN_E2E_ROOT,
  type HandoffRoot,
} from "./fixtures/terraform-root";
import {
  assertRanAsRole,
  bucketVersions,
  keyVersions,
  lockItems,
  objectExists,
  readJsonObject,
  readState,
  stateKey,
  workspaceRecord,
  writes,
  type ObjectVersion,
} from "./fixtures/state-bucket";
import {
  applyChanges,
  materialize,
  motoEquivalentTrust,
  motoEvaluableBucketPolicy,
  topologyAccounts,
  type Materialized,
  type ProductAccountConfig,
} from "./fixtures/topology";

const run = promisify(execFile);

interface Backend {
  bucket: string;
  key: string;
  workspaceKeyPrefix: string;
  kmsKeyArn: string;
  lockTable?: string;
}

/** A stack deployed to moto, with its handoff rendered from the deployed outputs. */
interface Deployed {
  readonly synth: SynthResult;
  readonly flat: Record<string, string>;
  readonly topology: Materialized;
  readonly files: HandoffFile[];
  readonly backend: Backend;
  readonly tfvars: AccountsTfvars;
  readonly ciRoleArn: string;
}

async function deploy(moto: MotoServer, flat: Record<string, string>): Promise<Deployed> {
  await moto.reset();
  const synth = await synthesize(flat, { stack: "example" });
  const topology = await materialize(moto, synth);
  const rendered = handoffFromStackOutputs(topology.outputs, { stack: "example" });
  assert.ok(rendered.ok, JSON.stringify(rendered));
  const file = (name: string) => rendered.files.find((f) => f.path === name)?.text ?? "";
  await moto.setIamEnforcement(true);
  return {
    synth,
    flat,
    topology,
    files: rendered.files,
    backend: topology.outputs.backend as Backend,
    tfvars: JSON.parse(file(HANDOFF_FILES.tfvars)) as AccountsTfvars,
    ciRoleArn: topology.outputs.ciRoleArn as string,
  };
}

function products(flat: Record<string, string>): ProductAccountConfig[] {
  return getValue<ProductAccountConfig[]>(flat, "productAccounts");
}

const apply = (...vars: string[]) => [
  "apply",
  "-auto-approve",
  "-input=false",
  "-no-color",
  ...vars.flatMap((v) => ["-var", v]),
];

describe("e2e: the Terraform handoff, run by OpenTofu against the topology in moto", function () {
  this.timeout(120_000);
  const moto = useMoto();
  const roots: HandoffRoot[] = [];

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await ensureTools();
  });

  afterEach(function () {
    for (const root of roots.splice(0)) root.sandbox.cleanup();
  });

  async function newRoot(
    d: Deployed,
    name: string,
    extraFiles: Record<string, string> = {},
  ): Promise<HandoffRoot> {
    const root = await createRoot(name, moto(), d.files, d.topology.ciUser, { extraFiles });
    roots.push(root);
    await root.init();
    return root;
  }

  async function select(root: HandoffRoot, workspace: string): Promise<void> {
    const result = await root.selectWorkspace(workspace);
    assert.equal(result.code, 0, `select-workspace.sh ${workspace}:\n${result.stderr}`);
  }

  describe("lock mode s3-lockfile (the example stack)", function () {
    let d: Deployed;
    const inspector = () => d.topology.inspector;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), stackConfig("example"));
    });

    it("1. from the CI user's keys, every product workspace applies; its state lands under its prefix, SSE-KMS with the state key, written as the CI role", async function () {
      const expected = topologyAccounts(d.synth, products(d.flat));
      assert.deepEqual(d.tfvars.accounts, expected, "the map differs from the topology");
      const workspaces = Object.keys(expected);

      await moto().startRecording();
      const root = await newRoot(d, "all");
      for (const workspace of workspaces) {
        await select(root, workspace);
        await root.ok(apply());
      }
      const recording = await moto().stopRecording();

      assertRanAsRole(recording, d.topology.ciUser.accessKeyId, d.ciRoleArn, d.backend.kmsKeyArn);
      for (const workspace of workspaces) {
        const key = stateKey(d.backend, workspace);
        const head = await awsOk(moto(), {
          service: "s3",
          op: "head_object",
          params: { Bucket: d.backend.bucket, Key: key },
          as: inspector(),
        });
        assert.equal(head.ServerSideEncryption, "aws:kms", key);
        assert.equal(head.SSEKMSKeyId, d.backend.kmsKeyArn, key);
        const record = workspaceRecord(await readState(moto(), inspector(), d.backend.bucket, key));
        assert.deepEqual(record, {
          workspace,
          account_id: expected[workspace]?.account_id,
          role_arn: expected[workspace]?.role_arn,
          ci_role_arn: d.ciRoleArn,
          revision: "1",
        });
      }
      const keys = new Set(
        (await bucketVersions(moto(), inspector(), d.backend.bucket)).map((v) => v.key),
      );
      const allowed = new Set(
        workspaces.flatMap((w) => [stateKey(d.backend, w), `${stateKey(d.backend, w)}.tflock`]),
      );
      assert.deepEqual(
        [...keys].filter((k) => !allowed.has(k)),
        [],
        "objects outside the workspaces' state",
      );
      // The user's own keys cannot read the state: IAM is enforced, so the role did.
      const denied = await awsError(moto(), {
        service: "s3",
        op: "get_object",
        params: { Bucket: d.backend.bucket, Key: stateKey(d.backend, workspaces[0] ?? "") },
        as: d.topology.ciUser,
      });
      assert.match(denied, /AccessDenied|403/);
    });

    it("1b. the provider's role chain (CI role, then the workspace's role) is allowed by the exact policies and ends in the workspace's account; the user cannot skip the CI role", async function () {
      for (const [workspace, account] of Object.entries(d.tfvars.accounts)) {
        const identity = await providerChain(
          moto(),
          d.topology.ciUser,
          d.tfvars.ci_role_arn,
          account.role_arn,
        );
        assert.equal(identity.Account, account.account_id, workspace);
        assert.match(identity.Arn, new RegExp(`^arn:aws:sts::${account.account_id}:assumed-role/`));
        const direct = await awsError(moto(), {
          service: "sts",
          op: "assume_role",
          params: { RoleArn: account.role_arn, RoleSessionName: "direct" },
          as: d.topology.ciUser,
        });
        assert.match(direct, /AccessDenied/, `the CI user assumed ${workspace}'s role directly`);
      }
    });

    it("2. locking: a second apply on a workspace whose lock is held fails with a lock error, writes nothing; the state is intact and the lock released after", async function () {
      const workspace = "staging";
      const key = stateKey(d.backend, workspace);
      const root = await newRoot(d, "lock", { "gate.tf": GATE_TF });
      await select(root, workspace);
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);

      const gate = path.join(root.sandbox.dir, "gate");
      const holderArgs = apply(`gate=${gate}`, "revision=held");
      const holder = root.tofu(holderArgs);
      let holderResult: TofuResult | undefined;
      void holder.then((r) => (holderResult = r));
      let lockId: string;
      try {
        await waitFor(`${gate}.started`, () => {
          if (holderResult)
            assert.fail(`the first apply ended early:\n${describeRun(holderArgs, holderResult)}`);
        });
        const lock = await readJsonObject<{ ID: string; Operation: string }>(
          moto(),
          inspector(),
          d.backend.bucket,
          `${key}.tflock`,
        );
        assert.equal(lock.Operation, "OperationTypeApply");
        lockId = lock.ID;
        const secondArgs = [...apply("revision=second"), "-lock-timeout=0s"];
        const second = await root.tofu(secondArgs);
        assert.equal(second.code, 1, describeRun(secondArgs, second));
        assert.match(
          second.stderr,
          /Error acquiring the state lock/,
          describeRun(secondArgs, second),
        );
        assert.ok(second.stderr.includes(lockId), `lock id ${lockId} not in:\n${second.stderr}`);
      } finally {
        writeFileSync(gate, "");
      }
      const first = await holder;
      assert.equal(first.code, 0, describeRun(holderArgs, first));

      const after = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      assert.equal(after.length, before.length + 1, "exactly one state write (the holder's)");
      assert.deepEqual(after.slice(1), before, "earlier versions changed");
      const state = await readState(moto(), inspector(), d.backend.bucket, key);
      assert.equal(workspaceRecord(state)?.revision, "held");
      assert.deepEqual(state.resources.map((r) => `${r.type}.${r.name}`).sort(), [
        "terraform_data.gate",
        "terraform_data.workspace",
      ]);
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
        false,
      );
    });

    it("3a. a workspace that is not in the topology: select-workspace.sh refuses it before any request reaches AWS", async function () {
      const root = await newRoot(d, "unknown-script");
      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      await moto().startRecording();
      const result = await root.selectWorkspace("unknown");
      const recording = await moto().stopRecording();
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /workspace 'unknown' is not in accounts\.auto\.tfvars\.json; known workspaces: dev, prod, staging\. Nothing was read or written/,
      );
      assert.deepEqual(recording, [], "the script reached the emulator");
      assert.deepEqual(await bucketVersions(moto(), inspector(), d.backend.bucket), before);
    });

    it("3b. a workspace that is not in the topology: `workspace select` (without -or-create) refuses it and writes nothing", async function () {
      const root = await newRoot(d, "unknown-select");
      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      await moto().startRecording();
      const result = await root.tofu(["workspace", "select", "-no-color", "unknown"]);
      const recording = await moto().stopRecording();
      assert.equal(result.code, 1, describeRun(["workspace", "select"], result));
      assert.match(result.stderr, /Workspace "unknown" doesn't exist/);
      assert.deepEqual(
        writes(recording).map((r) => `${r.method} ${r.url}`),
        [],
      );
      assert.deepEqual(await bucketVersions(moto(), inspector(), d.backend.bucket), before);
    });

    it("3c. plan and apply in a workspace that exists but is not in the map (an account removed from the stack) are refused by the guard; its state is not written", async function () {
      const root = await newRoot(d, "retired");
      // Setup: OpenTofu writes this empty state; later the account left the topology.
      await root.ok(["workspace", "new", "-no-color", "retired"]);
      const key = stateKey(d.backend, "retired");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      for (const args of [["plan", "-input=false", "-no-color"], apply()]) {
        const result = await root.tofu(args);
        assert.equal(result.code, 1, describeRun(args, result));
        assert.match(
          result.stderr.replace(/\s+/g, " "),
          /Workspace "retired" is not in the topology: accounts\.auto\.tfvars\.json maps only the workspaces dev, prod, staging\./,
          describeRun(args, result),
        );
      }
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), before);
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
        false,
      );
    });

    it("3d. with TF_WORKSPACE naming a new workspace, OpenTofu writes its empty state before the guard runs (why the script checks first, and refuses TF_WORKSPACE)", async function () {
      const root = await newRoot(d, "tf-workspace");
      const env = { TF_WORKSPACE: "ghost" };
      const refused = await root.selectWorkspace("dev", env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /unset TF_WORKSPACE/);

      const key = stateKey(d.backend, "ghost");
      assert.equal(await objectExists(moto(), inspector(), d.backend.bucket, key), false);
      const plan = await root.tofu(["plan", "-input=false", "-no-color"], env);
      assert.equal(plan.code, 1, describeRun(["plan"], plan));
      assert.match(plan.stderr.replace(/\s+/g, " "), /Workspace "ghost" is not in the topology/);
      // The write the guard cannot prevent: an empty state, no resources.
      const state = await readState(moto(), inspector(), d.backend.bucket, key);
      assert.deepEqual(state.resources, []);
      assert.equal((await keyVersions(moto(), inspector(), d.backend.bucket, key)).length, 1);
    });

    it("4. versioning: after several applies every earlier state version is still there, readable", async function () {
      const workspace = "prod";
      const key = stateKey(d.backend, workspace);
      const root = await newRoot(d, "versions");
      await select(root, workspace);
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      for (const revision of ["v2", "v3", "v4"]) await root.ok(apply(`revision=${revision}`));
      const after = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      assert.equal(after.length, before.length + 3);
      assert.deepEqual(after.slice(3), before, "an earlier version changed or vanished");
      const revisions = [];
      for (const version of after.slice(0, 3)) {
        const state = await readState(
          moto(),
          inspector(),
          d.backend.bucket,
          key,
          version.versionId,
        );
        revisions.push(workspaceRecord(state)?.revision);
      }
      assert.deepEqual(revisions, ["v4", "v3", "v2"]);
    });

    it("5. adding a product account: synth + export add exactly one workspace, which works; no other state is touched", async function () {
      const qa = { name: "qa", id: "555555555555" };
      const flat = withValue(d.flat, "productAccounts", [...products(d.flat), qa]);
      const synth = await synthesize(flat, { stack: "example" });
      const qaRole = topologyAccounts(synth, [qa]).qa?.role_arn ?? "";

      // Not yet deployed: the CI role may not assume the new account's role.
      await assert.rejects(providerChain(moto(), d.topology.ciUser, d.tfvars.ci_role_arn, qaRole));

      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      await moto().setIamEnforcement(false);
      const changes = await applyChanges(moto(), d.synth, synth, d.topology);
      await moto().setIamEnforcement(true);
      assert.deepEqual(changes.added, [
        "aws:iam/role:Role::qa-terraform-role",
        "aws:iam/rolePolicy:RolePolicy::qa-terraform-role-terraform",
      ]);
      assert.deepEqual(changes.changed, [
        "aws:iam/policy:Policy::terraform-ci-role-terraform-ci-assume-1",
      ]);

      const files = await exportTerraform(changes.outputs);
      const oldFiles = new Map(d.files.map((f) => [f.path, f.text]));
      const changed = files.filter((f) => oldFiles.get(f.path) !== f.text).map((f) => f.path);
      assert.deepEqual(changed.sort(), [HANDOFF_FILES.readme, HANDOFF_FILES.tfvars].sort());
      const tfvars = JSON.parse(
        files.find((f) => f.path === HANDOFF_FILES.tfvars)?.text ?? "",
      ) as AccountsTfvars;
      assert.deepEqual(tfvars.accounts, {
        ...d.tfvars.accounts,
        qa: { account_id: qa.id, role_arn: qaRole },
      });

      const root = await createRoot("added", moto(), files, d.topology.ciUser);
      roots.push(root);
      await root.init();
      await select(root, "qa");
      await root.ok(apply());
      const state = await readState(
        moto(),
        inspector(),
        d.backend.bucket,
        stateKey(d.backend, "qa"),
      );
      assert.equal(workspaceRecord(state)?.account_id, qa.id);
      const identity = await providerChain(moto(), d.topology.ciUser, tfvars.ci_role_arn, qaRole);
      assert.equal(identity.Account, qa.id);

      const after = await bucketVersions(moto(), inspector(), d.backend.bucket);
      const qaPrefix = `${d.backend.workspaceKeyPrefix}/qa/`;
      const others = (versions: ObjectVersion[]) =>
        versions.filter((v) => !v.key.startsWith(qaPrefix));
      assert.deepEqual(others(after), others(before), "another workspace's objects changed");
      assert.ok(after.some((v) => v.key === stateKey(d.backend, "qa")));
    });
  });

  describe("lock mode both (S3 lockfile and DynamoDB table)", function () {
    let d: Deployed;
    const inspector = () => d.topology.inspector;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      const flat = withValue(stackConfig("example"), "state", {
        keyPrefix: "terraform",
        lock: "both",
      });
      d = await deploy(moto(), flat);
    });

    it("every workspace applies as the CI role; both locks are taken and released; the digest is kept in the table", async function () {
      assert.ok(d.backend.lockTable);
      const backendFile = d.files.find((f) => f.path === HANDOFF_FILES.backend)?.text ?? "";
      assert.match(backendFile, /use_lockfile {9}= true/);
      assert.match(backendFile, /dynamodb_table {7}= "terraform-locks"/);

      await moto().startRecording();
      const root = await newRoot(d, "both");
      for (const workspace of Object.keys(d.tfvars.accounts)) {
        await select(root, workspace);
        await root.ok(apply());
      }
      const recording = await moto().stopRecording();
      assertRanAsRole(recording, d.topology.ciUser.accessKeyId, d.ciRoleArn, d.backend.kmsKeyArn);
      const dynamo = recording.filter((r) =>
        /DynamoDB_\d+\.PutItem/.test(r.headers["X-Amz-Target"] ?? r.headers["x-amz-target"] ?? ""),
      );
      assert.ok(dynamo.length > 0, "no DynamoDB PutItem recorded");

      const items = await lockItems(moto(), inspector(), d.backend.lockTable);
      for (const workspace of Object.keys(d.tfvars.accounts)) {
        const id = `${d.backend.bucket}/${stateKey(d.backend, workspace)}`;
        assert.ok(items.get(`${id}-md5`)?.Digest?.S, `no digest for ${workspace}`);
        assert.equal(items.has(id), false, `lock item of ${workspace} left behind`);
        assert.equal(
          await objectExists(
            moto(),
            inspector(),
            d.backend.bucket,
            `${stateKey(d.backend, workspace)}.tflock`,
          ),
          false,
        );
      }
    });

    it("a concurrent apply waits for both locks, then applies on top of the first", async function () {
      const workspace = "dev";
      const key = stateKey(d.backend, workspace);
      const root = await newRoot(d, "both-lock", { "gate.tf": GATE_TF });
      await select(root, workspace);
      const gate = path.join(root.sandbox.dir, "gate");
      const holderArgs = apply(`gate=${gate}`, "revision=first");
      const holder = root.tofu(holderArgs);
      let holderResult: TofuResult | undefined;
      void holder.then((r) => (holderResult = r));
      let second: Promise<TofuResult> | undefined;
      let secondDone = false;
      try {
        await waitFor(`${gate}.started`, () => {
          if (holderResult) {
            assert.fail(`the first apply ended early:\n${describeRun(holderArgs, holderResult)}`);
          }
        });
        const items = await lockItems(moto(), inspector(), d.backend.lockTable ?? "");
        assert.ok(items.has(`${d.backend.bucket}/${key}`), "no DynamoDB lock item while held");
        assert.ok(
          await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
          "no lockfile while held",
        );
        second = root.tofu([...apply("gate=", "revision=second"), "-lock-timeout=60s"]);
        void second.then(() => (secondDone = true));
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        assert.equal(secondDone, false, "the second apply did not wait for the lock");
      } finally {
        writeFileSync(gate, "");
      }
      const first = await holder;
      assert.equal(first.code, 0, describeRun(holderArgs, first));
      assert.ok(second);
      const next = await second;
      assert.equal(next.code, 0, describeRun(["apply", "second"], next));
      const state = await readState(moto(), inspector(), d.backend.bucket, key);
      assert.equal(workspaceRecord(state)?.revision, "second");
      const items = await lockItems(moto(), inspector(), d.backend.lockTable ?? "");
      assert.equal(items.has(`${d.backend.bucket}/${key}`), false, "lock item left behind");
    });
  });

  describe("facts about the topology and moto the fixture depends on", function () {
    let d: Deployed;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), stackConfig("example"));
    });

    it("the CI role exactly as synthesized can `tofu init` from a fresh checkout: it may read the default workspace's state object, and only read it", async function () {
      const root = await createRoot("exact-ci-role", moto(), d.files, d.topology.ciUser);
      roots.push(root);
      const args = [
        "init",
        "-input=false",
        "-no-color",
        `-backend-config=${HANDOFF_FILES.backend}`,
        `-backend-config=${path.join(root.sandbox.dir, "emulator.backend.hcl")}`,
      ];
      const init = await root.tofu(args);
      assert.equal(init.code, 0, describeRun(args, init));
      // init reads the default workspace's state, outside the key prefix: it is missing (404),
      // not forbidden (403); and the CI role may not write it.
      const role = await assumeAs(moto(), d.topology.ciUser, d.ciRoleArn);
      const head = await awsError(moto(), {
        service: "s3",
        op: "head_object",
        params: { Bucket: d.backend.bucket, Key: d.backend.key },
        as: role,
      });
      assert.equal(head, "404");
      const put = await awsError(moto(), {
        service: "s3",
        op: "put_object",
        params: { Bucket: d.backend.bucket, Key: d.backend.key, Body: "{}" },
        as: role,
      });
      assert.equal(put, "AccessDenied");
    });

    it("moto denies the CI role's exact trust (account root narrowed by ArnEquals aws:PrincipalArn); AWS allows it (why the fixture sets the moto equivalent)", async function () {
      const trust = (d.synth.resources.find(
        (r) => r.type === "aws:iam/role:Role" && r.account === "terraform",
      )?.inputs.assumeRolePolicy ?? "") as string;
      const update = (document: string) =>
        awsOk(moto(), {
          service: "iam",
          op: "update_assume_role_policy",
          params: { RoleName: d.topology.ciRoleName, PolicyDocument: document },
          as: d.topology.inspector,
        });
      await update(trust);
      try {
        const [result] = await aws(moto(), [
          {
            service: "sts",
            op: "assume_role",
            params: { RoleArn: d.ciRoleArn, RoleSessionName: "exact-trust" },
            as: d.topology.ciUser,
          },
        ]);
        assert.equal(
          result?.ok,
          false,
          "moto now evaluates the exact trust: drop MOTO_ADJUSTMENTS.trust",
        );
      } finally {
        await update(motoEquivalentTrust(trust));
      }
      await assumeAs(moto(), d.topology.ciUser, d.ciRoleArn);
    });

    it("moto applies the state bucket policy's conditional Deny statements to everyone (it ignores their conditions); AWS does not (why the fixture drops them)", async function () {
      const exact = (d.synth.resources.find(
        (r) =>
          r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === d.backend.bucket,
      )?.inputs.policy ?? "") as string;
      const put = (document: string) =>
        awsOk(moto(), {
          service: "s3",
          op: "put_bucket_policy",
          params: { Bucket: d.backend.bucket, Policy: document },
          as: d.topology.inspector,
        });
      const head = () =>
        aws(moto(), [
          {
            service: "s3",
            op: "head_object",
            params: { Bucket: d.backend.bucket, Key: "terraform/any/terraform.tfstate" },
            as: d.topology.inspector,
          },
        ]);
      await put(exact);
      try {
        const [denied] = await head();
        assert.equal(
          denied?.ok === false && denied.code,
          "403",
          "moto now evaluates the conditions: drop MOTO_ADJUSTMENTS.bucketPolicy",
        );
      } finally {
        await put(motoEvaluableBucketPolicy(exact));
      }
      const [allowed] = await head();
      assert.equal(allowed?.ok === false && allowed.code, "404");
    });
  });

  describe("the generated files, checked by OpenTofu", function () {
    for (const lock of ["s3-lockfile", "dynamodb", "both"] as const) {
      it(`lock mode ${lock}: every .tf file (and the .tfbackend, as HCL) passes \`tofu fmt -check\`; the root without providers.tf validates; the script parses`, async function () {
        const synth = await synthesize(
          withValue(stackConfig("example"), "state", { keyPrefix: "terraform", lock }),
          { stack: "example" },
        );
        const rendered = handoffFromStackOutputs(synth.outputs, { stack: "example" });
        assert.ok(rendered.ok);
        const sandbox = tofuSandbox(`fmt-${lock}`);
        try {
          const checked: string[] = [];
          for (const f of rendered.files) {
            // tofu fmt takes .tf and .tfvars files; the .tfbackend has the same syntax.
            const name = f.path === HANDOFF_FILES.backend ? "backend.tfvars" : f.path;
            if (!name.endsWith(".tf") && !name.endsWith(".tfvars")) continue;
            writeFileSync(path.join(sandbox.root, name), f.text);
            checked.push(name);
          }
          assert.deepEqual(checked.sort(), ["accounts.tf", "backend.tfvars", "providers.tf"]);
          const fmt = await runTofu(["fmt", "-check", "-diff", "-no-color"], {
            cwd: sandbox.root,
            env: sandbox.env,
          });
          assert.equal(fmt.code, 0, describeRun(["fmt", "-check"], fmt));
        } finally {
          sandbox.cleanup();
        }
        const validate = tofuSandbox(`validate-${lock}`);
        try {
          writeFileSync(
            path.join(validate.root, "main.tf"),
            readFileSync(path.join(EXAMPLE_ROOT, "main.tf"), "utf8"),
          );
          for (const f of rendered.files) {
            if (f.path.endsWith(".tf") && !NOT_IN_E2E_ROOT.includes(f.path))
              writeFileSync(path.join(validate.root, f.path), f.text);
          }
          for (const args of [
            ["init", "-backend=false", "-input=false", "-no-color"],
            ["validate", "-no-color"],
          ]) {
            const result = await runTofu(args, { cwd: validate.root, env: validate.env });
            assert.equal(result.code, 0, describeRun(args, result));
          }
        } finally {
          validate.cleanup();
        }
        const script =
          rendered.files.find((f) => f.path === HANDOFF_FILES.selectWorkspace)?.text ?? "";
        const dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-sh-"));
        try {
          writeFileSync(path.join(dir, "s.sh"), script);
          await run("sh", ["-n", path.join(dir, "s.sh")]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// helpers

async function assumeAs(moto: MotoServer, as: Credentials, roleArn: string): Promise<Credentials> {
  const value = await awsOk(moto, {
    service: "sts",
    op: "assume_role",
    params: { RoleArn: roleArn, RoleSessionName: "e2e-check" },
    as,
  });
  return {
    accessKeyId: value.Credentials.AccessKeyId,
    secretAccessKey: value.Credentials.SecretAccessKey,
    sessionToken: value.Credentials.SessionToken,
  };
}

/**
 * The role chain of providers.tf, done with boto3 from the same values: the CI user's keys,
 * `sts:AssumeRole` into `ciRoleArn` (hop 1), then into `roleArn` (hop 2). Returns the final
 * caller identity; rejects when a hop is denied.
 */
async function providerChain(
  moto: MotoServer,
  user: Credentials,
  ciRoleArn: string,
  roleArn: string,
): Promise<{ Account: string; Arn: string }> {
  const ci = await assumeAs(moto, user, ciRoleArn);
  const workspace = await assumeAs(moto, ci, roleArn);
  const identity: { Account: string; Arn: string } = await awsOk(moto, {
    service: "sts",
    op: "get_caller_identity",
    as: workspace,
  });
  return identity;
}

/** Runs the export command on `outputs` (as a file) and returns the files it wrote. */
async function exportTerraform(outputs: Record<string, unknown>): Promise<HandoffFile[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-export-"));
  try {
    const file = path.join(dir, "outputs.json");
    writeFileSync(file, JSON.stringify(outputs, null, 2));
    const out = path.join(dir, "terraform");
    await run(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "scripts/export-terraform.ts",
        "--stack",
        "example",
        "--outputs",
        file,
        "--out",
        out,
      ],
      { cwd: repoRoot },
    );
    return Object.values(HANDOFF_FILES).map((name) => ({
      path: name,
      text: readFileSync(path.join(out, name), "utf8"),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until `file` exists (at most 60 s), calling `check` between polls. */
async function waitFor(file: string, check: () => void): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    check();
    if (Date.now() > deadline) assert.fail(`${file} did not appear in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

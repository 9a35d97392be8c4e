/**
 * End to end: the Terraform handoff generated from a synthesized stack, run by OpenTofu against
 * the topology built in moto from the exact documents the program registers.
 *
 * Every run starts the way a pipeline starts it: the test takes a session of the CI role of the
 * run's access level with that path's user keys (`sts:AssumeRole`, as a pipeline does before
 * Terraform runs) and runs OpenTofu with the session's credentials and `TF_VAR_access`. moto's
 * IAM enforcement is on: each user may only assume its own CI role (its exact policy), so
 * whatever touched state did so as that role. The apply path (CI apply role, `apply` access)
 * writes state; the plan path (CI plan role, `plan` access) reads it and writes only the lock.
 * The root is `examples/terraform/main.tf` plus the generated files but `providers.tf`: it
 * needs no provider, so these runs are fast; the provider's hop is checked here with SDK calls
 * from the same values, and made by the real aws provider, with Terraform and OpenTofu, in
 * `aws-provider.test.ts`.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { anyActionMatches } from "../../lib/iam";
import {
  handoffFromStackOutputs,
  HANDOFF_FILES,
  type AccessLevel,
  type AccountsTfvars,
  type HandoffFile,
} from "../../lib/terraform";
import { synthesize } from "../../scripts/synth/mock-runtime";
import { useMoto, type RecordedRequest } from "../harness/moto";
import { describeRun, runTofu, tofuSandbox, type TofuResult } from "../harness/tofu";
import { ensureTools, SETUP_TIMEOUT_MS } from "../harness/tools";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import { aws, awsError, awsOk, policy, type Credentials } from "./fixtures/aws";
import {
  assumeAs,
  ciPath,
  ciSession,
  deploy,
  exportTerraform,
  hop,
  products,
  userKeyIds,
  waitFor,
  type Deployed,
} from "./fixtures/deploy";
import {
  createRoot,
  EXAMPLE_ROOT,
  GATE_TF,
  NOT_IN_E2E_ROOT,
  type HandoffRoot,
  type RunAs,
} from "./fixtures/terraform-root";
import {
  assertRanAsSession,
  bucketVersions,
  header,
  keyVersions,
  lockItems,
  objectExists,
  readJsonObject,
  readState,
  signer,
  stateKey,
  workspaceRecord,
  writes,
  type ObjectVersion,
} from "./fixtures/state-bucket";
import {
  applyChanges,
  motoEquivalentTrust,
  motoEvaluableBucketPolicy,
  topologyAccounts,
} from "./fixtures/topology";

const run = promisify(execFile);

const apply = (...vars: string[]) => [
  "apply",
  "-auto-approve",
  "-input=false",
  "-no-color",
  ...vars.flatMap((v) => ["-var", v]),
];

const plan = ["plan", "-input=false", "-no-color"];

/** The state objects (and their versions) of a bucket listing, lockfiles left out. */
const stateObjects = (versions: readonly ObjectVersion[]) =>
  versions.filter((v) => !v.key.endsWith(".tflock"));

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

  /** A root run as `runAs` (a session of `access`'s CI role by default), initialised. */
  async function newRoot(
    d: Deployed,
    name: string,
    options: {
      access?: AccessLevel;
      runAs?: RunAs;
      extraFiles?: Record<string, string>;
      files?: readonly HandoffFile[];
    } = {},
  ): Promise<HandoffRoot> {
    const runAs = options.runAs ?? (await ciSession(moto(), d, options.access ?? "apply"));
    const root = await createRoot(name, moto(), options.files ?? d.files, runAs, {
      extraFiles: options.extraFiles ?? {},
    });
    roots.push(root);
    await root.init();
    return root;
  }

  async function select(root: HandoffRoot, workspace: string): Promise<void> {
    const result = await root.selectWorkspace(workspace);
    assert.equal(result.code, 0, `select-workspace.sh ${workspace}:\n${result.stderr}`);
  }

  describe("lock mode s3-lockfile (the example stack): the apply path", function () {
    let d: Deployed;
    const inspector = () => d.topology.inspector;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), stackConfig("example"));
    });

    it("1. from the CI apply user's keys, a session of the CI apply role: every product workspace applies; its state lands under its prefix, SSE-KMS with the state key; every request was the session's", async function () {
      const expected = topologyAccounts(d.synth, products(d.flat));
      assert.deepEqual(d.tfvars.accounts, expected, "the map differs from the topology");
      const workspaces = Object.keys(expected);

      const session = await ciSession(moto(), d, "apply");
      const who = await awsOk(moto(), {
        service: "sts",
        op: "get_caller_identity",
        as: session.credentials,
      });
      assert.match(
        who.Arn,
        new RegExp(
          `^arn:aws:sts::${d.topology.terraformAccountId}:assumed-role/${d.topology.ciRoleName}/`,
        ),
      );
      await moto().startRecording();
      const root = await newRoot(d, "all", { runAs: session });
      for (const workspace of workspaces) {
        await select(root, workspace);
        await root.ok(apply());
      }
      const recording = await moto().stopRecording();

      assertRanAsSession(recording, session.credentials, userKeyIds(d), d.backend.kmsKeyArn);
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
      // Neither user's own keys can read the state: IAM is enforced, so the session did.
      for (const user of [d.topology.ciUser, d.topology.ciPlanUser]) {
        const denied = await awsError(moto(), {
          service: "s3",
          op: "get_object",
          params: { Bucket: d.backend.bucket, Key: stateKey(d.backend, workspaces[0] ?? "") },
          as: user,
        });
        assert.match(denied, /AccessDenied|403/);
      }
    });

    it("1b. the provider's hop: `local.role_arn` is the workspace's Terraform role with apply access and its plan role with plan access; that access level's CI session may assume it, ending in the workspace's account; no user can skip its CI role; any other access value is refused", async function () {
      const byAccess = {
        apply: await newRoot(d, "role-apply", { access: "apply" }),
        plan: await newRoot(d, "role-plan", { access: "plan" }),
      };
      for (const [workspace, account] of Object.entries(d.tfvars.accounts)) {
        // Apply access creates the workspace if it has no state yet; plan access selects it.
        await select(byAccess.apply, workspace);
        await select(byAccess.plan, workspace);
        for (const access of ["apply", "plan"] as const) {
          const root = byAccess[access];
          const roleArn = access === "apply" ? account.role_arn : account.plan_role_arn;
          const evaluated = await root.console("local.role_arn");
          assert.equal(evaluated.code, 0, evaluated.stderr);
          assert.equal(evaluated.stdout.trim(), JSON.stringify(roleArn), `${workspace}, ${access}`);

          const identity = await hop(moto(), root.runAs.credentials, roleArn);
          assert.equal(identity.Account, account.account_id, `${workspace}, ${access}`);
          assert.match(
            identity.Arn,
            new RegExp(`^arn:aws:sts::${account.account_id}:assumed-role/`),
          );
          const direct = await awsError(moto(), {
            service: "sts",
            op: "assume_role",
            params: { RoleArn: roleArn, RoleSessionName: "direct" },
            as: ciPath(d, access).user,
          });
          assert.match(
            direct,
            /AccessDenied/,
            `the ${access} user assumed ${workspace}'s role directly`,
          );
        }
      }
      const bad = await byAccess.apply.tofu([...plan, "-var", "access=admin"]);
      assert.equal(bad.code, 1, describeRun(["plan", "access=admin"], bad));
      assert.match(
        bad.stderr.replace(/\s+/g, " "),
        /access must be "plan" or "apply" \(TF_VAR_access\)/,
      );
    });

    it("2. locking: a second apply on a workspace whose lock is held fails with a lock error, writes nothing; the state is intact and the lock released after", async function () {
      const workspace = "staging";
      const key = stateKey(d.backend, workspace);
      const root = await newRoot(d, "lock", { extraFiles: { "gate.tf": GATE_TF } });
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

    it("3c. plan and apply in a workspace that exists but is not in the map (an account removed from the stack) are refused by the guard, with its one message; its state is not written", async function () {
      const root = await newRoot(d, "retired");
      // Setup: OpenTofu writes this empty state; later the account left the topology.
      await root.ok(["workspace", "new", "-no-color", "retired"]);
      const key = stateKey(d.backend, "retired");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      for (const args of [plan, apply()]) {
        const result = await root.tofu(args);
        assert.equal(result.code, 1, describeRun(args, result));
        assert.match(
          result.stderr.replace(/\s+/g, " "),
          /Workspace "retired" is not in the topology: accounts\.auto\.tfvars\.json maps only the workspaces dev, prod, staging\./,
          describeRun(args, result),
        );
        // The guard's message is the only error: nothing that depends on the map (the example
        // root's own use of local.account included) is evaluated.
        assert.deepEqual(
          result.stderr.match(/^Error: .*$/gm),
          ["Error: Invalid value for variable"],
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
      const planned = await root.tofu(plan, env);
      assert.equal(planned.code, 1, describeRun(plan, planned));
      assert.match(planned.stderr.replace(/\s+/g, " "), /Workspace "ghost" is not in the topology/);
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

    it("5. adding a product account: synth + export add exactly one workspace; its plan job cannot create it, its first apply does, and then it plans; no other state is touched", async function () {
      const qa = { name: "qa", id: "555555555555" };
      const flat = withValue(d.flat, "productAccounts", [...products(d.flat), qa]);
      const synth = await synthesize(flat, { stack: "example" });
      const qaRoles = topologyAccounts(synth, [qa]).qa;
      assert.ok(qaRoles);

      // Not yet deployed: neither CI role may assume the new account's roles.
      const applySession = await ciSession(moto(), d, "apply");
      const planSession = await ciSession(moto(), d, "plan");
      await assert.rejects(hop(moto(), applySession.credentials, qaRoles.role_arn));
      await assert.rejects(hop(moto(), planSession.credentials, qaRoles.plan_role_arn));

      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      await moto().setIamEnforcement(false);
      const changes = await applyChanges(moto(), d.synth, synth, d.topology);
      await moto().setIamEnforcement(true);
      assert.deepEqual([...changes.added].sort(), [
        "aws:iam/role:Role::qa-plan-role",
        "aws:iam/role:Role::qa-terraform-role",
        "aws:iam/rolePolicy:RolePolicy::qa-plan-role-terraform-plan",
        "aws:iam/rolePolicy:RolePolicy::qa-terraform-role-terraform",
      ]);
      assert.deepEqual([...changes.changed].sort(), [
        "aws:iam/policy:Policy::terraform-ci-plan-role-terraform-ci-plan-assume-1",
        "aws:iam/policy:Policy::terraform-ci-role-terraform-ci-assume-1",
      ]);

      const files = await exportTerraform(changes.outputs);
      const oldFiles = new Map(d.files.map((f) => [f.path, f.text]));
      const changed = files.filter((f) => oldFiles.get(f.path) !== f.text).map((f) => f.path);
      assert.deepEqual(changed.sort(), [HANDOFF_FILES.readme, HANDOFF_FILES.tfvars].sort());
      const tfvars = JSON.parse(
        files.find((f) => f.path === HANDOFF_FILES.tfvars)?.text ?? "",
      ) as AccountsTfvars;
      assert.deepEqual(tfvars.accounts, { ...d.tfvars.accounts, qa: qaRoles });

      // A pull request's plan job on the new workspace: plan access cannot create its state;
      // the script says there is nothing to plan against yet (the pipeline then passes).
      const planRoot = await newRoot(d, "added-plan", { access: "plan", files });
      const refused = await planRoot.selectWorkspace("qa");
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(refused.stderr, /workspace 'qa' has no state yet/);
      const qaPrefix = `${d.backend.workspaceKeyPrefix}/qa/`;
      assert.deepEqual(
        (await bucketVersions(moto(), inspector(), d.backend.bucket)).filter((v) =>
          v.key.startsWith(qaPrefix),
        ),
        [],
        "the plan path wrote under the new workspace's prefix",
      );

      // The first apply job creates it.
      const root = await newRoot(d, "added", { files });
      await select(root, "qa");
      await root.ok(apply());
      const state = await readState(
        moto(),
        inspector(),
        d.backend.bucket,
        stateKey(d.backend, "qa"),
      );
      assert.equal(workspaceRecord(state)?.account_id, qa.id);
      assert.equal((await hop(moto(), applySession.credentials, qaRoles.role_arn)).Account, qa.id);
      assert.equal(
        (await hop(moto(), planSession.credentials, qaRoles.plan_role_arn)).Account,
        qa.id,
      );

      // From then on the plan job plans it.
      await select(planRoot, "qa");
      const planned = await planRoot.ok(plan);
      assert.match(planned.stdout, /No changes\./);

      const after = await bucketVersions(moto(), inspector(), d.backend.bucket);
      const others = (versions: ObjectVersion[]) =>
        versions.filter((v) => !v.key.startsWith(qaPrefix));
      assert.deepEqual(others(after), others(before), "another workspace's objects changed");
      assert.ok(after.some((v) => v.key === stateKey(d.backend, "qa")));
    });
  });

  describe("the plan path (pull requests): the CI plan role and the product plan roles, exact documents", function () {
    let d: Deployed;
    const inspector = () => d.topology.inspector;
    /** Workspaces the apply path gives state before these tests; `prod` is left without. */
    const applied = ["dev", "staging"];

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      // The Terraform role manages Secrets Manager and Parameter Store too, so the plan role's
      // read statement covers their Get* actions and only its Deny keeps secret values out.
      const example = stackConfig("example");
      const role = getValue<{ allowedServices: string[] }>(example, "terraformRole");
      d = await deploy(
        moto(),
        withValue(example, "terraformRole", {
          ...role,
          allowedServices: [...role.allowedServices, "secretsmanager", "ssm"],
        }),
      );
      const root = await newRoot(d, "plan-setup", { access: "apply" });
      for (const workspace of applied) {
        await select(root, workspace);
        await root.ok(apply());
      }
    });

    it("a. from the CI plan user's keys, a session of the CI plan role: init, select a workspace with state, `tofu plan` reads it and shows no changes; only the lockfile is written, taken and released; every request was the session's", async function () {
      const session = await ciSession(moto(), d, "plan");
      const who = await awsOk(moto(), {
        service: "sts",
        op: "get_caller_identity",
        as: session.credentials,
      });
      assert.match(
        who.Arn,
        new RegExp(
          `^arn:aws:sts::${d.topology.terraformAccountId}:assumed-role/${d.topology.ciPlanRoleName}/`,
        ),
      );
      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      await moto().startRecording();
      const root = await newRoot(d, "plan", { runAs: session });
      await select(root, "dev");
      const planned = await root.ok(plan);
      const recording = await moto().stopRecording();

      assert.match(planned.stdout, /No changes\./, planned.stdout);
      assertRanAsSession(recording, session.credentials, userKeyIds(d));
      const lockfile = `/${d.backend.bucket}/${stateKey(d.backend, "dev")}.tflock`;
      const written = writes(recording);
      assert.deepEqual(
        written.map((r) => `${r.method} ${new URL(r.url).pathname}`),
        [`PUT ${lockfile}`, `DELETE ${lockfile}`],
      );
      const [lockPut] = written;
      assert.ok(lockPut);
      assert.equal(header(lockPut, "If-None-Match"), "*");
      const after = await bucketVersions(moto(), inspector(), d.backend.bucket);
      assert.deepEqual(stateObjects(after), stateObjects(before), "a state object changed");
      assert.equal(
        await objectExists(
          moto(),
          inspector(),
          d.backend.bucket,
          lockfile.slice(d.backend.bucket.length + 2),
        ),
        false,
      );
    });

    it("b. the same session cannot write state: `tofu apply` is denied at the state write, the state's versions are unchanged and the lock released; a direct write or delete of a state object is denied, of a lockfile allowed", async function () {
      const key = stateKey(d.backend, "dev");
      const root = await newRoot(d, "plan-apply", { access: "plan" });
      await select(root, "dev");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      const args = apply("revision=from-a-pull-request");
      const result = await root.tofu(args);
      assert.equal(result.code, 1, describeRun(args, result));
      assert.match(
        result.stderr.replace(/\s+/g, " "),
        /PutObject, https response error StatusCode: 403/,
        describeRun(args, result),
      );
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), before);
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
        false,
      );

      const as = root.runAs.credentials;
      const bucket = d.backend.bucket;
      const outcomes = await aws(moto(), [
        { service: "s3", op: "put_object", params: { Bucket: bucket, Key: key, Body: "{}" }, as },
        { service: "s3", op: "delete_object", params: { Bucket: bucket, Key: key }, as },
        {
          service: "s3",
          op: "put_object",
          params: { Bucket: bucket, Key: stateKey(d.backend, "prod"), Body: "{}" },
          as,
        },
        {
          service: "s3",
          op: "put_object",
          params: { Bucket: bucket, Key: d.backend.key, Body: "{}" },
          as,
        },
        {
          service: "s3",
          op: "put_object",
          params: { Bucket: bucket, Key: `${key}.tflock`, Body: "{}", IfNoneMatch: "*" },
          as,
        },
        {
          service: "s3",
          op: "delete_object",
          params: { Bucket: bucket, Key: `${key}.tflock` },
          as,
        },
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.ok ? "allowed" : o.code)),
        ["AccessDenied", "AccessDenied", "AccessDenied", "AccessDenied", "allowed", "allowed"],
      );
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), before);
    });

    it("a'. a workspace with no state yet: select-workspace.sh with plan access exits 3 without creating it (its first apply does), and `workspace new` as the plan session is denied; no state is written", async function () {
      const root = await newRoot(d, "plan-new", { access: "plan" });
      const before = await bucketVersions(moto(), inspector(), d.backend.bucket);
      const selected = await root.selectWorkspace("prod");
      assert.equal(selected.code, 3, selected.stderr);
      assert.match(
        selected.stderr,
        /workspace 'prod' has no state yet\. Its first run with apply access \(TF_VAR_access=apply\) creates it/,
      );
      const created = await root.tofu(["workspace", "new", "-no-color", "prod"]);
      assert.equal(created.code, 1, describeRun(["workspace", "new"], created));
      assert.match(created.stderr.replace(/\s+/g, " "), /StatusCode: 403/);
      const after = await bucketVersions(moto(), inspector(), d.backend.bucket);
      assert.deepEqual(stateObjects(after), stateObjects(before));
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, stateKey(d.backend, "prod")),
        false,
      );
    });

    it("c. who may assume what, with the exact policies: each CI user only its own CI role; the CI plan role every product plan role and no Terraform role; the CI apply role no plan role", async function () {
      const t = d.topology;
      const denied = async (as: Credentials, roleArn: string, who: string) => {
        const code = await awsError(moto(), {
          service: "sts",
          op: "assume_role",
          params: { RoleArn: roleArn, RoleSessionName: "denied" },
          as,
        });
        assert.match(code, /AccessDenied/, `${who} assumed ${roleArn}`);
      };
      await denied(t.ciPlanUser, d.ciRoleArn, "the CI plan user");
      await denied(t.ciUser, d.ciPlanRoleArn, "the CI apply user");
      const planSession = (await ciSession(moto(), d, "plan")).credentials;
      const applySession = (await ciSession(moto(), d, "apply")).credentials;
      for (const [workspace, account] of Object.entries(d.tfvars.accounts)) {
        assert.equal(
          (await hop(moto(), planSession, account.plan_role_arn)).Account,
          account.account_id,
          workspace,
        );
        assert.equal(
          (await hop(moto(), applySession, account.role_arn)).Account,
          account.account_id,
          workspace,
        );
        await denied(planSession, account.role_arn, "the CI plan role");
        await denied(applySession, account.plan_role_arn, "the CI apply role");
        await denied(t.ciPlanUser, account.plan_role_arn, "the CI plan user");
        await denied(t.ciUser, account.role_arn, "the CI apply user");
      }
    });

    it("d. the product plan role reads what its policy allows and no secret value: EC2, S3, Secrets Manager and Parameter Store metadata reads work; GetSecretValue and GetParameter(s) are denied by its explicit Deny, which its read statement would otherwise allow; writes are denied", async function () {
      const account = d.tfvars.accounts.dev;
      assert.ok(account);
      const inline = d.synth.resources.find(
        (r) =>
          r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "dev-plan-role-terraform-plan",
      );
      const document = JSON.parse(String(inline?.inputs.policy)) as {
        Statement: { Sid?: string; Effect: string; Action: string[] }[];
      };
      const read = document.Statement.find((s) => s.Sid === "ReadManagedServices");
      const deny = document.Statement.find((s) => s.Effect === "Deny");
      assert.ok(read && deny, "the plan role's read and Deny statements");
      const secretReads = [
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
      ];
      for (const action of secretReads) {
        assert.ok(
          anyActionMatches(read.Action, action),
          `the read statement does not cover ${action}`,
        );
        assert.ok(anyActionMatches(deny.Action, action), `the Deny does not name ${action}`);
      }

      // A secret and a SecureString parameter, created by the account's administrator.
      const secret = "app/db-password";
      const parameter = "/app/db-password";
      const admin = d.topology.bootstrap.get(account.account_id);
      assert.ok(admin);
      await moto().setIamEnforcement(false);
      try {
        await awsOk(moto(), {
          service: "secretsmanager",
          op: "create_secret",
          params: { Name: secret, SecretString: "s3cr3t" },
          as: admin,
        });
        await awsOk(moto(), {
          service: "ssm",
          op: "put_parameter",
          params: { Name: parameter, Value: "s3cr3t", Type: "SecureString" },
          as: admin,
        });
      } finally {
        await moto().setIamEnforcement(true);
      }

      const planSession = (await ciSession(moto(), d, "plan")).credentials;
      const as = await assumeAs(moto(), planSession, account.plan_role_arn, "terraform-plan");
      const calls = [
        { service: "ec2", op: "describe_instances" },
        { service: "s3", op: "list_buckets" },
        { service: "secretsmanager", op: "describe_secret", params: { SecretId: secret } },
        { service: "ssm", op: "describe_parameters" },
        { service: "secretsmanager", op: "get_secret_value", params: { SecretId: secret } },
        { service: "ssm", op: "get_parameter", params: { Name: parameter, WithDecryption: true } },
        {
          service: "ssm",
          op: "get_parameters",
          params: { Names: [parameter], WithDecryption: true },
        },
        {
          service: "secretsmanager",
          op: "put_secret_value",
          params: { SecretId: secret, SecretString: "changed" },
        },
        { service: "s3", op: "create_bucket", params: { Bucket: "made-by-a-plan" } },
      ];
      const results = await aws(
        moto(),
        calls.map((call) => ({ ...call, as })),
      );
      const outcomes = results.map(
        (r, i) => `${calls[i]?.service}:${calls[i]?.op} ${r.ok ? "allowed" : "denied"}`,
      );
      assert.deepEqual(outcomes, [
        "ec2:describe_instances allowed",
        "s3:list_buckets allowed",
        "secretsmanager:describe_secret allowed",
        "ssm:describe_parameters allowed",
        "secretsmanager:get_secret_value denied",
        "ssm:get_parameter denied",
        "ssm:get_parameters denied",
        "secretsmanager:put_secret_value denied",
        "s3:create_bucket denied",
      ]);
      for (const r of results) if (!r.ok) assert.match(`${r.code} ${r.message}`, /AccessDenied/);
      const described = results[2];
      assert.ok(described?.ok);
      assert.equal(JSON.stringify(described.value).includes("s3cr3t"), false);
    });
  });

  describe("lock mode both (S3 lockfile and DynamoDB table)", function () {
    let d: Deployed;
    const inspector = () => d.topology.inspector;
    const target = (r: RecordedRequest) => header(r, "X-Amz-Target") ?? "";

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      const flat = withValue(stackConfig("example"), "state", {
        keyPrefix: "terraform",
        lock: "both",
      });
      d = await deploy(moto(), flat);
    });

    it("every workspace applies as the CI apply role; both locks are taken and released; the digest is kept in the table", async function () {
      assert.ok(d.backend.lockTable);
      const backendFile = d.files.find((f) => f.path === HANDOFF_FILES.backend)?.text ?? "";
      assert.match(backendFile, /use_lockfile {9}= true/);
      assert.match(backendFile, /dynamodb_table {7}= "terraform-locks"/);

      const session = await ciSession(moto(), d, "apply");
      await moto().startRecording();
      const root = await newRoot(d, "both", { runAs: session });
      for (const workspace of Object.keys(d.tfvars.accounts)) {
        await select(root, workspace);
        await root.ok(apply());
      }
      const recording = await moto().stopRecording();
      assertRanAsSession(recording, session.credentials, userKeyIds(d), d.backend.kmsKeyArn);
      const dynamo = recording.filter((r) => /DynamoDB_\d+\.PutItem/.test(target(r)));
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
      const root = await newRoot(d, "both-lock", { extraFiles: { "gate.tf": GATE_TF } });
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

    it("e. the plan path: a CI plan session's `tofu plan` takes and releases the lock item and the lockfile, reads the digest and writes no digest item; the state is unchanged", async function () {
      const workspace = "staging";
      const key = stateKey(d.backend, workspace);
      const id = `${d.backend.bucket}/${key}`;
      const table = d.backend.lockTable ?? "";
      // The apply path gives the workspace state (and a digest) first.
      const applyRoot = await newRoot(d, "both-plan-setup", { access: "apply" });
      await select(applyRoot, workspace);
      await applyRoot.ok(apply());
      const digest = (await lockItems(moto(), inspector(), table)).get(`${id}-md5`);
      assert.ok(digest?.Digest?.S, "no digest to keep");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);

      const session = await ciSession(moto(), d, "plan");
      const root = await newRoot(d, "both-plan", { runAs: session });
      await select(root, workspace);
      await moto().startRecording();
      const planned = await root.ok(plan);
      const recording = await moto().stopRecording();
      assert.match(planned.stdout, /No changes\./);
      assertRanAsSession(recording, session.credentials, userKeyIds(d));

      const itemWrites = recording
        .filter((r) => /DynamoDB_\d+\.(PutItem|DeleteItem|UpdateItem)$/.test(target(r)))
        .map((r) => {
          const body = JSON.parse(r.body) as {
            Key?: { LockID?: { S?: string } };
            Item?: { LockID?: { S?: string } };
          };
          return `${target(r).split(".")[1]} ${body.Item?.LockID?.S ?? body.Key?.LockID?.S}`;
        });
      assert.deepEqual(itemWrites, [`PutItem ${id}`, `DeleteItem ${id}`]);
      const reads = recording.filter((r) => /DynamoDB_\d+\.GetItem$/.test(target(r)));
      assert.ok(
        reads.some((r) => r.body.includes(`${id}-md5`)),
        "the digest was not read",
      );
      const lockfile = `/${d.backend.bucket}/${key}.tflock`;
      assert.deepEqual(
        writes(recording)
          .filter((r) => signer(r)?.service === "s3")
          .map((r) => `${r.method} ${new URL(r.url).pathname}`),
        [`PUT ${lockfile}`, `DELETE ${lockfile}`],
      );

      const items = await lockItems(moto(), inspector(), table);
      assert.deepEqual(items.get(`${id}-md5`), digest, "the digest changed");
      assert.equal(items.has(id), false, "lock item left behind");
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), before);
    });

    it("fact: moto does not enforce the CI plan role's DenyWritingStateDigest (a DynamoDB statement scoped to the table never matches in moto, and it ignores the LeadingKeys condition); AWS denies the write. The plan path's digest is proven untouched above, by the recording", async function () {
      const table = d.backend.lockTable ?? "";
      const id = `${d.backend.bucket}/${stateKey(d.backend, "moto-fact")}-md5`;
      const planRole = d.synth.resources.find(
        (r) =>
          r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === d.topology.ciPlanRoleName,
      );
      assert.match(String(planRole?.inputs.policy), /"Sid":"DenyWritingStateDigest"/);
      const session = (await ciSession(moto(), d, "plan")).credentials;
      const [put] = await aws(moto(), [
        {
          service: "dynamodb",
          op: "put_item",
          params: { TableName: table, Item: { LockID: { S: id }, Digest: { S: "forged" } } },
          as: session,
        },
      ]);
      try {
        assert.equal(
          put?.ok,
          true,
          "moto now enforces DenyWritingStateDigest: assert the denial here instead",
        );
      } finally {
        await awsOk(moto(), {
          service: "dynamodb",
          op: "delete_item",
          params: { TableName: table, Key: { LockID: { S: id } } },
          as: inspector(),
        });
      }
    });
  });

  describe("facts about the topology and moto the fixture depends on", function () {
    let d: Deployed;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), stackConfig("example"));
    });

    for (const access of ["apply", "plan"] as const) {
      it(`the CI ${access} role exactly as synthesized can \`tofu init\` from a fresh checkout: it may read the default workspace's state object, and only read it`, async function () {
        const runAs = await ciSession(moto(), d, access);
        const root = await createRoot(`exact-ci-${access}-role`, moto(), d.files, runAs);
        roots.push(root);
        // Exactly what the pipeline runs (the emulator's endpoints are in the override file).
        await root.init();
        // init reads the default workspace's state, outside the key prefix: it is missing (404),
        // not forbidden (403); and the CI role may not write it.
        const head = await awsError(moto(), {
          service: "s3",
          op: "head_object",
          params: { Bucket: d.backend.bucket, Key: d.backend.key },
          as: runAs.credentials,
        });
        assert.equal(head, "404");
        const put = await awsError(moto(), {
          service: "s3",
          op: "put_object",
          params: { Bucket: d.backend.bucket, Key: d.backend.key, Body: "{}" },
          as: runAs.credentials,
        });
        assert.equal(put, "AccessDenied");
      });
    }

    it("moto denies the CI role's exact trust (account root narrowed by ArnEquals aws:PrincipalArn); AWS allows it (why the fixture sets the moto equivalent)", async function () {
      const trust = (d.synth.resources.find(
        (r) =>
          r.type === "aws:iam/role:Role" &&
          r.account === "terraform" &&
          r.inputs.name === d.topology.ciRoleName,
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
      const exact = bucketPolicy(d);
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

    it("moto cannot apply the bucket policy's DenyPlanPathStateWrites (a Deny on NotResource, conditioned on ArnEquals aws:PrincipalArn): with it as the only statement, a CI plan session allowed to write by an extra identity policy writes state; AWS denies it. The plan path's state writes are denied in these tests by the CI plan role's own policy", async function () {
      const statement = (
        JSON.parse(bucketPolicy(d)) as { Statement: { Sid?: string }[] }
      ).Statement.find((s) => s.Sid === "DenyPlanPathStateWrites");
      assert.ok(statement, "no DenyPlanPathStateWrites statement in the state bucket policy");
      const bucket = d.backend.bucket;
      const key = stateKey(d.backend, "moto-fact");
      const inspector = d.topology.inspector;
      const extra = "e2e-write-anything";
      const admin = (service: string, op: string, params: Record<string, unknown>) =>
        awsOk(moto(), { service, op, params, as: inspector });
      await admin("iam", "put_role_policy", {
        RoleName: d.topology.ciPlanRoleName,
        PolicyName: extra,
        PolicyDocument: policy({
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${bucket}/*`,
        }),
      });
      await admin("s3", "put_bucket_policy", {
        Bucket: bucket,
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
      });
      try {
        const session = (await ciSession(moto(), d, "plan")).credentials;
        const [write] = await aws(moto(), [
          {
            service: "s3",
            op: "put_object",
            params: { Bucket: bucket, Key: key, Body: "{}" },
            as: session,
          },
        ]);
        assert.equal(
          write?.ok,
          true,
          "moto now enforces DenyPlanPathStateWrites: keep it in the bucket policy the fixture puts",
        );
      } finally {
        await admin("s3", "put_bucket_policy", {
          Bucket: bucket,
          Policy: motoEvaluableBucketPolicy(bucketPolicy(d)),
        });
        await admin("iam", "delete_role_policy", {
          RoleName: d.topology.ciPlanRoleName,
          PolicyName: extra,
        });
        const written = await keyVersions(moto(), inspector, bucket, key);
        for (const { versionId } of written) {
          await admin("s3", "delete_object", { Bucket: bucket, Key: key, VersionId: versionId });
        }
      }
    });
  });

  describe("the generated files, checked by OpenTofu", function () {
    it("the example root's .tf files pass `tofu fmt -check`", async function () {
      const sandbox = tofuSandbox("fmt-example");
      try {
        const args = ["fmt", "-check", "-diff", "-no-color", EXAMPLE_ROOT];
        const fmt = await runTofu(args, { cwd: sandbox.root, env: sandbox.env });
        assert.equal(fmt.code, 0, describeRun(args, fmt));
      } finally {
        sandbox.cleanup();
      }
    });

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

/** The state bucket policy exactly as synthesized (with the deployed key id). */
function bucketPolicy(d: Deployed): string {
  const resource = d.synth.resources.find(
    (r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === d.backend.bucket,
  );
  assert.ok(resource, "no state bucket policy");
  return String(resource.inputs.policy);
}

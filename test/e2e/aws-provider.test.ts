/**
 * End to end with the real `hashicorp/aws` provider: the whole Terraform handoff, `providers.tf`
 * included, plus the example root's real resources (`examples/terraform/resources.tf`: a bucket
 * and a customer managed policy), run by every engine the machine has (HashiCorp Terraform and
 * OpenTofu; see `test/harness/engines.ts`) against the topology built in moto from the
 * program's own documents (`fixtures/topology.ts`).
 *
 * Every run starts as a pipeline starts it: a session of the CI role of its access level, taken
 * with that path's user keys, and `TF_VAR_access`. The provider then makes the hop of
 * `providers.tf` itself: `sts:AssumeRole` into the workspace's Terraform role (apply) or plan
 * role (plan), `allowed_account_ids` pinned to the workspace's account. The emulator's
 * endpoints are in a test-only override file (`emulator_override.tf`); no generated file is
 * changed.
 *
 * What moto enforces here (IAM enforcement on): every request is signed by a known identity;
 * identity policies (the CI roles' `sts:AssumeRole` lists, the product roles' permissions,
 * statements with `Resource: "*"` or matching ARNs) decide each call; Deny statements of the
 * state bucket's policy apply to object requests. What it does not: the product roles' trust
 * policies (moto skips the trust of a role in another account), conditions in identity
 * policies, KMS key policies of SSE-KMS writes. Those are shown by evaluating the documents with
 * `lib/iam`, an attacker's request next to the legitimate one. Where moto evaluates differently
 * from AWS, the fixture adds to the exact documents (`MOTO_ADJUSTMENTS`), each with a fact test.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { evaluatePolicy, type Evaluation } from "../../lib/iam";
import { handoffFromStackOutputs, HANDOFF_FILES, type HandoffFile } from "../../lib/terraform";
import { PIPELINE_FILES } from "../../lib/pipeline";
import { synthesize } from "../../scripts/synth/mock-runtime";
import {
  displayName,
  ENGINE_NAMES,
  engineAvailability,
  resolveEngine,
  resolveProviderSource,
  type Engine,
  type EngineName,
  type ProviderSource,
} from "../harness/engines";
import { useMoto, type MotoServer, type RecordedRequest } from "../harness/moto";
import type { TofuResult } from "../harness/tofu";
import { ensureTools, SETUP_TIMEOUT_MS } from "../harness/tools";
import { asPrincipal, documentOf, getValue, stackConfig, withValue } from "../helpers/stack";
import { aws, awsError, awsOk, policy, type Credentials } from "./fixtures/aws";
import { ciPath, ciSession, deploy, products, waitFor, type Deployed } from "./fixtures/deploy";
import {
  createRoot,
  GATE_TF,
  type HandoffRoot,
  type RunAs,
  type ShellResult,
} from "./fixtures/terraform-root";
import {
  keyVersions,
  lockItems,
  objectExists,
  queryAction,
  readJsonObject,
  signer,
  stateKey,
  writes,
} from "./fixtures/state-bucket";
import { applyChanges, MOTO_HEAD_BUCKET_POLICY } from "./fixtures/topology";

/** The example root's bucket in `accountId`. */
const exampleBucket = (accountId: string) => `tf-bootstrap-example-${accountId}`;

/** The example root's customer managed policy. */
const EXAMPLE_POLICY = "tf-bootstrap-example-read";

/**
 * Test-only: the provider's caller identity, as an output. The session context's issuer is the
 * role the provider's session belongs to (the session name is random, the role is not).
 */
const CALLER_TF = `
data "aws_caller_identity" "current" {}

data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn
}

output "caller_role_arn" {
  value = data.aws_iam_session_context.current.issuer_arn
}
`;

/**
 * The example stack, with `iam` among the services the Terraform role manages. The example root
 * creates a customer managed policy and no role or user, so the stack accepts `iam` without a
 * permissions boundary explicitly, as a user of this root would.
 */
function providerStack(lock: "s3-lockfile" | "dynamodb"): Record<string, string> {
  const example = stackConfig("example");
  const role = getValue<{ allowedServices: string[] }>(example, "terraformRole");
  return withValue(
    withValue(example, "terraformRole", {
      ...role,
      allowedServices: [...role.allowedServices, "iam"],
      acknowledgeIamWithoutBoundary: true,
    }),
    "state",
    { ...getValue<object>(example, "state"), lock },
  );
}

const apply = (...vars: string[]) => [
  "apply",
  "-auto-approve",
  "-input=false",
  "-no-color",
  ...vars.flatMap((v) => ["-var", v]),
];
const plan = ["plan", "-input=false", "-no-color"];

/** The errors an engine printed (its `Error: ...` headings). */
const errorHeadings = (stderr: string) =>
  stderr.split("\n").filter((line) => /^\s*(│\s*)?Error: /.test(line));

/** A state file's outputs and resources, as far as these tests read them. */
interface State {
  outputs: Record<string, { value: unknown }>;
  resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
}

describe("e2e: the handoff with the real hashicorp/aws provider, by every engine, against the topology in moto", function () {
  this.timeout(600_000);
  const moto = useMoto();

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await ensureTools();
  });

  for (const name of ENGINE_NAMES) {
    const availability = engineAvailability(name);
    if (!availability.register) {
      // Pending, never passed: the report says what did not run and why.
      it(`${displayName(name)}: ${availability.reason}`);
      continue;
    }
    describe(displayName(name), function () {
      engineSuite(name, moto);
    });
  }
});

/** Every scenario with one engine. */
function engineSuite(name: EngineName, moto: () => MotoServer): void {
  let engine: Engine;
  let providers: ProviderSource;
  const roots: HandoffRoot[] = [];

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    // A missing Terraform or (in CI) a missing mirror fails here, with how to provide it.
    engine = await resolveEngine(name);
    providers = resolveProviderSource();
  });

  afterEach(function () {
    for (const root of roots.splice(0)) root.sandbox.cleanup();
  });

  /** An initialised root with the whole handoff and the provider, run as `runAs`. */
  async function newRoot(
    d: Deployed,
    label: string,
    runAs: RunAs,
    options: { files?: readonly HandoffFile[]; extraFiles?: Record<string, string> } = {},
  ): Promise<HandoffRoot> {
    const root = await createRoot(label, moto(), options.files ?? d.files, runAs, {
      engine,
      providers,
      extraFiles: { "caller.tf": CALLER_TF, ...options.extraFiles },
    });
    roots.push(root);
    await root.init();
    return root;
  }

  async function select(root: HandoffRoot, workspace: string): Promise<void> {
    const result = await root.selectWorkspace(workspace);
    assert.equal(result.code, 0, `select-workspace.sh ${workspace}:\n${result.stderr}`);
  }

  describe("lock mode s3-lockfile", function () {
    let d: Deployed;
    let inspectors: Map<string, Credentials>;
    const applied = new Set<string>();

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), providerStack("s3-lockfile"));
      inspectors = await accountInspectors(moto(), d);
    });

    /** Applies `workspace` with apply access unless an earlier test did (tests may run alone). */
    async function ensureApplied(workspace: string): Promise<void> {
      if (applied.has(workspace)) return;
      const root = await newRoot(d, `setup-${workspace}`, await ciSession(moto(), d, "apply"));
      await select(root, workspace);
      await root.ok(apply());
      applied.add(workspace);
    }

    const inspector = () => d.topology.inspector;
    const accountOf = (workspace: string) => {
      const account = d.tfvars.accounts[workspace];
      assert.ok(account, `no workspace ${workspace}`);
      return account;
    };

    it("the engine and the provider: init installs hashicorp/aws from the mirror (the very package both engines run), or downloads it where there is no mirror", async function () {
      const root = await newRoot(d, "versions", await ciSession(moto(), d, "plan"));
      const result = await root.ok(["version", "-json"]);
      const version = JSON.parse(result.stdout) as {
        terraform_version: string;
        provider_selections: Record<string, string>;
      };
      assert.equal(version.terraform_version, engine.version);
      const address = `${engine.registryHost}/hashicorp/aws`;
      const selected = version.provider_selections[address];
      assert.ok(selected, `no ${address} in ${result.stdout}`);
      process.stderr.write(
        `      [${engine.displayName} ${engine.version}, hashicorp/aws ${selected}, ` +
          `${providers.kind === "mirror" ? `mirror ${providers.mirror.dir} (${providers.source})` : `downloaded: ${providers.reason}`}]\n`,
      );
      if (providers.kind === "mirror") {
        const newest = providers.mirror.aws[0];
        assert.ok(newest);
        assert.equal(selected, newest.version);
        const installed = path.join(
          root.sandbox.env.TF_DATA_DIR ?? "",
          "providers",
          address,
          selected,
          newest.platform,
        );
        assert.equal(realpathSync(installed), realpathSync(newest.dir));
      }
    });

    it("apply path, for dev, staging and prod: init with the generated backend, select the workspace, apply through providers.tf: the bucket and the policy exist in that workspace's account and in no other; the provider's caller is the workspace's Terraform role", async function () {
      // moto enforces: the CI apply session's policy on every state request, the Terraform role's
      // permissions on the bucket and the policy, account isolation (each account its own
      // buckets and IAM). Not: the Terraform role's trust (another account's role), evaluated
      // with lib/iam in the plan path test.
      const root = await newRoot(d, "apply", await ciSession(moto(), d, "apply"));
      const workspaces = Object.keys(d.tfvars.accounts);
      assert.deepEqual(workspaces, ["dev", "prod", "staging"]);
      const done: string[] = [];
      for (const workspace of ["dev", "staging", "prod"]) {
        const account = accountOf(workspace);
        await select(root, workspace);
        await root.ok(apply());
        done.push(workspace);
        applied.add(workspace);

        const state = await readJsonObject<State>(
          moto(),
          inspector(),
          d.backend.bucket,
          stateKey(d.backend, workspace),
        );
        assert.equal(state.outputs.caller_role_arn?.value, account.role_arn, workspace);
        const bucket = state.resources.find((r) => r.type === "aws_s3_bucket");
        assert.equal(bucket?.instances[0]?.attributes.bucket, exampleBucket(account.account_id));

        // Where the example resources are, account by account, the Terraform account included.
        const where = await exampleResources(moto(), inspectors);
        const expected = Object.fromEntries(
          [d.topology.terraformAccountId, ...workspaces.map((w) => accountOf(w).account_id)].map(
            (id) => [
              id,
              done.some((w) => accountOf(w).account_id === id)
                ? { buckets: [exampleBucket(id)], policies: [EXAMPLE_POLICY] }
                : { buckets: [], policies: [] },
            ],
          ),
        );
        assert.deepEqual(where, expected, `after applying ${done.join(", ")}`);
      }
    });

    it("state: after an apply the state object is SSE-KMS with the state key and versioned; a second apply adds a version, keeps every earlier one, and changes the real bucket", async function () {
      // moto records the object's SSE-KMS key and keeps its versions; it does not check the state
      // key's policy (the key policy's tests evaluate it: test/components).
      await ensureApplied("dev");
      const key = stateKey(d.backend, "dev");
      const head = await awsOk(moto(), {
        service: "s3",
        op: "head_object",
        params: { Bucket: d.backend.bucket, Key: key },
        as: inspector(),
      });
      assert.equal(head.ServerSideEncryption, "aws:kms");
      assert.equal(head.SSEKMSKeyId, d.backend.kmsKeyArn);
      const versioning = await awsOk(moto(), {
        service: "s3",
        op: "get_bucket_versioning",
        params: { Bucket: d.backend.bucket },
        as: inspector(),
      });
      assert.equal(versioning.Status, "Enabled");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      assert.ok(before.length >= 1);
      assert.equal(before[0]?.versionId, head.VersionId, "the current object is a version");

      const root = await newRoot(d, "second-apply", await ciSession(moto(), d, "apply"));
      await select(root, "dev");
      await root.ok(apply("revision=2"));

      const after = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      assert.equal(after.length, before.length + 1, "one more version");
      assert.deepEqual(after.slice(1), before, "an earlier version changed or vanished");
      const previous = await readJsonObject<State>(
        moto(),
        inspector(),
        d.backend.bucket,
        key,
        before[0]?.versionId,
      );
      const tagsIn = (state: State) =>
        state.resources.find((r) => r.type === "aws_s3_bucket")?.instances[0]?.attributes.tags;
      assert.deepEqual(tagsIn(previous), { Workspace: "dev", Revision: "1" });
      const account = accountOf("dev");
      const tagging = await awsOk(moto(), {
        service: "s3",
        op: "get_bucket_tagging",
        params: { Bucket: exampleBucket(account.account_id) },
        as: inspectors.get(account.account_id),
      });
      assert.deepEqual(
        Object.fromEntries(
          (tagging.TagSet as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]),
        ),
        { Workspace: "dev", Revision: "2" },
      );
      const newHead = await awsOk(moto(), {
        service: "s3",
        op: "head_object",
        params: { Bucket: d.backend.bucket, Key: key },
        as: inspector(),
      });
      assert.equal(newHead.SSEKMSKeyId, d.backend.kmsKeyArn);
      assert.equal(newHead.VersionId, after[0]?.versionId);
    });

    it("plan path, with moto's IAM enforcement on: plan access plans an applied workspace with no resource change, as its plan role, writing only the lock; apply with plan access is refused at the first write (bucket and state unchanged); a plan session asking for apply access is refused by STS", async function () {
      await ensureApplied("staging");
      const account = accountOf("staging");
      const key = stateKey(d.backend, "staging");
      const planSession = await ciSession(moto(), d, "plan");
      const root = await newRoot(d, "plan", planSession);
      await select(root, "staging");

      await moto().startRecording();
      const planned = await root.ok(plan);
      const recording = await moto().stopRecording();
      // Resources: nothing to do. The one change is the test-only output: the plan role now.
      assert.doesNotMatch(planned.stdout, /Plan: \d+ to add/, root.describe(plan, planned));
      assert.match(
        planned.stdout,
        new RegExp(
          `caller_role_arn\\s+= "${escape(account.role_arn)}" -> "${escape(account.plan_role_arn)}"`,
        ),
        root.describe(plan, planned),
      );
      const lockfile = `/${d.backend.bucket}/${key}.tflock`;
      assert.deepEqual(
        writes(recording).map(describeRequest),
        [`PUT ${lockfile}`, `DELETE ${lockfile}`],
        "the plan wrote something but its lock",
      );

      // Apply with plan access: moto enforces the plan role's permissions (Get/List/Describe of
      // the managed services) and the CI plan role's (no state write).
      const versions = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      const refusedArgs = apply("revision=from-a-pull-request");
      const refused = await root.tofu(refusedArgs);
      assert.equal(refused.code, 1, root.describe(refusedArgs, refused));
      const stderr = refused.stderr.replace(/\s+/g, " ");
      assert.match(
        stderr,
        new RegExp(`${exampleBucket(account.account_id)}.*StatusCode: 403.*AccessDenied`),
      );
      assert.match(stderr, /Error saving state: .*PutObject.*StatusCode: 403/);
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), versions);
      const tagging = await awsOk(moto(), {
        service: "s3",
        op: "get_bucket_tagging",
        params: { Bucket: exampleBucket(account.account_id) },
        as: inspectors.get(account.account_id),
      });
      assert.ok(
        (tagging.TagSet as { Key: string; Value: string }[]).some(
          (t) => t.Key === "Revision" && t.Value === "1",
        ),
        "the plan role changed the bucket",
      );
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
        false,
      );

      // A plan session claiming apply access: the provider's hop into the Terraform role is
      // refused. moto refuses it by the CI plan role's own policy (sts:AssumeRole on plan roles
      // only); it does not evaluate the Terraform role's trust (a role of another account).
      const mismatch = await root.tofu(plan, { TF_VAR_access: "apply" });
      assert.equal(mismatch.code, 1, root.describe(plan, mismatch));
      assert.match(
        mismatch.stderr.replace(/\s+/g, " "),
        new RegExp(
          `IAM Role \\(${escape(account.role_arn)}\\) cannot be assumed.*AssumeRole, https response error StatusCode: 403`,
        ),
        root.describe(plan, mismatch),
      );

      // What moto cannot show, from the exact documents: the Terraform role's trust admits the
      // CI apply role and refuses the CI plan role; the plan role's trust the reverse.
      const trust = (roleArn: string) => roleDocument(d, roleArn, "assumeRolePolicy");
      const caller = (roleArn: string) => asPrincipal(roleArn, d.topology.terraformAccountId);
      const assume = (roleArn: string, callerArn: string): Evaluation["decision"] =>
        evaluatePolicy(trust(roleArn), {
          action: "sts:AssumeRole",
          resource: roleArn,
          ...caller(callerArn),
        }).decision;
      assert.equal(assume(account.role_arn, d.ciRoleArn), "allow");
      assert.notEqual(assume(account.role_arn, d.ciPlanRoleArn), "allow");
      assert.equal(assume(account.plan_role_arn, d.ciPlanRoleArn), "allow");
      assert.notEqual(assume(account.plan_role_arn, d.ciRoleArn), "allow");
      // And the plan role may read the bucket as AWS authorizes HeadBucket (s3:ListBucket), but
      // not tag it.
      const planPolicy = roleDocument(d, account.plan_role_arn, "policy");
      const bucketArn = `arn:aws:s3:::${exampleBucket(account.account_id)}`;
      const read = (action: string) =>
        evaluatePolicy(planPolicy, { action, resource: bucketArn }).decision;
      assert.equal(read("s3:ListBucket"), "allow");
      assert.notEqual(read("s3:PutBucketTagging"), "allow");
    });

    it("guard: a workspace mapped to a wrong account id fails at the provider's allowed_account_ids, before any write; a map whose role is in another account than its account_id is refused before any request", async function () {
      // Nothing here depends on moto's IAM: allowed_account_ids is the provider's own check,
      // against the account sts:GetCallerIdentity (answered by moto) reports after the hop.
      await ensureApplied("dev");
      const dev = accountOf("dev");
      const prod = accountOf("prod");
      const key = stateKey(d.backend, "dev");
      // Test-only: dev's entry says prod's account id, its roles stay dev's (the provider's hop
      // ends in dev's account). The map's own validation refuses such an entry (below), so the
      // override replaces local.account, which is what the provider reads.
      const root = await newRoot(d, "wrong-account", await ciSession(moto(), d, "apply"), {
        extraFiles: {
          "wrong_account_override.tf": [
            "locals {",
            `  account = merge(var.accounts[terraform.workspace], { account_id = "${prod.account_id}" })`,
            "}",
            "",
          ].join("\n"),
        },
      });
      await select(root, "dev");
      const versions = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      const before = await exampleResources(moto(), inspectors);
      await moto().startRecording();
      const args = apply("revision=wrong-account");
      const result = await root.tofu(args);
      const recording = await moto().stopRecording();
      assert.equal(result.code, 1, root.describe(args, result));
      assert.match(
        result.stderr,
        new RegExp(`AWS account ID not allowed: ${dev.account_id}`),
        root.describe(args, result),
      );
      assert.deepEqual(
        writes(recording).map(describeRequest),
        [`PUT /${d.backend.bucket}/${key}.tflock`, `DELETE /${d.backend.bucket}/${key}.tflock`],
        "something was written before the provider refused the account",
      );
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), versions);
      assert.deepEqual(await exampleResources(moto(), inspectors), before);

      // The same mistake in accounts.auto.tfvars.json: refused by the map's validation.
      const tfvars = JSON.parse(fileText(d.files, HANDOFF_FILES.tfvars)) as {
        accounts: Record<string, { account_id: string }>;
      };
      tfvars.accounts.dev.account_id = prod.account_id;
      writeFileSync(path.join(root.dir, HANDOFF_FILES.tfvars), JSON.stringify(tfvars));
      await moto().startRecording();
      const invalid = await root.tofu(plan);
      const invalidRecording = await moto().stopRecording();
      assert.equal(invalid.code, 1, root.describe(plan, invalid));
      assert.match(
        invalid.stderr.replace(/\s+/g, " "),
        /Every role_arn and plan_role_arn in var\.accounts must be an IAM role ARN in its own account_id/,
      );
      assert.deepEqual(
        invalidRecording.filter((r) => signer(r)?.service === "sts").map(describeRequest),
        [],
        "the provider was configured",
      );
    });

    it("guard: plan and apply in a workspace that is not in the map fail with the guard's one message: no other error, no provider configured, nothing written but the lock", async function () {
      // The engine refuses before the provider exists; moto only records what reached it.
      const root = await newRoot(d, "unknown", await ciSession(moto(), d, "apply"));
      // Setup: the workspace exists (an account removed from the stack); the guard refuses it.
      await root.ok(["workspace", "new", "-no-color", "retired"]);
      const key = stateKey(d.backend, "retired");
      const versions = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      for (const args of [plan, apply()]) {
        await moto().startRecording();
        const result = await root.tofu(args);
        const recording = await moto().stopRecording();
        assert.equal(result.code, 1, root.describe(args, result));
        assert.deepEqual(
          errorHeadings(result.stderr).map((line) => line.replace(/^[\s│]*/, "")),
          ["Error: Invalid value for variable"],
          root.describe(args, result),
        );
        assert.match(
          result.stderr.replace(/\s+/g, " "),
          /Workspace "retired" is not in the topology: accounts\.auto\.tfvars\.json maps only the workspaces dev, prod, staging\./,
        );
        assert.doesNotMatch(result.stderr, /null value/);
        assert.deepEqual(
          recording.filter((r) => signer(r)?.service !== "s3").map(describeRequest),
          [],
          "a request reached STS or IAM: the provider was configured",
        );
        assert.deepEqual(writes(recording).map(describeRequest), [
          `PUT /${d.backend.bucket}/${key}.tflock`,
          `DELETE /${d.backend.bucket}/${key}.tflock`,
        ]);
      }
      assert.deepEqual(await keyVersions(moto(), inspector(), d.backend.bucket, key), versions);
    });

    it("locks (S3 lockfile): while an apply of a workspace holds the lock, a second apply of it fails on the lock and writes nothing; the first one completes", async function () {
      // The lock is the engine's: a conditional PUT of the lockfile (If-None-Match), which moto
      // implements as S3 does; moto's IAM only lets the CI apply session take it.
      await ensureApplied("prod");
      const key = stateKey(d.backend, "prod");
      const root = await newRoot(d, "lock", await ciSession(moto(), d, "apply"), {
        extraFiles: { "gate.tf": GATE_TF },
      });
      await select(root, "prod");
      const before = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      const { first, second, secondEndedWhileHeld } = await concurrentApplies(
        root,
        ["-lock-timeout=0s"],
        { release: "after-second" },
      );
      assert.ok(secondEndedWhileHeld);
      assert.equal(second.code, 1, root.describe(["apply", "(second)"], second));
      assert.match(second.stderr, /Error acquiring the state lock/);
      assert.equal(first.code, 0, root.describe(["apply", "(first)"], first));
      const after = await keyVersions(moto(), inspector(), d.backend.bucket, key);
      assert.equal(after.length, before.length + 1, "one state write, the first apply's");
      assert.deepEqual(after.slice(1), before);
      assert.equal(
        await objectExists(moto(), inspector(), d.backend.bucket, `${key}.tflock`),
        false,
      );
    });

    it("removing an account from the stack leaves its state in place: the regenerated handoff drops the workspace, the guard and the script refuse it, its state versions and resources are untouched, the other workspaces still apply", async function () {
      // Deployed as the fixture deploys (moto has no Pulumi): the changed and the deleted
      // resources only. moto enforces the CI apply session's policy on the state requests.
      await ensureApplied("staging");
      await ensureApplied("dev");
      const staging = accountOf("staging");
      const key = stateKey(d.backend, "staging");
      const stateBefore = await keyVersions(moto(), inspector(), d.backend.bucket, key);

      // The stack without staging, deployed as `pulumi up` would: staging's roles are deleted,
      // the CI roles' assume policies narrowed; nothing of the state backend changes.
      const flat = withValue(
        d.flat,
        "productAccounts",
        products(d.flat).filter((p) => p.name !== "staging"),
      );
      const synth = await synthesize(flat, { stack: "example" });
      await moto().setIamEnforcement(false);
      let outputs: Record<string, unknown>;
      try {
        const changes = await applyChanges(moto(), d.synth, synth, d.topology);
        assert.deepEqual(changes.added, []);
        outputs = changes.outputs;
        await deleteRoles(moto(), d.topology.bootstrap.get(staging.account_id), [
          staging.role_arn,
          staging.plan_role_arn,
        ]);
      } finally {
        await moto().setIamEnforcement(true);
      }
      const rendered = handoffFromStackOutputs(outputs, { stack: "example" });
      assert.ok(rendered.ok, JSON.stringify(rendered));
      const files = rendered.files;
      assert.deepEqual(
        Object.keys(
          (JSON.parse(fileText(files, HANDOFF_FILES.tfvars)) as { accounts: object }).accounts,
        ),
        ["dev", "prod"],
      );

      const root = await newRoot(d, "removed", await ciSession(moto(), d, "apply"), { files });
      const script = await root.selectWorkspace("staging");
      assert.equal(script.code, 1, script.stderr);
      assert.match(script.stderr, /workspace 'staging' is not in accounts\.auto\.tfvars\.json/);
      await root.ok(["workspace", "select", "-no-color", "staging"]);
      const guarded = await root.tofu(apply());
      assert.equal(guarded.code, 1, root.describe(apply(), guarded));
      assert.match(
        guarded.stderr.replace(/\s+/g, " "),
        /Workspace "staging" is not in the topology: accounts\.auto\.tfvars\.json maps only the workspaces dev, prod\./,
      );
      await select(root, "dev");
      await root.ok(apply());

      assert.deepEqual(
        await keyVersions(moto(), inspector(), d.backend.bucket, key),
        stateBefore,
        "the removed workspace's state changed",
      );
      const where = await exampleResources(moto(), inspectors);
      assert.deepEqual(where[staging.account_id], {
        buckets: [exampleBucket(staging.account_id)],
        policies: [EXAMPLE_POLICY],
      });
    });

    it('select-workspace.sh: a `workspace list` that fails (credentials the account does not know) fails with exit 1, never exit 3 ("no state yet"); the plan steps of both CI templates then fail the job', async function () {
      // moto answers InvalidAccessKeyId for a key it does not know, as S3 does; no IAM evaluation
      // is involved.
      await ensureApplied("dev");
      const planSession = await ciSession(moto(), d, "plan");
      const root = await newRoot(d, "list-fails", planSession);
      // A key moto does not know (deleted, or from another system): every S3 request answers
      // InvalidAccessKeyId, which neither engine ignores.
      const failing = {
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_SESSION_TOKEN: "",
        WORKSPACE: "dev",
      };
      const listed = await root.tofu(["workspace", "list"], failing);
      assert.equal(listed.code, 1, root.describe(["workspace", "list"], listed));
      assert.match(listed.stderr, /InvalidAccessKeyId/);
      const result = await root.selectWorkspace("dev", failing);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /workspace list' failed \(its error is above\)/);
      assert.doesNotMatch(result.stderr, /has no state yet/);

      // The templates' steps, run as the platforms run them, with the same failing engine.
      const steps = pipelineSteps(d.pipelineFiles);
      const dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-ci-step-"));
      try {
        const outputs = path.join(dir, "github-output");
        const summary = path.join(dir, "github-summary");
        const github = path.join(dir, "github-step.sh");
        writeFileSync(github, steps.github);
        const runStep = (env: Record<string, string>) => {
          writeFileSync(outputs, "");
          writeFileSync(summary, "");
          return {
            // GitHub's `shell: bash`: bash --noprofile --norc -eo pipefail {0}
            github: root.shell(["bash", "--noprofile", "--norc", "-eo", "pipefail", github], {
              ...env,
              GITHUB_OUTPUT: outputs,
              GITHUB_STEP_SUMMARY: summary,
            }),
            // GitLab runs each script line in the job's shell with errexit (the image's sh).
            gitlab: root.shell(["sh", "-e", "-c", steps.gitlab], env),
          };
        };
        const failed = runStep(failing);
        const [gh, gl] = [await failed.github, await failed.gitlab];
        assert.equal(gh.code, 1, `GitHub step: ${show(gh)}`);
        assert.equal(readFileSync(outputs, "utf8"), "", "the GitHub step reported a new workspace");
        assert.equal(gl.code, 1, `GitLab script line: ${show(gl)}`);
        assert.doesNotMatch(gl.stdout, /has no state yet/);

        // The control: with the CI plan session, the same steps select the workspace and pass.
        const control = runStep({ WORKSPACE: "dev" });
        const [ghOk, glOk] = [await control.github, await control.gitlab];
        assert.equal(ghOk.code, 0, `GitHub step: ${show(ghOk)}`);
        assert.equal(readFileSync(outputs, "utf8"), "");
        assert.equal(glOk.code, 0, `GitLab script line: ${show(glOk)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("fact: with credentials denied s3:ListBucket on the state bucket, Terraform's `workspace list` fails, while OpenTofu's lists only `default` and succeeds (its S3 backend ignores AccessDenied on ListObjectsV2): with OpenTofu, select-workspace.sh cannot tell a denied listing from a workspace with no state yet", async function () {
      await ensureApplied("dev");
      const root = await newRoot(d, "list-denied", await ciSession(moto(), d, "plan"));
      // The CI plan user's own keys: they may assume the CI plan role and read no state. (init
      // ran with the session, which may read the default workspace's object.)
      const user = ciPath(d, "plan").user;
      const denied = {
        AWS_ACCESS_KEY_ID: user.accessKeyId,
        AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
        AWS_SESSION_TOKEN: "",
      };
      await moto().startRecording();
      const listed = await root.tofu(["workspace", "list"], denied);
      const recording = await moto().stopRecording();
      const list = recording.filter((r) => r.method === "GET" && /[?&]list-type=2/.test(r.url));
      assert.equal(list.length, 1, "one ListObjectsV2 request");
      const script = await root.selectWorkspace("dev", denied);
      if (engine.name === "terraform") {
        assert.equal(listed.code, 1, root.describe(["workspace", "list"], listed));
        assert.match(listed.stderr.replace(/\s+/g, " "), /ListObjectsV2.*AccessDenied/);
        assert.equal(script.code, 1, script.stderr);
      } else {
        assert.equal(
          listed.code,
          0,
          `OpenTofu now fails a denied listing: select-workspace.sh reports it (exit 1); turn this fact into the assertion above\n${root.describe(["workspace", "list"], listed)}`,
        );
        assert.equal(listed.stdout.trim(), "* default");
        assert.equal(script.code, 3, script.stderr);
        assert.match(script.stderr, /workspace 'dev' has no state yet/);
      }
    });

    it("fact: moto authorizes HeadBucket as `s3:HeadBucket` (AWS: `s3:ListBucket`), so a product plan role would read its bucket as deleted; the fixture adds `s3:HeadBucket` where `s3:ListBucket` is allowed (MOTO_ADJUSTMENTS.headBucket)", async function () {
      await ensureApplied("prod");
      const account = accountOf("prod");
      const roleName = account.plan_role_arn.replace(/^.*\//, "");
      const admin = d.topology.bootstrap.get(account.account_id);
      const planSession = (await ciSession(moto(), d, "plan")).credentials;
      const head = () =>
        aws(moto(), [
          {
            service: "sts",
            op: "assume_role",
            params: { RoleArn: account.plan_role_arn, RoleSessionName: "head-bucket" },
            as: planSession,
          },
        ]).then(async ([assumed]) => {
          assert.ok(assumed?.ok, JSON.stringify(assumed));
          const as: Credentials = {
            accessKeyId: assumed.value.Credentials.AccessKeyId,
            secretAccessKey: assumed.value.Credentials.SecretAccessKey,
            sessionToken: assumed.value.Credentials.SessionToken,
          };
          return aws(moto(), [
            {
              service: "s3",
              op: "head_bucket",
              params: { Bucket: exampleBucket(account.account_id) },
              as,
            },
          ]);
        });
      const adjustment = await awsOk(moto(), {
        service: "iam",
        op: "get_role_policy",
        params: { RoleName: roleName, PolicyName: MOTO_HEAD_BUCKET_POLICY },
        as: inspectors.get(account.account_id),
      });
      await moto().setIamEnforcement(false);
      await awsOk(moto(), {
        service: "iam",
        op: "delete_role_policy",
        params: { RoleName: roleName, PolicyName: MOTO_HEAD_BUCKET_POLICY },
        as: admin,
      });
      await moto().setIamEnforcement(true);
      try {
        const [without] = await head();
        assert.equal(
          without?.ok === false && without.code,
          "403",
          "moto now authorizes HeadBucket as s3:ListBucket: drop MOTO_ADJUSTMENTS.headBucket",
        );
      } finally {
        await moto().setIamEnforcement(false);
        await awsOk(moto(), {
          service: "iam",
          op: "put_role_policy",
          params: {
            RoleName: roleName,
            PolicyName: MOTO_HEAD_BUCKET_POLICY,
            PolicyDocument: JSON.stringify(adjustment.PolicyDocument),
          },
          as: admin,
        });
        await moto().setIamEnforcement(true);
      }
      const [withIt] = await head();
      assert.equal(withIt?.ok, true, JSON.stringify(withIt));
    });
  });

  describe("lock mode dynamodb", function () {
    let d: Deployed;

    before(async function () {
      this.timeout(SETUP_TIMEOUT_MS);
      d = await deploy(moto(), providerStack("dynamodb"));
    });

    it("locks (DynamoDB table): while an apply of a workspace holds the lock item, a second apply of it waits, then applies on top of the first; the item is released", async function () {
      // The lock is the engine's: a conditional PutItem in the table, which moto implements as
      // DynamoDB does. moto matches DynamoDB statements only with Resource "*"
      // (MOTO_ADJUSTMENTS.dynamodb); the table-scoped statements are evaluated in unit tests.
      const table = d.backend.lockTable ?? "";
      assert.notEqual(table, "");
      assert.doesNotMatch(fileText(d.files, HANDOFF_FILES.backend), /use_lockfile/);
      const key = stateKey(d.backend, "dev");
      const lockId = `${d.backend.bucket}/${key}`;
      const root = await newRoot(d, "dynamodb-lock", await ciSession(moto(), d, "apply"), {
        extraFiles: { "gate.tf": GATE_TF },
      });
      await select(root, "dev");
      const { first, second, heldItem, secondEndedWhileHeld } = await concurrentApplies(
        root,
        ["-lock-timeout=300s"],
        {
          release: { waitMs: 10_000 },
          whileHeld: async () => (await lockItems(moto(), d.topology.inspector, table)).has(lockId),
        },
      );
      assert.equal(heldItem, true, "no lock item while the first apply held the lock");
      assert.equal(secondEndedWhileHeld, false, root.describe(["apply", "(second)"], second));
      assert.equal(first.code, 0, root.describe(["apply", "(first)"], first));
      assert.equal(second.code, 0, root.describe(["apply", "(second)"], second));
      const state = await readJsonObject<State>(
        moto(),
        d.topology.inspector,
        d.backend.bucket,
        key,
      );
      const record = state.resources.find(
        (r) => r.type === "terraform_data" && r.name === "workspace",
      );
      assert.deepEqual(
        (record?.instances[0]?.attributes.input as { value?: { revision?: string } } | undefined)
          ?.value?.revision,
        "second",
      );
      assert.equal((await lockItems(moto(), d.topology.inspector, table)).has(lockId), false);
    });
  });
}

/**
 * Starts an apply that holds the lock (its gate resource waits for a file), then a second apply
 * of the same workspace with `secondArgs`. The gate opens once the second apply has ended
 * (`release: "after-second"`, for a second apply that must fail on the lock) or after
 * `waitMs` (for one that must wait). Resolves with both results, whether the second ended while
 * the first still held the lock, and what `whileHeld` said then.
 */
async function concurrentApplies(
  root: HandoffRoot,
  secondArgs: readonly string[],
  options: { release: "after-second" | { waitMs: number }; whileHeld?: () => Promise<boolean> },
): Promise<{
  first: TofuResult;
  second: TofuResult;
  secondEndedWhileHeld: boolean;
  heldItem?: boolean;
}> {
  const gate = path.join(root.sandbox.dir, "gate");
  const firstArgs = apply(`gate=${gate}`, "revision=first");
  const first = root.tofu(firstArgs);
  let firstResult: TofuResult | undefined;
  void first.then((r) => (firstResult = r));
  let second: Promise<TofuResult> | undefined;
  let secondResult: TofuResult | undefined;
  let heldItem: boolean | undefined;
  let secondEndedWhileHeld = false;
  try {
    await waitFor(`${gate}.started`, () => {
      if (firstResult) {
        assert.fail(`the first apply ended early:\n${root.describe(firstArgs, firstResult)}`);
      }
    });
    heldItem = await options.whileHeld?.();
    second = root.tofu([...apply("gate=", "revision=second"), ...secondArgs]);
    void second.then((r) => (secondResult = r));
    if (options.release === "after-second") await second;
    else
      await new Promise((resolve) =>
        setTimeout(resolve, (options.release as { waitMs: number }).waitMs),
      );
    secondEndedWhileHeld = secondResult !== undefined && firstResult === undefined;
  } finally {
    writeFileSync(gate, "");
  }
  assert.ok(second);
  return {
    first: await first,
    second: await second,
    secondEndedWhileHeld,
    ...(heldItem === undefined ? {} : { heldItem }),
  };
}

/** `METHOD /path` of a request, or its query action (`IAM CreatePolicy`). */
function describeRequest(r: RecordedRequest): string {
  const action = queryAction(r);
  return action !== undefined
    ? `${signer(r)?.service ?? "?"} ${action}`
    : `${r.method} ${new URL(r.url).pathname}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function show(result: ShellResult): string {
  return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

function fileText(files: readonly HandoffFile[], name: string): string {
  const file = files.find((f) => f.path === name);
  assert.ok(file, `no ${name}`);
  return file.text;
}

/** A document (`field`) of the role `roleArn` exactly as the program registered it. */
function roleDocument(d: Deployed, roleArn: string, field: "assumeRolePolicy" | "policy") {
  const [, accountId, roleName] =
    /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
  const type = field === "policy" ? "aws:iam/rolePolicy:RolePolicy" : "aws:iam/role:Role";
  const found = d.synth.resources.filter(
    (r) =>
      r.type === type &&
      r.accountId === accountId &&
      (field === "policy" ? r.inputs.role === roleName : r.inputs.name === roleName),
  );
  assert.equal(found.length, 1, `${type} of ${roleArn}`);
  return documentOf(found[0], field);
}

/**
 * The plan job's workspace step of each CI template: the GitHub workflow's step and the GitLab
 * plan job's script line that run `select-workspace.sh`.
 */
function pipelineSteps(files: readonly HandoffFile[]): { github: string; gitlab: string } {
  const workflow = parseYaml(fileText(files, PIPELINE_FILES.githubWorkflow)) as {
    jobs: Record<string, { steps?: { run?: string }[] }>;
  };
  const gitlab = parseYaml(fileText(files, PIPELINE_FILES.gitlabCi)) as Record<
    string,
    { script?: string[]; variables?: Record<string, string> }
  >;
  // The first plan matrix (`plan-1`) and the first root's plan job (`plan:<root>`).
  const githubRuns = (workflow.jobs["plan-1"]?.steps ?? [])
    .map((s) => s.run ?? "")
    .filter((run) => run.includes(HANDOFF_FILES.selectWorkspace));
  const gitlabPlan = Object.keys(gitlab).find((key) => key.startsWith("plan:"));
  const gitlabLines = (gitlab[gitlabPlan ?? ""]?.script ?? []).filter((line) =>
    line.includes(HANDOFF_FILES.selectWorkspace),
  );
  assert.equal(githubRuns.length, 1, "the GitHub plan job's workspace step");
  assert.equal(gitlabLines.length, 1, "the GitLab plan job's workspace line");
  return { github: githubRuns[0] ?? "", gitlab: gitlabLines[0] ?? "" };
}

/**
 * A test-only inspector user allowed everything in each product account (created with the
 * bootstrap sessions, IAM enforcement off for the moment), to look at each account with
 * enforcement on.
 */
async function accountInspectors(moto: MotoServer, d: Deployed): Promise<Map<string, Credentials>> {
  const out = new Map<string, Credentials>();
  await moto.setIamEnforcement(false);
  try {
    for (const { account_id: accountId } of Object.values(d.tfvars.accounts)) {
      const as = d.topology.bootstrap.get(accountId);
      assert.ok(as, `no bootstrap session for ${accountId}`);
      const [, , key] = await aws(moto, [
        { service: "iam", op: "create_user", params: { UserName: "e2e-inspector" }, as },
        {
          service: "iam",
          op: "put_user_policy",
          params: {
            UserName: "e2e-inspector",
            PolicyName: "inspect",
            PolicyDocument: policy({ Effect: "Allow", Action: "*", Resource: "*" }),
          },
          as,
        },
        { service: "iam", op: "create_access_key", params: { UserName: "e2e-inspector" }, as },
      ]);
      assert.ok(key?.ok, JSON.stringify(key));
      out.set(accountId, {
        accessKeyId: key.value.AccessKey.AccessKeyId,
        secretAccessKey: key.value.AccessKey.SecretAccessKey,
      });
    }
  } finally {
    await moto.setIamEnforcement(true);
  }
  out.set(d.topology.terraformAccountId, d.topology.inspector);
  return out;
}

/** The example root's buckets and customer managed policies, by account id. */
async function exampleResources(
  moto: MotoServer,
  inspectors: ReadonlyMap<string, Credentials>,
): Promise<Record<string, { buckets: string[]; policies: string[] }>> {
  const out: Record<string, { buckets: string[]; policies: string[] }> = {};
  for (const [accountId, as] of inspectors) {
    const [buckets, policies] = await aws(moto, [
      { service: "s3", op: "list_buckets", as },
      { service: "iam", op: "list_policies", params: { Scope: "Local" }, as },
    ]);
    assert.ok(buckets?.ok && policies?.ok, `${accountId}: ${JSON.stringify([buckets, policies])}`);
    out[accountId] = {
      buckets: (buckets.value.Buckets as { Name: string }[])
        .map((b) => b.Name)
        .filter((n) => n.startsWith("tf-bootstrap-example-")),
      policies: (policies.value.Policies as { PolicyName: string }[])
        .map((p) => p.PolicyName)
        .filter((n) => n === EXAMPLE_POLICY),
    };
  }
  return out;
}

/** Deletes roles (their inline policies first) as `pulumi up` does for a removed account. */
async function deleteRoles(
  moto: MotoServer,
  as: Credentials | undefined,
  roleArns: readonly string[],
): Promise<void> {
  assert.ok(as, "no bootstrap session");
  for (const arn of roleArns) {
    const roleName = arn.replace(/^.*\//, "");
    const listed = await awsOk(moto, {
      service: "iam",
      op: "list_role_policies",
      params: { RoleName: roleName },
      as,
    });
    const attached = await awsOk(moto, {
      service: "iam",
      op: "list_attached_role_policies",
      params: { RoleName: roleName },
      as,
    });
    for (const { PolicyArn } of attached.AttachedPolicies as { PolicyArn: string }[]) {
      await awsOk(moto, {
        service: "iam",
        op: "detach_role_policy",
        params: { RoleName: roleName, PolicyArn },
        as,
      });
    }
    for (const policyName of listed.PolicyNames as string[]) {
      await awsOk(moto, {
        service: "iam",
        op: "delete_role_policy",
        params: { RoleName: roleName, PolicyName: policyName },
        as,
      });
    }
    await awsOk(moto, { service: "iam", op: "delete_role", params: { RoleName: roleName }, as });
  }
  await awsError(moto, {
    service: "iam",
    op: "get_role",
    params: { RoleName: roleArns[0]?.replace(/^.*\//, "") ?? "" },
    as,
  });
}

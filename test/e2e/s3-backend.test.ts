/**
 * End-to-end smoke test of the Terraform state backend this project provisions: OpenTofu's S3
 * backend, configured the way the generated handoff configures it (bucket, KMS key, S3
 * lockfile or DynamoDB table, no role of its own), runs against moto with IAM enforcement on,
 * from a session of the CI role that the test takes with the CI user's keys, as a pipeline does.
 *
 * AWS calls from the test go through boto3 in moto's own venv (`fixtures/aws.ts`): it is
 * pinned together with moto and signs requests with SigV4, which moto checks once IAM
 * enforcement is on. No npm AWS SDK is needed for this file.
 *
 * Emulator-only backend settings live in `emulator.backend.hcl`, which only this harness
 * writes; `backend.hcl` holds exactly what a user's pipeline would pass.
 */
import { strict as assert } from "node:assert";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { useMoto, type MotoServer } from "../harness/moto";
import {
  describeRun,
  runTofu,
  tofuSandbox,
  type TofuResult,
  type TofuSandbox,
} from "../harness/tofu";
import { ensureTools, SETUP_TIMEOUT_MS } from "../harness/tools";
import {
  assertAllOk,
  assumeRole,
  aws,
  awsError,
  awsOk,
  keyOf,
  policy,
  trustFor,
  userCalls,
  type AwsCall,
  type Credentials,
} from "./fixtures/aws";
import { assertRanAsSession, header } from "./fixtures/state-bucket";

const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const BUCKET = `tf-state-${ACCOUNT}`;
const LOCK_TABLE = "terraform-locks";
const PROBE_BUCKET = `probe-${ACCOUNT}`;
const CI_USER = "terraform-ci";
const CI_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/terraform-ci`;
const CI_USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${CI_USER}`;

// ---------------------------------------------------------------------------------------------
// The Terraform account in moto

interface TerraformAccount {
  /** An all-powerful user of the account, to inspect it while IAM is enforced. */
  readonly admin: Credentials;
  /** The CI user's access key: it may only assume the CI role. */
  readonly ciUser: Credentials;
  readonly kmsKeyArn: string;
}

/**
 * Builds the Terraform account in 111111111111, entering it with an assumed-role session from
 * moto's default account: a versioned state bucket, a KMS key, a lock table, the CI user
 * (allowed nothing but sts:AssumeRole on the CI role) and the CI role (trusting the user,
 * allowed the state). Must run while IAM enforcement is off.
 */
async function buildTerraformAccount(moto: MotoServer): Promise<TerraformAccount> {
  const bootstrap = await assumeRole(moto, `arn:aws:iam::${ACCOUNT}:role/e2e-bootstrap`);
  const whoami = await awsOk(moto, { service: "sts", op: "get_caller_identity", as: bootstrap });
  assert.equal(whoami.Account, ACCOUNT);

  const as = bootstrap;
  const calls: AwsCall[] = [
    ...userCalls(as, "e2e-admin", policy({ Effect: "Allow", Action: "*", Resource: "*" })),
    {
      service: "s3",
      op: "create_bucket",
      params: { Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } },
      as,
    },
    {
      service: "s3",
      op: "put_bucket_versioning",
      params: { Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } },
      as,
    },
    { service: "kms", op: "create_key", params: { Description: "terraform state" }, as },
    {
      service: "dynamodb",
      op: "create_table",
      params: {
        TableName: LOCK_TABLE,
        AttributeDefinitions: [{ AttributeName: "LockID", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "LockID", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      },
      as,
    },
    ...userCalls(
      as,
      CI_USER,
      policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: CI_ROLE_ARN }),
    ),
    {
      service: "iam",
      op: "create_role",
      params: { RoleName: "terraform-ci", AssumeRolePolicyDocument: trustFor(CI_USER_ARN) },
      as,
    },
  ];
  const results = await aws(moto, calls);
  assertAllOk(results, calls);
  const kmsKeyArn: string = results[5]?.ok ? results[5].value.KeyMetadata.Arn : "";
  assert.match(kmsKeyArn, new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/`));

  await awsOk(moto, {
    service: "iam",
    op: "put_role_policy",
    params: {
      RoleName: "terraform-ci",
      PolicyName: "state",
      PolicyDocument: policy(
        { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}` },
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
          Resource: kmsKeyArn,
        },
        // moto matches Resource only for S3, IAM, STS and SQS; for DynamoDB it evaluates
        // every request against "*", so a table ARN here would never match (see the facts below).
        {
          Effect: "Allow",
          Action: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:DescribeTable",
          ],
          Resource: "*",
        },
      ),
    },
    as,
  });
  return { admin: keyOf(results[2]), ciUser: keyOf(results[9]), kmsKeyArn };
}

// ---------------------------------------------------------------------------------------------
// Terraform roots

type Lock = "lockfile" | "dynamodb";

/**
 * The backend settings a user's pipeline passes: nothing emulator-specific may appear here, and
 * no role: the run's credentials (a CI role session) make every request.
 */
function productBackendConfig(kmsKeyArn: string, lock: Lock): string {
  return [
    `bucket               = "${BUCKET}"`,
    `region               = "${REGION}"`,
    `key                  = "terraform.tfstate"`,
    `workspace_key_prefix = "terraform"`,
    `encrypt              = true`,
    `kms_key_id           = "${kmsKeyArn}"`,
    lock === "lockfile" ? `use_lockfile         = true` : `dynamodb_table       = "${LOCK_TABLE}"`,
  ].join("\n");
}

/** What only the emulator needs; the harness adds it as a second -backend-config file. */
function emulatorBackendConfig(endpoint: string): string {
  return [
    "endpoints = {",
    ...["s3", "sts", "iam", "dynamodb"].map((service) => `  ${service} = "${endpoint}"`),
    "}",
    "use_path_style              = true",
    "skip_credentials_validation = true",
    "skip_requesting_account_id  = true",
    "skip_metadata_api_check     = true",
    "skip_region_validation      = true",
  ].join("\n");
}

/**
 * One `terraform_data` resource (no provider download). With `-var gate=PATH` its create-time
 * provisioner touches PATH.started and then waits (at most 60 s) until PATH exists, which
 * holds the state lock for as long as the test wants.
 */
const MAIN_TF = String.raw`
terraform {
  backend "s3" {}
}

variable "input" {
  type    = string
  default = "v1"
}

variable "gate" {
  type    = string
  default = ""
}

resource "terraform_data" "this" {
  input = var.input

  provisioner "local-exec" {
    command = var.gate == "" ? "true" : "touch '${"${var.gate}"}.started'; i=0; while [ ! -e '${"${var.gate}"}' ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.1; done"
  }
}
`;

interface Root {
  readonly sandbox: TofuSandbox;
  tofu(args: readonly string[]): Promise<TofuResult>;
  /** Runs and asserts exit code 0. */
  ok(args: readonly string[]): Promise<TofuResult>;
}

function stateKey(workspace: string): string {
  return `terraform/${workspace}/terraform.tfstate`;
}

// ---------------------------------------------------------------------------------------------

describe("e2e: OpenTofu S3 backend against moto", function () {
  this.timeout(120_000);
  const moto = useMoto();
  let account: TerraformAccount;
  const sandboxes: TofuSandbox[] = [];

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await ensureTools();
    await moto().reset();
    account = await buildTerraformAccount(moto());
    await moto().setIamEnforcement(true);
  });

  afterEach(function () {
    for (const sandbox of sandboxes.splice(0)) sandbox.cleanup();
  });

  /**
   * A fresh root and data dir, initialised against the state bucket, run from `credentials`:
   * by default a session of the CI role, taken with the CI user's keys as a pipeline takes it.
   */
  async function initRoot(name: string, lock: Lock, credentials?: Credentials) {
    const sandbox = tofuSandbox(`e2e-${name}`);
    sandboxes.push(sandbox);
    const runAs = credentials ?? (await assumeRole(moto(), CI_ROLE_ARN, account.ciUser, "ci"));
    const product = productBackendConfig(account.kmsKeyArn, lock);
    assert.doesNotMatch(product, /endpoint|skip_|use_path_style|127\.0\.0\.1/);
    writeFileSync(path.join(sandbox.root, "main.tf"), MAIN_TF);
    writeFileSync(path.join(sandbox.root, "backend.hcl"), product);
    writeFileSync(
      path.join(sandbox.dir, "emulator.backend.hcl"),
      emulatorBackendConfig(moto().endpoint),
    );
    const env = {
      ...sandbox.env,
      AWS_ACCESS_KEY_ID: runAs.accessKeyId,
      AWS_SECRET_ACCESS_KEY: runAs.secretAccessKey,
      ...(runAs.sessionToken ? { AWS_SESSION_TOKEN: runAs.sessionToken } : {}),
    };
    const tofu = (args: readonly string[]) => runTofu(args, { cwd: sandbox.root, env });
    const root: Root = {
      sandbox,
      tofu,
      async ok(args) {
        const result = await tofu(args);
        assert.equal(result.code, 0, describeRun(args, result));
        return result;
      },
    };
    const init = await tofu([
      "init",
      "-no-color",
      "-backend-config=backend.hcl",
      `-backend-config=${path.join(sandbox.dir, "emulator.backend.hcl")}`,
    ]);
    return { root, init, runAs };
  }

  async function initOk(name: string, lock: Lock): Promise<Root> {
    return (await initSession(name, lock)).root;
  }

  async function initSession(name: string, lock: Lock) {
    const { root, init, runAs } = await initRoot(name, lock);
    assert.equal(init.code, 0, describeRun(["init"], init));
    return { root, session: runAs };
  }

  const admin = () => account.admin;

  it("init, workspace new, apply: state at terraform/<workspace>/terraform.tfstate, SSE-KMS with the key", async function () {
    const { root, session } = await initSession("dev", "lockfile");
    await moto().startRecording();
    await root.ok([
      "init",
      "-no-color",
      "-backend-config=backend.hcl",
      `-backend-config=${path.join(root.sandbox.dir, "emulator.backend.hcl")}`,
    ]);
    await root.ok(["workspace", "new", "-no-color", "dev"]);
    await root.ok(["apply", "-auto-approve", "-no-color", "-var", "input=hello"]);
    const recording = await moto().stopRecording();

    const head = await awsOk(moto(), {
      service: "s3",
      op: "head_object",
      params: { Bucket: BUCKET, Key: stateKey("dev") },
      as: admin(),
    });
    assert.equal(head.ServerSideEncryption, "aws:kms");
    assert.equal(head.SSEKMSKeyId, account.kmsKeyArn);
    const object = await awsOk(moto(), {
      service: "s3",
      op: "get_object",
      params: { Bucket: BUCKET, Key: stateKey("dev") },
      as: admin(),
    });
    const state = JSON.parse(object.Body);
    assert.deepEqual(
      state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`),
      ["terraform_data.this"],
    );
    assert.equal(state.resources[0].instances[0].attributes.input.value, "hello");

    assertRanAsSession(recording, session, [account.ciUser.accessKeyId], account.kmsKeyArn);
    const lockPuts = recording.filter(
      (r) =>
        r.method === "PUT" && new URL(r.url).pathname === `/${BUCKET}/${stateKey("dev")}.tflock`,
    );
    assert.ok(lockPuts.length > 0, "no lockfile PUT recorded");
    for (const put of lockPuts) assert.equal(header(put, "If-None-Match"), "*");
  });

  it("the CI user's own keys cannot read the state (IAM is enforced), so the role did", async function () {
    const { init } = await initRoot("no-role", "lockfile", account.ciUser);
    assert.equal(init.code, 1, describeRun(["init"], init));
    assert.match(
      init.stderr.replace(/\s+/g, " "),
      /S3: HeadObject, https response error StatusCode: 403/,
      init.stderr,
    );
  });

  for (const lock of ["lockfile", "dynamodb"] as const) {
    it(`locks with ${lock === "lockfile" ? "the S3 lockfile (If-None-Match: *)" : "the DynamoDB table"}: a second apply fails at once, the lock is released`, async function () {
      const workspace = `lock-${lock}`;
      const root = await initOk(workspace, lock);
      await root.ok(["workspace", "new", "-no-color", workspace]);
      const gate = path.join(root.sandbox.dir, "gate");
      const holderArgs = ["apply", "-auto-approve", "-no-color", "-var", `gate=${gate}`];
      const holder = root.tofu(holderArgs);
      let holderResult: TofuResult | undefined;
      void holder.then((r) => (holderResult = r));
      try {
        await waitFor(`${gate}.started`, () => {
          if (holderResult)
            assert.fail(`the first apply ended early:\n${describeRun(holderArgs, holderResult)}`);
        });

        const lockId = await readLockId(moto(), admin(), lock, workspace);
        const secondArgs = ["apply", "-auto-approve", "-no-color", "-lock-timeout=0s"];
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
      await assertLockReleased(moto(), admin(), lock, workspace);
    });
  }

  it("keeps every state write as an object version", async function () {
    const root = await initOk("versions", "lockfile");
    await root.ok(["workspace", "new", "-no-color", "versions"]);
    for (const input of ["v1", "v2", "v3"]) {
      await root.ok(["apply", "-auto-approve", "-no-color", "-var", `input=${input}`]);
    }
    const listed = await awsOk(moto(), {
      service: "s3",
      op: "list_object_versions",
      params: { Bucket: BUCKET, Prefix: stateKey("versions") },
      as: admin(),
    });
    const versions = (listed.Versions as { Key: string; VersionId: string }[]).filter(
      (v) => v.Key === stateKey("versions"),
    );
    // `workspace new` writes an empty state, then one write per apply that changed something.
    assert.equal(versions.length, 4, JSON.stringify(versions, null, 2));
    const oldest = await awsOk(moto(), {
      service: "s3",
      op: "get_object",
      params: { Bucket: BUCKET, Key: stateKey("versions"), VersionId: versions.at(-1)?.VersionId },
      as: admin(),
    });
    assert.deepEqual(JSON.parse(oldest.Body).resources, []);
  });
});

// ---------------------------------------------------------------------------------------------
// Facts about moto's IAM enforcement this project relies on (or must not rely on). If a moto
// upgrade changes one, this says which.

describe("e2e: moto IAM enforcement facts", function () {
  this.timeout(60_000);
  const moto = useMoto();
  let prober: Credentials;
  let dynamoScoped: Credentials;
  let probeKeyArn: string;

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await moto().reset();
    const as = await assumeRole(moto(), `arn:aws:iam::${ACCOUNT}:role/e2e-bootstrap`);
    const proberArn = `arn:aws:iam::${ACCOUNT}:user/prober`;
    const role = (name: string, trust: string): AwsCall => ({
      service: "iam",
      op: "create_role",
      params: { RoleName: name, AssumeRolePolicyDocument: trust },
      as,
    });
    const calls: AwsCall[] = [
      ...userCalls(
        as,
        "prober",
        policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }),
      ),
      {
        service: "dynamodb",
        op: "create_table",
        params: {
          TableName: "probe",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        },
        as,
      },
      ...userCalls(
        as,
        "dynamo-scoped",
        policy({
          Effect: "Allow",
          Action: "dynamodb:*",
          Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/*`,
        }),
      ),
      role("trusts-prober", trustFor(proberArn)),
      role("trusts-other", trustFor(`arn:aws:iam::${ACCOUNT}:user/someone-else`)),
      role("trusts-account-root", trustFor(`arn:aws:iam::${ACCOUNT}:root`)),
      role("trusts-longer-name", trustFor(`${proberArn}-and-more`)),
      role("s3-without-kms", trustFor(proberArn)),
      {
        service: "iam",
        op: "put_role_policy",
        params: {
          RoleName: "s3-without-kms",
          PolicyName: "s3",
          PolicyDocument: policy({ Effect: "Allow", Action: "s3:*", Resource: "*" }),
        },
        as,
      },
      {
        service: "s3",
        op: "create_bucket",
        params: { Bucket: PROBE_BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } },
        as,
      },
      { service: "kms", op: "create_key", as },
    ];
    const results = await aws(moto(), calls);
    assertAllOk(results, calls);
    prober = keyOf(results[2]);
    dynamoScoped = keyOf(results[6]);
    const key = results.at(-1);
    probeKeyArn = key?.ok ? key.value.KeyMetadata.Arn : "";
    await moto().setIamEnforcement(true);
  });

  const assume = (roleArn: string) => ({
    service: "sts",
    op: "assume_role",
    params: { RoleArn: roleArn, RoleSessionName: "probe" },
    as: prober,
  });

  it("user keys act in the account the user was created in", async function () {
    const who = await awsOk(moto(), { service: "sts", op: "get_caller_identity", as: prober });
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/prober`);
  });

  it("rejects unknown access keys once enforcement is on", async function () {
    assert.equal(
      await awsError(moto(), { service: "s3", op: "list_buckets" }),
      "InvalidAccessKeyId",
    );
  });

  const trustCases: { name: string; role: string; expected: "allowed" | "denied"; note: string }[] =
    [
      { name: "exact principal ARN", role: "trusts-prober", expected: "allowed", note: "as AWS" },
      { name: "another principal", role: "trusts-other", expected: "denied", note: "as AWS" },
      {
        name: "account root principal",
        role: "trusts-account-root",
        expected: "denied",
        note: "AWS allows",
      },
      {
        name: "a longer principal ARN",
        role: "trusts-longer-name",
        expected: "allowed",
        note: "substring match; AWS denies",
      },
      {
        name: "a role that does not exist",
        role: "does-not-exist",
        expected: "allowed",
        note: "AWS denies",
      },
    ];
  for (const c of trustCases) {
    it(`trust policy with ${c.name}: AssumeRole ${c.expected} (${c.note})`, async function () {
      const [result] = await aws(moto(), [assume(`arn:aws:iam::${ACCOUNT}:role/${c.role}`)]);
      assert.equal(result?.ok ? "allowed" : "denied", c.expected, JSON.stringify(result));
    });
  }

  it("does not evaluate trust across accounts (AssumeRole into another account is allowed)", async function () {
    const [result] = await aws(moto(), [assume("arn:aws:iam::222222222222:role/anything")]);
    assert.equal(result?.ok, true, JSON.stringify(result));
  });

  it("does not check KMS permissions for SSE-KMS writes (AWS requires kms:GenerateDataKey)", async function () {
    const session = await assumeRole(moto(), `arn:aws:iam::${ACCOUNT}:role/s3-without-kms`, prober);
    const [put] = await aws(moto(), [
      {
        service: "s3",
        op: "put_object",
        params: {
          Bucket: PROBE_BUCKET,
          Key: "k",
          Body: "x",
          ServerSideEncryption: "aws:kms",
          SSEKMSKeyId: probeKeyArn,
        },
        as: session,
      },
    ]);
    assert.equal(put?.ok, true, JSON.stringify(put));
  });

  it('matches DynamoDB statements only when Resource is "*" (AWS matches the table ARN)', async function () {
    const code = await awsError(moto(), {
      service: "dynamodb",
      op: "describe_table",
      params: { TableName: "probe" },
      as: dynamoScoped,
    });
    assert.match(code, /AccessDenied|403/);
  });
});

// ---------------------------------------------------------------------------------------------
// helpers

/** Reads the current lock's ID from the lockfile object or the DynamoDB item. */
async function readLockId(
  moto: MotoServer,
  as: Credentials,
  lock: Lock,
  workspace: string,
): Promise<string> {
  if (lock === "lockfile") {
    const object = await awsOk(moto, {
      service: "s3",
      op: "get_object",
      params: { Bucket: BUCKET, Key: `${stateKey(workspace)}.tflock` },
      as,
    });
    const info = JSON.parse(object.Body) as { ID: string; Operation: string };
    assert.equal(info.Operation, "OperationTypeApply");
    return info.ID;
  }
  const item = await awsOk(moto, {
    service: "dynamodb",
    op: "get_item",
    params: { TableName: LOCK_TABLE, Key: { LockID: { S: `${BUCKET}/${stateKey(workspace)}` } } },
    as,
  });
  assert.ok(item.Item?.Info?.S, `no lock item: ${JSON.stringify(item)}`);
  const info = JSON.parse(item.Item.Info.S) as { ID: string; Operation: string };
  assert.equal(info.Operation, "OperationTypeApply");
  return info.ID;
}

async function assertLockReleased(
  moto: MotoServer,
  as: Credentials,
  lock: Lock,
  workspace: string,
) {
  if (lock === "lockfile") {
    const code = await awsError(moto, {
      service: "s3",
      op: "head_object",
      params: { Bucket: BUCKET, Key: `${stateKey(workspace)}.tflock` },
      as,
    });
    assert.match(code, /^(404|NoSuchKey)$/);
    return;
  }
  const item = await awsOk(moto, {
    service: "dynamodb",
    op: "get_item",
    params: { TableName: LOCK_TABLE, Key: { LockID: { S: `${BUCKET}/${stateKey(workspace)}` } } },
    as,
  });
  assert.equal(item.Item, undefined, `lock item left behind: ${JSON.stringify(item)}`);
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

/**
 * End to end: renaming and removing an account, with HashiCorp Terraform and with OpenTofu,
 * against the topology built in moto from the program's documents.
 *
 * Rename: `npm run accounts -- rename`'s plan changes the account's workspace; its state move
 * script, run by each engine as the CI apply role (moto's IAM enforcement on), copies the state
 * to the new workspace: same lineage and serial, SSE-KMS with the state key, the old state left
 * as it was; a plan in the new workspace then creates nothing again (the control: a workspace
 * without the move would create everything). The script refuses to run twice, and the CI plan
 * role cannot run it.
 *
 * Remove: the handoff made after the removal refuses the workspace, and its state is untouched.
 *
 * What moto does not show: the bucket policy's conditional statements and KMS key policies are
 * not evaluated by moto (see fixtures/topology.ts); the CI roles' own policies are.
 */
import { strict as assert } from "node:assert";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { planAccountChange } from "../../lib/accounts/lifecycle";
import { renderStateMoveScript } from "../../lib/accounts/state-move";
import { handoffFromStackOutputs, HANDOFF_FILES, type HandoffFile } from "../../lib/terraform";
import { flatConfigFromStackFile } from "../../lib/config/stack-file";
import { synthesize, type SynthResult } from "../../scripts/synth/mock-runtime";
import { useMoto, type MotoServer } from "../harness/moto";
import { tofuSandbox, type TofuSandbox } from "../harness/tofu";
import { ensureTools, repoRoot, SETUP_TIMEOUT_MS } from "../harness/tools";
import { awsOk, type Credentials } from "./fixtures/aws";
import {
  emulatorOverride,
  EXAMPLE_ROOT,
  NOT_IN_E2E_ROOT,
  runShell,
  type ShellResult,
} from "./fixtures/terraform-root";
import { keyVersions, objectExists, readState, stateKey } from "./fixtures/state-bucket";
import { applyChanges, materialize, type Materialized } from "./fixtures/topology";

const STACK_TEXT = readFileSync(path.join(repoRoot, "stacks", "Pulumi.example.yaml"), "utf8");

/** HashiCorp Terraform: the machine image's (set TF_BOOTSTRAP_TERRAFORM to use another). */
const TERRAFORM = process.env.TF_BOOTSTRAP_TERRAFORM ?? "/usr/local/bin/terraform";

interface Engine {
  readonly name: "terraform" | "tofu";
  binary(): Promise<string>;
}

const ENGINES: readonly Engine[] = [
  {
    name: "terraform",
    binary: () => {
      assert.ok(
        existsSync(TERRAFORM),
        `HashiCorp Terraform is not at ${TERRAFORM}; install Terraform 1.11+ there or set TF_BOOTSTRAP_TERRAFORM`,
      );
      return Promise.resolve(TERRAFORM);
    },
  },
  { name: "tofu", binary: async () => (await ensureTools()).tofu },
];

function tofuEngine(): Engine {
  const engine = ENGINES.find((e) => e.name === "tofu");
  assert.ok(engine);
  return engine;
}

interface Backend {
  bucket: string;
  key: string;
  workspaceKeyPrefix: string;
  kmsKeyArn: string;
}

interface Deployed {
  readonly synth: SynthResult;
  readonly topology: Materialized;
  readonly files: HandoffFile[];
  readonly backend: Backend;
}

function handoff(outputs: Record<string, unknown>): HandoffFile[] {
  const rendered = handoffFromStackOutputs(outputs, { stack: "example" });
  assert.ok(rendered.ok, JSON.stringify(rendered));
  return rendered.files;
}

async function deploy(moto: MotoServer, text: string): Promise<Deployed> {
  await moto.reset();
  const synth = await synthesize(flatConfigFromStackFile(text), { stack: "example" });
  const topology = await materialize(moto, synth);
  await moto.setIamEnforcement(true);
  return {
    synth,
    topology,
    files: handoff(topology.outputs),
    backend: topology.outputs.backend as Backend,
  };
}

async function session(
  moto: MotoServer,
  user: Credentials,
  roleArn: string,
  name: string,
): Promise<Credentials> {
  const value = await awsOk(moto, {
    service: "sts",
    op: "assume_role",
    params: { RoleArn: roleArn, RoleSessionName: name },
    as: user,
  });
  return {
    accessKeyId: value.Credentials.AccessKeyId,
    secretAccessKey: value.Credentials.SecretAccessKey,
    sessionToken: value.Credentials.SessionToken,
  };
}

/** A Terraform root run by one engine as one CI session: the example root and the handoff. */
interface Root {
  readonly dir: string;
  readonly sandbox: TofuSandbox;
  run(argv: readonly string[], env?: Record<string, string>): Promise<ShellResult>;
  ok(argv: readonly string[], env?: Record<string, string>): Promise<ShellResult>;
  writeHandoff(files: readonly HandoffFile[]): void;
}

async function createRoot(
  engine: Engine,
  moto: MotoServer,
  files: readonly HandoffFile[],
  credentials: Credentials,
  access: "apply" | "plan",
): Promise<Root> {
  const binary = await engine.binary();
  const sandbox = tofuSandbox(`lifecycle-${engine.name}`);
  const dir = sandbox.root;
  copyFileSync(path.join(EXAMPLE_ROOT, "main.tf"), path.join(dir, "main.tf"));
  // Test-only emulator settings, merged by the engine into the root's backend block.
  writeFileSync(path.join(dir, "emulator_override.tf"), emulatorOverride(moto.endpoint, false));
  const bin = path.join(sandbox.dir, "bin");
  mkdirSync(bin);
  symlinkSync(binary, path.join(bin, engine.name));
  const env: Record<string, string> = {
    ...sandbox.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_EC2_METADATA_DISABLED: "true",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_VAR_access: access,
    TF: engine.name,
  };
  const run = (argv: readonly string[], extra: Record<string, string> = {}) =>
    runShell(argv, dir, { ...env, ...extra });
  const ok = async (argv: readonly string[], extra: Record<string, string> = {}) => {
    const result = await run(argv, extra);
    assert.equal(
      result.code,
      0,
      `${argv.join(" ")} → ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
    return result;
  };
  const root: Root = {
    dir,
    sandbox,
    run,
    ok,
    writeHandoff(handoffFiles) {
      for (const file of handoffFiles) {
        if (!NOT_IN_E2E_ROOT.includes(file.path))
          writeFileSync(path.join(dir, file.path), file.text);
      }
    },
  };
  root.writeHandoff(files);
  await ok([
    engine.name,
    "init",
    "-input=false",
    "-no-color",
    `-backend-config=${HANDOFF_FILES.backend}`,
  ]);
  return root;
}

const selectWorkspace = (root: Root, workspace: string) =>
  root.run(["sh", HANDOFF_FILES.selectWorkspace, workspace]);

describe("e2e: renaming and removing an account, with Terraform and OpenTofu against moto", function () {
  this.timeout(240_000);
  const moto = useMoto();
  const roots: Root[] = [];

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    await ensureTools();
  });
  afterEach(async function () {
    for (const root of roots.splice(0)) root.sandbox.cleanup();
    await moto().setIamEnforcement(false);
  });

  for (const engine of ENGINES) {
    it(`${engine.name}: rename — the generated state move copies the state to the new workspace, which then plans without creating anything again`, async function () {
      const d = await deploy(moto(), STACK_TEXT);
      const { topology, backend } = d;
      const ciRoleArn = topology.outputs.ciRoleArn as string;
      const ciPlanRoleArn = topology.outputs.ciPlanRoleArn as string;
      const applySession = await session(moto(), topology.ciUser, ciRoleArn, "apply");
      const root = await createRoot(engine, moto(), d.files, applySession, "apply");
      roots.push(root);
      await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "staging"]);
      await root.ok([engine.name, "apply", "-auto-approve", "-input=false", "-no-color"]);
      const oldKey = stateKey(backend, "staging");
      const newKey = stateKey(backend, "stage");
      const inspector = topology.inspector;
      const oldVersions = await keyVersions(moto(), inspector, backend.bucket, oldKey);
      const oldState = await readState(moto(), inspector, backend.bucket, oldKey);

      // The rename as `npm run accounts -- rename staging stage` plans it.
      const planned = planAccountChange(STACK_TEXT, {
        kind: "rename",
        name: "staging",
        to: "stage",
      });
      assert.ok(planned.ok, planned.ok ? "" : planned.message);
      assert.deepEqual(planned.planned.stateMoves, [{ from: "staging", to: "stage" }]);
      const after = await synthesize(flatConfigFromStackFile(planned.planned.text), {
        stack: "example",
      });
      await moto().setIamEnforcement(false);
      const applied = await applyChanges(moto(), d.synth, after, topology);
      await moto().setIamEnforcement(true);
      assert.deepEqual([...applied.added, ...applied.changed], [], "a rename changes no resource");
      root.writeHandoff(handoff(applied.outputs));
      const [move] = planned.planned.stateMoves;
      assert.ok(move);
      const script = renderStateMoveScript({
        stack: "example",
        ...move,
        tool: engine.name,
        bucket: backend.bucket,
        keyPrefix: backend.workspaceKeyPrefix,
        key: backend.key,
      });
      writeFileSync(path.join(root.dir, "move-state.sh"), script);

      // The CI plan role may not write state: the move fails and writes nothing.
      const planSession = await session(moto(), topology.ciPlanUser, ciPlanRoleArn, "plan");
      const planRun = await root.run(["sh", "move-state.sh"], {
        AWS_ACCESS_KEY_ID: planSession.accessKeyId,
        AWS_SECRET_ACCESS_KEY: planSession.secretAccessKey,
        AWS_SESSION_TOKEN: planSession.sessionToken ?? "",
      });
      assert.notEqual(planRun.code, 0, `${planRun.stdout}\n${planRun.stderr}`);
      assert.equal(await objectExists(moto(), inspector, backend.bucket, newKey), false);

      const moved = await root.ok(["sh", "move-state.sh"]);
      assert.match(
        moved.stderr + moved.stdout,
        /workspace 'stage' now holds the state of 'staging'/,
      );
      const newState = await readState(moto(), inspector, backend.bucket, newKey);
      assert.equal(newState.lineage, oldState.lineage);
      assert.ok(
        newState.serial >= oldState.serial,
        `serial ${newState.serial} < ${oldState.serial}`,
      );
      assert.deepEqual(newState.resources, oldState.resources);
      const head = await awsOk(moto(), {
        service: "s3",
        op: "head_object",
        params: { Bucket: backend.bucket, Key: newKey },
        as: inspector,
      });
      assert.equal(head.ServerSideEncryption, "aws:kms");
      assert.equal(head.SSEKMSKeyId, backend.kmsKeyArn);
      assert.deepEqual(
        await keyVersions(moto(), inspector, backend.bucket, oldKey),
        oldVersions,
        "the old state is left as it was",
      );

      // The renamed workspace plans from the moved state: nothing is created again (the
      // example's resource records its workspace name, so it is updated in place).
      await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "stage"]);
      const plan = await root.ok([engine.name, "plan", "-input=false", "-no-color"]);
      assert.match(plan.stdout, /Plan: 0 to add, 1 to change, 0 to destroy/);
      // A second run refuses: the new workspace exists; nothing changes.
      const versionsBefore = await keyVersions(moto(), inspector, backend.bucket, newKey);
      const again = await root.run(["sh", "move-state.sh"]);
      assert.equal(again.code, 1, `${again.stdout}\n${again.stderr}`);
      assert.match(again.stderr, /workspace 'stage' exists already/);
      assert.deepEqual(
        await keyVersions(moto(), inspector, backend.bucket, newKey),
        versionsBefore,
      );
    });
  }

  it("without the move, the renamed workspace would start from empty state and create everything again", async function () {
    const engine = tofuEngine();
    const d = await deploy(moto(), STACK_TEXT);
    const ciRoleArn = d.topology.outputs.ciRoleArn as string;
    const applySession = await session(moto(), d.topology.ciUser, ciRoleArn, "apply");
    const root = await createRoot(engine, moto(), d.files, applySession, "apply");
    roots.push(root);
    await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "staging"]);
    await root.ok([engine.name, "apply", "-auto-approve", "-input=false", "-no-color"]);
    const planned = planAccountChange(STACK_TEXT, { kind: "rename", name: "staging", to: "stage" });
    assert.ok(planned.ok);
    const after = await synthesize(flatConfigFromStackFile(planned.planned.text), {
      stack: "example",
    });
    await moto().setIamEnforcement(false);
    const applied = await applyChanges(moto(), d.synth, after, d.topology);
    await moto().setIamEnforcement(true);
    root.writeHandoff(handoff(applied.outputs));
    await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "stage"]);
    const plan = await root.ok([engine.name, "plan", "-input=false", "-no-color"]);
    assert.match(plan.stdout, /Plan: 1 to add, 0 to change, 0 to destroy/);
  });

  it("remove: the handoff made after the removal refuses the workspace; its state is untouched", async function () {
    const engine = tofuEngine();
    const d = await deploy(moto(), STACK_TEXT);
    const { topology, backend } = d;
    const applySession = await session(
      moto(),
      topology.ciUser,
      topology.outputs.ciRoleArn as string,
      "apply",
    );
    const root = await createRoot(engine, moto(), d.files, applySession, "apply");
    roots.push(root);
    await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "prod"]);
    await root.ok([engine.name, "apply", "-auto-approve", "-input=false", "-no-color"]);
    const key = stateKey(backend, "prod");
    const versions = await keyVersions(moto(), topology.inspector, backend.bucket, key);

    const planned = planAccountChange(STACK_TEXT, { kind: "remove", name: "prod" });
    assert.ok(planned.ok, planned.ok ? "" : planned.message);
    const after = await synthesize(flatConfigFromStackFile(planned.planned.text), {
      stack: "example",
    });
    await moto().setIamEnforcement(false);
    const applied = await applyChanges(moto(), d.synth, after, topology);
    await moto().setIamEnforcement(true);
    assert.deepEqual(applied.added, []);
    root.writeHandoff(handoff(applied.outputs));

    const refused = await selectWorkspace(root, "prod");
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /workspace 'prod' is not in accounts\.auto\.tfvars\.json/);
    assert.deepEqual(await keyVersions(moto(), topology.inspector, backend.bucket, key), versions);
    // The other workspaces go on.
    await root.ok(["sh", HANDOFF_FILES.selectWorkspace, "dev"]);
    await root.ok([engine.name, "apply", "-auto-approve", "-input=false", "-no-color"]);
  });
});

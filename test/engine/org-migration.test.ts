/**
 * The migration of a deployed whole stack onto a core stack and account-group stacks
 * (`npm run org -- split --migrate`, docs/org-stacks.md), on the real Pulumi engine with the
 * aws stand-in remembering what it created (TFB_STANDIN_STORE, the run's "cloud"): each of the
 * three steps creates, replaces and deletes no cloud resource, and every stack then previews
 * with no changes.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { runSplit } from "../../scripts/org/split";
import {
  createEngineHome,
  createStack,
  exportState,
  POLICY_PACK_DIR,
  pulumi,
  repositoryStackConfig,
  type EngineHome,
  type EngineStack,
} from "./engine-stack";
import { steps, summary, type Step } from "./events";
import { describeRun, type PulumiResult } from "./pulumi-cli";

const ACCOUNTS = [
  { name: "dev", id: "222222222201", ou: "Sandbox" },
  { name: "staging", id: "222222222202", ou: "Workloads" },
  { name: "prod", id: "222222222203", ou: "Workloads", environment: "production" },
  { name: "data-dev", id: "222222222204", ou: "Sandbox" },
];

const PROVIDER = /^pulumi:providers:/;

/** One stored resource of the stand-in's store. */
interface Stored {
  readonly type: string;
  readonly account: string;
  readonly id: string;
}

function storeContents(dir: string): Stored[] {
  const out: Stored[] = [];
  for (const account of readdirSync(dir)) {
    for (const file of readdirSync(path.join(dir, account))) {
      if (file.endsWith(".json"))
        out.push(JSON.parse(readFileSync(path.join(dir, account, file), "utf8")) as Stored);
    }
  }
  return out;
}

function key(s: Stored): string {
  return `${s.account} ${s.type} ${s.id}`;
}

let runCount = 0;

/** `pulumi <command> --stack <name>` with the engine's events; fails the test on a non-zero exit. */
async function run(stack: EngineStack, command: string[]): Promise<PulumiResult> {
  runCount += 1;
  // Every step runs with the policy pack, as users run it: the pack accepts each state of the
  // migration (a core handing over, groups adopting, the core after the hand-over).
  const result = await pulumi(
    stack,
    [...command, "--stack", stack.name, "--policy-pack", POLICY_PACK_DIR],
    {
      eventLog: path.join(stack.dir, `org-events-${runCount}.jsonl`),
      timeoutMs: 15 * 60_000,
    },
  );
  assert.equal(result.code, 0, describeRun(result));
  return result;
}

/** The steps of custom resources that are not providers. */
function cloudSteps(result: PulumiResult): Step[] {
  return steps(result.events).filter((s) => s.custom && !PROVIDER.test(s.type));
}

function opsOf(list: readonly Step[]): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const s of list) ops[s.op] = (ops[s.op] ?? 0) + 1;
  return ops;
}

function editConfig(file: string, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(file, "utf8"));
  edit(doc);
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

describe("org split --migrate on the real engine", function () {
  this.timeout(60 * 60_000);
  let home: EngineHome;
  let store: string;
  let core: EngineStack;
  const groups: EngineStack[] = [];
  let started: number;

  before(async () => {
    started = Date.now();
    home = await createEngineHome();
    store = path.join(home.dir, "standin-store");
    mkdirSync(store);
    const base = repositoryStackConfig("example-oidc");
    const ci = base["tf-bootstrap:ci"] as { pipeline: Record<string, unknown> };
    const config = {
      ...base,
      "tf-bootstrap:productAccounts": ACCOUNTS,
      "tf-bootstrap:ci": {
        ...ci,
        pipeline: { ...ci.pipeline, applyOrder: ACCOUNTS.map((a) => a.name) },
      },
    };
    const created = await createStack(home, "acme", config);
    core = { ...created, env: { ...created.env, TFB_STANDIN_STORE: store } };
  });

  after(() => {
    home?.cleanup();
    console.log(`      org migration: wall time ${Math.round((Date.now() - started) / 1000)} s`);
  });

  let stored: Stored[] = [];

  it("deploys the whole stack; the stand-in's store holds every resource it created", async () => {
    const result = await run(core, ["up", "--yes"]);
    const created = cloudSteps(result).filter((s) => s.op === "create");
    stored = storeContents(store);
    assert.equal(stored.length, created.length, "one stored resource per created resource");
    assert.ok(stored.filter((s) => s.type === "aws:iam/role:Role").length >= 2 * ACCOUNTS.length);
  });

  it("splits with --migrate: the source file gains only orgStack, two group files are written", async () => {
    const file = path.join(core.stacksDir, "Pulumi.acme.yaml");
    const original = readFileSync(file, "utf8");
    let stdout = "";
    let stderr = "";
    const code = await runSplit(
      ["acme", "--stacks-dir", core.stacksDir, "--by", "ou", "--migrate"],
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
        env: {},
      },
    );
    assert.equal(code, 0, stderr);
    // The only edit: three lines at the end of the config map (before encryptionsalt).
    const added = ["  tf-bootstrap:orgStack:", "    part: core", "    handOver: true"];
    const edited = readFileSync(file, "utf8").split("\n");
    const at = edited.indexOf(added[0] ?? "");
    assert.deepEqual(edited.slice(at, at + 3), added);
    assert.deepEqual([...edited.slice(0, at), ...edited.slice(at + 3)], original.split("\n"));
    assert.match(stdout, /1\. Hand over\./);
    for (const name of ["acme-sandbox", "acme-workloads"]) {
      assert.match(stdout, new RegExp(`pulumi stack init ${name}\\n\\s+pulumi up --stack ${name}`));
      groups.push({ ...core, name });
    }
  });

  it("step 1: pulumi up of the core creates, replaces and deletes nothing; the product roles are retained", async () => {
    const result = await run(core, ["up", "--yes"]);
    const changed = cloudSteps(result).filter((s) => s.op !== "same");
    assert.deepEqual(
      changed.map((s) => `${s.op} ${s.type} ${s.name}`),
      [],
      "step 1 changed a cloud resource",
    );
    const state = await exportState(core);
    const products = (state.deployment.deployment.resources ?? []).filter(
      (r) =>
        r.custom &&
        !PROVIDER.test(r.type) &&
        ACCOUNTS.some(
          (a) =>
            r.urn.includes(`$tf-bootstrap:product:ProductAccount$`) &&
            r.urn.endsWith(`::${a.name}-terraform-role`),
        ),
    );
    assert.equal(products.length, ACCOUNTS.length);
    for (const r of products) assert.equal(r.retainOnDelete, true, r.urn);
  });

  it("step 2: pulumi up of each group imports its roles and policies, creating and replacing nothing", async () => {
    let imported = 0;
    for (const group of groups) {
      const init = await pulumi(group, [
        "stack",
        "init",
        group.name,
        "--secrets-provider",
        "passphrase",
      ]);
      assert.equal(init.code, 0, describeRun(init));
      const result = await run(group, ["up", "--yes"]);
      const cloud = cloudSteps(result);
      const ops = opsOf(cloud);
      const others = cloud
        .filter((s) => s.op !== "import")
        .map((s) => `${s.op} ${s.type} ${s.name}`);
      const notImport = Object.keys(ops).filter((op) => op !== "import" && op !== "read");
      assert.deepEqual(notImport, [], `group ${group.name}:\n${others.join("\n")}`);
      // The stack reference to the core is the only read.
      assert.equal(ops.read, 1, JSON.stringify(ops));
      imported += ops.import ?? 0;
      // The summary counts the group's new providers and components as creates: state only.
      const changes = summary(result.events)?.resourceChanges ?? {};
      for (const op of ["replace", "delete", "update", "create-replacement", "delete-replaced"]) {
        assert.equal(changes[op] ?? 0, 0, `${group.name} ${op}: ${JSON.stringify(changes)}`);
      }
      assert.equal(changes.import, ops.import, JSON.stringify(changes));
    }
    const productStored = stored.filter((s) => s.account !== "111111111111");
    assert.equal(imported, productStored.length, "every product resource imported once");
    assert.deepEqual(storeContents(store).map(key).sort(), stored.map(key).sort());
  });

  it("step 3: without handOver and adopt, pulumi up of the core only drops retained resources from its state", async () => {
    editConfig(path.join(core.stacksDir, "Pulumi.acme.yaml"), (doc) =>
      doc.deleteIn(["config", "tf-bootstrap:orgStack", "handOver"]),
    );
    for (const group of groups) {
      editConfig(path.join(core.stacksDir, `Pulumi.${group.name}.yaml`), (doc) =>
        doc.deleteIn(["config", "tf-bootstrap:orgStack", "adopt"]),
      );
    }
    const result = await run(core, ["up", "--yes"]);
    const cloud = cloudSteps(result);
    const ops = opsOf(cloud);
    assert.deepEqual(Object.keys(ops).sort(), ["delete", "same"], JSON.stringify(ops));
    const deletes = cloud.filter((s) => s.op === "delete");
    assert.equal(deletes.length, stored.filter((s) => s.account !== "111111111111").length);
    // The engine reports a retained resource leaving the state as a delete step whose old state
    // has retainOnDelete: it does not call the provider's Delete.
    for (const s of deletes) assert.equal(s.old?.retainOnDelete, true, s.urn);
    // Every role and policy still exists: the store is as the first up left it.
    assert.deepEqual(storeContents(store).map(key).sort(), stored.map(key).sort());
  });

  it("the stand-in refuses to import a resource its store does not hold, naming the account", async () => {
    const created = await createStack(home, "ghost", repositoryStackConfig("example"), {
      main: {
        file: "ghost.ts",
        source: `import * as aws from "@pulumi/aws";

const provider = new aws.Provider("ghost-provider", {
  region: "eu-west-1",
  allowedAccountIds: ["222222222201"],
  assumeRoles: [{ roleArn: "arn:aws:iam::222222222201:role/OrganizationAccountAccessRole" }],
});
new aws.iam.Role(
  "ghost",
  { name: "ghost", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) },
  { provider, import: "ghost" },
);
`,
      },
    });
    const ghost = { ...created, env: { ...created.env, TFB_STANDIN_STORE: store } };
    const result = await pulumi(ghost, ["preview", "--stack", "ghost"]);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(
      result.stdout + result.stderr,
      /cannot import "ghost": no such resource \(aws:iam\/role:Role\) in account 222222222201/,
      describeRun(result),
    );
  });

  it("then every stack previews with no changes", async () => {
    for (const stack of [core, ...groups]) {
      const result = await run(stack, ["preview", "--expect-no-changes"]);
      const changed = steps(result.events).filter((s) => s.op !== "same" && s.op !== "read");
      assert.deepEqual(
        changed.map((s) => `${s.op} ${s.urn}`),
        [],
        stack.name,
      );
    }
  });
});

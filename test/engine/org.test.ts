/**
 * `npm run org -- preview|up` on the real Pulumi engine (the CLI, the language host and the aws
 * stand-in of test/engine/): an organisation of a core stack and three account-group stacks,
 * built from the example-oidc stack with sample product accounts, in one project copy with one
 * file backend (the groups' StackReferences read the core stack from it). The command runs in
 * process, as `npm run org` runs it, through the Automation API.
 *
 * Two accounts per group keep the engine's time small: each account starts an aws provider.
 */
import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PACK_NAME, packPolicies } from "../../policy-pack/policies";
import { runOrg, type OrgOperation } from "../../scripts/org/run";
import {
  coreConfig,
  groupConfig,
  sampleAccount,
  sampleGroups,
  writeSampleStack,
  type SampleAccount,
} from "../../scripts/org/sample-org";
import type { OrgJson, StackSummary } from "../../scripts/org/summary";
import { repoRoot, SETUP_TIMEOUT_MS } from "../harness/tools";
import {
  createEngineHome,
  createProjectCopy,
  POLICY_PACK_DIR,
  type EngineHome,
  type ProjectCopy,
} from "./engine-stack";
import { killMarked, RUN_MARK } from "./pulumi-cli";

/** A whole organisation's run on 2 shared cores. */
const RUN_TIMEOUT_MS = 15 * 60_000;

const PACK_VERSION = (
  JSON.parse(readFileSync(path.join(repoRoot, "policy-pack", "package.json"), "utf8")) as {
    version: string;
  }
).version;
const POLICY_COUNT = packPolicies().length;

/** What one run of the command printed and returned. */
interface OrgRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run org -- <operation> …` in process; every process it started is ended after. */
async function org(
  home: EngineHome,
  project: ProjectCopy,
  operation: OrgOperation,
  args: readonly string[] = [],
): Promise<OrgRun> {
  const mark = randomUUID();
  let stdout = "";
  let stderr = "";
  try {
    const code = await runOrg(
      operation,
      [
        "--stacks-dir",
        project.stacksDir,
        "--policy-pack",
        POLICY_PACK_DIR,
        "--pulumi",
        home.tools.pulumi,
        ...args,
      ],
      {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        env: { ...project.env, [RUN_MARK]: mark },
        cwd: project.dir,
      },
    );
    return { code, stdout, stderr };
  } finally {
    killMarked(mark);
  }
}

/** Runs the command with `--json`; returns its document by stack name. */
async function orgJson(
  home: EngineHome,
  project: ProjectCopy,
  operation: OrgOperation,
): Promise<{ run: OrgRun; doc: OrgJson; by: Map<string, StackSummary> }> {
  const run = await org(home, project, operation, ["--json"]);
  let doc: OrgJson;
  try {
    doc = JSON.parse(run.stdout) as OrgJson;
  } catch {
    assert.fail(`org ${operation} --json printed no JSON:\n${run.stdout}\n${run.stderr}`);
  }
  return { run, doc, by: new Map(doc.stacks.map((s) => [s.stack, s])) };
}

function describe_(run: OrgRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** The stack's summary; fails when the run has none for it. */
function stackOf(by: Map<string, StackSummary>, name: string): StackSummary {
  const s = by.get(name);
  assert.ok(s, `no summary for ${name}`);
  return s;
}

/** Asserts the pack ran on the stack and every policy passed. */
function assertPackPassed(s: StackSummary, run: OrgRun): void {
  assert.deepEqual(s.policyPacks, [`${PACK_NAME}@v${PACK_VERSION}`], describe_(run));
  assert.equal(s.mandatory, 0, describe_(run));
  assert.equal(s.advisory, 0, describe_(run));
  assert.equal(s.policiesFailed, 0, describe_(run));
  assert.equal(s.policiesPassed, POLICY_COUNT, describe_(run));
}

/** The operations other than `same` with a count, e.g. `{ create: 12 }`. */
function changed(s: StackSummary): Record<string, number> {
  return Object.fromEntries(Object.entries(s.changes).filter(([op, n]) => op !== "same" && n > 0));
}

/**
 * A group's steps on cloud resources: its StackReference reads the core stack again whenever
 * the core's outputs changed, which changes nothing in any account.
 */
function cloudSteps(s: StackSummary): StackSummary["steps"] {
  const reads = s.steps.filter((step) => step.op === "read");
  assert.ok(
    reads.every((step) => step.type === "pulumi:pulumi:StackReference"),
    `${s.stack} reads more than its core stack: ${JSON.stringify(reads)}`,
  );
  return s.steps.filter((step) => step.op !== "read");
}

/**
 * The core's steps for a new account: its CI role and that role's policies are created (named
 * for the account); the policies that name every account are updated (the plan role's assume
 * policy, the state key's and bucket's policies); nothing is replaced or deleted.
 */
function assertCoreGrowsBy(core: StackSummary, account: string): void {
  const steps = JSON.stringify(core.steps);
  assert.deepEqual(Object.keys(changed(core)).sort(), ["create", "update"], steps);
  for (const step of core.steps) {
    assert.match(step.type, /^aws:(iam|kms|s3)\//, steps);
    if (step.op === "create") assert.ok(step.name.includes(account), steps);
    else assert.equal(step.op, "update", steps);
  }
}

describe("npm run org -- preview|up on the real engine (core + 3 groups)", function () {
  this.timeout(RUN_TIMEOUT_MS);
  let home: EngineHome;
  let project: ProjectCopy;
  let started = Date.now();
  const groups: SampleAccount[][] = sampleGroups(6, 3);
  const CORE = "acme-core";
  const GROUPS = ["acme-g1", "acme-g2", "acme-g3"];
  const writeOrg = (accounts: SampleAccount[][], coreAccounts = accounts) => {
    writeSampleStack(project.stacksDir, CORE, coreConfig(coreAccounts));
    accounts.forEach((a, i) =>
      writeSampleStack(project.stacksDir, GROUPS[i] ?? "", groupConfig(CORE, a)),
    );
  };

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    started = Date.now();
    home = await createEngineHome();
    project = createProjectCopy(home, "org");
    writeOrg(groups);
  });
  after(() => {
    home?.cleanup();
    process.stderr.write(
      `      [org engine tests: ${Math.round((Date.now() - started) / 1000)}s wall]\n`,
    );
  });

  it("(a) preview, then up, of a core and three groups: the core first, the pack on every stack", async function () {
    const first = await orgJson(home, project, "preview");
    assert.equal(first.run.code, 0, describe_(first.run));
    assert.deepEqual(
      first.doc.stacks.map((s) => [s.stack, s.part]),
      [[CORE, "core"], ...GROUPS.map((g) => [g, "group"])],
    );
    const core = stackOf(first.by, CORE);
    assert.equal(core.status, "ok", describe_(first.run));
    assertPackPassed(core, first.run);
    assert.deepEqual(Object.keys(changed(core)), ["create"], describe_(first.run));
    // Nothing is deployed yet: the groups' check would read a core stack without outputs.
    for (const [i, g] of GROUPS.entries()) {
      const s = stackOf(first.by, g);
      assert.equal(s.status, "waits-for-core", describe_(first.run));
      for (const a of groups[i] ?? []) assert.match(s.error ?? "", new RegExp(`\\b${a.name}\\b`));
    }
    assert.match(first.run.stderr, /^\[acme-core\] create aws:iam\/role:Role /m);

    const up = await orgJson(home, project, "up");
    assert.equal(up.run.code, 0, describe_(up.run));
    for (const name of [CORE, ...GROUPS]) {
      const s = stackOf(up.by, name);
      assert.equal(s.status, "ok", describe_(up.run));
      assertPackPassed(s, up.run);
      assert.deepEqual(
        Object.keys(changed(s)),
        ["create"],
        `${name}: ${JSON.stringify(s.changes)}`,
      );
    }
    // The groups have the same number of accounts, so the same resources.
    const creates = GROUPS.map((g) => stackOf(up.by, g).changes.create);
    assert.equal(new Set(creates).size, 1, JSON.stringify(creates));
    assert.ok((creates[0] ?? 0) > 0);
    // The core ran before every group.
    const order = up.run.stderr
      .split("\n")
      .filter((l) => / up (started|ok)$/.test(l))
      .map((l) => l.replace(/^\[([^\]]+)\] up /, "$1 "));
    assert.equal(order[0], `${CORE} started`, order.join("\n"));
    assert.equal(order[1], `${CORE} ok`, order.join("\n"));
  });

  it("(b) an account added to one group and the core changes that group and the core only", async function () {
    const added = sampleAccount(1, 3);
    const grown = groups.map((g, i) => (i === 0 ? [...g, added] : g));
    writeOrg(grown);

    const preview = await orgJson(home, project, "preview");
    assert.equal(preview.run.code, 0, describe_(preview.run));
    const core = stackOf(preview.by, CORE);
    assert.equal(core.status, "ok", describe_(preview.run));
    assertPackPassed(core, preview.run);
    // The core's CI roles may now assume (and reach) the new account's roles: the new
    // account's CI role and its policies are created, the shared CI roles' policies updated.
    assertCoreGrowsBy(core, added.name);
    // The group that gains the account waits for the core's update; the others do not change.
    const g1 = stackOf(preview.by, "acme-g1");
    assert.equal(g1.status, "waits-for-core", describe_(preview.run));
    assert.match(g1.error ?? "", /does not list g1-a3 yet/);
    for (const g of ["acme-g2", "acme-g3"]) {
      const s = stackOf(preview.by, g);
      assert.equal(s.status, "ok", describe_(preview.run));
      assertPackPassed(s, preview.run);
      assert.deepEqual(changed(s), {}, `${g}: ${JSON.stringify(s.steps)}`);
    }

    const up = await orgJson(home, project, "up");
    assert.equal(up.run.code, 0, describe_(up.run));
    assertCoreGrowsBy(stackOf(up.by, CORE), added.name);
    const g1Up = stackOf(up.by, "acme-g1");
    assertPackPassed(g1Up, up.run);
    const g1Steps = cloudSteps(g1Up);
    assert.deepEqual([...new Set(g1Steps.map((s) => s.op))], ["create"], JSON.stringify(g1Steps));
    assert.ok(
      // The account's component, its provider (aws-<account>) and its roles and policies.
      g1Steps.every((s) => new RegExp(`(^|-)${added.name}(-|$)`).test(s.name)),
      JSON.stringify(g1Steps),
    );
    // The other groups read the core's new outputs and change nothing.
    for (const g of ["acme-g2", "acme-g3"]) assert.deepEqual(cloudSteps(stackOf(up.by, g)), []);
  });

  it("(c) a group account the core does not list fails that group's preview, with the fix; the others pass", async function () {
    const stray = sampleAccount(2, 3);
    const current = [[...(groups[0] ?? []), sampleAccount(1, 3)], groups[1] ?? [], groups[2] ?? []];
    writeOrg(
      current.map((g, i) => (i === 1 ? [...g, stray] : g)),
      current,
    );
    const run = await org(home, project, "preview");
    assert.equal(run.code, 1, describe_(run));
    // The text summary: the group failed with the program's message, naming the account and
    // the fix; the core and the other groups passed.
    assert.match(run.stdout, /^acme-g2 \(group\): failed/m, describe_(run));
    assert.match(
      run.stdout,
      new RegExp(
        `product account ${stray.name} \\(${stray.id}\\) is not listed by the core stack ${CORE}.*Fix: add \\{ name: ${stray.name}, id: "${stray.id}" \\} to the core stack's productAccounts`,
      ),
      describe_(run),
    );
    for (const ok of [CORE, "acme-g1", "acme-g3"]) {
      assert.match(run.stdout, new RegExp(`^${ok} \\((core|group)\\): ok`, "m"), describe_(run));
    }
    assert.match(run.stdout, /3 ok, 1 failed; exit 1$/m, describe_(run));
  });
});

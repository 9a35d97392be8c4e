/**
 * The real Pulumi engine runs the real program and the real policy pack: `pulumi preview
 * --policy-pack policy-pack`, `pulumi up`, `pulumi destroy`, exactly as users run them, with
 * the Pulumi CLI built from the Go module proxy, a Node.js language host and a stand-in for
 * the aws provider plugin (test/engine/; the real plugin cannot be had here).
 *
 * What the stand-in cannot show: the real provider's own validation beyond required arguments
 * and well-formed policy documents, and AWS itself (whether it accepts each call, eventual
 * consistency, quotas). Those are covered, where they can be, by the moto end-to-end tests.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PACK_NAME, packPolicies } from "../../policy-pack/policies";
import { repoRoot, SETUP_TIMEOUT_MS } from "../harness/tools";
import {
  createEngineHome,
  createStack,
  exportState,
  preview,
  pulumi,
  repositoryStackConfig,
  synthResources,
  up,
  writeStackConfig,
  type EngineHome,
  type EngineStack,
  type SynthRecord,
} from "./engine-stack";
import { policyVerdicts, stepKeys, steps, summary, violations } from "./events";
import { describeRun, runPulumi, type PulumiResult } from "./pulumi-cli";
import { compareRegistrations } from "./registered-inputs";

/** One engine command on 2 shared cores: the pack type-checks itself on every start. */
const RUN_TIMEOUT_MS = 10 * 60_000;

const POLICY_NAMES = packPolicies().map((p) => p.name);

const PACK_VERSION = (
  JSON.parse(readFileSync(path.join(repoRoot, "policy-pack", "package.json"), "utf8")) as {
    version: string;
  }
).version;

/** `text` as a literal in a regular expression. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `Policies:` then `✅ tf-bootstrap@v0.1.0 (local: …/policy-pack)`. */
const PACK_PASSED_LINE = new RegExp(
  `Policies:\\n\\s+✅ ${PACK_NAME}@v${escape(PACK_VERSION)} \\(local: .*policy-pack\\)`,
);

/** `type::name` of every resource the synth recorded, sorted. */
function synthKeys(records: readonly SynthRecord[]): string[] {
  return records.map((r) => `${r.type}::${r.name}`).sort();
}

/** `type::name` of the steps of `op`, without the stack resource itself. */
function engineKeys(result: PulumiResult, op: string): string[] {
  return stepKeys(result.events, op).filter((k) => !k.startsWith("pulumi:pulumi:Stack::"));
}

/** Asserts every policy of the pack ran and passed, and none reported a violation. */
function assertPackPassed(result: PulumiResult): void {
  const { passed, failed } = policyVerdicts(result.events, PACK_NAME);
  assert.deepEqual([...failed], [], describeRun(result));
  assert.deepEqual(violations(result.events), [], describeRun(result));
  assert.deepEqual([...passed].sort(), [...POLICY_NAMES].sort(), describeRun(result));
  const packs = Object.keys(summary(result.events)?.PolicyPacks ?? {});
  assert.ok(
    packs.some((p) => p.startsWith(`${PACK_NAME}|`)),
    `the run's summary does not list the pack ${PACK_NAME} (${packs.join(", ")}):\n${describeRun(result)}`,
  );
  // What the CLI prints for a passing pack.
  assert.match(result.stdout, PACK_PASSED_LINE, describeRun(result));
}

/** Synth records whose inputs differ between two synths of the same program. */
function changedBetween(before: readonly SynthRecord[], after: readonly SynthRecord[]): string[] {
  const old = new Map(before.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));
  return after
    .filter((r) => {
      const was = old.get(`${r.type}::${r.name}`);
      return was !== undefined && was !== JSON.stringify(r.inputs);
    })
    .map((r) => `${r.type}::${r.name}`)
    .sort();
}

/** `a` without the keys in `b`. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const drop = new Set(b);
  return a.filter((k) => !drop.has(k)).sort();
}

/** The types that make up the state backend and the audit trail. */
const STATE_BACKEND_TYPES = /^aws:(s3|kms|cloudtrail|dynamodb)\//;

describe("the real Pulumi engine (CLI, language host, aws stand-in)", function () {
  this.timeout(RUN_TIMEOUT_MS);
  let home: EngineHome;

  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    home = await createEngineHome();
  });
  after(() => home?.cleanup());

  it("runs the pinned CLI, with the stand-in installed as aws at the @pulumi/aws version", async function () {
    const run = (args: string[]) =>
      runPulumi(args, { pulumi: home.tools.pulumi, cwd: home.dir, env: home.env });
    const version = await run(["version"]);
    assert.equal(version.stdout.trim(), `v${home.tools.pulumiVersion}`, describeRun(version));
    const listed = await run(["plugin", "ls", "--json"]);
    assert.equal(listed.code, 0, describeRun(listed));
    const plugins = JSON.parse(listed.stdout) as { name: string; kind: string; version: string }[];
    assert.deepEqual(
      plugins.map((p) => `${p.kind} ${p.name} ${p.version}`),
      [`resource aws ${home.tools.awsVersion}`],
    );
  });

  it("a resource type the stand-in does not model fails the preview, naming the type", async function () {
    const stack = await createStack(home, "unmodelled", repositoryStackConfig("example"), {
      main: {
        file: "unmodelled.ts",
        source: `import * as aws from "@pulumi/aws";

module.exports = require("./index");

const provider = new aws.Provider("unmodelled-provider", {
  region: "eu-west-1",
  allowedAccountIds: ["111111111111"],
  assumeRoles: [{ roleArn: "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole" }],
});
new aws.sns.Topic("unmodelled", { name: "unmodelled" }, { provider });
`,
      },
    });
    const result = await preview(stack);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(
      result.stdout,
      /aws provider stand-in does not model resource type aws:sns\/topic:Topic; add it/,
      describeRun(result),
    );
  });

  describe("pulumi preview --policy-pack policy-pack", function () {
    for (const name of ["example", "example-oidc"]) {
      it(`${name}: exits 0, every policy of the pack passes, and it creates the synth's resources`, async function () {
        const stack = await createStack(home, name, repositoryStackConfig(name));
        const synth = await synthResources(stack);
        const result = await preview(stack);
        assert.equal(result.code, 0, describeRun(result));
        assertPackPassed(result);
        assert.deepEqual(engineKeys(result, "create"), synthKeys(synth));
        assert.equal(engineKeys(result, "create").length, synth.length);
        assert.deepEqual(
          steps(result.events)
            .filter((s) => s.op !== "create")
            .map((s) => `${s.op} ${s.urn}`),
          [],
        );
      });
    }
  });

  describe("a topology that breaks a mandatory policy", function () {
    const FOREIGN_ROOT = "arn:aws:iam::999999999999:root";
    // The real program, with dev's Terraform role also trusting another account's root, as
    // an edit of the program or an out-of-band transformation would make it.
    const widened = {
      file: "widened-trust.ts",
      source: `import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.registerStackTransformation((args) => {
  if (args.type !== "aws:iam/role:Role" || args.name !== "dev-terraform-role") return undefined;
  const trust = pulumi.output(args.props.assumeRolePolicy).apply((text: string) => {
    const document = JSON.parse(text);
    document.Statement.push({
      Effect: "Allow",
      Principal: { AWS: "${FOREIGN_ROOT}" },
      Action: "sts:AssumeRole",
    });
    return JSON.stringify(document);
  });
  return { props: { ...args.props, assumeRolePolicy: trust }, opts: args.opts };
});

module.exports = require("./index");
`,
    };
    /** The pack's report of the widened trust, as the CLI prints it under `Policies:`. */
    const packReport = (mark: string, level: string) =>
      new RegExp(
        `Policies:\\n\\s+${mark} ${PACK_NAME}@v${escape(PACK_VERSION)} \\(local: .*\\)\\n` +
          `\\s+- \\[${level}\\]\\s+terraform-role-trust-restrictive\\s+` +
          `\\(aws:iam:Role: dev-terraform-role\\)\\n` +
          `[^\\n]*\\n\\s+\\[Principal::Account:999999999999\\] `,
      );
    let stack: EngineStack;
    before(async function () {
      stack = await createStack(home, "widened", repositoryStackConfig("example"), {
        main: widened,
      });
    });

    it("fails the preview and prints the finding's id", async function () {
      const result = await preview(stack);
      assert.notEqual(result.code, 0, describeRun(result));
      const found = violations(result.events);
      assert.deepEqual(
        found.map((v) => [v.policyName, v.enforcementLevel]),
        [["terraform-role-trust-restrictive", "mandatory"]],
        describeRun(result),
      );
      assert.match(
        found[0]?.message ?? "",
        /^\[Principal::Account:999999999999\] role 'terraform' \(resource 'dev-terraform-role'\) in account 222222222222 may be assumed by more than the CI Terraform role/m,
      );
      // What the CLI prints: the pack failing, the policy, the resource, the finding's id.
      assert.match(result.stdout, packReport("❌", "mandatory"), describeRun(result));
    });

    it("passes with a warning when --policy-pack-config makes that policy advisory", async function () {
      const result = await preview(stack, {
        packConfig: { "terraform-role-trust-restrictive": { enforcementLevel: "advisory" } },
      });
      assert.equal(result.code, 0, describeRun(result));
      const found = violations(result.events);
      assert.deepEqual(
        found.map((v) => [v.policyName, v.enforcementLevel]),
        [["terraform-role-trust-restrictive", "advisory"]],
        describeRun(result),
      );
      assert.match(result.stdout, packReport("⚠️", "advisory"), describeRun(result));
    });
  });

  it("a config error fails the preview with TFB_CONFIG_INVALID and registers nothing", async function () {
    const fixture = parse(
      readFileSync(
        path.join(repoRoot, "test", "fixtures", "stacks", "Pulumi.invalid.yaml"),
        "utf8",
      ),
    ) as { config: Record<string, unknown> };
    const stack = await createStack(home, "invalid", fixture.config);
    const result = await preview(stack);
    const output = `${result.stdout}\n${result.stderr}`;
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(output, /TFB_CONFIG_INVALID/, describeRun(result));
    // Every mistake of the fixture, at once, in the user's terms and without a stack trace.
    assert.match(output, /terraformAccount\.id/, describeRun(result));
    assert.match(output, /productAccounts/, describeRun(result));
    assert.match(output, /redis/, describeRun(result));
    assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, describeRun(result));
    assert.doesNotMatch(output, /unhandled exception/, describeRun(result));
    assert.deepEqual(
      steps(result.events)
        .filter((s) => s.type !== "pulumi:pulumi:Stack")
        .map((s) => s.urn),
      [],
    );
  });

  describe("pulumi up, then changes to the deployed stack", function () {
    // The example organisation with access keys for the CI users, so that secrets are stored.
    const config = repositoryStackConfig("example");
    const ci = config["tf-bootstrap:ci"] as Record<string, unknown>;
    const deployed: Record<string, unknown> = {
      ...config,
      "tf-bootstrap:ci": { ...ci, createAccessKey: true },
    };
    let stack: EngineStack;
    let synth: SynthRecord[];
    let upResult: PulumiResult | undefined;

    before(async function () {
      stack = await createStack(home, "deployed", deployed);
      synth = await synthResources(stack);
    });

    function requireDeployed(): void {
      assert.ok(upResult?.code === 0, "the stack was not deployed: see the pulumi up test");
    }

    it("pulumi up creates the synth's resources, the pack passing in its preview and at apply", async function () {
      upResult = await up(stack);
      assert.equal(upResult.code, 0, describeRun(upResult));
      assertPackPassed(upResult);
      assert.deepEqual(engineKeys(upResult, "create"), synthKeys(synth));
    });

    it("then pulumi preview --expect-no-changes passes", async function () {
      requireDeployed();
      const result = await preview(stack, { args: ["--expect-no-changes"] });
      assert.equal(result.code, 0, describeRun(result));
      assertPackPassed(result);
      assert.deepEqual(
        steps(result.events)
          .filter((s) => s.op !== "same")
          .map((s) => `${s.op} ${s.urn}`),
        [],
      );
    });

    it("got AWS's computed outputs: ARNs in each provider's account, unique ids, key ids", async function () {
      requireDeployed();
      const state = await exportState(stack);
      const resources = state.deployment.deployment.resources ?? [];
      const accountOf = new Map(
        resources
          .filter((r) => r.type === "pulumi:providers:aws")
          .map((r) => [
            `${r.urn}::${r.id}`,
            (JSON.parse(String(r.inputs?.allowedAccountIds)) as string[])[0],
          ]),
      );
      const region = String(deployed["tf-bootstrap:region"]);
      const keyArns = new Map<string, string>();
      for (const r of resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
        const account = accountOf.get(r.provider ?? "");
        assert.match(account ?? "", /^\d{12}$/, `${r.urn} has no pinned provider`);
        const out = r.outputs ?? {};
        if (typeof out.arn === "string") {
          const [, partition, service, arnRegion, arnAccount] = out.arn.split(":");
          assert.equal(partition, "aws", out.arn);
          if (service === "s3") {
            assert.deepEqual([arnRegion, arnAccount], ["", ""], `${out.arn}: a bucket ARN`);
          } else {
            assert.equal(
              arnAccount,
              account,
              `${r.urn}: ${out.arn} is not in its provider's account`,
            );
            assert.equal(arnRegion, service === "iam" ? "" : region, out.arn);
          }
        }
        if (r.type === "aws:iam/role:Role")
          assert.match(String(out.uniqueId), /^AROA[A-Z2-7]{17}$/);
        if (r.type === "aws:iam/user:User")
          assert.match(String(out.uniqueId), /^AIDA[A-Z2-7]{17}$/);
        if (r.type === "aws:iam/accessKey:AccessKey")
          assert.match(r.id ?? "", /^AKIA[A-Z2-7]{16}$/);
        if (r.type === "aws:kms/key:Key") {
          assert.match(
            String(out.keyId),
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
          assert.equal(r.id, out.keyId);
          assert.equal(out.arn, `arn:aws:kms:${region}:${account}:key/${String(out.keyId)}`);
          keyArns.set(String(out.keyId), String(out.arn));
        }
      }
      const aliases = resources.filter((r) => r.type === "aws:kms/alias:Alias");
      assert.ok(aliases.length > 0);
      for (const alias of aliases) {
        const target = String(alias.outputs?.targetKeyId);
        assert.equal(alias.outputs?.targetKeyArn, keyArns.get(target), `${alias.urn}: its key`);
      }
    });

    it("keeps the access keys' secrets encrypted in the exported state", async function () {
      requireDeployed();
      const state = await exportState(stack);
      const keys = (state.deployment.deployment.resources ?? []).filter(
        (r) => r.type === "aws:iam/accessKey:AccessKey",
      );
      assert.equal(keys.length, 2, "one access key per CI user");
      const shown = await pulumi(stack, ["stack", "output", "--json", "--show-secrets"]);
      assert.equal(shown.code, 0, describeRun(shown));
      const outputs = JSON.parse(shown.stdout) as Record<string, string>;
      const plain = [outputs.ciSecretAccessKey, outputs.ciPlanSecretAccessKey];
      for (const secret of plain) {
        assert.match(secret ?? "", /^[A-Za-z0-9+/]{40}$/, "a secret access key");
        assert.ok(
          !state.text.includes(secret ?? "?"),
          "a secret access key is in plain text in the state",
        );
      }
      for (const key of keys) {
        const secret = key.outputs?.secret as Record<string, unknown> | undefined;
        assert.equal(
          secret?.["4dabf18193072939515e22adb298388d"],
          "1b47061264138c4ac30d75fd1eb44270",
          `${key.urn}: secret is not stored as a secret`,
        );
        assert.equal(typeof secret?.ciphertext, "string");
      }
      const hidden = await pulumi(stack, ["stack", "output", "--json"]);
      assert.equal(hidden.code, 0, describeRun(hidden));
      const masked = JSON.parse(hidden.stdout) as Record<string, string>;
      assert.equal(masked.ciSecretAccessKey, "[secret]");
      assert.equal(masked.ciPlanSecretAccessKey, "[secret]");
    });

    it("registered the inputs of out/<stack>/resources.json", async function () {
      requireDeployed();
      const state = await exportState(stack);
      const problems = compareRegistrations(state.deployment.deployment.resources ?? [], synth, {
        region: String(deployed["tf-bootstrap:region"]),
        partition: "aws",
        awsVersion: home.tools.awsVersion,
      });
      assert.deepEqual(problems, []);
    });

    it("one account added: the preview creates it and updates the CI roles' assume policies, nothing else", async function () {
      requireDeployed();
      const accounts = deployed["tf-bootstrap:productAccounts"] as Record<string, unknown>[];
      writeStackConfig(stack, {
        ...deployed,
        "tf-bootstrap:productAccounts": [...accounts, { name: "qa", id: "555555555555" }],
      });
      try {
        const after = await synthResources(stack);
        const result = await preview(stack);
        assert.equal(result.code, 0, describeRun(result));
        assertPackPassed(result);
        const creates = engineKeys(result, "create");
        const updates = engineKeys(result, "update");
        assert.deepEqual(creates, minus(synthKeys(after), synthKeys(synth)));
        assert.deepEqual(updates, changedBetween(synth, after));
        // The design's promise: the account's own resources, and the two assume policies.
        assert.ok(creates.length > 0);
        for (const s of steps(result.events).filter((s) => s.op === "create")) {
          assert.ok(
            s.name === "qa" || s.name.startsWith("qa-") || s.name === "aws-qa",
            `${s.type}::${s.name} is created, but it is not the new account's`,
          );
        }
        assert.deepEqual(updates, [
          "aws:iam/policy:Policy::terraform-ci-plan-role-terraform-ci-plan-assume-1",
          "aws:iam/policy:Policy::terraform-ci-role-terraform-ci-assume-1",
        ]);
        assert.deepEqual(
          steps(result.events)
            .filter((s) => !["create", "update", "same"].includes(s.op))
            .map((s) => `${s.op} ${s.urn}`),
          [],
        );
      } finally {
        writeStackConfig(stack, deployed);
      }
    });

    it("one account removed: its roles are deleted, the state backend untouched", async function () {
      requireDeployed();
      const accounts = deployed["tf-bootstrap:productAccounts"] as { name: string }[];
      writeStackConfig(stack, {
        ...deployed,
        "tf-bootstrap:productAccounts": accounts.filter((a) => a.name !== "staging"),
      });
      const after = await synthResources(stack);
      const previewed = await preview(stack);
      assert.equal(previewed.code, 0, describeRun(previewed));
      assertPackPassed(previewed);
      const deletes = engineKeys(previewed, "delete");
      assert.deepEqual(deletes, minus(synthKeys(synth), synthKeys(after)));
      assert.ok(deletes.includes("aws:iam/role:Role::staging-terraform-role"));
      assert.ok(deletes.includes("aws:iam/role:Role::staging-plan-role"));
      for (const key of deletes) {
        assert.match(
          key,
          /::(staging|staging-.*|aws-staging)$/,
          `${key} is deleted, but it is not staging's`,
        );
      }
      assert.deepEqual(engineKeys(previewed, "update"), changedBetween(synth, after));
      assert.deepEqual(engineKeys(previewed, "create"), []);
      const touched = steps(previewed.events).filter(
        (s) => STATE_BACKEND_TYPES.test(s.type) && s.op !== "same",
      );
      assert.deepEqual(
        touched.map((s) => `${s.op} ${s.urn}`),
        [],
        "a state-backend resource is touched",
      );

      const applied = await up(stack);
      assert.equal(applied.code, 0, describeRun(applied));
      assert.deepEqual(engineKeys(applied, "delete"), deletes);
      const state = await exportState(stack);
      const names = (state.deployment.deployment.resources ?? []).map((r) => r.urn);
      assert.ok(
        !names.some((urn) => /::staging-(terraform|plan)-role$/.test(urn)),
        "staging's roles remain",
      );
      for (const record of after.filter((r) => STATE_BACKEND_TYPES.test(r.type))) {
        assert.ok(
          names.some((urn) => urn.endsWith(`${record.type}::${record.name}`)),
          `${record.type}::${record.name} is no longer in the state`,
        );
      }
      synth = after;
    });

    it("pulumi destroy is refused for the protected resources, which stay in the state", async function () {
      requireDeployed();
      const before = ((await exportState(stack)).deployment.deployment.resources ?? [])
        .map((r) => r.urn)
        .sort();
      const result = await pulumi(stack, ["destroy", "--yes"], { timeoutMs: RUN_TIMEOUT_MS });
      assert.notEqual(result.code, 0, describeRun(result));
      const protectedOnes = synth.filter((r) => r.protect);
      assert.ok(protectedOnes.length > 0, "the program protects its state backend");
      // The engine refuses in destroy's preview, naming the protected resources it reached
      // (the others wait for their dependents).
      const refused = [
        ...result.stdout.matchAll(
          /resource "urn:[^"]*::([^":]+:[^"]+)::([^"]+)" cannot be deleted\s+because it is protected/g,
        ),
      ].map((m) => `${(m[1] ?? "").split("$").pop()}::${m[2]}`); // the type after its parents
      assert.ok(refused.length > 0, describeRun(result));
      const protectedKeys = new Set(protectedOnes.map((r) => `${r.type}::${r.name}`));
      for (const key of refused) assert.ok(protectedKeys.has(key), `${key} is not protected`);
      const state = await exportState(stack);
      const urns = (state.deployment.deployment.resources ?? []).map((r) => r.urn).sort();
      assert.deepEqual(urns, before, "pulumi destroy deleted resources before it was refused");
    });
  });
});

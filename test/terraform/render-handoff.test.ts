import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  GUARD_OUTPUT,
  HANDOFF_FILES,
  handoffFromStackOutputs,
  hclString,
  markdownTable,
  parseDeployedOutputs,
  renderHandoff,
  synthHandoffArtifacts,
  type AccountsTfvars,
  type DeployedOutputs,
  type HandoffFile,
} from "../../lib/terraform";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import { getValue, ROOT, stackConfig, synth, withValue } from "../helpers/stack";
import { topologyAccounts, type ProductAccountConfig } from "../e2e/fixtures/topology";

const GOLDEN = join(ROOT, "test", "terraform", "golden", "example");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const LOCK_MODES = ["s3-lockfile", "dynamodb", "both"] as const;

function text(files: readonly HandoffFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  assert.ok(file, `no ${path}`);
  return file.text;
}

function outputsOf(result: SynthResult): DeployedOutputs {
  const parsed = parseDeployedOutputs(result.outputs);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.outputs;
}

describe("Terraform handoff rendering", function () {
  this.timeout(60_000);
  const synths = new Map<string, SynthResult>();
  before(async () => {
    for (const lock of LOCK_MODES) {
      const flat = withValue(stackConfig(), "state", { keyPrefix: "terraform", lock });
      synths.set(lock, await synth(flat));
    }
    synths.set("example", await synth(stackConfig()));
  });
  const rendered = (key: string) => {
    const result = synths.get(key);
    assert.ok(result);
    return renderHandoff(outputsOf(result), { stack: "example" });
  };

  it("matches the golden files for the example stack (refresh with UPDATE_GOLDEN=1)", () => {
    const files = rendered("example");
    if (UPDATE) {
      rmSync(GOLDEN, { recursive: true, force: true });
      mkdirSync(GOLDEN, { recursive: true });
      for (const f of files) writeFileSync(join(GOLDEN, f.path), f.text);
    }
    assert.ok(existsSync(GOLDEN), `no golden files in ${GOLDEN}; run with UPDATE_GOLDEN=1`);
    assert.deepEqual(
      files.map((f) => f.path).sort(),
      readdirSync(GOLDEN).sort(),
      "the set of files differs from the golden set",
    );
    for (const f of files) {
      assert.equal(f.text, readFileSync(join(GOLDEN, f.path), "utf8"), `${f.path} differs`);
    }
  });

  it("writes exactly the documented files, for every lock mode", () => {
    for (const lock of LOCK_MODES) {
      assert.deepEqual(
        rendered(lock)
          .map((f) => f.path)
          .sort(),
        Object.values(HANDOFF_FILES).sort(),
      );
    }
  });

  const backendCases: {
    lock: (typeof LOCK_MODES)[number];
    lockfile: boolean;
    table: boolean;
    requiredVersion: string;
  }[] = [
    { lock: "s3-lockfile", lockfile: true, table: false, requiredVersion: ">= 1.10.0" },
    { lock: "dynamodb", lockfile: false, table: true, requiredVersion: ">= 1.6.0" },
    { lock: "both", lockfile: true, table: true, requiredVersion: ">= 1.10.0" },
  ];
  for (const c of backendCases) {
    it(`lock mode ${c.lock}: the backend file locks ${[c.lockfile && "with the S3 lockfile", c.table && "with the DynamoDB table"].filter(Boolean).join(" and ")}; accounts.tf requires ${c.requiredVersion}`, () => {
      const files = rendered(c.lock);
      const backend = text(files, HANDOFF_FILES.backend);
      const attributes = Object.fromEntries(
        backend
          .split("\n")
          .filter((line) => /^[a-z_]+ +=/.test(line))
          .map((line) => line.split(/ += /) as [string, string]),
      );
      const outputs = outputsOf(synths.get(c.lock) as SynthResult);
      assert.deepEqual(attributes, {
        bucket: hclString(outputs.backend.bucket),
        region: '"eu-west-1"',
        key: '"terraform.tfstate"',
        workspace_key_prefix: '"terraform"',
        encrypt: "true",
        kms_key_id: hclString(outputs.backend.kmsKeyArn),
        ...(c.lockfile ? { use_lockfile: "true" } : {}),
        ...(c.table ? { dynamodb_table: '"terraform-locks"' } : {}),
        assume_role: "{",
      });
      assert.match(
        backend,
        /\nassume_role = \{\n {2}role_arn = "arn:aws:iam::111111111111:role\/terraform-ci"\n\}\n$/,
      );
      assert.match(
        text(files, HANDOFF_FILES.accounts),
        new RegExp(`required_version = "${c.requiredVersion}"`),
      );
    });
  }

  it("maps every workspace to the account and role the registered resources have (not only the outputs)", () => {
    const result = synths.get("example") as SynthResult;
    const tfvars = JSON.parse(text(rendered("example"), HANDOFF_FILES.tfvars)) as AccountsTfvars;
    const products = getValue<ProductAccountConfig[]>(stackConfig(), "productAccounts");
    assert.deepEqual(tfvars.accounts, topologyAccounts(result, products));
    assert.equal(tfvars.region, "eu-west-1");
    assert.equal(tfvars.ci_role_arn, "arn:aws:iam::111111111111:role/terraform-ci");
  });

  it("uses each account's configured workspace name, sorted, whatever the order of the outputs", async () => {
    const flat = withValue(stackConfig(), "productAccounts", [
      { name: "prod", id: "444444444444", workspace: "production" },
      { name: "dev", id: "222222222222" },
    ]);
    const result = await synth(flat);
    const outputs = { ...result.outputs };
    const workspaces = outputs.workspaces as Record<string, unknown>;
    outputs.workspaces = Object.fromEntries(Object.entries(workspaces).reverse());
    const handoff = handoffFromStackOutputs(outputs, { stack: "example" });
    assert.ok(handoff.ok);
    const tfvars = JSON.parse(text(handoff.files, HANDOFF_FILES.tfvars)) as AccountsTfvars;
    assert.deepEqual(Object.keys(tfvars.accounts), ["dev", "production"]);
    assert.equal(tfvars.accounts.production?.account_id, "444444444444");
  });

  it("providers.tf: the aws provider assumes the CI role, then the workspace's role, pinned to the workspace's account", () => {
    const providers = text(rendered("example"), HANDOFF_FILES.providers);
    const body = /\nprovider "aws" \{\n([\s\S]*?)\n\}\n/.exec(providers)?.[1] ?? "";
    const code = body
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"))
      .join("\n");
    assert.equal(
      code,
      [
        "  region              = var.region",
        "  allowed_account_ids = [local.account.account_id]",
        "  assume_role {",
        "    role_arn = var.ci_role_arn",
        "  }",
        "  assume_role {",
        "    role_arn = local.account.role_arn",
        "  }",
      ].join("\n"),
    );
    assert.match(providers, /source {2}= "hashicorp\/aws"\n\s+version = ">= 5\.67\.0"/);
    assert.equal((providers.match(/^provider /gm) ?? []).length, 1, "one provider block only");
  });

  it("accounts.tf declares every variable the tfvars file sets, and guards the workspace with an output precondition naming it", () => {
    const files = rendered("example");
    const accounts = text(files, HANDOFF_FILES.accounts);
    const tfvars = JSON.parse(text(files, HANDOFF_FILES.tfvars)) as Record<string, unknown>;
    const declared = [...accounts.matchAll(/^variable "([a-z_]+)"/gm)].map((m) => m[1]);
    assert.deepEqual(declared.sort(), Object.keys(tfvars).sort());
    assert.match(accounts, /account = lookup\(var\.accounts, terraform\.workspace, null\)/);
    assert.match(accounts, new RegExp(`output "${GUARD_OUTPUT}" \\{[\\s\\S]*precondition \\{`));
    assert.match(accounts, /Workspace \\"\$\{terraform\.workspace\}\\" is not in the topology/);
    assert.doesNotMatch(
      accounts,
      /^\s*(provider|resource|data|module|required_providers)\b/m,
      "accounts.tf must not need a provider",
    );
  });

  it("never writes emulator settings, secrets or machine paths into a generated file", () => {
    for (const lock of LOCK_MODES) {
      const result = synths.get(lock) as SynthResult;
      const outputs = {
        ...result.outputs,
        ciAccessKeyId: "AKIAEXAMPLEKEYID0001",
        ciSecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      };
      const handoff = handoffFromStackOutputs(outputs, { stack: "example" });
      assert.ok(handoff.ok);
      for (const f of handoff.files) {
        assert.doesNotMatch(
          f.text,
          /endpoint|skip_|use_path_style|127\.0\.0\.1|localhost|moto|AKIAEXAMPLE|wJalrXUtn|\/tmp\/|\/home\//i,
          `${lock}: ${f.path}`,
        );
      }
    }
  });

  it("synth writes the same files under terraform/, from the program's outputs", () => {
    const result = synths.get("example") as SynthResult;
    const files = synthHandoffArtifacts("example", result.outputs);
    assert.deepEqual(
      files,
      rendered("example").map((f) => ({ path: `terraform/${f.path}`, text: f.text })),
    );
    assert.throws(() => synthHandoffArtifacts("example", {}), /TFB_OUTPUTS_INVALID/);
  });

  it("quotes HCL strings: backslashes, quotes, newlines and template sequences", () => {
    const cases: { input: string; expected: string }[] = [
      { input: "plain", expected: '"plain"' },
      { input: 'a"b', expected: '"a\\"b"' },
      { input: "a\\b", expected: '"a\\\\b"' },
      { input: "a\nb", expected: '"a\\nb"' },
      { input: "${x}", expected: '"$${x}"' },
      { input: "%{if}", expected: '"%%{if}"' },
    ];
    for (const c of cases) assert.equal(hclString(c.input), c.expected, c.input);
  });

  it("pads Markdown tables the way Prettier does", () => {
    assert.deepEqual(
      markdownTable(
        ["a", "long header"],
        [
          ["x", "y"],
          ["wider", ""],
        ],
      ),
      [
        "| a     | long header |",
        "| ----- | ----------- |",
        "| x     | y           |",
        "| wider |             |",
      ],
    );
  });
});

import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PIPELINE_FILES, renderPipeline } from "../../lib/pipeline";
import {
  ACCOUNT_OUTPUT,
  GUARD_VARIABLE,
  HANDOFF_FILES,
  handoffFromStackOutputs,
  hclString,
  IAM_USER_AUDIENCE,
  markdownTable,
  parseDeployedOutputs,
  pipelinePlanFromOutputs,
  renderHandoff,
  renderPipelineFiles,
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
    { lock: "dynamodb", lockfile: false, table: true, requiredVersion: ">= 1.9.0" },
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
      });
      // The run's own credentials (a CI role session) make every state request.
      assert.doesNotMatch(backend, /^\s*(assume_role|role_arn|profile)\b/m);
      assert.match(
        text(files, HANDOFF_FILES.accounts),
        new RegExp(`required_version = "${c.requiredVersion}"`),
      );
    });
  }

  it("maps every workspace to the account and both roles the registered resources have (not only the outputs); names no CI role", () => {
    const result = synths.get("example") as SynthResult;
    const tfvars = JSON.parse(text(rendered("example"), HANDOFF_FILES.tfvars)) as AccountsTfvars;
    const products = getValue<ProductAccountConfig[]>(stackConfig(), "productAccounts");
    assert.deepEqual(tfvars.accounts, topologyAccounts(result, products));
    assert.deepEqual(Object.keys(tfvars), ["region", "accounts"]);
    assert.equal(tfvars.region, "eu-west-1");
    assert.deepEqual(tfvars.accounts.dev, {
      account_id: "222222222222",
      role_arn: "arn:aws:iam::222222222222:role/terraform",
      plan_role_arn: "arn:aws:iam::222222222222:role/terraform-plan",
    });
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

  it("providers.tf: the aws provider makes one hop, into the role accounts.tf selects for the access level, pinned to the workspace's account", () => {
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
        "    role_arn = local.role_arn",
        "  }",
      ].join("\n"),
    );
    assert.match(providers, /source {2}= "hashicorp\/aws"\n\s+version = ">= 5\.0\.0"/);
    assert.equal((providers.match(/^provider /gm) ?? []).length, 1, "one provider block only");
  });

  it("accounts.tf declares every variable the tfvars file sets and the access level, and guards the workspace with a validation of the map naming it", () => {
    const files = rendered("example");
    const accounts = text(files, HANDOFF_FILES.accounts);
    const tfvars = JSON.parse(text(files, HANDOFF_FILES.tfvars)) as Record<string, unknown>;
    const declared = [...accounts.matchAll(/^variable "([a-z_]+)"/gm)].map((m) => m[1]);
    assert.deepEqual(declared.sort(), [...Object.keys(tfvars), "access"].sort());
    assert.match(accounts, /account = lookup\(var\.accounts, terraform\.workspace, null\)/);
    const guarded = new RegExp(`\\nvariable "${GUARD_VARIABLE}" \\{\\n([\\s\\S]*?)\\n\\}\\n`).exec(
      accounts,
    )?.[1];
    assert.match(
      guarded ?? "",
      /validation \{\n {4}condition {5}= contains\(keys\(var\.accounts\), terraform\.workspace\)\n/,
    );
    assert.match(accounts, new RegExp(`output "${ACCOUNT_OUTPUT}" \\{`));
    assert.doesNotMatch(accounts, /precondition/, "the guard is the validation, nothing else");
    assert.match(accounts, /Workspace \\"\$\{terraform\.workspace\}\\" is not in the topology/);
    assert.doesNotMatch(
      accounts,
      /^\s*(provider|resource|data|module|required_providers)\b/m,
      "accounts.tf must not need a provider",
    );
  });

  it("accounts.tf: `access` defaults to plan, accepts only plan and apply, and selects the plan role unless it is apply", () => {
    const accounts = text(rendered("example"), HANDOFF_FILES.accounts);
    const variable = /\nvariable "access" \{\n([\s\S]*?)\n\}\n/.exec(accounts)?.[1] ?? "";
    assert.match(variable, /^ {2}type {8}= string$/m);
    assert.match(variable, /^ {2}default {5}= "plan"$/m);
    assert.match(variable, /condition {5}= contains\(\["plan", "apply"\], var\.access\)/);
    assert.match(
      accounts,
      /\n {2}role_arn = local\.account == null \? null : \(var\.access == "apply" \? local\.account\.role_arn : local\.account\.plan_role_arn\)\n/,
    );
    assert.match(accounts, /A saved plan keeps its variables/);
  });

  it("select-workspace.sh creates a workspace with apply access only, and refuses any other access level", () => {
    const script = text(rendered("example"), HANDOFF_FILES.selectWorkspace);
    assert.match(
      script,
      /case "\$\{TF_VAR_access:-plan\}" in\n {2}apply\) exec "\$tf" workspace select -or-create "\$ws" ;;/,
    );
    assert.match(script, /\n {2}exit 3\nfi\nexec "\$tf" workspace select "\$ws"\n/);
    assert.equal(
      (script.match(/-or-create/g) ?? []).length,
      1,
      "one -or-create, in the apply branch",
    );
    assert.match(script, /TF_VAR_access must be plan or apply/);
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
      for (const f of handoff.pipelineFiles) {
        assert.doesNotMatch(
          f.text,
          /127\.0\.0\.1|localhost|moto|AKIAEXAMPLE|wJalrXUtn|\/home\//i,
          `${lock}: ci/${f.path}`,
        );
      }
    }
  });

  it("synth writes the same files under terraform/ and the CI pipeline templates under ci/, from the program's outputs", () => {
    const result = synths.get("example") as SynthResult;
    const files = synthHandoffArtifacts("example", result.outputs);
    const outputs = outputsOf(result);
    assert.deepEqual(files, [
      ...rendered("example").map((f) => ({ path: `terraform/${f.path}`, text: f.text })),
      ...renderPipeline(pipelinePlanFromOutputs(outputs, "example")).map((f) => ({
        path: `ci/${f.path}`,
        text: f.text,
      })),
    ]);
    // iam-user mode: templates for both platforms.
    assert.deepEqual(
      files
        .filter((f) => f.path.startsWith("ci/"))
        .map((f) => f.path.slice(3))
        .sort(),
      Object.values(PIPELINE_FILES).sort(),
    );
    assert.throws(() => synthHandoffArtifacts("example", {}), /TFB_OUTPUTS_INVALID/);
  });

  it("the pipeline plan follows the apply order: stages of { workspace, account id, environment }, both CI roles, the state's region", async () => {
    const flat = withValue(
      withValue(stackConfig(), "productAccounts", [
        { name: "dev", id: "222222222222" },
        { name: "staging", id: "333333333333", environment: "pre-production" },
        { name: "prod", id: "444444444444", workspace: "production", environment: "production" },
        { name: "prod-eu", id: "555555555555", environment: "production" },
      ]),
      "ci",
      {
        mode: "iam-user",
        pipeline: { applyOrder: ["dev", "staging", ["production", "prod-eu"]], tool: "tofu" },
      },
    );
    const outputs = outputsOf(await synth(flat));
    const plan = pipelinePlanFromOutputs(outputs, "acme");
    // New stacks: each environment's apply jobs take its own CI apply role.
    const ciRole = (env: string) => `arn:aws:iam::111111111111:role/terraform-ci-${env}`;
    assert.deepEqual(plan, {
      stack: "acme",
      mode: "iam-user",
      region: "eu-west-1",
      branch: "main",
      audience: IAM_USER_AUDIENCE,
      planRoleArn: "arn:aws:iam::111111111111:role/terraform-ci-plan",
      applyRoleArns: {
        dev: ciRole("dev"),
        "pre-production": ciRole("pre-production"),
        production: ciRole("production"),
      },
      applyRolesMode: "per-environment",
      stages: [
        [{ workspace: "dev", accountId: "222222222222", environment: "dev" }],
        [{ workspace: "staging", accountId: "333333333333", environment: "pre-production" }],
        [
          { workspace: "production", accountId: "444444444444", environment: "production" },
          { workspace: "prod-eu", accountId: "555555555555", environment: "production" },
        ],
      ],
      roots: [
        {
          name: "root",
          directory: "terraform",
          workspaces: ["dev", "staging", "production", "prod-eu"],
          stateKey: "terraform.tfstate",
        },
      ],
      codeOwners: ["@acme/devops", "@acme/security"],
      tool: "tofu",
      toolVersion: "1.10.6",
      toolSha256: "15b7bed76420b50da3e121769c43341df8cd57d751ca14e6dbe9c850124c6dac",
      sessionDurationSeconds: 3600,
      maxParallel: 10,
      sharedPaths: ["modules"],
      driftSchedule: "23 5 * * 1-5",
    });
  });

  const modes: {
    mode: "github-oidc" | "gitlab-oidc";
    repository: string;
    ci: string[];
    readme: RegExp;
  }[] = [
    {
      mode: "github-oidc",
      repository: "acme/infrastructure",
      ci: [
        PIPELINE_FILES.readme,
        PIPELINE_FILES.githubWorkflow,
        PIPELINE_FILES.githubData,
        PIPELINE_FILES.githubChanges,
        PIPELINE_FILES.githubDigest,
        PIPELINE_FILES.githubCodeowners,
        PIPELINE_FILES.githubBranchProtection,
      ],
      readme: /`aws-actions\/configure-aws-credentials` with `role-to-assume`/,
    },
    {
      mode: "gitlab-oidc",
      repository: "acme/platform/infrastructure",
      ci: [
        PIPELINE_FILES.readme,
        PIPELINE_FILES.gitlabCi,
        PIPELINE_FILES.gitlabData,
        PIPELINE_FILES.gitlabChanges,
        PIPELINE_FILES.gitlabDigest,
        PIPELINE_FILES.gitlabCodeowners,
        PIPELINE_FILES.gitlabBranchProtection,
      ],
      readme:
        /sets `AWS_ROLE_ARN` \(the CI role of\nits access level\) and `AWS_WEB_IDENTITY_TOKEN_FILE`/,
    },
  ];
  for (const c of modes) {
    it(`mode ${c.mode}: the pipeline plan carries the repository and audience; the templates are the platform's; the README says how jobs take the CI roles`, async () => {
      const flat = withValue(stackConfig(), "ci", { mode: c.mode, repository: c.repository });
      const result = await synth(flat);
      const handoff = handoffFromStackOutputs(result.outputs, { stack: "example" });
      assert.ok(handoff.ok, JSON.stringify(handoff));
      const plan = pipelinePlanFromOutputs(handoff.outputs, "example");
      assert.equal(plan.mode, c.mode);
      assert.equal(plan.repository, c.repository);
      assert.equal(plan.audience, "sts.amazonaws.com");
      assert.deepEqual(
        handoff.pipelineFiles.map((f) => f.path),
        c.ci,
      );
      assert.deepEqual(
        handoff.pipelineFiles,
        renderPipelineFiles(handoff.outputs, { stack: "example" }),
      );
      const readme = text(handoff.files, HANDOFF_FILES.readme);
      assert.match(readme, c.readme);
      assert.doesNotMatch(readme, /IAM users \(mode/);
      // The Terraform files do not depend on the CI mode.
      const iamUser = rendered("example");
      for (const path of [
        HANDOFF_FILES.backend,
        HANDOFF_FILES.tfvars,
        HANDOFF_FILES.accounts,
        HANDOFF_FILES.providers,
      ]) {
        assert.equal(text(handoff.files, path), text(iamUser, path), path);
      }
    });
  }

  it("README: both access levels with the CI role each starts as, every workspace's two roles, the apply stages, the ci/ templates", () => {
    const readme = text(rendered("example"), HANDOFF_FILES.readme);
    assert.match(
      readme,
      /\| `plan` \(default\) \| the CI plan role `arn:aws:iam::111111111111:role\/terraform-ci-plan` \|/,
    );
    assert.match(
      readme,
      /\| `apply` +\| the CI apply role `arn:aws:iam::111111111111:role\/terraform-ci` +\|/,
    );
    assert.match(
      readme,
      /\| `dev` +\| dev +\| 222222222222 \| `dev` +\| `arn:aws:iam::222222222222:role\/terraform` \| `arn:aws:iam::222222222222:role\/terraform-plan` \|/,
    );
    assert.match(readme, /export TF_VAR_access=plan/);
    assert.match(readme, / {3}1\. `dev`\n {3}2\. `staging`\n {3}3\. `prod`\n/);
    assert.match(readme, /CI pipeline templates to `<your Terraform root>\/ci\/`/);
    assert.match(readme, /IAM users \(mode `iam-user`\)/);
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

import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { orgReport, type FindingId, type OrgReport } from "../../../lib/org-stacks/report";
import { readReportInputs, runReport } from "../../../scripts/org/report";
import {
  coreConfig,
  exampleOidcConfig,
  groupConfig,
  writeSplitOrg,
  writeStack,
  type StackFileConfig,
} from "./split-fixture";

type Accounts = { name: string; id: string; environment?: string; ou?: string }[];

const accountsOf = (config: StackFileConfig) => config["tf-bootstrap:productAccounts"] as Accounts;

function withAccounts(config: StackFileConfig, accounts: Accounts): StackFileConfig {
  return { ...config, "tf-bootstrap:productAccounts": accounts };
}

function reportOf(dir: string, core?: string) {
  const read = readReportInputs(dir);
  if (!read.ok) throw new Error(read.message);
  return orgReport(read.inputs, core);
}

function okReport(dir: string, core?: string): OrgReport {
  const made = reportOf(dir, core);
  if (!made.ok) throw new Error(made.message);
  return made.report;
}

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runReport(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { isTTY: false, write: (t: string) => (stderr += t) },
    env: {},
  });
  return { code, stdout, stderr };
}

describe("org report: the organisation from its stack files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tfb-org-report-"));
    writeSplitOrg(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the core, each group with its accounts, the totals, and no findings when the files agree", () => {
    const core = coreConfig();
    writeStack(
      dir,
      "acme-core",
      withAccounts(
        core,
        accountsOf(core).map((a) => ({ ...a, ou: a.name === "dev" ? "Dev" : "Live" })),
      ),
    );
    const live = groupConfig("acme-core", ["staging", "prod"]);
    writeStack(
      dir,
      "acme-live",
      withAccounts(
        live,
        accountsOf(live).map((a) => ({ ...a, ou: "Live" })),
      ),
    );
    writeStack(dir, "example", exampleOidcConfig());
    const report = okReport(dir);
    assert.deepEqual(report.findings, []);
    assert.equal(report.core.stack, "acme-core");
    assert.equal(report.core.terraformAccountId, "111111111111");
    assert.deepEqual(
      report.groups.map((g) => [g.stack, g.roleDefinition]),
      [
        ["acme-dev", "same"],
        ["acme-live", "same"],
      ],
    );
    assert.deepEqual(report.groups[1]?.accounts, [
      { name: "staging", id: "333333333333", environment: "staging", ou: "Live" },
      { name: "prod", id: "444444444444", environment: "production", ou: "Live" },
    ]);
    assert.deepEqual(report.groups[0]?.accounts, [
      { name: "dev", id: "222222222222", environment: "dev" },
    ]);
    assert.deepEqual(report.totals, {
      groups: 2,
      coreAccounts: 3,
      groupAccounts: 3,
      otherStacks: 1,
    });
    assert.match(report.core.roleDefinitions.terraform, /^sha256:[0-9a-f]{64}$/);
  });

  const cases: {
    name: string;
    edit: (dir: string) => void;
    expected: {
      id: FindingId;
      stack: string;
      account?: string;
      setting?: string;
      message: RegExp;
    }[];
  }[] = [
    {
      name: "an account in a group but not in the core",
      edit: (d) =>
        writeStack(
          d,
          "acme-dev",
          withAccounts(groupConfig("acme-core", ["dev"]), [
            { name: "dev", id: "222222222222" },
            { name: "qa", id: "555555555555" },
          ]),
        ),
      expected: [
        {
          id: "Org::AccountNotInCore",
          stack: "acme-dev",
          account: "qa",
          message:
            /qa \(555555555555\) is in the group acme-dev but not in the core stack acme-core.*preview fails.*Fix: add \{ name: qa, id: "555555555555" \}/,
        },
      ],
    },
    {
      name: "an account in the core but in no group",
      edit: (d) => writeStack(d, "acme-live", groupConfig("acme-core", ["staging"])),
      expected: [
        {
          id: "Org::AccountInNoGroup",
          stack: "acme-core",
          account: "prod",
          message:
            /prod \(444444444444\) is listed by the core stack acme-core but in no account-group stack, so its Terraform and plan roles are built nowhere/,
        },
      ],
    },
    {
      name: "an account in two groups",
      edit: (d) => writeStack(d, "acme-live", groupConfig("acme-core", ["dev", "staging", "prod"])),
      expected: [
        {
          id: "Org::AccountInTwoGroups",
          stack: "acme-dev",
          account: "dev",
          message: /dev is in 2 groups \(acme-dev, acme-live\).*Fix: keep it in one group/,
        },
      ],
    },
    {
      name: "an account whose environment differs from the core's",
      edit: (d) =>
        writeStack(
          d,
          "acme-live",
          withAccounts(groupConfig("acme-core", ["staging", "prod"]), [
            { name: "staging", id: "333333333333" },
            { name: "prod", id: "444444444444" },
          ]),
        ),
      expected: [
        {
          id: "Org::AccountDiffers",
          stack: "acme-live",
          account: "prod",
          message:
            /its environment is prod in acme-live but production in the core stack acme-core/,
        },
      ],
    },
    {
      name: "shared settings that differ, named down to the key",
      edit: (d) => {
        const group = groupConfig("acme-core", ["dev"]);
        writeStack(d, "acme-dev", {
          ...group,
          "tf-bootstrap:region": "eu-central-1",
          "tf-bootstrap:ci": { ...(group["tf-bootstrap:ci"] as object), branch: "release" },
          "tf-bootstrap:tags": { CostCenter: "dev-team" },
        });
      },
      expected: [
        {
          id: "Org::SettingDiffers",
          stack: "acme-dev",
          setting: "region",
          message: /region differs from the core stack acme-core's \(at region\)/,
        },
        {
          id: "Org::SettingDiffers",
          stack: "acme-dev",
          setting: "ci",
          message: /ci differs .*\(at ci\.branch\).*all but ci\.pipeline/,
        },
        {
          id: "Org::SettingDiffers",
          stack: "acme-dev",
          setting: "tags",
          message: /tags differs .*\(at tags\.CostCenter\).*Fix: copy the core stack's tags/,
        },
      ],
    },
    {
      name: "a group whose role definition is not the core's",
      edit: (d) => {
        const group = groupConfig("acme-core", ["dev"]);
        writeStack(d, "acme-dev", {
          ...group,
          "tf-bootstrap:terraformRole": {
            ...(group["tf-bootstrap:terraformRole"] as object),
            allowedServices: ["s3"],
          },
        });
      },
      expected: [
        {
          id: "Org::SettingDiffers",
          stack: "acme-dev",
          setting: "terraformRole",
          message: /\(at terraformRole\.allowedServices\)/,
        },
        {
          id: "Org::RoleDefinition",
          stack: "acme-dev",
          setting: "terraformRole",
          message:
            /the Terraform role definition of acme-dev \(sha256:[0-9a-f]{64}\) is not the core stack acme-core's \(sha256:[0-9a-f]{64}\)/,
        },
        {
          id: "Org::RoleDefinition",
          stack: "acme-dev",
          setting: "terraformPlanRole",
          message:
            /the plan role definition of acme-dev .*Fix: give it the core stack's terraformRole and terraformPlanRole/,
        },
      ],
    },
    {
      name: "an invalid stack file, and a group of a core that is not here",
      edit: (d) => {
        writeFileSync(join(d, "Pulumi.broken.yaml"), "config:\n  tf-bootstrap:region: nowhere\n");
        writeStack(d, "other-g1", groupConfig("other-core", ["dev"]));
      },
      expected: [
        {
          id: "Org::InvalidStackFile",
          stack: "broken",
          message: /Pulumi\.broken\.yaml has \d+ problems.*npm run synth -- broken/,
        },
        {
          id: "Org::UnknownCore",
          stack: "other-g1",
          message: /account-group stack of 'other-core', which has no core stack file here/,
        },
      ],
    },
  ];
  for (const c of cases) {
    it(`finds ${c.name}`, () => {
      c.edit(dir);
      const findings = okReport(dir).findings;
      assert.deepEqual(
        findings.map((f) => [f.id, f.stack, f.account, f.setting]),
        c.expected.map((e) => [e.id, e.stack, e.account, e.setting]),
        findings.map((f) => f.message).join("\n"),
      );
      c.expected.forEach((e, i) => assert.match(findings[i]?.message ?? "", e.message));
    });
  }

  it("a core that still builds the accounts (handOver) leaves no account built nowhere", () => {
    rmSync(join(dir, "Pulumi.acme-live.yaml"));
    writeStack(dir, "acme-core", {
      ...coreConfig(),
      "tf-bootstrap:orgStack": { part: "core", handOver: true },
    });
    const report = okReport(dir);
    assert.deepEqual(report.findings, []);
    assert.equal(report.core.handOver, true);
  });

  it("says which core stack to take when there is none, several, or --core names no core", () => {
    writeStack(dir, "beta-core", coreConfig());
    const several = reportOf(dir);
    assert.equal(several.ok, false);
    if (!several.ok)
      assert.match(several.message, /holds 2 core stacks \(acme-core, beta-core\).*--core NAME/);
    assert.equal(okReport(dir, "beta-core").groups.length, 0);
    const notCore = reportOf(dir, "acme-dev");
    assert.ok(!notCore.ok && /acme-dev\.yaml is not a core stack/.test(notCore.message));
    const missing = reportOf(dir, "nope");
    assert.ok(
      !missing.ok &&
        /--core nope: there is no Pulumi\.nope\.yaml.*its core stacks are acme-core, beta-core/.test(
          missing.message,
        ),
    );
    for (const f of ["acme-core", "beta-core", "acme-dev", "acme-live"])
      rmSync(join(dir, `Pulumi.${f}.yaml`));
    const none = reportOf(dir);
    assert.ok(!none.ok && /no core stack in the stacks directory/.test(none.message));
  });

  it("npm run org -- report: text, --json, and exit 0 (agree), 1 (findings), 2 (no report)", async () => {
    const agree = await cli(["--stacks-dir", dir]);
    assert.equal(agree.code, 0, agree.stderr);
    assert.match(
      agree.stdout,
      /^organisation acme: core stack acme-core \(\S*Pulumi\.acme-core\.yaml\)$/m,
    );
    assert.match(
      agree.stdout,
      /^group acme-live \(\S+\): 2 accounts; role definition same as the core's$/m,
    );
    assert.match(agree.stdout, /^ {2}account {2}id {12}environment {2}ou$/m);
    assert.match(agree.stdout, /^ {2}prod {5}444444444444 {2}production {3}-$/m);
    assert.match(
      agree.stdout,
      /^totals: 2 groups; 3 accounts in the core stack, 3 accounts in groups$/m,
    );
    assert.match(agree.stdout, /^findings: none/m);

    writeStack(dir, "acme-live", groupConfig("acme-core", ["staging"]));
    const findings = await cli(["--stacks-dir", dir, "--core", "acme-core", "--json"]);
    assert.equal(findings.code, 1);
    const json = JSON.parse(findings.stdout) as OrgReport & { exitCode: number };
    assert.equal(json.exitCode, 1);
    assert.deepEqual(
      json.findings.map((f) => f.id),
      ["Org::AccountInNoGroup"],
    );

    const noDir = await cli(["--stacks-dir", join(dir, "nope")]);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /^org report: --stacks-dir \S+nope: no such directory\. Fix: /);
    const bad = await cli(["--nope"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option '--nope'/);
    const help = await cli(["--help"]);
    assert.match(help.stdout, /^usage: npm run org -- report \[options\]/);
  });
});

/**
 * Reading AWS Organizations with the SDK v3 against moto's Organizations API, and
 * `npm run accounts -- discover` proposing the accounts a stack lacks.
 *
 * What moto cannot show: every account it creates joined by CREATED (it has no invitation
 * handshake), so the INVITED warning is tested on data in test/lib/org/propose.test.ts; and
 * it does not enforce IAM on Organizations calls.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { readOrganization } from "../../scripts/aws/read-organization";
import { useMoto, MOTO_DEFAULT_ACCOUNT, type MotoServer } from "../harness/moto";
import { awsOk } from "../e2e/fixtures/aws";
import { describeScriptRun, runScript } from "./run-script";

const CALLER = { accessKeyId: "testing", secretAccessKey: "testing" };

interface Org {
  readonly terraform: string;
  readonly dev: string;
  readonly prod: readonly string[];
  readonly sandbox: string;
  readonly closed: string;
}

async function organizationIn(moto: MotoServer): Promise<Org> {
  await moto.reset();
  const call = (op: string, params: Record<string, unknown> = {}) =>
    awsOk(moto, { service: "organizations", op, params });
  await call("create_organization", { FeatureSet: "ALL" });
  const root = (await call("list_roots")).Roots[0].Id as string;
  const ou = async (parent: string, name: string) =>
    (await call("create_organizational_unit", { ParentId: parent, Name: name })).OrganizationalUnit
      .Id as string;
  const infra = await ou(root, "Infrastructure");
  const workloads = await ou(root, "Workloads");
  const prodOu = await ou(workloads, "Prod");
  const devOu = await ou(workloads, "Dev");
  const sandboxOu = await ou(root, "Sandbox");
  const account = async (name: string, parent: string) => {
    const status = await call("create_account", {
      AccountName: name,
      Email: `${name}@example.com`,
    });
    const id = status.CreateAccountStatus.AccountId as string;
    await call("move_account", {
      AccountId: id,
      SourceParentId: root,
      DestinationParentId: parent,
    });
    return id;
  };
  const terraform = await account("Terraform", infra);
  const dev = await account("Dev", devOu);
  // More than one page of ListAccountsForParent (moto's page is 20 accounts).
  const prod: string[] = [];
  for (let i = 0; i < 23; i += 1)
    prod.push(await account(`Prod ${String(i).padStart(2, "0")}`, prodOu));
  const sandbox = await account("Sandbox", sandboxOu);
  const closed = await account("Old", sandboxOu);
  await call("close_account", { AccountId: closed });
  return { terraform, dev, prod, sandbox, closed };
}

function stackFile(org: Org): string {
  return [
    "# An organisation's stack, with a comment that must survive",
    "config:",
    "  pulumi:disable-default-providers:",
    "    - aws",
    "  tf-bootstrap:organization: acme",
    "  tf-bootstrap:region: eu-west-1",
    "  tf-bootstrap:terraformAccount:",
    `    id: "${org.terraform}"`,
    "  tf-bootstrap:productAccounts:",
    `    - { name: dev, id: "${org.dev}" } # the developers' account`,
    "  tf-bootstrap:terraformRole:",
    "    allowedServices: [s3]",
    "",
  ].join("\n");
}

describe("AWS Organizations: reading the organization and proposing missing accounts (moto)", function () {
  this.timeout(120_000);
  const moto = useMoto();
  let dir: string;
  let org: Org;

  before(async function () {
    org = await organizationIn(moto());
  });
  beforeEach(function () {
    dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-org-"));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads every account with its OU path, across pages, and the management account", async function () {
    const read = await readOrganization({ endpoint: moto().endpoint, credentials: CALLER });
    assert.ok(read.ok, JSON.stringify(read));
    const { snapshot } = read;
    assert.equal(snapshot.managementAccountId, MOTO_DEFAULT_ACCOUNT);
    const byId = new Map(snapshot.accounts.map((a) => [a.id, a]));
    assert.equal(snapshot.accounts.length, 1 + 1 + 1 + 23 + 2);
    assert.equal(byId.get(org.terraform)?.ouPath, "Root/Infrastructure");
    assert.equal(byId.get(org.dev)?.ouPath, "Root/Workloads/Dev");
    for (const id of org.prod) assert.equal(byId.get(id)?.ouPath, "Root/Workloads/Prod", id);
    assert.equal(byId.get(MOTO_DEFAULT_ACCOUNT)?.ouPath, "Root");
    assert.match(byId.get(org.prod[0] ?? "")?.ouId ?? "", /^ou-/);
    assert.equal(byId.get(org.closed)?.status, "SUSPENDED");
  });

  it("discover proposes the missing accounts of an OU with their OU, exit 1, and writes nothing", async function () {
    const file = path.join(dir, "Pulumi.acme.yaml");
    writeFileSync(file, stackFile(org));
    const args = [
      "discover",
      "--stack",
      "acme",
      "--stacks-dir",
      dir,
      "--endpoint",
      moto().endpoint,
    ];
    const run = await runScript("accounts.ts", [...args, "--ou", "Workloads/Prod"], CALLER);
    assert.equal(run.code, 1, describeScriptRun(run));
    assert.match(run.stdout, /23 not in stack file/);
    assert.match(run.stdout, /\+ prod-00 \(\d{12}\): Prod 00; OU Root\/Workloads\/Prod \(ou-/);
    assert.match(run.stdout, /skipped, outside-ou: .*Sandbox/);
    assert.equal(readFileSync(file, "utf8"), stackFile(org));
  });

  it("discover --write appends the entries, keeps the file's comments and flow style, and the config stays valid", async function () {
    const file = path.join(dir, "Pulumi.acme.yaml");
    writeFileSync(file, stackFile(org));
    const args = [
      "discover",
      "--stack",
      "acme",
      "--stacks-dir",
      dir,
      "--endpoint",
      moto().endpoint,
    ];
    const run = await runScript("accounts.ts", [...args, "--write"], CALLER);
    assert.equal(run.code, 0, describeScriptRun(run));
    const text = readFileSync(file, "utf8");
    assert.ok(text.startsWith(stackFile(org).split("  tf-bootstrap:terraformRole:")[0] ?? "x"));
    const accounts = (parse(text) as { config: Record<string, { name: string; id: string }[]> })
      .config["tf-bootstrap:productAccounts"];
    assert.deepEqual(
      accounts?.map((a) => a.id).sort(),
      [org.dev, ...org.prod, org.sandbox].sort(),
      "every active account but the Terraform and the management account, once",
    );
    assert.match(text, /- \{ name: sandbox, id: "\d{12}" \} # Sandbox; OU Root\/Sandbox \(ou-/);
    // Run again: nothing left to propose.
    const again = await runScript("accounts.ts", args, CALLER);
    assert.equal(again.code, 0, describeScriptRun(again));
    assert.match(again.stdout, /0 not in stack file/);
    // The written file is a stack the program accepts: synth runs on it.
    const synth = await runScript("synth.ts", [
      "--stack",
      "acme",
      "--stacks-dir",
      dir,
      "--out",
      path.join(dir, "out"),
    ]);
    assert.equal(synth.code, 0, describeScriptRun(synth));
    assert.match(synth.stdout, /in 26 accounts/);
  });

  it("--json gives the proposal with OU paths and ids for tools (account-group stacks)", async function () {
    const file = path.join(dir, "Pulumi.acme.yaml");
    writeFileSync(file, stackFile(org));
    const run = await runScript(
      "accounts.ts",
      ["discover", "--stack", "acme", "--stacks-dir", dir, "--endpoint", moto().endpoint, "--json"],
      CALLER,
    );
    assert.equal(run.code, 1, describeScriptRun(run));
    const json = JSON.parse(run.stdout) as {
      proposed: { accountId: string; ouPath: string; name: string }[];
    };
    const sandbox = json.proposed.find((p) => p.accountId === org.sandbox);
    assert.deepEqual(
      { name: sandbox?.name, ouPath: sandbox?.ouPath },
      { name: "sandbox", ouPath: "Root/Sandbox" },
    );
  });

  it("the audit with --organization reports the organization's accounts the stack does not cover", async function () {
    const file = path.join(dir, "Pulumi.acme.yaml");
    writeFileSync(file, stackFile(org));
    const ignored = org.sandbox;
    const run = await runScript(
      "audit.ts",
      [
        "--stack",
        "acme",
        "--stacks-dir",
        dir,
        "--endpoint",
        moto().endpoint,
        "--json",
        "--organization",
        "--organization-ignore",
        ignored,
      ],
      CALLER,
    );
    const report = JSON.parse(run.stdout) as {
      exitCode: number;
      organization: { kind: string; coverage: { uncovered: { id: string }[]; ignored: string[] } };
    };
    assert.equal(report.organization.kind, "read", describeScriptRun(run));
    assert.deepEqual(
      report.organization.coverage.uncovered.map((a) => a.id).sort(),
      [...org.prod].sort(),
      "every active account but the stack's, the management account and the ignored one",
    );
    assert.deepEqual(report.organization.coverage.ignored, [ignored]);
    assert.ok(
      run.code !== null && run.code >= 1 && report.exitCode === run.code,
      describeScriptRun(run),
    );
  });

  it("credentials of an account in no organization: exit 2 with the reason and what to do, no stack trace", async function () {
    const file = path.join(dir, "Pulumi.acme.yaml");
    writeFileSync(file, stackFile(org));
    await moto().reset();
    const run = await runScript(
      "accounts.ts",
      ["discover", "--stack", "acme", "--stacks-dir", dir, "--endpoint", moto().endpoint],
      CALLER,
    );
    org = await organizationIn(moto());
    assert.equal(run.code, 2, describeScriptRun(run));
    assert.match(run.stderr, /could not read the organization: AWSOrganizationsNotInUseException/);
    assert.match(run.stderr, /run it from the organization's management account/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});

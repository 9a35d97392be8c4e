import { strict as assert } from "node:assert";
import type { AuditReport } from "../../lib/audit/report";
import { useMoto } from "../harness/moto";
import { audit, deploy, findingKeys } from "./fixtures/deployed-stack";
import { DEPLOYER } from "./fixtures/moto-clients";
import { runAuditCli, type CliRun } from "./fixtures/run-cli";
import { productAccountId, TF_ACCOUNT, writeTestStack, type TestStack } from "./fixtures/stacks";
import { AUDIT_ROLE, setUpAuditor } from "./fixtures/auditor";
import { inAccount, tamper } from "./fixtures/tamper";

const describeRun = (run: CliRun) =>
  `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

describe("audit: unreachable accounts and the command line (moto)", function () {
  // The command line starts ts-node and reads four accounts: well beyond mocha's default on a
  // busy 2-core machine (a clean run was seen to take more than 20 s).
  this.timeout(120_000);
  const moto = useMoto();
  let stack: TestStack;
  const P0 = productAccountId(0);
  const P1 = productAccountId(1);
  const P2 = productAccountId(2);
  const args = () => [
    "--stack",
    stack.name,
    "--stacks-dir",
    stack.dir,
    "--endpoint",
    moto().endpoint,
  ];

  before(function () {
    stack = writeTestStack("cli", { products: 3 });
  });
  after(function () {
    stack.cleanup();
  });
  afterEach(async function () {
    await moto().setIamEnforcement(false);
  });

  it("exits 0 with a clean report for a freshly deployed topology", async function () {
    await deploy(moto(), stack);
    const run = await runAuditCli(args(), DEPLOYER);
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /4 of 4 accounts audited, 0 findings; clean/);
    for (const key of ["terraform", "p00", "p01", "p02"]) {
      assert.match(run.stdout, new RegExp(`== ${key} \\(\\d{12}\\): clean`));
    }
    // Progress goes to stderr, the report to stdout.
    assert.match(run.stderr, /terraform \(111111111111\): read in/);
    assert.doesNotMatch(run.stdout, /read in/);
  });

  it("exits 1 and prints the finding as JSON after the versioning was suspended", async function () {
    await deploy(moto(), stack);
    await inAccount(
      moto().endpoint,
      TF_ACCOUNT,
      tamper.suspendVersioning(`acme-tfstate-${TF_ACCOUNT}-eu-west-1`),
    );
    const run = await runAuditCli([...args(), "--json"], DEPLOYER);
    assert.equal(run.code, 1, describeRun(run));
    const report = JSON.parse(run.stdout) as AuditReport;
    assert.deepEqual(findingKeys(report), [
      "terraform:state-backend-hardened/Versioning::Suspended",
    ]);
    const finding = report.accounts[0]?.findings[0];
    assert.equal(
      finding?.resource,
      `arn:aws:s3:::acme-tfstate-${TF_ACCOUNT}-eu-west-1 (versioning)`,
    );
    assert.match(finding?.message ?? "", /Suspended/);
    assert.ok((finding?.fix ?? "") !== "");
  });

  describe("with IAM enforced and a read-only audit role", function () {
    let auditor: { accessKeyId: string; secretAccessKey: string };
    beforeEach(async function () {
      await deploy(moto(), stack);
      // p02: the auditor may not assume its audit role. p01: its audit role may not list roles.
      auditor = await setUpAuditor(
        moto().endpoint,
        [TF_ACCOUNT, P0, P1, P2],
        [TF_ACCOUNT, P0, P1],
        {
          [P1]: ["iam:ListRoles"],
        },
      );
      await moto().setIamEnforcement(true);
    });

    it("audits the reachable accounts, reports the others, and exits 2", async function () {
      const report = await audit(moto(), stack, { auditRole: AUDIT_ROLE, credentials: auditor });
      const status = Object.fromEntries(
        report.accounts.map((a) => [
          a.key,
          a.status === "audited" ? "audited" : `${a.failure?.code} at ${a.failure?.stage}`,
        ]),
      );
      assert.deepEqual(status, {
        terraform: "audited",
        p00: "audited",
        p01: "AccessDenied at list roles (iam:ListRoles)",
        p02: `AccessDenied at assume arn:aws:iam::${P2}:role/${AUDIT_ROLE}`,
      });
      assert.deepEqual(findingKeys(report), []);
      assert.equal(report.exitCode, 2);
    });

    it("exits 2 from the command line and names the accounts it could not audit", async function () {
      const run = await runAuditCli([...args(), "--audit-role", AUDIT_ROLE], auditor);
      assert.equal(run.code, 2, describeRun(run));
      assert.match(
        run.stdout,
        /2 of 4 accounts audited, 0 findings; INCOMPLETE: not audited: p01 \(200000000001, access denied\), p02 \(200000000002, access denied\)/,
      );
      assert.match(
        run.stdout,
        /== p02 \(200000000002\): NOT AUDITED \(access denied\)\n {2}could not assume .*: AccessDenied/,
      );
      assert.match(run.stdout, /== terraform \(111111111111\): clean/);
      assert.match(run.stdout, /== p00 \(200000000000\): clean/);
    });
  });
});

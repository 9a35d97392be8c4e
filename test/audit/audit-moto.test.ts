import { strict as assert } from "node:assert";
import { renderText } from "../../lib/audit/render-text";
import type { AuditReport } from "../../lib/audit/report";
import { renderDocument } from "../../lib/iam/documents";
import { planTopology } from "../../lib/plan/topology";
import type { TopologyPlan } from "../../lib/plan/model";
import type { AccountClients } from "../../scripts/aws/clients";
import { useMoto } from "../harness/moto";
import { audit, deploy, findingKeys } from "./fixtures/deployed-stack";
import { productAccountId, TF_ACCOUNT, writeTestStack, type TestStack } from "./fixtures/stacks";
import { inAccount, tamper, widenedTrust } from "./fixtures/tamper";

interface Scenario {
  readonly name: string;
  /** The account to tamper with. */
  readonly account: (plan: TopologyPlan) => string;
  readonly change: (plan: TopologyPlan) => (c: AccountClients) => Promise<unknown>;
  /** Exactly the findings the audit must report, as `account:check/id`. */
  readonly expected: readonly string[];
  readonly now?: Date;
}

const P0 = productAccountId(0);
const P1 = productAccountId(1);
const P2 = productAccountId(2);
const STATE_BUCKET = `acme-tfstate-${TF_ACCOUNT}-eu-west-1`;
const DAY = 24 * 60 * 60 * 1000;
const DELETED_ROLE_ID = "AROAZZZZZZZZZZZZZZZZZ";

const scenarios: Scenario[] = [
  {
    name: "a product role's trust widened to another principal",
    account: () => P1,
    change: (plan) =>
      tamper.updateTrust(
        "terraform",
        widenedTrust(
          renderDocument(plan.products[1].terraformRole.trustPolicy),
          "arn:aws:iam::999999999999:role/intruder",
        ),
      ),
    expected: [
      "p01:declared-state-drift/Drift::TrustPolicy",
      "p01:terraform-role-trust-restrictive/Principal::AWS:arn:aws:iam::999999999999:role/intruder",
    ],
  },
  {
    name: "the CI role's trust widened to the account root",
    account: () => TF_ACCOUNT,
    change: (plan) =>
      tamper.updateTrust(
        plan.terraform.ciApply[0].role.name,
        widenedTrust(
          renderDocument(plan.terraform.ciApply[0].role.trustPolicy),
          `arn:aws:iam::${TF_ACCOUNT}:root`,
        ),
      ),
    expected: [
      `terraform:ci-role-trust-restrictive/Principal::Account:${TF_ACCOUNT}`,
      "terraform:declared-state-drift/Drift::TrustPolicy",
    ],
  },
  {
    name: "a policy attached to one account's Terraform role only",
    account: () => P0,
    change: () => tamper.attachCustomerPolicy("terraform", P0),
    expected: [
      "p00:declared-state-drift/Drift::ManagedPolicyAttached",
      "p00:terraform-role-policies-identical/Permissions::Differ",
    ],
  },
  {
    name: "an inline policy edited in one account only",
    account: () => P2,
    change: () =>
      tamper.editInlinePolicy(
        "terraform",
        "terraform",
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["ec2:*", "s3:*", "lambda:*", "iam:*"], Resource: "*" },
          ],
        }),
      ),
    expected: [
      "p02:declared-state-drift/Drift::InlinePolicyChanged",
      "p02:terraform-role-policies-identical/Permissions::Differ",
    ],
  },
  {
    name: "the state bucket's public access block removed",
    account: () => TF_ACCOUNT,
    change: () => tamper.publicAccessBlockOff(STATE_BUCKET),
    expected: ["terraform:state-backend-hardened/PublicAccess::Missing"],
  },
  {
    name: "the state bucket's versioning suspended",
    account: () => TF_ACCOUNT,
    change: () => tamper.suspendVersioning(STATE_BUCKET),
    expected: ["terraform:state-backend-hardened/Versioning::Suspended"],
  },
  {
    name: "the state bucket's default encryption removed",
    account: () => TF_ACCOUNT,
    change: () => tamper.removeEncryption(STATE_BUCKET),
    expected: ["terraform:state-backend-hardened/Encryption::Missing"],
  },
  {
    name: "the state bucket's policy deleted",
    account: () => TF_ACCOUNT,
    change: () => tamper.removeBucketPolicy(STATE_BUCKET),
    expected: [
      "terraform:declared-state-drift/Drift::BucketPolicy",
      "terraform:state-backend-hardened/Tls::NoBucketPolicy",
    ],
  },
  {
    name: "the state key's rotation switched off",
    account: () => TF_ACCOUNT,
    change: () => tamper.disableKeyRotation("alias/terraform-state"),
    expected: ["terraform:state-backend-hardened/Kms::RotationOff"],
  },
  {
    name: "the trail stopped",
    account: () => TF_ACCOUNT,
    change: () => tamper.stopTrail("terraform-audit"),
    expected: ["terraform:audit-trail-enabled/Trail::LoggingOff"],
  },
  {
    name: "an undeclared role that trusts the CI role",
    account: () => P1,
    change: (plan) =>
      tamper.roleTrustingCi("deploy-shortcut", TF_ACCOUNT, plan.terraform.ciApply[0].role.arn),
    expected: ["p01:live-state/Role::TrustsCi"],
  },
  {
    name: "a trust principal that became a unique id",
    account: () => P0,
    change: () =>
      tamper.updateTrust(
        "terraform",
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: DELETED_ROLE_ID }, Action: "sts:AssumeRole" },
          ],
        }),
      ),
    expected: [
      "p00:declared-state-drift/Drift::TrustPolicy",
      "p00:live-state/Principal::UniqueId",
      `p00:terraform-role-trust-restrictive/Principal::AWS:${DELETED_ROLE_ID}`,
      "p00:terraform-role-trust-restrictive/Trust::CallerNotAdmitted",
    ],
  },
  {
    name: "access keys older than the allowed age (the apply and the plan user's)",
    account: () => TF_ACCOUNT,
    change: () => () => Promise.resolve(),
    now: new Date(Date.now() + 91 * DAY),
    expected: ["terraform:live-state/AccessKey::TooOld", "terraform:live-state/AccessKey::TooOld"],
  },
];

describe("audit against moto", function () {
  const moto = useMoto();
  let stack: TestStack;
  let plan: TopologyPlan;
  before(function () {
    stack = writeTestStack("audited", { products: 3, lock: "both", createAccessKey: true });
    plan = planTopology(stack.config);
  });
  after(function () {
    stack.cleanup();
  });

  const explain = (report: AuditReport) => `\n${renderText(report)}`;

  it("finds nothing in a freshly deployed topology", async function () {
    await deploy(moto(), stack);
    const report = await audit(moto(), stack);
    assert.deepEqual(findingKeys(report), [], explain(report));
    assert.equal(report.exitCode, 0);
    assert.ok(report.accounts.every((a) => a.status === "audited"));
  });

  for (const scenario of scenarios) {
    it(`reports ${scenario.name}`, async function () {
      await deploy(moto(), stack);
      await inAccount(moto().endpoint, scenario.account(plan), scenario.change(plan));
      const report = await audit(moto(), stack, scenario.now ? { now: scenario.now } : {});
      assert.deepEqual(findingKeys(report), [...scenario.expected].sort(), explain(report));
      assert.equal(report.exitCode, 1);
    });
  }
});

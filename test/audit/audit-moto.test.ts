import { strict as assert } from "node:assert";
import type { StackValidationPolicy } from "@pulumi/policy";
import { claimOf } from "../../lib/guard/claims";
import { packPolicies } from "../../policy-pack/policies";
import { validateStack } from "../policy-pack/helpers/engine";
import { MUTATIONS } from "../policy-pack/mutations/corpus";
import { StackEdit } from "../policy-pack/mutations/edit";
import { corpusStack } from "../policy-pack/mutations/stacks";
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
  /**
   * The corpus mutation (`test/policy-pack/mutations/corpus.ts`) that makes the same change at
   * preview: the audit must report exactly the finding ids the pack reports for it.
   */
  readonly mutation?: string;
}

const P0 = productAccountId(0);
const P1 = productAccountId(1);
const P2 = productAccountId(2);
const STATE_BUCKET = `acme-tfstate-${TF_ACCOUNT}-eu-west-1`;
const DAY = 24 * 60 * 60 * 1000;
/** The role changes every Terraform role's own policies must refuse. */
const SELF_CHANGE_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:DeleteRole",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:TagRole",
  "iam:UntagRole",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
];
const DELETED_ROLE_ID = "AROAZZZZZZZZZZZZZZZZZ";

/** The finding ids the pack reports for a corpus mutation, with the claim's policy. */
async function packFindings(id: string): Promise<{ policy: string; ids: string[] }> {
  const mutation = MUTATIONS.find((m) => m.id === id);
  if (mutation === undefined) throw new Error(`no corpus mutation ${id}`);
  const policyName = claimOf(mutation.claim).policy;
  const policy = packPolicies().find((p) => p.name === policyName) as StackValidationPolicy;
  const edit = new StackEdit(await corpusStack(mutation.stack));
  mutation.edit(edit);
  const ids = (await validateStack(policy, edit.resources)).map((v) => v.id);
  return { policy: policyName, ids: [...new Set(ids)].sort() };
}

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
      "p00:terraform-role-self-protection/Boundary::Missing",
      "p00:terraform-role-self-protection/SelfProtection::AttachedPolicy:iam:CreatePolicyVersion",
      "p00:terraform-role-self-protection/SelfProtection::AttachedPolicy:iam:DeletePolicy",
      "p00:terraform-role-self-protection/SelfProtection::AttachedPolicy:iam:DeletePolicyVersion",
      "p00:terraform-role-self-protection/SelfProtection::AttachedPolicy:iam:SetDefaultPolicyVersion",
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
      "p02:terraform-role-self-protection/Boundary::Missing",
      // The edit dropped the self-protection Deny: every change to the role and its plan role.
      ...["PlanRole", "ThisRole"].flatMap((target) =>
        SELF_CHANGE_ACTIONS.map(
          (action) => `p02:terraform-role-self-protection/SelfProtection::${target}:${action}`,
        ),
      ),
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
      "terraform:state-backend-hardened/Access::StateBucket:ChangeBucketConfiguration:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:ChangeBucketConfiguration:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:ChangeBucketConfiguration:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateBucket:ChangeStateObject:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:ChangeStateObject:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:ChangeStateObject:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteBucket:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteBucket:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteBucket:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteBucket:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteBucket:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteStateVersion:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteStateVersion:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteStateVersion:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteStateVersion:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:DeleteStateVersion:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateBucket:ReadState:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:ReadState:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteLockfile:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteLockfile:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteState:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteState:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteState:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateAwsManagedKey:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateAwsManagedKey:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateAwsManagedKey:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateForeignKey:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateForeignKey:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateForeignKey:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseC:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseC:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseC:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseS3:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseS3:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateBucket:WriteStateSseS3:CiApplyRole",
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
    name: "the state key's policy opened to everyone (decrypt and change the policy)",
    account: () => TF_ACCOUNT,
    change: () =>
      tamper.addKeyPolicyStatement("alias/terraform-state", {
        Sid: "Everyone",
        Effect: "Allow",
        Principal: "*",
        Action: ["kms:Decrypt", "kms:PutKeyPolicy"],
        Resource: "*",
      }),
    mutation: "state-key-policy/everyone-decrypts-and-administers",
    expected: [
      "terraform:declared-state-drift/Drift::KeyPolicy",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:AdminPrincipal",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:CiApplyRole",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:CiPlanRole",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyDirectly:Outsider",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyThroughStorage:AccountPrincipal",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyThroughStorage:BootstrapRole",
      "terraform:state-backend-hardened/Access::StateKey:UseKeyThroughStorage:Outsider",
    ],
  },
  {
    name: "a lifecycle rule expiring current state after one day",
    account: () => TF_ACCOUNT,
    change: () => tamper.expireCurrentObjects(STATE_BUCKET, 1),
    mutation: "state-lifecycle/current-expires-after-a-day",
    expected: ["terraform:state-backend-hardened/Lifecycle::ExpiresState"],
  },
  {
    name: "the trail's selectors without management events",
    account: () => TF_ACCOUNT,
    change: () => tamper.dropManagementEvents("terraform-audit"),
    mutation: "trail/no-management-events",
    expected: ["terraform:audit-trail-enabled/Trail::NoManagementEvents"],
  },
  {
    name: "the state key disabled",
    account: () => TF_ACCOUNT,
    change: () => tamper.disableKey("alias/terraform-state"),
    mutation: "state-key/disabled",
    expected: ["terraform:state-backend-hardened/Kms::Disabled"],
  },
  {
    name: "the trail key scheduled for deletion",
    account: () => TF_ACCOUNT,
    change: () => tamper.scheduleKeyDeletion("alias/terraform-audit"),
    expected: ["terraform:state-backend-hardened/Kms::PendingDeletion"],
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
      if (scenario.mutation !== undefined) {
        const { policy, ids } = await packFindings(scenario.mutation);
        const live = findingKeys(report)
          .filter((key) => key.startsWith(`terraform:${policy}/`))
          .map((key) => key.slice(`terraform:${policy}/`.length));
        assert.deepEqual([...new Set(live)].sort(), ids);
      }
    });
  }
});

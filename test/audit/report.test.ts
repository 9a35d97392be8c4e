import { strict as assert } from "node:assert";
import { buildAuditReport, type AuditReport } from "../../lib/audit/report";
import type { AccountOutcome, AccountSnapshot, LiveRole } from "../../lib/audit/snapshot";
import { auditTargets } from "../../lib/audit/targets";
import { renderText } from "../../lib/audit/render-text";
import { renderDocument } from "../../lib/iam/documents";
import { intentOf } from "../../lib/guard/intent";
import { planTopology } from "../../lib/plan/topology";
import { ciUsers } from "../../lib/plan/model";
import { trustOnly } from "../../lib/plan/trust";
import { audited, declaredSnapshots } from "./fixtures/declared-snapshots";
import { writeTestStack } from "./fixtures/stacks";

const stack = writeTestStack("report", { products: 3, lock: "both" });
stack.cleanup();
const plan = planTopology(stack.config);
const intent = { kind: "known", intent: intentOf(stack.config, plan) } as const;

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
const targets = auditTargets(stack.config, plan);
const NOW = new Date("2030-01-01T00:00:00Z");
const TF = plan.terraform;
const P0_ID = plan.products[0]?.accountId ?? "";
const P2_ID = plan.products[2]?.accountId ?? "";

type Snapshots = AccountSnapshot[];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A copy of `snapshots` with account `index` changed by `change`. */
function edit(
  index: number,
  change: (s: Mutable<AccountSnapshot>) => void,
): (s: Snapshots) => AccountOutcome[] {
  return (snapshots) =>
    audited(
      snapshots.map((snapshot, i) => {
        if (i !== index) return snapshot;
        const copy = structuredClone(snapshot) as Mutable<AccountSnapshot>;
        change(copy);
        return copy;
      }),
    );
}

const stateBucket = (s: Mutable<AccountSnapshot>) =>
  s.buckets[0] as Mutable<AccountSnapshot["buckets"][number]>;
const productRole = (s: Mutable<AccountSnapshot>) => s.roles[0] as Mutable<LiveRole>;

interface Case {
  readonly name: string;
  readonly outcomes: (snapshots: Snapshots) => AccountOutcome[];
  readonly expected: readonly string[];
  readonly exitCode: 0 | 1 | 2;
  readonly packConfig?: Record<string, unknown>;
}

const failed =
  (index: number) =>
  (snapshots: Snapshots): AccountOutcome[] =>
    snapshots.map((snapshot, i) =>
      i === index
        ? {
            kind: "failed",
            key: snapshot.key,
            accountId: snapshot.accountId,
            failure: { stage: "assume", code: "AccessDenied", message: "denied", class: "access" },
          }
        : { kind: "audited", snapshot },
    );

const cases: Case[] = [
  {
    name: "the CI role's managed assume policy edited to drop one account",
    outcomes: edit(0, (s) => {
      const policy = s.managedPolicies[0] as Mutable<AccountSnapshot["managedPolicies"][number]>;
      const doc = JSON.parse(policy.document) as { Statement: { Resource: string[] }[] };
      doc.Statement[0].Resource = doc.Statement[0].Resource.slice(1);
      policy.document = JSON.stringify(doc);
    }),
    expected: [
      "terraform:ci-role-assume-scoped/Missing::arn:aws:iam::200000000000:role/terraform",
      "terraform:declared-state-drift/Drift::ManagedPolicyChanged",
    ],
    exitCode: 1,
  },
  { name: "live state as declared", outcomes: audited, expected: [], exitCode: 0 },
  {
    name: "versioning suspended",
    outcomes: edit(0, (s) => void (stateBucket(s).versioningStatus = "Suspended")),
    expected: ["terraform:state-backend-hardened/Versioning::Suspended"],
    exitCode: 1,
  },
  {
    name: "versioning never enabled",
    outcomes: edit(0, (s) => void delete stateBucket(s).versioningStatus),
    expected: ["terraform:state-backend-hardened/Versioning::Missing"],
    exitCode: 1,
  },
  {
    name: "state encrypted with SSE-S3 (S3's default after the configuration is deleted)",
    outcomes: edit(0, (s) => void (stateBucket(s).encryptionRules = [{ sseAlgorithm: "AES256" }])),
    expected: ["terraform:state-backend-hardened/Encryption::AES256"],
    exitCode: 1,
  },
  {
    name: "state encrypted with a key of another account",
    outcomes: edit(0, (s) => {
      stateBucket(s).encryptionRules = [
        { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:999999999999:key/x" },
      ];
    }),
    expected: ["terraform:state-backend-hardened/Kms::KeyOutsideAccount"],
    exitCode: 1,
  },
  {
    name: "one public access flag off",
    outcomes: edit(0, (s) => {
      const bucket = stateBucket(s);
      bucket.publicAccessBlock = { ...bucket.publicAccessBlock!, blockPublicPolicy: false };
    }),
    expected: ["terraform:state-backend-hardened/PublicAccess::blockPublicPolicy"],
    exitCode: 1,
  },
  {
    name: "ACLs enabled again",
    outcomes: edit(0, (s) => void (stateBucket(s).objectOwnership = "ObjectWriter")),
    expected: ["terraform:state-backend-hardened/Ownership::ObjectWriter"],
    exitCode: 1,
  },
  {
    name: "the trail stopped",
    outcomes: edit(0, (s) => void ((s.trails[0] as { isLogging: boolean }).isLogging = false)),
    expected: ["terraform:audit-trail-enabled/Trail::LoggingOff"],
    exitCode: 1,
  },
  {
    name: "the trail's state selector narrowed to writes",
    outcomes: edit(0, (s) => {
      const trail = s.trails[0] as Mutable<AccountSnapshot["trails"][number]>;
      trail.advancedEventSelectors = [
        {
          name: "management",
          fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }],
        },
        {
          name: "writes",
          fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "readOnly", equals: ["false"] },
          ],
        },
      ];
    }),
    expected: ["terraform:audit-trail-enabled/Trail::NoStateDataEvents"],
    exitCode: 1,
  },
  {
    name: "the lock table's point-in-time recovery off",
    outcomes: edit(
      0,
      (s) => void ((s.tables[0] as { pointInTimeRecovery: boolean }).pointInTimeRecovery = false),
    ),
    expected: ["terraform:state-backend-hardened/LockTable::PointInTimeRecovery"],
    exitCode: 1,
  },
  {
    name: "the CI user given a console password and a group",
    outcomes: edit(0, (s) => {
      const user = s.users[0] as Mutable<AccountSnapshot["users"][number]>;
      user.hasLoginProfile = true;
      user.groups = ["admins"];
    }),
    expected: [
      "terraform:ci-identity-least-privilege/Group::admins",
      "terraform:ci-identity-least-privilege/LoginProfile",
    ],
    exitCode: 1,
  },
  {
    name: "a managed policy attached to the CI user",
    outcomes: edit(0, (s) => {
      (s.users[0] as unknown as { attachedPolicyArns: string[] }).attachedPolicyArns = [
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ];
    }),
    expected: [
      "terraform:ci-identity-least-privilege/ManagedPolicy::arn:aws:iam::aws:policy/AdministratorAccess",
      "terraform:declared-state-drift/Drift::ManagedPolicyAttached",
    ],
    exitCode: 1,
  },
  {
    name: "an inline policy added to one product role",
    outcomes: edit(2, (s) => {
      const role = productRole(s);
      role.inlinePolicies = [
        ...role.inlinePolicies,
        {
          name: "extra",
          document:
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}',
        },
      ];
    }),
    expected: [
      "p01:declared-state-drift/Drift::InlinePolicyAdded",
      "p01:terraform-role-policies-identical/Permissions::Differ",
      // iam:* lets the role create roles, and it has no boundary.
      "p01:terraform-role-self-protection/Boundary::Missing",
    ],
    exitCode: 1,
  },
  {
    name: "the inline policy removed from one product role",
    outcomes: edit(3, (s) => void (productRole(s).inlinePolicies = [])),
    expected: [
      "p02:declared-state-drift/Drift::InlinePolicyRemoved",
      "p02:terraform-role-policies-identical/Permissions::Differ",
      // The removed policy held the self-protection Deny.
      ...["PlanRole", "ThisRole"].flatMap((target) =>
        SELF_CHANGE_ACTIONS.map(
          (action) => `p02:terraform-role-self-protection/SelfProtection::${target}:${action}`,
        ),
      ),
    ],
    exitCode: 1,
  },
  {
    name: "a boundary put on one product role",
    outcomes: edit(
      1,
      (s) => void (productRole(s).boundaryArn = "arn:aws:iam::aws:policy/PowerUserAccess"),
    ),
    expected: [
      "p00:declared-state-drift/Drift::PermissionsBoundary",
      "p00:terraform-role-policies-identical/Permissions::Differ",
      // With a boundary, the role must be refused identities without it and boundary removal.
      ...[
        "AttachRolePolicy",
        "AttachUserPolicy",
        "CreateRole",
        "CreateUser",
        "PutRolePermissionsBoundary",
        "PutRolePolicy",
        "PutUserPermissionsBoundary",
        "PutUserPolicy",
        "UpdateAssumeRolePolicy",
      ].map((action) => `p00:terraform-role-self-protection/Boundary::NotRequired:iam:${action}`),
      "p00:terraform-role-self-protection/Boundary::Removable:iam:DeleteRolePermissionsBoundary",
      "p00:terraform-role-self-protection/Boundary::Removable:iam:DeleteUserPermissionsBoundary",
    ],
    exitCode: 1,
  },
  {
    name: "a product role deleted",
    outcomes: edit(1, (s) => void (s.roles = s.roles.filter((r) => r.name !== "terraform"))),
    expected: ["p00:declared-state-drift/Drift::Missing"],
    exitCode: 1,
  },
  {
    name: "an undeclared role in the Terraform account that trusts the CI identity",
    outcomes: edit(0, (s) => {
      s.extraRoles = [
        {
          name: "side-door",
          path: "/",
          arn: `arn:aws:iam::${TF.accountId}:role/side-door`,
          trustPolicy: renderDocument(trustOnly("aws", TF.accountId, ciUsers(TF)[0]?.arn ?? "")),
          inlinePolicies: [],
          attachedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
      ];
    }),
    expected: ["terraform:live-state/Role::TrustsCi"],
    exitCode: 1,
  },
  {
    name: "an old access key",
    outcomes: edit(0, (s) => {
      (s.users[0] as unknown as { accessKeys: unknown[] }).accessKeys = [
        { id: "AKIAOLD", status: "Active", createdAt: "2029-01-01T00:00:00Z" },
      ];
    }),
    expected: ["terraform:live-state/AccessKey::TooOld"],
    exitCode: 1,
  },
  {
    name: "a product account not reached",
    outcomes: failed(2),
    expected: [],
    exitCode: 2,
  },
  {
    name: "the Terraform account not reached (no finding invented for it)",
    outcomes: failed(0),
    expected: [],
    exitCode: 2,
  },
  {
    name: "the Terraform account not reached while a product role's trust admits everyone",
    outcomes: (snapshots) =>
      failed(0)(
        snapshots.map((s, i) =>
          i !== 1
            ? s
            : {
                ...s,
                roles: s.roles.map((role, j) =>
                  j !== 0
                    ? role
                    : {
                        ...role,
                        trustPolicy:
                          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}',
                      },
                ),
              },
        ),
      ),
    expected: [
      "p00:declared-state-drift/Drift::TrustPolicy",
      "p00:terraform-role-trust-restrictive/Principal::*",
    ],
    exitCode: 2,
  },
  {
    name: "a finding of a policy set to advisory",
    outcomes: edit(0, (s) => void (stateBucket(s).versioningStatus = "Suspended")),
    packConfig: { "state-backend-hardened": "advisory" },
    expected: ["terraform:state-backend-hardened/Versioning::Suspended"],
    exitCode: 0,
  },
  {
    name: "a finding accepted by an exception",
    outcomes: edit(0, (s) => void (stateBucket(s).versioningStatus = "Suspended")),
    packConfig: { "state-backend-hardened": { exceptions: ["Versioning::Suspended"] } },
    expected: [],
    exitCode: 0,
  },
];

function keys(report: AuditReport): string[] {
  return report.accounts
    .flatMap((a) => a.findings.map((f) => `${a.key}:${f.check}/${f.id}`))
    .sort();
}

describe("buildAuditReport", function () {
  for (const c of cases) {
    it(c.name, function () {
      const report = buildAuditReport({
        stack: "report",
        plan,
        targets,
        outcomes: c.outcomes(declaredSnapshots(plan, NOW)),
        now: NOW,
        maxKeyAgeDays: 90,
        intent,
        ...(c.packConfig ? { packConfig: c.packConfig } : {}),
      });
      assert.deepEqual(keys(report), [...c.expected].sort(), renderText(report));
      assert.equal(report.exitCode, c.exitCode);
    });
  }

  it("lists the accounts it could not audit with the reason, and notes skipped checks", function () {
    const report = buildAuditReport({
      stack: "report",
      plan,
      targets,
      outcomes: failed(0)(declaredSnapshots(plan, NOW)),
      now: NOW,
      maxKeyAgeDays: 90,
      intent,
    });
    assert.deepEqual(
      report.accounts.map((a) => [a.key, a.status, a.failure?.code]),
      [
        ["terraform", "not-audited", "AccessDenied"],
        ["p00", "audited", undefined],
        ["p01", "audited", undefined],
        ["p02", "audited", undefined],
      ],
    );
    assert.equal(report.notes.length, 1);
    assert.match(
      renderText(report),
      /== terraform \(111111111111\): NOT AUDITED \(access denied\)\n {2}could not assume: AccessDenied: denied\n {2}fix: The audit role was refused a read, or could not be assumed/,
    );
  });

  it("shows every failed read of an account not audited, each class's fix, and an interruption", function () {
    const snapshots = declaredSnapshots(plan, NOW);
    const outcomes: AccountOutcome[] = audited(snapshots).map((outcome, i) => {
      if (i === 1) {
        const failures = [
          {
            stage: "list roles (iam:ListRoles)",
            code: "MalformedResponse",
            message: "the iam:ListRoles answer is an HTML page, not the API's XML or JSON",
            class: "malformed-response" as const,
          },
          {
            stage: "read role terraform (iam:GetRole)",
            code: "Throttling",
            message: "Rate exceeded (after 8 attempts)",
            class: "throttling" as const,
          },
        ];
        return { kind: "failed", key: "p00", accountId: P0_ID, failure: failures[0], failures };
      }
      if (i === 3) {
        const failure = {
          stage: "finish reading the account",
          code: "Interrupted",
          message:
            "the audit was interrupted (SIGINT); still waiting for 1 read: list roles (iam:ListRoles)",
          class: "interrupted" as const,
        };
        return { kind: "failed", key: "p02", accountId: P2_ID, failure };
      }
      return outcome;
    });
    const report = buildAuditReport({
      stack: "report",
      plan,
      targets,
      outcomes,
      now: NOW,
      maxKeyAgeDays: 90,
      intent,
      interrupted: "SIGINT",
    });
    assert.equal(report.exitCode, 2);
    assert.equal(report.interrupted, "SIGINT");
    assert.deepEqual(
      report.accounts.map((a) => (a.failures ?? []).map((f) => f.class)),
      [[], ["malformed-response", "throttling"], [], ["interrupted"]],
    );
    const text = renderText(report);
    assert.match(
      text,
      /^audit of stack 'report': 2 of 4 accounts audited, 0 findings; INCOMPLETE \(interrupted by SIGINT\): not audited: p00 \(200000000000, malformed response\), p02 \(200000000002, interrupted\)$/m,
    );
    assert.match(
      text,
      new RegExp(
        [
          "== p00 \\(200000000000\\): NOT AUDITED \\(malformed response\\)",
          "  could not list roles \\(iam:ListRoles\\): MalformedResponse: the iam:ListRoles answer is an HTML page, not the API's XML or JSON",
          "  also failed \\(1\\):",
          "  - read role terraform \\(iam:GetRole\\): Throttling: Rate exceeded \\(after 8 attempts\\)",
          "  fix: An answer was not the AWS API's .*",
          "  fix: AWS kept throttling .*",
          "== p01",
        ].join("\n"),
      ),
    );
    assert.match(
      text,
      /== p02 \(200000000002\): NOT AUDITED \(interrupted\)\n  could not finish reading the account: Interrupted: /,
    );
    assert.match(
      text,
      /The audit was interrupted \(SIGINT\): this report shows the accounts read before it stopped/,
    );
    assert.doesNotMatch(text, /audit role exists/);
  });

  it("attributes each finding to its account and splits what is wrong from the fix", function () {
    const report = buildAuditReport({
      stack: "report",
      plan,
      targets,
      outcomes: edit(
        0,
        (s) => void (stateBucket(s).versioningStatus = "Suspended"),
      )(declaredSnapshots(plan, NOW)),
      now: NOW,
      maxKeyAgeDays: 90,
      intent,
    });
    const finding = report.accounts[0]?.findings[0];
    assert.equal(finding?.accountId, TF.accountId);
    assert.equal(finding?.resource, `arn:aws:s3:::${TF.state.bucket} (versioning)`);
    assert.match(finding?.message ?? "", /sets versioning status Suspended/);
    assert.equal(finding?.level, "mandatory");
    assert.ok(finding?.fix);
  });
});

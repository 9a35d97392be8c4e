/**
 * The escalation paths the topology closes, each proved on the documents the program registers:
 * the attacker's request, judged with every context key the attacker controls left unknown,
 * must be refused by an explicit Deny (or, where the document is the only authority, not be
 * allowed at all); next to it, the legitimate caller's control request must stay allowed.
 */
import { strict as assert } from "node:assert";
import { ConfigError } from "../../lib/errors/config-error";
import { evaluatePolicy, type EvaluationRequest } from "../../lib/iam/evaluate";
import { judgeRequest, type PartialRequest } from "../../lib/iam/judge";
import type { PolicyDocument } from "../../lib/iam/types";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  asPrincipal,
  documentOf,
  getValue,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const DEV = "222222222222";
const STATE_BUCKET = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1";
const LOG_BUCKET = "arn:aws:s3:::acme-tfstate-logs-111111111111-eu-west-1";
const STATE = `${STATE_BUCKET}/terraform/dev/terraform.tfstate`;
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_PLAN_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-plan`;
const BOOTSTRAP = `arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`;
const ADMIN = `arn:aws:iam::${TF}:role/PlatformAdmin`;
/** A role of the Terraform account with `s3:*` and `kms:*` in its own policies. */
const POWER_USER = `arn:aws:iam::${TF}:role/PowerUser`;
const OUTSIDER = "arn:aws:iam::999999999999:role/Attacker";
const STATE_KEY = `arn:aws:kms:eu-west-1:${TF}:key/11111111-2222-3333-4444-555555555555`;

/** A request by `arn` in which only the principal and TLS are known; the rest is the caller's. */
function attacker(arn: string, action: string, res: string, more: PartialRequest["context"] = {}) {
  const account = arn.split(":")[4] ?? "";
  return {
    action,
    resource: res,
    principal: { kind: "aws" as const, arn, accountId: account },
    context: {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "aws:SecureTransport": "true",
      ...more,
    },
  };
}

/** Whether the document refuses the request with a Deny that holds whatever the caller sends. */
function denied(doc: PolicyDocument, request: PartialRequest): boolean {
  return judgeRequest(doc, request).deny === "yes";
}

/** Whether a key policy (the key's only authority) allows the request in no case. */
function neverAllowed(doc: PolicyDocument, request: PartialRequest): boolean {
  const j = judgeRequest(doc, request);
  return j.deny === "yes" || j.allow === "no";
}

function control(
  arn: string,
  action: string,
  res: string,
  more: EvaluationRequest["context"] = {},
) {
  const account = arn.split(":")[4] ?? "";
  const base = asPrincipal(arn, account);
  return {
    action,
    resource: res,
    principal: base.principal,
    context: { ...base.context, ...more },
  };
}

const policyOf = (r: SynthResult, name: string) => documentOf(resource(r, T.bucketPolicy, name));
const keyPolicyOf = (r: SynthResult, name: string) => documentOf(resource(r, T.key, name));

/** Bucket-level writes an attacker would use, and one AWS might add later. */
const BUCKET_CONFIGURATION = [
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutReplicationConfiguration",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketLogging",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketTagging",
  "s3:PutBucketAcl",
  "s3:PutBucketNotification",
  "s3:PutIntelligentTieringConfiguration",
  "s3:PauseReplication",
  "s3:DeleteBucket",
  "s3:ConfigureBucketSomethingNew",
];

/** Key administration an attacker would use, and one AWS might add later. */
const KEY_ADMINISTRATION = [
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:TagResource",
  "kms:RevokeGrant",
  "kms:ImportKeyMaterial",
  "kms:AdministerKeySomethingNew",
];

describe("escalation paths the topology closes", () => {
  let base: SynthResult;
  let dynamo: SynthResult;
  before(async () => {
    base = await synth();
    const flat = stackConfig();
    dynamo = await synth(
      withValue(flat, "state", { ...getValue<object>(flat, "state"), lock: "both" }),
    );
  });

  describe("the state bucket's and the log bucket's configuration", () => {
    for (const [bucket, policyName] of [
      [STATE_BUCKET, "terraform-state-bucket-policy"],
      [LOG_BUCKET, "terraform-audit-logs-policy"],
    ] as const) {
      for (const action of BUCKET_CONFIGURATION) {
        it(`${policyName}: refuses ${action} to a PowerUser-like role and both CI roles`, () => {
          const doc = policyOf(base, policyName);
          for (const who of [POWER_USER, CI_ROLE, CI_PLAN_ROLE]) {
            assert.ok(denied(doc, attacker(who, action, bucket)), `${who} ${action}`);
          }
        });
      }
      it(`${policyName}: lets the bootstrap role and the admin principals change the configuration`, () => {
        const doc = policyOf(base, policyName);
        for (const who of [BOOTSTRAP, ADMIN]) {
          for (const action of BUCKET_CONFIGURATION.filter((a) => a !== "s3:DeleteBucket")) {
            assert.notEqual(
              evaluatePolicy(doc, control(who, action, bucket)).decision,
              "explicit-deny",
              `${who} ${action}`,
            );
          }
          // Nobody deletes the bucket: it holds every state version, or the evidence.
          assert.equal(
            evaluatePolicy(doc, control(who, "s3:DeleteBucket", bucket)).decision,
            "explicit-deny",
          );
        }
      });
    }
  });

  describe("the state key's and the trail key's administration", () => {
    for (const keyName of ["terraform-state-key", "terraform-audit-key"]) {
      it(`${keyName}: a PowerUser-like role and the CI roles cannot administer it`, () => {
        const doc = keyPolicyOf(base, keyName);
        for (const who of [POWER_USER, CI_ROLE, CI_PLAN_ROLE]) {
          for (const action of KEY_ADMINISTRATION) {
            assert.ok(denied(doc, attacker(who, action, "*")), `${who} ${action}`);
          }
        }
        for (const action of KEY_ADMINISTRATION) {
          assert.ok(neverAllowed(doc, attacker(OUTSIDER, action, "*")), `outsider ${action}`);
        }
      });
      it(`${keyName}: the bootstrap role and the admin principals still administer it`, () => {
        const doc = keyPolicyOf(base, keyName);
        for (const who of [BOOTSTRAP, ADMIN, `arn:aws:iam::${TF}:root`]) {
          for (const action of ["kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource"]) {
            assert.equal(evaluatePolicy(doc, control(who, action, "*")).decision, "allow", who);
          }
        }
      });
    }

    it("the state key decrypts only for the state's users, only through S3 (and DynamoDB)", () => {
      for (const result of [base, dynamo]) {
        const doc = keyPolicyOf(result, "terraform-state-key");
        const viaS3 = { "kms:ViaService": "s3.eu-west-1.amazonaws.com" };
        for (const who of [CI_ROLE, CI_PLAN_ROLE, ADMIN]) {
          assert.equal(
            evaluatePolicy(doc, control(who, "kms:Decrypt", "*", viaS3)).decision,
            "allow",
            who,
          );
          assert.ok(
            neverAllowed(doc, { ...attacker(who, "kms:Decrypt", "*"), absent: ["kms:ViaService"] }),
          );
        }
        for (const who of [POWER_USER, BOOTSTRAP, OUTSIDER]) {
          assert.ok(neverAllowed(doc, attacker(who, "kms:Decrypt", "*")), who);
        }
      }
    });
  });

  describe("state writes: only SSE-KMS under a key of the Terraform account", () => {
    const put = (headers: Record<string, string>, absent: string[]) => ({
      ...attacker(CI_ROLE, "s3:PutObject", STATE, headers),
      absent,
    });
    const SSE = "s3:x-amz-server-side-encryption";
    const KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";
    const SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm";

    it("refuses a key of another account (a ransom), SSE-C, SSE-S3 and the aws/s3 key", () => {
      const doc = policyOf(base, "terraform-state-bucket-policy");
      const otherKey =
        "arn:aws:kms:eu-west-1:999999999999:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
      assert.ok(denied(doc, put({ [SSE]: "aws:kms", [KEY_ID]: otherKey }, [SSE_C])));
      assert.ok(denied(doc, put({ [SSE_C]: "AES256" }, [SSE, KEY_ID])));
      assert.ok(denied(doc, put({ [SSE]: "AES256" }, [KEY_ID, SSE_C])));
      assert.ok(denied(doc, put({ [SSE]: "aws:kms" }, [KEY_ID, SSE_C])));
      const otherRegion = STATE_KEY.replace("eu-west-1", "us-east-1");
      assert.ok(denied(doc, put({ [SSE]: "aws:kms", [KEY_ID]: otherRegion }, [SSE_C])));
    });

    it("lets the CI apply role write under the state key, or with the bucket's default", () => {
      const doc = policyOf(base, "terraform-state-bucket-policy");
      const write = (more: Record<string, string>) =>
        evaluatePolicy(doc, control(CI_ROLE, "s3:PutObject", STATE, more)).decision;
      assert.notEqual(write({ [SSE]: "aws:kms", [KEY_ID]: STATE_KEY }), "explicit-deny");
      assert.notEqual(write({}), "explicit-deny");
    });
  });

  describe("the plan path's backstop on state objects", () => {
    const writes = [
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:PutObjectTagging",
      "s3:DeleteObjectTagging",
      "s3:PutObjectAcl",
      "s3:PutObjectVersionAcl",
      "s3:PutObjectLegalHold",
      "s3:PutObjectRetention",
      "s3:RestoreObject",
      "s3:ReplicateObject",
      "s3:WriteObjectSomethingNew",
    ];
    for (const action of writes) {
      it(`refuses the CI plan role ${action} on a state object, whatever its own policy grants`, () => {
        const doc = policyOf(base, "terraform-state-bucket-policy");
        assert.ok(denied(doc, attacker(CI_PLAN_ROLE, action, STATE)), action);
      });
    }
    it("still lets it read state and put and delete its lockfile", () => {
      const doc = policyOf(base, "terraform-state-bucket-policy");
      for (const [action, res] of [
        ["s3:GetObject", STATE],
        ["s3:PutObject", `${STATE}.tflock`],
        ["s3:DeleteObject", `${STATE}.tflock`],
      ] as const) {
        assert.notEqual(
          evaluatePolicy(doc, control(CI_PLAN_ROLE, action, res)).decision,
          "explicit-deny",
          action,
        );
      }
    });
    it("refuses every principal the deletion of a state version, the CI apply role included", () => {
      const doc = policyOf(base, "terraform-state-bucket-policy");
      for (const who of [CI_ROLE, ADMIN, BOOTSTRAP, POWER_USER]) {
        assert.ok(denied(doc, attacker(who, "s3:DeleteObjectVersion", STATE)), who);
      }
    });
  });

  describe("session identity", () => {
    it("no trust lets its caller tag the session or set a source identity", () => {
      for (const role of resources(base, T.role)) {
        const trust = documentOf(role, "assumeRolePolicy");
        for (const action of ["sts:TagSession", "sts:SetSourceIdentity"]) {
          for (const who of [CI_ROLE, CI_PLAN_ROLE, `arn:aws:iam::${TF}:user/terraform-ci`]) {
            assert.ok(neverAllowed(trust, attacker(who, action, "*")), `${role.name} ${action}`);
          }
        }
      }
    });
    it("the trusts still admit their callers' sts:AssumeRole", () => {
      const trust = documentOf(resource(base, T.role, "dev-terraform-role"), "assumeRolePolicy");
      assert.equal(
        evaluatePolicy(
          trust,
          control(CI_ROLE, "sts:AssumeRole", `arn:aws:iam::${DEV}:role/terraform`),
        ).decision,
        "allow",
      );
    });
  });

  describe("config that would open a path is refused before any resource exists", () => {
    const flat = stackConfig();
    const role = getValue<Record<string, unknown>>(flat, "terraformRole");
    const cases: [string, Record<string, string>, string][] = [
      [
        "an admin principal with a wildcard",
        withValue(flat, "adminPrincipals", [`arn:aws:iam::${TF}:role/*`]),
        "adminPrincipals[0]",
      ],
      [
        "the CI plan role as admin principal (every pull request would administer state)",
        withValue(flat, "adminPrincipals", [CI_PLAN_ROLE]),
        "adminPrincipals[0]",
      ],
      [
        "a state key prefix with a wildcard",
        withValue(flat, "state", { ...getValue<object>(flat, "state"), keyPrefix: "a*" }),
        "state.keyPrefix",
      ],
      [
        "iam without a permissions boundary",
        withValue(flat, "terraformRole", {
          ...role,
          allowedServices: [...(role.allowedServices as string[]), "iam"],
        }),
        "terraformRole.allowedServices",
      ],
      [
        "a boundary that grants every IAM action",
        withValue(flat, "terraformRole", {
          ...role,
          allowedServices: [...(role.allowedServices as string[]), "iam"],
          permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess",
        }),
        "terraformRole.permissionsBoundary",
      ],
    ];
    for (const [name, config, field] of cases) {
      it(`refuses ${name}`, async () => {
        await assert.rejects(synth(config), (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          assert.ok(
            error.problems.some((p) => p.path === `tf-bootstrap:${field}`),
            JSON.stringify(error.problems),
          );
          return true;
        });
      });
    }
  });

  describe("the Terraform role with iam and a permissions boundary", () => {
    const BOUNDARY = `arn:aws:iam::${DEV}:policy/TerraformBoundary`;
    const ATTACHED = `arn:aws:iam::${DEV}:policy/platform/TerraformExtras`;
    let bounded: SynthResult;
    before(async () => {
      const flat = stackConfig();
      const role = getValue<Record<string, unknown>>(flat, "terraformRole");
      bounded = await synth(
        withValue(flat, "terraformRole", {
          ...role,
          allowedServices: [...(role.allowedServices as string[]), "iam"],
          permissionsBoundary: "TerraformBoundary",
          customerManagedPolicies: ["platform/TerraformExtras"],
        }),
      );
    });
    const inline = () =>
      documentOf(resource(bounded, T.rolePolicy, "dev-terraform-role-terraform"));
    const TERRAFORM = `arn:aws:iam::${DEV}:role/terraform`;
    const asTerraform = (action: string, res: string, more: PartialRequest["context"] = {}) =>
      attacker(TERRAFORM, action, res, more);

    it("cannot rewrite the customer managed policies attached to it, nor its boundary", () => {
      for (const policy of [ATTACHED, BOUNDARY]) {
        for (const action of [
          "iam:CreatePolicyVersion",
          "iam:SetDefaultPolicyVersion",
          "iam:DeletePolicyVersion",
          "iam:DeletePolicy",
        ]) {
          assert.ok(denied(inline(), asTerraform(action, policy)), `${action} ${policy}`);
        }
      }
    });

    it("cannot change the plan role (trust, policies, boundary, tags, deletion) nor the bootstrap role", () => {
      for (const target of [
        `arn:aws:iam::${DEV}:role/terraform-plan`,
        `arn:aws:iam::${DEV}:role/OrganizationAccountAccessRole`,
        TERRAFORM,
      ]) {
        for (const action of [
          "iam:UpdateAssumeRolePolicy",
          "iam:AttachRolePolicy",
          "iam:PutRolePolicy",
          "iam:DeleteRolePermissionsBoundary",
          "iam:PutRolePermissionsBoundary",
          "iam:UntagRole",
          "iam:DeleteRole",
        ]) {
          assert.ok(denied(inline(), asTerraform(action, target)), `${action} ${target}`);
        }
      }
    });

    it("cannot create or widen a role or user without the boundary, nor remove one", () => {
      const without = (action: string, res: string) => ({
        ...asTerraform(action, res),
        absent: ["iam:PermissionsBoundary"],
      });
      const other = `arn:aws:iam::${DEV}:policy/Other`;
      assert.ok(denied(inline(), without("iam:CreateRole", `arn:aws:iam::${DEV}:role/escape`)));
      assert.ok(denied(inline(), without("iam:CreateUser", `arn:aws:iam::${DEV}:user/escape`)));
      assert.ok(
        denied(inline(), asTerraform("iam:CreateRole", "*", { "iam:PermissionsBoundary": other })),
      );
      assert.ok(
        denied(
          inline(),
          asTerraform("iam:AttachRolePolicy", `arn:aws:iam::${DEV}:role/existing-workload`, {
            "iam:PermissionsBoundary": other,
          }),
        ),
      );
      for (const action of [
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
      ]) {
        assert.ok(denied(inline(), asTerraform(action, `arn:aws:iam::${DEV}:role/app`)), action);
      }
    });

    it("still creates roles and users that carry the boundary, and manages them", () => {
      const withBoundary = { "iam:PermissionsBoundary": BOUNDARY };
      for (const [action, res] of [
        ["iam:CreateRole", `arn:aws:iam::${DEV}:role/app`],
        ["iam:CreateUser", `arn:aws:iam::${DEV}:user/app`],
        ["iam:AttachRolePolicy", `arn:aws:iam::${DEV}:role/app`],
        ["iam:UpdateAssumeRolePolicy", `arn:aws:iam::${DEV}:role/app`],
        ["iam:CreatePolicyVersion", `arn:aws:iam::${DEV}:policy/app`],
      ] as const) {
        assert.equal(
          evaluatePolicy(inline(), control(TERRAFORM, action, res, withBoundary)).decision,
          "allow",
          action,
        );
      }
    });
  });
});

import { strict as assert } from "node:assert";
import { analyzeTrust } from "../../lib/iam";
import { evaluatePolicy, EvaluationRequest } from "../../lib/iam/evaluate";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  asPrincipal,
  customResourcesUnder,
  documentOf,
  jsonInput,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_USER = `arn:aws:iam::${TF}:user/terraform-ci`;
const ADMIN = `arn:aws:iam::${TF}:role/PlatformAdmin`;
const STATE_BUCKET = "acme-tfstate-111111111111-eu-west-1";
const STATE_ARN = `arn:aws:s3:::${STATE_BUCKET}`;
const PRODUCT_ROLES = ["222222222222", "333333333333", "444444444444"].map(
  (id) => `arn:aws:iam::${id}:role/terraform`,
);

const asRole = (arn: string, accountId = TF) => asPrincipal(arn, accountId);

describe("Terraform account", () => {
  let result: SynthResult;
  before(async () => {
    result = await synth();
  });

  describe("provider", () => {
    it("assumes the bootstrap role and is pinned to the Terraform account", () => {
      const p = resource(result, T.provider, "aws-terraform");
      assert.deepEqual(jsonInput(p, "allowedAccountIds"), [TF]);
      assert.deepEqual(jsonInput(p, "assumeRoles"), [
        {
          roleArn: `arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`,
          sessionName: "tf-bootstrap",
        },
      ]);
      assert.equal(p.inputs.region, "eu-west-1");
      const tags = jsonInput<{ tags: Record<string, string> }>(p, "defaultTags").tags;
      assert.equal(tags.ManagedBy, "tf-bootstrap");
      assert.equal(tags.CostCenter, "platform");
    });

    it("is the provider of every resource of the Terraform account, and of no other", () => {
      const tfResources = customResourcesUnder(result, "terraform");
      assert.ok(
        tfResources.length >= 25,
        `only ${tfResources.length} resources in the Terraform account`,
      );
      for (const r of tfResources) assert.equal(r.provider, "aws-terraform", r.name);
      const elsewhere = result.resources.filter(
        (r) => r.provider === "aws-terraform" && !tfResources.includes(r),
      );
      assert.deepEqual(
        elsewhere.map((r) => r.name),
        [],
      );
      for (const r of result.resources.filter((x) => x.custom && x.type !== T.provider)) {
        assert.ok(r.provider, `${r.type} ${r.name} has no explicit provider`);
      }
    });
  });

  describe("state key", () => {
    it("rotates, waits 30 days before deletion, has an alias, and is protected and retained", () => {
      const key = resource(result, T.key, "terraform-state-key");
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.inputs.deletionWindowInDays, 30);
      assert.equal(key.protect, true);
      assert.equal(key.retainOnDelete, true);
      assert.equal(
        resource(result, T.alias, "terraform-state-key-alias").inputs.name,
        "alias/terraform-state",
      );
    });

    it("lets only the CI role and the admin principals use it, and only through S3", () => {
      const policy = documentOf(resource(result, T.key, "terraform-state-key"));
      const decrypt = (arn: string, via = "s3.eu-west-1.amazonaws.com"): string =>
        evaluatePolicy(policy, {
          action: "kms:Decrypt",
          resource: "*",
          ...asRole(arn),
          context: { ...asRole(arn).context, "kms:ViaService": via },
        }).decision;
      assert.equal(decrypt(CI_ROLE), "allow");
      assert.equal(decrypt(ADMIN), "allow");
      assert.equal(decrypt(`arn:aws:iam::${TF}:role/SomeoneElse`), "implicit-deny");
      assert.equal(decrypt(CI_ROLE, "ec2.eu-west-1.amazonaws.com"), "implicit-deny");
      assert.equal(
        decrypt(`arn:aws:iam::999999999999:role/terraform-ci`, "s3.eu-west-1.amazonaws.com"),
        "implicit-deny",
      );
    });

    it("lets the account administer it but not use it directly", () => {
      const policy = documentOf(resource(result, T.key, "terraform-state-key"));
      const admin = asRole(`arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`);
      assert.equal(
        evaluatePolicy(policy, { action: "kms:EnableKeyRotation", resource: "*", ...admin })
          .decision,
        "allow",
      );
      assert.equal(
        evaluatePolicy(policy, { action: "kms:Decrypt", resource: "*", ...admin }).decision,
        "implicit-deny",
      );
      assert.equal(
        evaluatePolicy(policy, { action: "kms:CreateGrant", resource: "*", ...admin }).decision,
        "implicit-deny",
      );
    });
  });

  describe("state bucket", () => {
    it("is never force-destroyed and is protected and retained with all its settings", () => {
      const bucket = resource(result, T.bucket, "terraform-state-bucket");
      assert.equal(bucket.inputs.bucket, STATE_BUCKET);
      assert.equal(bucket.inputs.forceDestroy, false);
      for (const r of result.resources.filter(
        (x) => x.name.startsWith("terraform-state-bucket") && x.type !== T.logging,
      )) {
        assert.equal(r.protect, true, `${r.name} is not protected`);
        assert.equal(r.retainOnDelete, true, `${r.name} is not retained`);
      }
    });

    it("is versioned, SSE-KMS with the state key and bucket key, private, owner-enforced", () => {
      assert.deepEqual(
        resource(result, T.versioning, "terraform-state-bucket-versioning").inputs
          .versioningConfiguration,
        {
          status: "Enabled",
        },
      );
      const sse = resource(result, T.encryption, "terraform-state-bucket-encryption").inputs
        .rules as Record<string, any>[];
      assert.equal(sse.length, 1);
      assert.equal(sse[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
      assert.match(
        sse[0].applyServerSideEncryptionByDefault.kmsMasterKeyId,
        /^arn:aws:kms:eu-west-1:111111111111:key\//,
      );
      assert.equal(sse[0].bucketKeyEnabled, true);
      const pab = resource(result, T.publicAccess, "terraform-state-bucket-public-access").inputs;
      for (const flag of [
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
      ]) {
        assert.equal(pab[flag], true, flag);
      }
      assert.deepEqual(
        resource(result, T.ownership, "terraform-state-bucket-ownership").inputs.rule,
        {
          objectOwnership: "BucketOwnerEnforced",
        },
      );
    });

    it("expires noncurrent versions after the configured days and aborts incomplete uploads", async () => {
      const rules = (r: SynthResult) =>
        resource(r, T.lifecycle, "terraform-state-bucket-lifecycle").inputs.rules as Record<
          string,
          any
        >[];
      assert.equal(rules(result)[0].noncurrentVersionExpiration.noncurrentDays, 90);
      assert.equal(rules(result)[0].abortIncompleteMultipartUpload.daysAfterInitiation, 7);
      const flat = stackConfig();
      const custom = await synth(withValue(flat, "state", { noncurrentVersionRetentionDays: 30 }));
      assert.equal(rules(custom)[0].noncurrentVersionExpiration.noncurrentDays, 30);
    });

    it("logs access to the log bucket", () => {
      const logging = resource(result, T.logging, "terraform-state-bucket-logging").inputs;
      assert.equal(logging.bucket, STATE_BUCKET);
      assert.equal(logging.targetBucket, "acme-tfstate-logs-111111111111-eu-west-1");
    });

    it("denies requests without TLS, even from the CI role", () => {
      const policy = documentOf(resource(result, T.bucketPolicy, "terraform-state-bucket-policy"));
      const ci = asRole(CI_ROLE);
      const request: EvaluationRequest = {
        action: "s3:GetObject",
        resource: `${STATE_ARN}/terraform/dev/terraform.tfstate`,
        principal: ci.principal,
        context: { ...ci.context, "aws:SecureTransport": "false" },
      };
      assert.equal(evaluatePolicy(policy, request).decision, "explicit-deny");
      assert.equal(
        evaluatePolicy(policy, { ...request, action: "s3:ListBucket", resource: STATE_ARN })
          .decision,
        "explicit-deny",
      );
    });

    it("denies object access to everyone but the CI role and the admin principals", () => {
      const policy = documentOf(resource(result, T.bucketPolicy, "terraform-state-bucket-policy"));
      const read = (arn: string, accountId = TF) =>
        evaluatePolicy(policy, {
          action: "s3:GetObject",
          resource: `${STATE_ARN}/terraform/prod/terraform.tfstate`,
          ...asRole(arn, accountId),
        }).decision;
      assert.notEqual(read(CI_ROLE), "explicit-deny");
      assert.notEqual(read(ADMIN), "explicit-deny");
      assert.equal(read(`arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`), "explicit-deny");
      assert.equal(
        read(`arn:aws:iam::222222222222:role/terraform`, "222222222222"),
        "explicit-deny",
      );
      assert.equal(read(CI_USER), "explicit-deny");
    });
  });

  describe("lock", () => {
    it("uses the S3 lockfile by default: no table", () => {
      assert.equal(resources(result, T.table).length, 0);
    });

    for (const mode of ["dynamodb", "both"]) {
      it(`creates a protected, recoverable, encrypted lock table in '${mode}' mode`, async () => {
        const r = await synth(withValue(stackConfig(), "state", { lock: mode }));
        const table = resource(r, T.table, "terraform-state-lock");
        assert.equal(table.inputs.name, "terraform-locks");
        assert.equal(table.inputs.hashKey, "LockID");
        assert.deepEqual(table.inputs.attributes, [{ name: "LockID", type: "S" }]);
        assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
        assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
        const sse = table.inputs.serverSideEncryption as { enabled: boolean; kmsKeyArn: string };
        assert.equal(sse.enabled, true);
        assert.match(sse.kmsKeyArn, /^arn:aws:kms:eu-west-1:111111111111:key\//);
        assert.equal(table.inputs.deletionProtectionEnabled, true);
        assert.equal(table.protect, true);
        assert.equal(table.retainOnDelete, true);
        const lockPolicy = documentOf(
          resource(r, T.rolePolicy, "terraform-ci-role-terraform-state"),
        );
        const tableArn = "arn:aws:dynamodb:eu-west-1:111111111111:table/terraform-locks";
        const putLock = (key: string) =>
          evaluatePolicy(lockPolicy, {
            action: "dynamodb:PutItem",
            resource: tableArn,
            context: { "dynamodb:LeadingKeys": [key] },
          }).decision;
        assert.equal(putLock(`${STATE_BUCKET}/terraform/dev/terraform.tfstate`), "allow");
        assert.equal(putLock(`${STATE_BUCKET}/terraform/dev/terraform.tfstate-md5`), "allow");
        assert.equal(putLock(`other-bucket/terraform/dev/terraform.tfstate`), "implicit-deny");
      });
    }
  });

  describe("CI identity", () => {
    it("is a user with no login profile and no access key unless asked for", () => {
      const user = resource(result, T.user, "terraform-ci-user");
      assert.equal(user.inputs.name, "terraform-ci");
      assert.equal(resources(result, T.loginProfile).length, 0);
      assert.equal(resources(result, T.accessKey).length, 0);
      assert.equal(result.outputs.ciSecretAccessKey, undefined);
    });

    it("may do nothing but assume the CI role", () => {
      const policies = resources(result, T.userPolicy).filter(
        (p) => p.inputs.user === "terraform-ci",
      );
      assert.equal(policies.length, 1);
      const doc = documentOf(policies[0]);
      const can = (action: string, res: string) =>
        evaluatePolicy(doc, { action, resource: res }).decision;
      assert.equal(can("sts:AssumeRole", CI_ROLE), "allow");
      assert.equal(can("sts:TagSession", CI_ROLE), "implicit-deny");
      assert.equal(can("sts:SetSourceIdentity", CI_ROLE), "implicit-deny");
      assert.equal(can("sts:AssumeRole", PRODUCT_ROLES[0]), "implicit-deny");
      assert.equal(
        can("s3:GetObject", `${STATE_ARN}/terraform/dev/terraform.tfstate`),
        "implicit-deny",
      );
      assert.equal(can("iam:CreateLoginProfile", CI_USER), "implicit-deny");
      for (const st of doc.Statement) {
        assert.deepEqual(st.Resource, [CI_ROLE]);
        for (const a of st.Action ?? []) assert.match(a, /^sts:/);
      }
    });

    it("has its inline and managed policies managed exclusively", () => {
      assert.deepEqual(
        resource(result, T.userPoliciesExclusive, "terraform-ci-inline-exclusive").inputs
          .policyNames,
        ["assume-ci-role"],
      );
      assert.deepEqual(
        resource(result, T.userAttachmentsExclusive, "terraform-ci-managed-exclusive").inputs
          .policyArns,
        [],
      );
    });

    it("returns an access key only as a secret, when asked for", async () => {
      const r = await synth(
        withValue(stackConfig(), "ci", { applyRoles: "shared", createAccessKey: true }),
      );
      assert.equal(resource(r, T.accessKey, "terraform-ci-access-key").inputs.user, "terraform-ci");
      assert.equal(r.outputs.ciSecretAccessKey, "[secret]");
      assert.match(String(r.outputs.ciAccessKeyId), /^AKIA/);
    });
  });

  describe("CI role", () => {
    it("can be assumed by the CI identity and nobody else", () => {
      const role = resource(result, T.role, "terraform-ci-role");
      assert.deepEqual(
        analyzeTrust(String(role.inputs.assumeRolePolicy), [{ kind: "aws", arn: CI_USER }]),
        [],
      );
      assert.notDeepEqual(
        analyzeTrust(String(role.inputs.assumeRolePolicy), [
          { kind: "aws", arn: `arn:aws:iam::${TF}:user/other` },
        ]),
        [],
      );
      assert.equal(role.inputs.maxSessionDuration, 3600);
    });

    it("may assume exactly the product accounts' Terraform roles, through attached policies", () => {
      const policies = resources(result, T.policy).filter(
        (p) => p.accountId === TF && p.name.startsWith("terraform-ci-role-"),
      );
      assert.equal(policies.length, 1);
      const policyArn = `arn:aws:iam::${TF}:policy/terraform-ci-assume-1`;
      assert.equal(policies[0].inputs.name, "terraform-ci-assume-1");
      const attached = resources(result, T.roleAttachment).filter(
        (a) => a.inputs.role === "terraform-ci",
      );
      assert.deepEqual(
        attached.map((a) => a.inputs.policyArn),
        [policyArn],
      );
      const doc = documentOf(policies[0]);
      const assumable = doc.Statement.filter((s) => s.Effect === "Allow").flatMap(
        (s) => s.Resource ?? [],
      );
      assert.deepEqual([...assumable].sort(), [...PRODUCT_ROLES].sort());
      for (const arn of PRODUCT_ROLES) {
        assert.equal(
          evaluatePolicy(doc, { action: "sts:AssumeRole", resource: arn }).decision,
          "allow",
        );
      }
      assert.equal(
        evaluatePolicy(doc, {
          action: "sts:AssumeRole",
          resource: "arn:aws:iam::555555555555:role/terraform",
        }).decision,
        "implicit-deny",
      );
      for (const r of assumable) assert.doesNotMatch(r, /[*?]/);
      const inline = documentOf(
        resource(result, T.rolePolicy, "terraform-ci-role-terraform-state"),
      );
      for (const arn of PRODUCT_ROLES) {
        assert.equal(
          evaluatePolicy(inline, { action: "sts:AssumeRole", resource: arn }).decision,
          "implicit-deny",
        );
      }
    });

    it("reads and writes state only under the key prefix, and deletes only lockfiles", () => {
      const doc = documentOf(resource(result, T.rolePolicy, "terraform-ci-role-terraform-state"));
      const can = (action: string, res: string, context?: Record<string, string>) =>
        evaluatePolicy(doc, { action, resource: res, ...(context ? { context } : {}) }).decision;
      assert.equal(can("s3:GetObject", `${STATE_ARN}/terraform/dev/terraform.tfstate`), "allow");
      assert.equal(
        can("s3:PutObject", `${STATE_ARN}/terraform/dev/terraform.tfstate.tflock`),
        "allow",
      );
      assert.equal(
        can("s3:DeleteObject", `${STATE_ARN}/terraform/dev/terraform.tfstate.tflock`),
        "allow",
      );
      assert.equal(
        can("s3:DeleteObject", `${STATE_ARN}/terraform/dev/terraform.tfstate`),
        "implicit-deny",
      );
      assert.equal(can("s3:GetObject", `${STATE_ARN}/other/terraform.tfstate`), "implicit-deny");
      assert.equal(can("s3:ListBucket", STATE_ARN, { "s3:prefix": "terraform/" }), "allow");
      assert.equal(can("s3:ListBucket", STATE_ARN, { "s3:prefix": "other/" }), "implicit-deny");
      assert.equal(can("s3:ListBucket", STATE_ARN), "implicit-deny");
      assert.equal(can("s3:DeleteBucket", STATE_ARN), "implicit-deny");
      const kms = (alias: string, via: string) =>
        can("kms:Decrypt", "arn:aws:kms:eu-west-1:111111111111:key/abc", {
          "kms:ResourceAliases": alias,
          "kms:ViaService": via,
        });
      assert.equal(kms("alias/terraform-state", "s3.eu-west-1.amazonaws.com"), "allow");
      assert.equal(kms("alias/other", "s3.eu-west-1.amazonaws.com"), "implicit-deny");
      assert.equal(
        kms("alias/terraform-state", "secretsmanager.eu-west-1.amazonaws.com"),
        "implicit-deny",
      );
    });

    it("has its policies managed exclusively", () => {
      assert.deepEqual(
        resource(result, T.rolePoliciesExclusive, "terraform-ci-role-inline-exclusive").inputs
          .policyNames,
        ["terraform-state"],
      );
      assert.deepEqual(
        resource(result, T.roleAttachmentsExclusive, "terraform-ci-role-managed-exclusive").inputs
          .policyArns,
        [`arn:aws:iam::${TF}:policy/terraform-ci-assume-1`],
      );
    });

    it("takes its max session duration from config", async () => {
      const r = await synth(
        withValue(stackConfig(), "ci", { applyRoles: "shared", maxSessionDurationSeconds: 7200 }),
      );
      assert.equal(resource(r, T.role, "terraform-ci-role").inputs.maxSessionDuration, 7200);
    });
  });

  describe("audit trail", () => {
    it("is multi-region, validated, encrypted, and records every state read and write", () => {
      const trail = resource(result, T.trail, "terraform-audit").inputs;
      assert.equal(trail.isMultiRegionTrail, true);
      assert.equal(trail.enableLogFileValidation, true);
      assert.equal(trail.enableLogging, true);
      assert.match(String(trail.kmsKeyId), /^arn:aws:kms:eu-west-1:111111111111:key\//);
      assert.equal(trail.s3BucketName, "acme-tfstate-logs-111111111111-eu-west-1");
      const selectors = trail.advancedEventSelectors as {
        fieldSelectors: { field: string; equals?: string[]; startsWiths?: string[] }[];
      }[];
      const data = selectors.find((s) =>
        s.fieldSelectors.some((f) => f.field === "eventCategory" && f.equals?.includes("Data")),
      );
      assert.ok(data, "no data event selector");
      const arnSelector = data.fieldSelectors.find((f) => f.field === "resources.ARN");
      assert.deepEqual(arnSelector?.startsWiths, [`${STATE_ARN}/`]);
      assert.ok(
        selectors.some((s) =>
          s.fieldSelectors.some(
            (f) => f.field === "eventCategory" && f.equals?.includes("Management"),
          ),
        ),
      );
    });

    it("writes to a log bucket that is TLS-only, versioned, private and retained", () => {
      const policy = documentOf(resource(result, T.bucketPolicy, "terraform-audit-logs-policy"));
      const logArn = "arn:aws:s3:::acme-tfstate-logs-111111111111-eu-west-1";
      const admin = asRole(`arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`);
      assert.equal(
        evaluatePolicy(policy, {
          action: "s3:GetObject",
          resource: `${logArn}/x`,
          principal: admin.principal,
          context: { "aws:SecureTransport": "false" },
        }).decision,
        "explicit-deny",
      );
      assert.equal(
        evaluatePolicy(policy, {
          action: "s3:DeleteObject",
          resource: `${logArn}/cloudtrail/x`,
          ...admin,
        }).decision,
        "explicit-deny",
      );
      const trailWrite = evaluatePolicy(policy, {
        action: "s3:PutObject",
        resource: `${logArn}/cloudtrail/AWSLogs/${TF}/CloudTrail/x.json.gz`,
        principal: { kind: "service", service: "cloudtrail.amazonaws.com" },
        context: {
          "aws:SourceArn": `arn:aws:cloudtrail:eu-west-1:${TF}:trail/terraform-audit`,
          "aws:SecureTransport": "true",
        },
      });
      assert.equal(trailWrite.decision, "allow");
      assert.deepEqual(
        resource(result, T.versioning, "terraform-audit-logs-versioning").inputs
          .versioningConfiguration,
        {
          status: "Enabled",
        },
      );
      const logs = resource(result, T.bucket, "terraform-audit-logs");
      assert.equal(logs.protect && logs.retainOnDelete, true);
      assert.equal(logs.inputs.forceDestroy, false);
      const key = resource(result, T.key, "terraform-audit-key");
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.protect && key.retainOnDelete, true);
    });
  });
});

/**
 * The mutation corpus: single realistic edits of the example stacks, each a mistake or an
 * attack on one claim of the policy pack (`lib/guard/claims.ts`), and the finding the claim's
 * policy must report as a mandatory violation; plus benign edits that must pass every policy.
 *
 * One table, data only: `stack` is the stack edited, `edit` changes a copy of it, `finding` is
 * the id the owning policy must report (a trailing `*` matches any id with that prefix).
 */
import { UNKNOWN } from "../helpers/engine";
import { listOf, type StackEdit, type Statement } from "./edit";
import { SECOND_ADMIN, type CorpusStack } from "./stacks";

/** One edit that must be a mandatory violation of its claim's policy. */
export interface Mutation {
  readonly id: string;
  /** The claim the edit breaks (an id of `CLAIMS`). */
  readonly claim: string;
  readonly stack: CorpusStack;
  /** What the edit is, as a reviewer would describe it. */
  readonly what: string;
  readonly edit: (s: StackEdit) => void;
  /** The finding id the claim's policy must report (`X::*`: any id starting `X::`). */
  readonly finding: string;
}

/** One edit that changes nothing the pack guarantees: every policy must pass. */
export interface BenignEdit {
  readonly id: string;
  readonly stack: CorpusStack;
  readonly what: string;
  readonly edit: (s: StackEdit) => void;
}

const TF = "111111111111";
const OTHER = "999999999999";
const STATE_BUCKET = `arn:aws:s3:::acme-tfstate-${TF}-eu-west-1`;
const LOG_BUCKET = `arn:aws:s3:::acme-tfstate-logs-${TF}-eu-west-1`;
const CI_APPLY = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_PLAN = `arn:aws:iam::${TF}:role/terraform-ci-plan`;
const BOOTSTRAP = `arn:aws:iam::${TF}:role/OrganizationAccountAccessRole`;
const GH = "token.actions.githubusercontent.com";
const GL = "gitlab.com";

const BP = "terraform-state-bucket-policy";
const LP = "terraform-audit-logs-policy";
const SK = "terraform-state-key";
const AK = "terraform-audit-key";
const TRAIL = "terraform-audit";
const PRODUCTS = ["dev", "staging", "prod"] as const;
const TF_POLICIES = PRODUCTS.map((p) => `${p}-terraform-role-terraform`);
const PLAN_POLICIES = PRODUCTS.map((p) => `${p}-plan-role-terraform-plan`);
const TF_ROLES = PRODUCTS.map((p) => `${p}-terraform-role`);
const PLAN_ROLES = PRODUCTS.map((p) => `${p}-plan-role`);

/** Edits the one condition block `op` of statement `sid`. */
function condition(s: Statement, op: string, key: string, values: unknown): Statement {
  const c = { ...((s.Condition as Record<string, Record<string, unknown>>) ?? {}) };
  c[op] = { ...(c[op] ?? {}), [key]: values };
  return { ...s, Condition: c };
}

function dropCondition(s: Statement, op: string, key?: string): Statement {
  const c = { ...((s.Condition as Record<string, Record<string, unknown>>) ?? {}) };
  if (key === undefined) delete c[op];
  else if (c[op]) {
    const inner = { ...c[op] };
    delete inner[key];
    if (Object.keys(inner).length === 0) delete c[op];
    else c[op] = inner;
  }
  const out = { ...s, Condition: c };
  if (Object.keys(c).length === 0) delete (out as Record<string, unknown>).Condition;
  return out;
}

function exemptFrom(name: string, sid: string, ...arns: string[]) {
  return (s: StackEdit) =>
    s.statement(name, sid, (st) => {
      const c = st.Condition as Record<string, Record<string, unknown>>;
      const list = listOf(c.ArnNotEquals?.["aws:PrincipalArn"]);
      return condition(st, "ArnNotEquals", "aws:PrincipalArn", [...list, ...arns]);
    });
}

function without(name: string, sid: string) {
  return (s: StackEdit) => s.statement(name, sid, () => null);
}

/** Edits the trust policy (`assumeRolePolicy`) statement 0 of `role`. */
function trust(role: string, edit: (st: Statement) => Statement) {
  return (s: StackEdit) =>
    s.doc(role, (d) => void (d.Statement[0] = edit(d.Statement[0])), "assumeRolePolicy");
}

function addSubject(role: string, issuer: string, subject: string, op = "StringEquals") {
  return trust(role, (st) => {
    const c = st.Condition as Record<string, Record<string, unknown>>;
    const existing = listOf(c[op]?.[`${issuer}:sub`]);
    return condition(st, op, `${issuer}:sub`, [...existing, subject]);
  });
}

function everyTerraformPolicy(edit: (s: StackEdit, name: string) => void) {
  return (s: StackEdit) => TF_POLICIES.forEach((name) => edit(s, name));
}

function everyPlanPolicy(edit: (s: StackEdit, name: string) => void) {
  return (s: StackEdit) => PLAN_POLICIES.forEach((name) => edit(s, name));
}

function planGrant(...actions: string[]) {
  return everyPlanPolicy((s, name) =>
    s.add(name, { Effect: "Allow", Action: actions, Resource: "*" }),
  );
}

function lifecycleRule(name: string, rule: Record<string, unknown>) {
  return (s: StackEdit) => {
    const r = s.get(name);
    (r.props.rules as Record<string, unknown>[]).push(rule);
  };
}

function editRule(name: string, edit: (rule: Record<string, unknown>) => void) {
  return (s: StackEdit) => edit((s.get(name).props.rules as Record<string, unknown>[])[0]);
}

type Selector = { name?: string; fieldSelectors: Record<string, unknown>[] };
function selectors(edit: (list: Selector[]) => Selector[]) {
  return (s: StackEdit) => {
    const trail = s.get(TRAIL);
    trail.props.advancedEventSelectors = edit(trail.props.advancedEventSelectors as Selector[]);
  };
}
const isManagement = (x: Selector) =>
  x.fieldSelectors.some(
    (f) => f.field === "eventCategory" && listOf(f.equals).includes("Management"),
  );
const isData = (x: Selector) => !isManagement(x);

/** Every mutation of the corpus. */
export const MUTATIONS: readonly Mutation[] = [
  // --- state bucket policy: the access matrix ------------------------------------------------
  {
    id: "state-bucket/other-account-reads-writes-deletes",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "TLS deny kept, another account's role exempted and allowed to read, write and delete versions",
    edit: (s) => {
      exemptFrom(BP, "DenyStateAccessToOthers", `arn:aws:iam::${OTHER}:role/partner`)(s);
      s.add(BP, {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OTHER}:role/partner` },
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion"],
        Resource: `${STATE_BUCKET}/*`,
      });
    },
    finding: "Access::StateBucket:ReadState:Outsider",
  },
  {
    id: "state-bucket/other-account-root-allowed",
    claim: "state-bucket-access",
    stack: "github",
    what: "an Allow for another account's root on every object, the Deny of others dropped",
    edit: (s) => {
      without(BP, "DenyStateAccessToOthers")(s);
      s.add(BP, {
        Effect: "Allow",
        Principal: { AWS: OTHER },
        Action: "s3:*",
        Resource: `${STATE_BUCKET}/*`,
      });
    },
    finding: "Access::StateBucket:WriteState:Outsider",
  },
  {
    id: "state-bucket/deny-others-removed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of object access to everyone but the CI roles and admins removed",
    edit: without(BP, "DenyStateAccessToOthers"),
    finding: "Access::StateBucket:ReadState:AccountPrincipal",
  },
  {
    id: "state-bucket/deny-others-exempts-every-role",
    claim: "state-bucket-access",
    stack: "github",
    what: "every role of the account exempted from the Deny of others (role/*)",
    edit: exemptFrom(BP, "DenyStateAccessToOthers", `arn:aws:iam::${TF}:role/*`),
    finding: "Access::StateBucket:ReadState:AccountPrincipal",
  },
  {
    id: "state-bucket/deny-others-like-prefix",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the exemption written as ArnNotLike role/terraform-ci* (admits terraform-ci-anything)",
    edit: (s) =>
      s.statement(BP, "DenyStateAccessToOthers", (st) => {
        const out = dropCondition(st, "ArnNotEquals");
        return condition(out, "ArnNotLike", "aws:PrincipalArn", [
          `arn:aws:iam::${TF}:role/terraform-ci*`,
          `arn:aws:iam::${TF}:role/PlatformAdmin`,
        ]);
      }),
    finding: "Access::StateBucket:ReadState:AccountPrincipal",
  },
  {
    id: "state-bucket/deny-others-only-get",
    claim: "state-bucket-access",
    stack: "dynamodb",
    what: "the Deny of others narrowed to s3:GetObject",
    edit: (s) =>
      s.statement(BP, "DenyStateAccessToOthers", (st) => ({ ...st, Action: "s3:GetObject" })),
    finding: "Access::StateBucket:WriteState:AccountPrincipal",
  },
  {
    id: "state-bucket/deny-others-only-workspaces",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of others limited to the workspaces' prefix (default workspace state left open)",
    edit: (s) =>
      s.statement(BP, "DenyStateAccessToOthers", (st) => ({
        ...st,
        Resource: `${STATE_BUCKET}/terraform/*`,
      })),
    finding: "Access::StateBucket:ReadState:AccountPrincipal",
  },
  {
    id: "state-bucket/bootstrap-reads-state",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the bootstrap role exempted from the Deny of others",
    edit: exemptFrom(BP, "DenyStateAccessToOthers", BOOTSTRAP),
    finding: "Access::StateBucket:ReadState:BootstrapRole",
  },
  {
    id: "state-bucket/version-deletion-allowed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of deleting state versions removed",
    edit: without(BP, "DenyDeletingStateVersions"),
    finding: "Access::StateBucket:DeleteStateVersion:*",
  },
  {
    id: "state-bucket/version-deletion-admin-exempt",
    claim: "state-bucket-access",
    stack: "boundary",
    what: "admins exempted from the Deny of deleting state versions",
    edit: (s) =>
      s.statement(BP, "DenyDeletingStateVersions", (st) =>
        condition(st, "ArnNotEquals", "aws:PrincipalArn", [SECOND_ADMIN]),
      ),
    finding: "Access::StateBucket:DeleteStateVersion:AdminPrincipal",
  },
  {
    id: "state-bucket/version-deletion-deny-flipped",
    claim: "state-bucket-access",
    stack: "github",
    what: "the version-deletion statement's Effect flipped to Allow",
    edit: (s) => s.statement(BP, "DenyDeletingStateVersions", (st) => ({ ...st, Effect: "Allow" })),
    finding: "Access::StateBucket:DeleteStateVersion:*",
  },
  {
    id: "state-bucket/plan-writes-state",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of state writes by the CI plan role removed",
    edit: without(BP, "DenyPlanPathStateWrites"),
    finding: "Access::StateBucket:WriteState:CiPlanRole",
  },
  {
    id: "state-bucket/plan-writes-widened",
    claim: "state-bucket-access",
    stack: "github",
    what: "the CI plan role's write Deny exempts the whole workspace prefix, not only lockfiles",
    edit: (s) =>
      s.statement(BP, "DenyPlanPathStateWrites", (st) => ({
        ...st,
        NotResource: `${STATE_BUCKET}/terraform/*`,
      })),
    finding: "Access::StateBucket:WriteState:CiPlanRole",
  },
  {
    id: "state-bucket/plan-object-changes",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of other object writes by the CI plan role removed",
    edit: without(BP, "DenyPlanPathObjectChanges"),
    finding: "Access::StateBucket:ChangeStateObject:CiPlanRole",
  },
  {
    id: "state-bucket/plan-object-changes-put-star",
    claim: "state-bucket-access",
    stack: "gitlab",
    what: "the CI plan role's object Deny exempts s3:PutObject* (tags, ACLs, retention)",
    edit: (s) =>
      s.statement(BP, "DenyPlanPathObjectChanges", (st) => ({
        ...st,
        NotAction: [...listOf(st.NotAction), "s3:PutObject*"],
      })),
    finding: "Access::StateBucket:ChangeStateObject:CiPlanRole",
  },
  {
    id: "state-bucket/sse-c-allowed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of state writes with customer-provided keys removed",
    edit: without(BP, "DenyStateWritesWithCustomerKeys"),
    finding: "Access::StateBucket:WriteStateSseC:*",
  },
  {
    id: "state-bucket/sse-s3-allowed",
    claim: "state-bucket-access",
    stack: "github",
    what: "SSE-S3 accepted: AES256 allowed by the KMS Deny, the managed-key Deny dropped",
    edit: (s) => {
      s.statement(BP, "DenyStateWritesWithoutKms", (st) =>
        condition(st, "StringNotEquals", "s3:x-amz-server-side-encryption", [
          "aws:kms",
          "aws:kms:dsse",
          "AES256",
        ]),
      );
      without(BP, "DenyStateWritesUnderAwsManagedKey")(s);
    },
    finding: "Access::StateBucket:WriteStateSseS3:*",
  },
  {
    id: "state-bucket/aws-managed-key-allowed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of state writes under the AWS managed key removed",
    edit: without(BP, "DenyStateWritesUnderAwsManagedKey"),
    finding: "Access::StateBucket:WriteStateAwsManagedKey:*",
  },
  {
    id: "state-bucket/foreign-key-allowed",
    claim: "state-bucket-access",
    stack: "dynamodb",
    what: "the Deny of state writes under other keys removed",
    edit: without(BP, "DenyStateWritesUnderOtherKeys"),
    finding: "Access::StateBucket:WriteStateForeignKey:*",
  },
  {
    id: "state-bucket/foreign-key-any-account",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the key Deny accepts keys of any account (key-id StringNotLike arn:aws:kms:*:*:key/*)",
    edit: (s) =>
      s.statement(BP, "DenyStateWritesUnderOtherKeys", (st) =>
        condition(st, "StringNotLike", "s3:x-amz-server-side-encryption-aws-kms-key-id", [
          "arn:aws:kms:*:*:key/*",
        ]),
      ),
    finding: "Access::StateBucket:WriteStateForeignKey:*",
  },
  {
    id: "state-bucket/configuration-deny-removed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of bucket configuration changes to others removed",
    edit: without(BP, "DenyBucketConfigurationToOthers"),
    finding: "Access::StateBucket:ChangeBucketConfiguration:AccountPrincipal",
  },
  {
    id: "state-bucket/configuration-put-exempt",
    claim: "state-bucket-access",
    stack: "github",
    what: "the configuration Deny exempts s3:Put* (policy, lifecycle, versioning)",
    edit: (s) =>
      s.statement(BP, "DenyBucketConfigurationToOthers", (st) => ({
        ...st,
        NotAction: [...listOf(st.NotAction), "s3:Put*"],
      })),
    finding: "Access::StateBucket:ChangeBucketConfiguration:AccountPrincipal",
  },
  {
    id: "state-bucket/configuration-ci-exempt",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the CI apply role exempted from the configuration Deny",
    edit: exemptFrom(BP, "DenyBucketConfigurationToOthers", CI_APPLY),
    finding: "Access::StateBucket:ChangeBucketConfiguration:CiApplyRole",
  },
  {
    id: "state-bucket/deletion-allowed",
    claim: "state-bucket-access",
    stack: "iam-user",
    what: "the Deny of deleting the bucket removed",
    edit: without(BP, "DenyBucketDeletion"),
    finding: "Access::StateBucket:DeleteBucket:*",
  },
  // --- state bucket: TLS ---------------------------------------------------------------------
  {
    id: "state-tls/deny-removed",
    claim: "state-tls-only",
    stack: "iam-user",
    what: "the Deny of requests without TLS removed",
    edit: without(BP, "DenyInsecureTransport"),
    finding: "Tls::NotDenied",
  },
  {
    id: "state-tls/ci-exempt",
    claim: "state-tls-only",
    stack: "github",
    what: "the CI apply role exempted from the TLS Deny",
    edit: (s) =>
      s.statement(BP, "DenyInsecureTransport", (st) =>
        condition(st, "ArnNotEquals", "aws:PrincipalArn", [CI_APPLY]),
      ),
    finding: "Tls::NotDenied",
  },
  {
    id: "state-tls/bucket-only",
    claim: "state-tls-only",
    stack: "iam-user",
    what: "the TLS Deny covers the bucket but not its objects",
    edit: (s) =>
      s.statement(BP, "DenyInsecureTransport", (st) => ({ ...st, Resource: STATE_BUCKET })),
    finding: "Tls::NotDenied",
  },
  {
    id: "state-tls/tls-version-only",
    claim: "state-tls-only",
    stack: "dynamodb",
    what: "the TLS Deny replaced by a minimum TLS version (requests without TLS pass)",
    edit: (s) =>
      s.statement(BP, "DenyInsecureTransport", (st) => ({
        ...dropCondition(st, "Bool"),
        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
      })),
    finding: "Tls::NotDenied",
  },
  {
    id: "state-tls/no-bucket-policy",
    claim: "state-tls-only",
    stack: "iam-user",
    what: "the state bucket's policy resource removed",
    edit: (s) => s.remove(BP),
    finding: "Tls::NoBucketPolicy",
  },
  // --- state bucket: settings ----------------------------------------------------------------
  {
    id: "state-versioning/suspended",
    claim: "state-versioned",
    stack: "iam-user",
    what: "versioning suspended",
    edit: (s) =>
      s.set("terraform-state-bucket-versioning", "versioningConfiguration", {
        status: "Suspended",
      }),
    finding: "Versioning::Suspended",
  },
  {
    id: "state-versioning/removed",
    claim: "state-versioned",
    stack: "github",
    what: "the versioning resource removed",
    edit: (s) => s.remove("terraform-state-bucket-versioning"),
    finding: "Versioning::Missing",
  },
  {
    id: "state-encryption/sse-s3",
    claim: "state-encrypted",
    stack: "iam-user",
    what: "default encryption switched to SSE-S3",
    edit: (s) =>
      s.set("terraform-state-bucket-encryption", "rules", [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ]),
    finding: "Encryption::AES256",
  },
  {
    id: "state-encryption/removed",
    claim: "state-encrypted",
    stack: "github",
    what: "the default encryption resource removed",
    edit: (s) => s.remove("terraform-state-bucket-encryption"),
    finding: "Encryption::Missing",
  },
  {
    id: "state-encryption/aws-managed-key",
    claim: "state-encrypted",
    stack: "iam-user",
    what: "SSE-KMS under the AWS managed aws/s3 key",
    edit: (s) =>
      s.set("terraform-state-bucket-encryption", "rules", [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true },
      ]),
    finding: "Encryption::AwsManagedKey",
  },
  {
    id: "state-encryption/foreign-key",
    claim: "state-encrypted",
    stack: "dynamodb",
    what: "SSE-KMS under a key of another account",
    edit: (s) => {
      const r = s.get("terraform-state-bucket-encryption");
      r.props.rules = [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: `arn:aws:kms:eu-west-1:${OTHER}:key/0000`,
          },
          bucketKeyEnabled: true,
        },
      ];
      r.propertyDependencies = {};
    },
    finding: "Kms::KeyOutsideAccount",
  },
  {
    id: "state-public/block-policy-off",
    claim: "state-private",
    stack: "iam-user",
    what: "blockPublicPolicy turned off",
    edit: (s) => s.set("terraform-state-bucket-public-access", "blockPublicPolicy", false),
    finding: "PublicAccess::blockPublicPolicy",
  },
  {
    id: "state-public/removed",
    claim: "state-private",
    stack: "github",
    what: "the public access block removed",
    edit: (s) => s.remove("terraform-state-bucket-public-access"),
    finding: "PublicAccess::Missing",
  },
  {
    id: "state-ownership/acls-on",
    claim: "state-private",
    stack: "iam-user",
    what: "object ownership ObjectWriter (ACLs on)",
    edit: (s) =>
      s.set("terraform-state-bucket-ownership", "rule", { objectOwnership: "ObjectWriter" }),
    finding: "Ownership::ObjectWriter",
  },
  {
    id: "state-kept/force-destroy",
    claim: "state-kept",
    stack: "iam-user",
    what: "forceDestroy on the state bucket",
    edit: (s) => s.set("terraform-state-bucket", "forceDestroy", true),
    finding: "ForceDestroy",
  },
  {
    id: "state-kept/bucket-unprotected",
    claim: "state-kept",
    stack: "github",
    what: "protect dropped from the state bucket",
    edit: (s) => void (s.get("terraform-state-bucket").protect = false),
    finding: "Protect::aws:s3/bucket:Bucket",
  },
  {
    id: "state-kept/key-unprotected",
    claim: "state-kept",
    stack: "iam-user",
    what: "protect dropped from the state key",
    edit: (s) => void (s.get(SK).protect = false),
    finding: "Protect::aws:kms/key:Key",
  },
  {
    id: "state-key/rotation-off",
    claim: "state-key-kept",
    stack: "iam-user",
    what: "key rotation turned off",
    edit: (s) => s.set(SK, "enableKeyRotation", false),
    finding: "Kms::RotationOff",
  },
  {
    id: "state-key/disabled",
    claim: "state-key-kept",
    stack: "iam-user",
    what: "the state key disabled",
    edit: (s) => s.set(SK, "isEnabled", false),
    finding: "Kms::Disabled",
  },
  {
    id: "state-key/short-deletion-window",
    claim: "key-deletion-window",
    stack: "github",
    what: "the state key's deletion window shortened to 7 days",
    edit: (s) => s.set(SK, "deletionWindowInDays", 7),
    finding: "Kms::DeletionWindow",
  },
  {
    id: "state-key/trail-key-short-deletion-window",
    claim: "key-deletion-window",
    stack: "iam-user",
    what: "the trail key's deletion window shortened to 7 days",
    edit: (s) => s.set(AK, "deletionWindowInDays", 7),
    finding: "Kms::DeletionWindow",
  },
  // --- state key policy ----------------------------------------------------------------------
  {
    id: "state-key-policy/everyone-decrypts-and-administers",
    claim: "state-key-access",
    stack: "iam-user",
    what: "an Allow for * of kms:Decrypt and kms:PutKeyPolicy",
    edit: (s) =>
      s.add(SK, {
        Effect: "Allow",
        Principal: "*",
        Action: ["kms:Decrypt", "kms:PutKeyPolicy"],
        Resource: "*",
      }),
    finding: "Access::StateKey:UseKeyDirectly:Outsider",
  },
  {
    id: "state-key-policy/via-service-dropped",
    claim: "state-key-access",
    stack: "github",
    what: "the key users' kms:ViaService condition dropped (direct decrypt)",
    edit: (s) =>
      s.statement(SK, "StateUsersUseKeyThroughStorage", (st) =>
        dropCondition(st, "StringEquals", "kms:ViaService"),
      ),
    finding: "Access::StateKey:UseKeyDirectly:CiApplyRole",
  },
  {
    id: "state-key-policy/users-any-role",
    claim: "state-key-access",
    stack: "iam-user",
    what: "the key users widened to every role of the account (ArnLike role/*)",
    edit: (s) =>
      s.statement(SK, "StateUsersUseKeyThroughStorage", (st) =>
        condition(dropCondition(st, "ArnEquals"), "ArnLike", "aws:PrincipalArn", [
          `arn:aws:iam::${TF}:role/*`,
        ]),
      ),
    finding: "Access::StateKey:UseKeyThroughStorage:AccountPrincipal",
  },
  {
    id: "state-key-policy/admin-deny-removed",
    claim: "state-key-access",
    stack: "iam-user",
    what: "the Deny of key administration to others removed",
    edit: without(SK, "DenyKeyAdministrationToOthers"),
    finding: "Access::StateKey:AdministerKey:AccountPrincipal",
  },
  {
    id: "state-key-policy/admin-deny-ci-exempt",
    claim: "state-key-access",
    stack: "gitlab",
    what: "the CI apply role exempted from the key administration Deny",
    edit: exemptFrom(SK, "DenyKeyAdministrationToOthers", CI_APPLY),
    finding: "Access::StateKey:AdministerKey:CiApplyRole",
  },
  {
    id: "state-key-policy/admin-deny-put-exempt",
    claim: "state-key-access",
    stack: "iam-user",
    what: "the key administration Deny exempts kms:Put* (key policy changes)",
    edit: (s) =>
      s.statement(SK, "DenyKeyAdministrationToOthers", (st) => ({
        ...st,
        NotAction: [...listOf(st.NotAction), "kms:Put*"],
      })),
    finding: "Access::StateKey:AdministerKey:AccountPrincipal",
  },
  {
    id: "state-key-policy/default-policy",
    claim: "state-key-access",
    stack: "dynamodb",
    what: "the key policy removed (AWS's default: the account administers and uses it through IAM)",
    edit: (s) => void delete s.get(SK).props.policy,
    finding: "Access::StateKey:*",
  },
  {
    id: "state-key-policy/ci-creates-grants",
    claim: "state-key-access",
    stack: "iam-user",
    what: "kms:CreateGrant added for the CI roles without kms:ViaService",
    edit: (s) =>
      s.add(SK, {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${TF}:root` },
        Action: "kms:CreateGrant",
        Resource: "*",
        Condition: { ArnEquals: { "aws:PrincipalArn": [CI_APPLY, CI_PLAN] } },
      }),
    finding: "Access::StateKey:CreateGrant:CiApplyRole",
  },
  {
    id: "state-key-policy/other-account-through-s3",
    claim: "state-key-access",
    stack: "github",
    what: "another account allowed to use the key through S3",
    edit: (s) =>
      s.add(SK, {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
      }),
    finding: "Access::StateKey:UseKeyThroughStorage:Outsider",
  },
  {
    id: "state-key-policy/bootstrap-uses-key",
    claim: "state-key-access",
    stack: "iam-user",
    what: "the bootstrap role added to the key's users",
    edit: (s) =>
      s.statement(SK, "StateUsersUseKeyThroughStorage", (st) => {
        const c = st.Condition as Record<string, Record<string, unknown>>;
        return condition(st, "ArnEquals", "aws:PrincipalArn", [
          ...listOf(c.ArnEquals?.["aws:PrincipalArn"]),
          BOOTSTRAP,
        ]);
      }),
    finding: "Access::StateKey:UseKeyThroughStorage:BootstrapRole",
  },
  // --- state lifecycle -----------------------------------------------------------------------
  {
    id: "state-lifecycle/current-expires-after-a-day",
    claim: "state-lifecycle",
    stack: "iam-user",
    what: "a rule expiring current state after one day",
    edit: editRule("terraform-state-bucket-lifecycle", (r) => void (r.expiration = { days: 1 })),
    finding: "Lifecycle::ExpiresState",
  },
  {
    id: "state-lifecycle/workspaces-expire",
    claim: "state-lifecycle",
    stack: "github",
    what: "a second rule expiring objects under the workspaces' prefix after 30 days",
    edit: lifecycleRule("terraform-state-bucket-lifecycle", {
      id: "tidy",
      status: "Enabled",
      filter: { prefix: "terraform/" },
      expiration: { days: 30 },
    }),
    finding: "Lifecycle::ExpiresState",
  },
  {
    id: "state-lifecycle/expiration-date",
    claim: "state-lifecycle",
    stack: "iam-user",
    what: "a rule expiring current state on a date",
    edit: lifecycleRule("terraform-state-bucket-lifecycle", {
      id: "sunset",
      status: "Enabled",
      filter: {},
      expiration: { date: "2030-01-01T00:00:00Z" },
    }),
    finding: "Lifecycle::ExpiresState",
  },
  {
    id: "state-lifecycle/tag-filtered-expiration",
    claim: "state-lifecycle",
    stack: "dynamodb",
    what: "a rule expiring objects with a tag (state objects may carry it)",
    edit: lifecycleRule("terraform-state-bucket-lifecycle", {
      id: "tagged",
      status: "Enabled",
      filter: { tag: { key: "temporary", value: "true" } },
      expiration: { days: 7 },
    }),
    finding: "Lifecycle::ExpiresState",
  },
  {
    id: "state-lifecycle/noncurrent-one-day",
    claim: "state-lifecycle",
    stack: "iam-user",
    what: "noncurrent versions kept one day instead of 90",
    edit: editRule(
      "terraform-state-bucket-lifecycle",
      (r) => void (r.noncurrentVersionExpiration = { noncurrentDays: 1 }),
    ),
    finding: "Lifecycle::NoncurrentRetention",
  },
  {
    id: "state-lifecycle/archived",
    claim: "state-lifecycle",
    stack: "github",
    what: "current state transitioned to Glacier after 30 days",
    edit: editRule(
      "terraform-state-bucket-lifecycle",
      (r) => void (r.transitions = [{ days: 30, storageClass: "GLACIER" }]),
    ),
    finding: "Lifecycle::ArchivesState",
  },
  // --- lock table ----------------------------------------------------------------------------
  {
    id: "lock-table/no-point-in-time-recovery",
    claim: "lock-table-kept",
    stack: "dynamodb",
    what: "point-in-time recovery off",
    edit: (s) => s.set("terraform-state-lock", "pointInTimeRecovery", { enabled: false }),
    finding: "LockTable::PointInTimeRecovery",
  },
  {
    id: "lock-table/no-deletion-protection",
    claim: "lock-table-kept",
    stack: "dynamodb",
    what: "deletion protection off",
    edit: (s) => s.set("terraform-state-lock", "deletionProtectionEnabled", false),
    finding: "LockTable::DeletionProtection",
  },
  {
    id: "lock-table/no-encryption",
    claim: "lock-table-kept",
    stack: "dynamodb",
    what: "KMS encryption off",
    edit: (s) => {
      const r = s.get("terraform-state-lock");
      r.props.serverSideEncryption = { enabled: false };
      r.propertyDependencies = {};
    },
    finding: "LockTable::Encryption",
  },
  {
    id: "lock-table/unprotected",
    claim: "lock-table-kept",
    stack: "dynamodb",
    what: "protect dropped from the lock table",
    edit: (s) => void (s.get("terraform-state-lock").protect = false),
    finding: "Protect::aws:dynamodb/table:Table",
  },
  // --- the trail -----------------------------------------------------------------------------
  {
    id: "trail/single-region",
    claim: "trail-records",
    stack: "iam-user",
    what: "the trail made single-region",
    edit: (s) => s.set(TRAIL, "isMultiRegionTrail", false),
    finding: "Trail::NotMultiRegion",
  },
  {
    id: "trail/no-log-file-validation",
    claim: "trail-records",
    stack: "github",
    what: "log file validation off",
    edit: (s) => s.set(TRAIL, "enableLogFileValidation", false),
    finding: "Trail::NoLogFileValidation",
  },
  {
    id: "trail/logging-off",
    claim: "trail-records",
    stack: "iam-user",
    what: "logging stopped",
    edit: (s) => s.set(TRAIL, "enableLogging", false),
    finding: "Trail::LoggingOff",
  },
  {
    id: "trail/not-encrypted",
    claim: "trail-records",
    stack: "gitlab",
    what: "the trail's KMS key removed",
    edit: (s) => {
      const r = s.get(TRAIL);
      delete r.props.kmsKeyId;
      r.propertyDependencies = {};
    },
    finding: "Trail::NotEncrypted",
  },
  {
    id: "trail/removed",
    claim: "trail-records",
    stack: "iam-user",
    what: "the trail removed",
    edit: (s) => s.remove(TRAIL),
    finding: "Trail::Missing",
  },
  {
    id: "trail/no-management-events",
    claim: "trail-management-events",
    stack: "iam-user",
    what: "the management events selector removed",
    edit: selectors((l) => l.filter(isData)),
    finding: "Trail::NoManagementEvents",
  },
  {
    id: "trail/management-read-only",
    claim: "trail-management-events",
    stack: "github",
    what: "management events narrowed to reads (readOnly = true)",
    edit: selectors((l) =>
      l.map((x) =>
        isManagement(x)
          ? { ...x, fieldSelectors: [...x.fieldSelectors, { field: "readOnly", equals: ["true"] }] }
          : x,
      ),
    ),
    finding: "Trail::NoManagementEvents",
  },
  {
    id: "trail/management-write-only",
    claim: "trail-management-events",
    stack: "iam-user",
    what: "management events narrowed to writes (readOnly = false)",
    edit: selectors((l) =>
      l.map((x) =>
        isManagement(x)
          ? {
              ...x,
              fieldSelectors: [...x.fieldSelectors, { field: "readOnly", equals: ["false"] }],
            }
          : x,
      ),
    ),
    finding: "Trail::NoManagementEvents",
  },
  {
    id: "trail/management-kms-excluded",
    claim: "trail-management-events",
    stack: "dynamodb",
    what: "KMS events excluded from the management selector",
    edit: selectors((l) =>
      l.map((x) =>
        isManagement(x)
          ? {
              ...x,
              fieldSelectors: [
                ...x.fieldSelectors,
                { field: "eventSource", notEquals: ["kms.amazonaws.com"] },
              ],
            }
          : x,
      ),
    ),
    finding: "Trail::NoManagementEvents",
  },
  {
    id: "trail/basic-selector-write-only",
    claim: "trail-management-events",
    stack: "iam-user",
    what: "advanced selectors replaced by a basic selector of write-only management events",
    edit: (s) => {
      const r = s.get(TRAIL);
      delete r.props.advancedEventSelectors;
      r.props.eventSelectors = [{ readWriteType: "WriteOnly", includeManagementEvents: true }];
    },
    finding: "Trail::NoManagementEvents",
  },
  {
    id: "trail/no-global-service-events",
    claim: "trail-management-events",
    stack: "github",
    what: "global service events (IAM, STS) off",
    edit: (s) => s.set(TRAIL, "includeGlobalServiceEvents", false),
    finding: "Trail::NoGlobalServiceEvents",
  },
  {
    id: "trail/no-state-data-events",
    claim: "trail-state-data-events",
    stack: "iam-user",
    what: "the state data events selector removed",
    edit: selectors((l) => l.filter(isManagement)),
    finding: "Trail::NoStateDataEvents",
  },
  {
    id: "trail/state-data-events-writes-only",
    claim: "trail-state-data-events",
    stack: "gitlab",
    what: "state data events narrowed to writes",
    edit: selectors((l) =>
      l.map((x) =>
        isData(x)
          ? {
              ...x,
              fieldSelectors: [...x.fieldSelectors, { field: "readOnly", equals: ["false"] }],
            }
          : x,
      ),
    ),
    finding: "Trail::NoStateDataEvents",
  },
  {
    id: "trail/state-data-events-other-bucket",
    claim: "trail-state-data-events",
    stack: "iam-user",
    what: "the data selector pointed at another bucket",
    edit: selectors((l) =>
      l.map((x) =>
        isData(x)
          ? {
              ...x,
              fieldSelectors: x.fieldSelectors.map((f) =>
                f.field === "resources.ARN" ? { ...f, startsWiths: ["arn:aws:s3:::scratch/"] } : f,
              ),
            }
          : x,
      ),
    ),
    finding: "Trail::NoStateDataEvents",
  },
  {
    id: "trail/state-data-events-puts-excluded",
    claim: "trail-state-data-events",
    stack: "github",
    what: "PutObject excluded from the state data events",
    edit: selectors((l) =>
      l.map((x) =>
        isData(x)
          ? {
              ...x,
              fieldSelectors: [
                ...x.fieldSelectors,
                { field: "eventName", notEquals: ["PutObject"] },
              ],
            }
          : x,
      ),
    ),
    finding: "Trail::NoStateDataEvents",
  },
  // --- the log bucket ------------------------------------------------------------------------
  {
    id: "log-bucket/tamper-denial-removed",
    claim: "log-bucket-access",
    stack: "iam-user",
    what: "the log bucket's tamper denial removed",
    edit: without(LP, "DenyLogTampering"),
    finding: "Access::LogBucket:DeleteLogs:*",
  },
  {
    id: "log-bucket/tamper-denial-versions-left",
    claim: "log-bucket-access",
    stack: "github",
    what: "the tamper denial narrowed to DeleteObject (versions deletable)",
    edit: (s) =>
      s.statement(LP, "DenyLogTampering", (st) => ({ ...st, Action: "s3:DeleteObject" })),
    finding: "Access::LogBucket:DeleteLogs:*",
  },
  {
    id: "log-bucket/tamper-denial-admin-exempt",
    claim: "log-bucket-access",
    stack: "boundary",
    what: "admins exempted from the tamper denial",
    edit: (s) =>
      s.statement(LP, "DenyLogTampering", (st) =>
        condition(st, "ArnNotEquals", "aws:PrincipalArn", [SECOND_ADMIN]),
      ),
    finding: "Access::LogBucket:DeleteLogs:AdminPrincipal",
  },
  {
    id: "log-bucket/other-account-reads",
    claim: "log-bucket-access",
    stack: "iam-user",
    what: "another account allowed to read the logs",
    edit: (s) =>
      s.add(LP, {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: [LOG_BUCKET, `${LOG_BUCKET}/*`],
      }),
    finding: "Access::LogBucket:ReadLogs:Outsider",
  },
  {
    id: "log-bucket/cloudtrail-any-trail",
    claim: "log-bucket-access",
    stack: "iam-user",
    what: "CloudTrail allowed to write for any trail (source condition dropped)",
    edit: (s) =>
      s.statement(LP, "CloudTrailWritesLogs", (st) => {
        const out = { ...st };
        delete out.Condition;
        return out;
      }),
    finding: "Access::LogBucket:DeliverTrailLogs:CloudTrailElsewhere",
  },
  {
    id: "log-bucket/access-logs-any-source",
    claim: "log-bucket-access",
    stack: "dynamodb",
    what: "S3 logging allowed to write for any source bucket",
    edit: (s) =>
      s.statement(LP, "S3WritesAccessLogs", (st) => {
        const out = { ...st };
        delete out.Condition;
        return out;
      }),
    finding: "Access::LogBucket:DeliverAccessLogs:S3LoggingElsewhere",
  },
  {
    id: "log-bucket/configuration-deny-removed",
    claim: "log-bucket-access",
    stack: "github",
    what: "the log bucket's configuration Deny removed",
    edit: without(LP, "DenyBucketConfigurationToOthers"),
    finding: "Access::LogBucket:ChangeBucketConfiguration:AccountPrincipal",
  },
  {
    id: "log-bucket/tls-removed",
    claim: "log-bucket-access",
    stack: "iam-user",
    what: "the log bucket's TLS Deny removed",
    edit: without(LP, "DenyInsecureTransport"),
    finding: "Access::LogBucket:WithoutTls:*",
  },
  {
    id: "log-bucket/deletion-allowed",
    claim: "log-bucket-access",
    stack: "gitlab",
    what: "the Deny of deleting the log bucket removed",
    edit: without(LP, "DenyBucketDeletion"),
    finding: "Access::LogBucket:DeleteBucket:*",
  },
  {
    id: "log-bucket/logs-expire",
    claim: "log-lifecycle",
    stack: "iam-user",
    what: "logs expire after 30 days (kept forever by config)",
    edit: editRule("terraform-audit-logs-lifecycle", (r) => void (r.expiration = { days: 30 })),
    finding: "Lifecycle::ExpiresLogs",
  },
  {
    id: "log-bucket/noncurrent-logs-expire",
    claim: "log-lifecycle",
    stack: "github",
    what: "noncurrent log versions expire after a day",
    edit: editRule(
      "terraform-audit-logs-lifecycle",
      (r) => void (r.noncurrentVersionExpiration = { noncurrentDays: 1 }),
    ),
    finding: "Lifecycle::ExpiresLogs",
  },
  {
    id: "log-bucket/versioning-suspended",
    claim: "log-bucket-hardened",
    stack: "iam-user",
    what: "log bucket versioning suspended",
    edit: (s) =>
      s.set("terraform-audit-logs-versioning", "versioningConfiguration", { status: "Suspended" }),
    finding: "Versioning::Suspended",
  },
  {
    id: "log-bucket/public-access-off",
    claim: "log-bucket-hardened",
    stack: "github",
    what: "the log bucket's restrictPublicBuckets off",
    edit: (s) => s.set("terraform-audit-logs-public-access", "restrictPublicBuckets", false),
    finding: "PublicAccess::restrictPublicBuckets",
  },
  {
    id: "log-bucket/force-destroy",
    claim: "log-bucket-hardened",
    stack: "iam-user",
    what: "forceDestroy on the log bucket",
    edit: (s) => s.set("terraform-audit-logs", "forceDestroy", true),
    finding: "ForceDestroy",
  },
  {
    id: "access-logs/removed",
    claim: "state-access-logged",
    stack: "iam-user",
    what: "the state bucket's access logging removed",
    edit: (s) => s.remove("terraform-state-bucket-logging"),
    finding: "AccessLogs::Missing",
  },
  {
    id: "access-logs/elsewhere",
    claim: "state-access-logged",
    stack: "github",
    what: "the state bucket's access logs sent to a bucket of the stack's choice outside it",
    edit: (s) => s.set("terraform-state-bucket-logging", "targetBucket", "scratch-logs"),
    finding: "AccessLogs::Missing",
  },
  {
    id: "log-bucket/acls-on",
    claim: "log-bucket-hardened",
    stack: "dynamodb",
    what: "the log bucket's object ownership set to ObjectWriter (ACLs on)",
    edit: (s) =>
      s.set("terraform-audit-logs-ownership", "rule", { objectOwnership: "ObjectWriter" }),
    finding: "Ownership::ObjectWriter",
  },
  // --- the trail key -------------------------------------------------------------------------
  {
    id: "trail-key/cloudtrail-any-trail",
    claim: "trail-key-access",
    stack: "iam-user",
    what: "CloudTrail allowed to encrypt for any trail",
    edit: (s) =>
      s.statement(AK, "CloudTrailEncryptsLogs", (st) => {
        const out = { ...st };
        delete out.Condition;
        return out;
      }),
    finding: "Access::TrailKey:EncryptTrailLogs:CloudTrailElsewhere",
  },
  {
    id: "trail-key/everyone-decrypts",
    claim: "trail-key-access",
    stack: "github",
    what: "an Allow for * of kms:Decrypt on the trail key",
    edit: (s) =>
      s.add(AK, { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }),
    finding: "Access::TrailKey:UseKeyDirectly:Outsider",
  },
  {
    id: "trail-key/admin-deny-removed",
    claim: "trail-key-access",
    stack: "iam-user",
    what: "the trail key's administration Deny removed",
    edit: without(AK, "DenyKeyAdministrationToOthers"),
    finding: "Access::TrailKey:AdministerKey:AccountPrincipal",
  },
  {
    id: "trail-key/ci-creates-grants",
    claim: "trail-key-access",
    stack: "dynamodb",
    what: "the CI roles allowed kms:CreateGrant on the trail key",
    edit: (s) =>
      s.add(AK, {
        Effect: "Allow",
        Principal: { AWS: [CI_APPLY, CI_PLAN] },
        Action: "kms:CreateGrant",
        Resource: "*",
      }),
    finding: "Access::TrailKey:CreateGrant:*",
  },
  // --- Terraform roles -----------------------------------------------------------------------
  {
    id: "terraform-roles/one-account-widened",
    claim: "terraform-roles-identical",
    stack: "iam-user",
    what: "iam:* added to one account's Terraform role",
    edit: (s) =>
      s.add("prod-terraform-role-terraform", { Effect: "Allow", Action: "iam:*", Resource: "*" }),
    finding: "Permissions::Differ",
  },
  {
    id: "terraform-roles/one-account-managed-policy",
    claim: "terraform-roles-identical",
    stack: "github",
    what: "AdministratorAccess attached to one account's Terraform role",
    edit: (s) =>
      s.set("dev-terraform-role-managed-exclusive", "policyArns", [
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ]),
    finding: "Permissions::Differ",
  },
  {
    id: "terraform-roles/one-account-boundary-dropped",
    claim: "terraform-roles-identical",
    stack: "boundary",
    what: "the boundary removed from one account's Terraform role",
    edit: (s) => void delete s.get("staging-terraform-role").props.permissionsBoundary,
    finding: "Permissions::Differ",
  },
  {
    id: "self-protection/removed-everywhere",
    claim: "terraform-role-self-protection",
    stack: "iam-user",
    what: "the self-protection Deny removed from every Terraform role at once",
    edit: everyTerraformPolicy((s, name) => without(name, "DenyChangingTopologyRoles")(s)),
    finding: "SelfProtection::*",
  },
  {
    id: "self-protection/put-role-policy-dropped-everywhere",
    claim: "terraform-role-self-protection",
    stack: "github",
    what: "iam:PutRolePolicy dropped from every role's self-protection Deny",
    edit: everyTerraformPolicy((s, name) =>
      s.statement(name, "DenyChangingTopologyRoles", (st) => ({
        ...st,
        Action: listOf(st.Action).filter((a) => a !== "iam:PutRolePolicy"),
      })),
    ),
    finding: "SelfProtection::*:iam:PutRolePolicy",
  },
  {
    id: "self-protection/trust-change-dropped-everywhere",
    claim: "terraform-role-self-protection",
    stack: "iam-user",
    what: "iam:UpdateAssumeRolePolicy dropped from every role's self-protection Deny",
    edit: everyTerraformPolicy((s, name) =>
      s.statement(name, "DenyChangingTopologyRoles", (st) => ({
        ...st,
        Action: listOf(st.Action).filter((a) => a !== "iam:UpdateAssumeRolePolicy"),
      })),
    ),
    finding: "SelfProtection::*:iam:UpdateAssumeRolePolicy",
  },
  {
    id: "self-protection/plan-role-unprotected-everywhere",
    claim: "terraform-role-self-protection",
    stack: "gitlab",
    what: "the plan role left out of every role's self-protection Deny",
    edit: everyTerraformPolicy((s, name) =>
      s.statement(name, "DenyChangingTopologyRoles", (st) => ({
        ...st,
        Resource: listOf(st.Resource).filter((r) => !String(r).endsWith(":role/terraform-plan")),
      })),
    ),
    finding: "SelfProtection::*",
  },
  {
    id: "self-protection/conditional-everywhere",
    claim: "terraform-role-self-protection",
    stack: "iam-user",
    what: "every role's self-protection Deny made conditional on a request tag",
    edit: everyTerraformPolicy((s, name) =>
      s.statement(name, "DenyChangingTopologyRoles", (st) => ({
        ...st,
        Condition: { StringEquals: { "aws:RequestTag/locked": "true" } },
      })),
    ),
    finding: "SelfProtection::*",
  },
  {
    id: "self-protection/boundary-bypass-everywhere",
    claim: "terraform-role-boundary",
    stack: "boundary",
    what: "the Deny of creating identities without the boundary removed from every role",
    edit: everyTerraformPolicy((s, name) => without(name, "DenyIdentitiesWithoutBoundary")(s)),
    finding: "Boundary::NotRequired:*",
  },
  {
    id: "self-protection/boundary-removable-everywhere",
    claim: "terraform-role-boundary",
    stack: "boundary",
    what: "the Deny of removing boundaries removed from every role",
    edit: everyTerraformPolicy((s, name) => without(name, "DenyRemovingBoundaries")(s)),
    finding: "Boundary::Removable:*",
  },
  {
    id: "self-protection/iam-without-boundary",
    claim: "terraform-role-boundary",
    stack: "iam-user",
    what: "iam:* granted to every Terraform role without a boundary",
    edit: everyTerraformPolicy((s, name) =>
      s.statement(name, "ManageAllowedServices", (st) => ({
        ...st,
        Action: [...listOf(st.Action), "iam:*"],
      })),
    ),
    finding: "Boundary::Missing",
  },
  {
    id: "terraform-trust/other-account",
    claim: "terraform-role-trust",
    stack: "iam-user",
    what: "a second trust statement admitting another account",
    edit: (s) =>
      s.add(
        "dev-terraform-role",
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: "sts:AssumeRole",
        },
        "assumeRolePolicy",
      ),
    finding: "Principal::Account:999999999999",
  },
  {
    id: "terraform-trust/every-role-of-the-account",
    claim: "terraform-role-trust",
    stack: "github",
    what: "the PrincipalArn condition widened to every role (ArnLike role/*)",
    edit: trust("prod-terraform-role", (st) =>
      condition(dropCondition(st, "ArnEquals"), "ArnLike", "aws:PrincipalArn", [
        `arn:aws:iam::${TF}:role/*`,
      ]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "terraform-trust/condition-dropped",
    claim: "terraform-role-trust",
    stack: "iam-user",
    what: "the PrincipalArn condition dropped (the whole Terraform account)",
    edit: trust("staging-terraform-role", (st) => dropCondition(st, "ArnEquals")),
    finding: "Principal::Account:111111111111",
  },
  {
    id: "terraform-trust/everyone",
    claim: "terraform-role-trust",
    stack: "dynamodb",
    what: "Principal * in a Terraform role's trust",
    edit: trust("dev-terraform-role", (st) => ({
      ...dropCondition(st, "ArnEquals"),
      Principal: "*",
    })),
    finding: "Principal::*",
  },
  {
    id: "terraform-trust/plan-role-admitted",
    claim: "terraform-role-trust",
    stack: "iam-user",
    what: "the CI plan role admitted to a Terraform role",
    edit: trust("dev-terraform-role", (st) =>
      condition(st, "ArnEquals", "aws:PrincipalArn", [CI_APPLY, CI_PLAN]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "terraform-trust/plan-role-trusts-apply",
    claim: "terraform-role-trust",
    stack: "github",
    what: "a plan role's trust admits the CI apply role",
    edit: trust("dev-plan-role", (st) =>
      condition(st, "ArnEquals", "aws:PrincipalArn", [CI_PLAN, CI_APPLY]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "terraform-trust/session-tags",
    claim: "terraform-role-trust",
    stack: "iam-user",
    what: "sts:TagSession allowed in a Terraform role's trust",
    edit: trust("prod-terraform-role", (st) => ({
      ...st,
      Action: ["sts:AssumeRole", "sts:TagSession"],
    })),
    finding: "Trust::SessionTags",
  },
  {
    id: "terraform-trust/source-identity",
    claim: "terraform-role-trust",
    stack: "gitlab",
    what: "sts:SetSourceIdentity allowed in a plan role's trust",
    edit: trust("prod-plan-role", (st) => ({
      ...st,
      Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
    })),
    finding: "Trust::SourceIdentity",
  },
  // --- plan roles ----------------------------------------------------------------------------
  {
    id: "plan-roles/run-instances",
    claim: "plan-role-read-only",
    stack: "iam-user",
    what: "ec2:RunInstances granted to every plan role",
    edit: planGrant("ec2:RunInstances"),
    finding: "Action::ec2:RunInstances",
  },
  {
    id: "plan-roles/service-wildcard",
    claim: "plan-role-read-only",
    stack: "github",
    what: "s3:* granted to every plan role",
    edit: planGrant("s3:*"),
    finding: "Action::s3:*",
  },
  {
    id: "plan-roles/get-star-includes-writes",
    claim: "plan-role-read-only",
    stack: "iam-user",
    what: "sts:Get* granted (matches sts:GetFederationToken, a write)",
    edit: planGrant("sts:Get*"),
    finding: "Action::sts:Get*",
  },
  {
    id: "plan-roles/not-action",
    claim: "plan-role-read-only",
    stack: "dynamodb",
    what: "an Allow of NotAction iam:* on every plan role",
    edit: everyPlanPolicy((s, name) =>
      s.add(name, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
    ),
    finding: "NotAction",
  },
  {
    id: "plan-roles/pass-role",
    claim: "plan-role-read-only",
    stack: "boundary",
    what: "iam:PassRole granted to every plan role",
    edit: planGrant("iam:PassRole"),
    finding: "Action::iam:PassRole",
  },
  {
    id: "plan-roles/admin-policy-attached",
    claim: "plan-role-read-only",
    stack: "iam-user",
    what: "AdministratorAccess attached to every plan role",
    edit: (s) =>
      PRODUCTS.forEach((p) =>
        s.set(`${p}-plan-role-managed-exclusive`, "policyArns", [
          "arn:aws:iam::aws:policy/AdministratorAccess",
        ]),
      ),
    finding: "ManagedPolicy::arn:aws:iam::aws:policy/AdministratorAccess",
  },
  {
    id: "plan-roles/secrets-deny-removed",
    claim: "plan-role-secrets-denied",
    stack: "iam-user",
    what: "the Deny on reading secret values removed from every plan role",
    edit: everyPlanPolicy((s, name) => without(name, "DenyReadingSecrets")(s)),
    finding: "Secrets::NotDenied:*",
  },
  {
    id: "plan-roles/secrets-deny-conditional",
    claim: "plan-role-secrets-denied",
    stack: "github",
    what: "the secrets Deny made conditional on the source IP",
    edit: everyPlanPolicy((s, name) =>
      s.statement(name, "DenyReadingSecrets", (st) => ({
        ...st,
        Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      })),
    ),
    finding: "Secrets::NotDenied:*",
  },
  {
    id: "plan-roles/secrets-deny-without-decrypt",
    claim: "plan-role-secrets-denied",
    stack: "iam-user",
    what: "kms:Decrypt dropped from the secrets Deny",
    edit: everyPlanPolicy((s, name) =>
      s.statement(name, "DenyReadingSecrets", (st) => ({
        ...st,
        Action: listOf(st.Action).filter((a) => a !== "kms:Decrypt"),
      })),
    ),
    finding: "Secrets::NotDenied:kms:Decrypt",
  },
  {
    id: "plan-roles/cognito-developer-token",
    claim: "plan-role-credential-reads",
    stack: "iam-user",
    what: "cognito-identity:GetOpenIdTokenForDeveloperIdentity granted to every plan role",
    edit: planGrant("cognito-identity:GetOpenIdTokenForDeveloperIdentity"),
    finding: "Credentials::NotDenied",
  },
  {
    id: "plan-roles/wafv2-decrypted-api-key",
    claim: "plan-role-credential-reads",
    stack: "github",
    what: "wafv2:GetDecryptedAPIKey granted to every plan role",
    edit: planGrant("wafv2:GetDecryptedAPIKey"),
    finding: "Credentials::NotDenied",
  },
  {
    id: "plan-roles/one-account-reads-more",
    claim: "plan-roles-identical",
    stack: "iam-user",
    what: "one account's plan role reads one more service",
    edit: (s) =>
      s.add("dev-plan-role-terraform-plan", {
        Effect: "Allow",
        Action: "cloudformation:Describe*",
        Resource: "*",
      }),
    finding: "Permissions::Differ",
  },
  {
    id: "plan-roles/one-account-read-only-access",
    claim: "plan-roles-identical",
    stack: "github",
    what: "ReadOnlyAccess attached to one account's plan role",
    edit: (s) =>
      s.set("prod-plan-role-managed-exclusive", "policyArns", [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
      ]),
    finding: "Permissions::Differ",
  },
  // --- CI roles: trust -----------------------------------------------------------------------
  {
    id: "ci-trust/apply-admits-plan-user",
    claim: "ci-role-trust",
    stack: "iam-user",
    what: "the CI apply role's trust admits the plan user",
    edit: trust("terraform-ci-role", (st) =>
      condition(st, "ArnEquals", "aws:PrincipalArn", [
        `arn:aws:iam::${TF}:user/terraform-ci`,
        `arn:aws:iam::${TF}:user/terraform-ci-plan`,
      ]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "ci-trust/apply-any-user",
    claim: "ci-role-trust",
    stack: "dynamodb",
    what: "the CI apply role's trust admits every user (ArnLike user/*)",
    edit: trust("terraform-ci-role", (st) =>
      condition(dropCondition(st, "ArnEquals"), "ArnLike", "aws:PrincipalArn", [
        `arn:aws:iam::${TF}:user/*`,
      ]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "ci-trust/plan-role-whole-account",
    claim: "ci-role-trust",
    stack: "iam-user",
    what: "the CI plan role's trust condition dropped",
    edit: trust("terraform-ci-plan-role", (st) => dropCondition(st, "ArnEquals")),
    finding: "Principal::Account:111111111111",
  },
  {
    id: "ci-trust/session-tags",
    claim: "ci-role-trust",
    stack: "iam-user",
    what: "sts:TagSession allowed in the CI apply role's trust",
    edit: trust("terraform-ci-role", (st) => ({
      ...st,
      Action: ["sts:AssumeRole", "sts:TagSession"],
    })),
    finding: "Trust::SessionTags",
  },
  {
    id: "ci-oidc/github-apply-scratch-branch",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits branch scratch",
    edit: addSubject("terraform-ci-role", GH, "repo:acme/infrastructure:ref:refs/heads/scratch"),
    finding: "OIDC::Subject:repo:acme/infrastructure:ref:refs/heads/scratch",
  },
  {
    id: "ci-oidc/github-apply-tag",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits tag v1",
    edit: addSubject("terraform-ci-role", GH, "repo:acme/infrastructure:ref:refs/tags/v1"),
    finding: "OIDC::Subject:repo:acme/infrastructure:ref:refs/tags/v1",
  },
  {
    id: "ci-oidc/github-apply-pull-request",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits pull requests",
    edit: addSubject("terraform-ci-role", GH, "repo:acme/infrastructure:pull_request"),
    finding: "OIDC::Subject:repo:acme/infrastructure:pull_request",
  },
  {
    id: "ci-oidc/github-apply-other-environment",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits an unconfigured environment",
    edit: addSubject("terraform-ci-role", GH, "repo:acme/infrastructure:environment:sandbox"),
    finding: "OIDC::Subject:repo:acme/infrastructure:environment:sandbox",
  },
  {
    id: "ci-oidc/github-apply-any-ref",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits repo:acme/infrastructure:* (StringLike)",
    edit: addSubject("terraform-ci-role", GH, "repo:acme/infrastructure:*", "StringLike"),
    finding: "OIDC::Subject:*",
  },
  {
    id: "ci-oidc/github-plan-environment",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI plan role admits environment production",
    edit: addSubject(
      "terraform-ci-plan-role",
      GH,
      "repo:acme/infrastructure:environment:production",
    ),
    finding: "OIDC::Subject:repo:acme/infrastructure:environment:production",
  },
  {
    id: "ci-oidc/github-other-repository",
    claim: "ci-oidc-subjects",
    stack: "github",
    what: "the CI apply role admits a fork's environment",
    edit: addSubject("terraform-ci-role", GH, "repo:attacker/infrastructure:environment:dev"),
    finding: "OIDC::Subject:*",
  },
  {
    id: "ci-oidc/gitlab-apply-tag",
    claim: "ci-oidc-subjects",
    stack: "gitlab",
    what: "the CI apply role admits tag v1",
    edit: addSubject(
      "terraform-ci-role",
      GL,
      "project_path:acme/platform/infrastructure:ref_type:tag:ref:v1",
    ),
    finding: "OIDC::Subject:project_path:acme/platform/infrastructure:ref_type:tag:ref:v1",
  },
  {
    id: "ci-oidc/gitlab-apply-other-branch",
    claim: "ci-oidc-subjects",
    stack: "gitlab",
    what: "the CI apply role admits branch scratch",
    edit: addSubject(
      "terraform-ci-role",
      GL,
      "project_path:acme/platform/infrastructure:ref_type:branch:ref:scratch",
    ),
    finding: "OIDC::Subject:project_path:acme/platform/infrastructure:ref_type:branch:ref:scratch",
  },
  {
    id: "ci-oidc/gitlab-apply-any-branch",
    claim: "ci-oidc-subjects",
    stack: "gitlab",
    what: "the CI apply role admits every branch (ref:*)",
    edit: addSubject(
      "terraform-ci-role",
      GL,
      "project_path:acme/platform/infrastructure:ref_type:branch:ref:*",
      "StringLike",
    ),
    finding: "OIDC::Subject:*",
  },
  {
    id: "ci-oidc/gitlab-plan-other-project",
    claim: "ci-oidc-subjects",
    stack: "gitlab",
    what: "the CI plan role admits every project of the group",
    edit: addSubject(
      "terraform-ci-plan-role",
      GL,
      "project_path:acme/platform/*:ref_type:branch:ref:*",
      "StringLike",
    ),
    finding: "OIDC::Subject:*",
  },
  {
    id: "ci-oidc/github-audience-dropped",
    claim: "ci-oidc-audience",
    stack: "github",
    what: "the audience condition dropped from the CI apply role's trust",
    edit: trust("terraform-ci-role", (st) => dropCondition(st, "StringEquals", `${GH}:aud`)),
    finding: "OIDC::Audience:Missing",
  },
  {
    id: "ci-oidc/gitlab-audience-widened",
    claim: "ci-oidc-audience",
    stack: "gitlab",
    what: "the CI plan role accepts any audience (StringLike *)",
    edit: trust("terraform-ci-plan-role", (st) =>
      condition(dropCondition(st, "StringEquals", `${GL}:aud`), "StringLike", `${GL}:aud`, "*"),
    ),
    finding: "OIDC::Audience:*",
  },
  {
    id: "ci-oidc/other-issuer",
    claim: "ci-role-trust",
    stack: "github",
    what: "a second OIDC issuer trusted by the CI apply role",
    edit: trust("terraform-ci-role", (st) => ({
      ...st,
      Principal: {
        Federated: [
          `arn:aws:iam::${TF}:oidc-provider/${GH}`,
          `arn:aws:iam::${TF}:oidc-provider/gitlab.com`,
        ],
      },
    })),
    finding: "Principal::Federated:*",
  },
  {
    id: "ci-oidc/session-tags",
    claim: "ci-role-trust",
    stack: "gitlab",
    what: "sts:TagSession allowed in the CI plan role's trust",
    edit: trust("terraform-ci-plan-role", (st) => ({
      ...st,
      Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
    })),
    finding: "Trust::SessionTags",
  },
  // --- CI roles: what they may assume and do -------------------------------------------------
  {
    id: "ci-assume/any-role",
    claim: "ci-role-assume-scoped",
    stack: "iam-user",
    what: "the CI apply role may assume any role",
    edit: (s) =>
      s.statement(
        "terraform-ci-role-terraform-ci-assume-1",
        "AssumeProductTerraformRoles",
        (st) => ({
          ...st,
          Resource: "*",
        }),
      ),
    finding: "Resource::*",
  },
  {
    id: "ci-assume/any-terraform-role",
    claim: "ci-role-assume-scoped",
    stack: "github",
    what: "the CI apply role may assume role/terraform in any account",
    edit: (s) =>
      s.statement(
        "terraform-ci-role-terraform-ci-assume-1",
        "AssumeProductTerraformRoles",
        (st) => ({
          ...st,
          Resource: "arn:aws:iam::*:role/terraform",
        }),
      ),
    finding: "Resource::arn:aws:iam::*:role/terraform",
  },
  {
    id: "ci-assume/account-missing",
    claim: "ci-role-assume-scoped",
    stack: "iam-user",
    what: "prod left out of the CI apply role's assume policy",
    edit: (s) =>
      s.statement(
        "terraform-ci-role-terraform-ci-assume-1",
        "AssumeProductTerraformRoles",
        (st) => ({
          ...st,
          Resource: listOf(st.Resource).filter((r) => !String(r).includes("444444444444")),
        }),
      ),
    finding: "Missing::arn:aws:iam::444444444444:role/terraform",
  },
  {
    id: "ci-assume/plan-assumes-terraform-role",
    claim: "ci-role-assume-scoped",
    stack: "dynamodb",
    what: "the CI plan role may also assume a Terraform role",
    edit: (s) =>
      s.doc("terraform-ci-plan-role-terraform-ci-plan-assume-1", (d) => {
        const st = d.Statement[0];
        st.Resource = [...listOf(st.Resource), "arn:aws:iam::222222222222:role/terraform"];
      }),
    finding: "Resource::arn:aws:iam::222222222222:role/terraform",
  },
  {
    id: "ci-assume/not-resource",
    claim: "ci-role-assume-scoped",
    stack: "iam-user",
    what: "the CI apply role may assume every role but one (NotResource)",
    edit: (s) =>
      s.doc("terraform-ci-role-terraform-ci-assume-1", (d) => {
        const st = d.Statement[0];
        delete st.Resource;
        st.NotResource = "arn:aws:iam::*:role/OrganizationAccountAccessRole";
      }),
    finding: "NotResource",
  },
  {
    id: "ci-permissions/apply-not-action",
    claim: "ci-role-least-privilege",
    stack: "github",
    what: "the CI apply role allowed everything but IAM on state objects (NotAction)",
    edit: (s) =>
      s.add("terraform-ci-role-terraform-state", {
        Effect: "Allow",
        NotAction: "iam:*",
        Resource: `${STATE_BUCKET}/*`,
      }),
    finding: "NotAction",
  },
  {
    id: "ci-permissions/plan-not-resource",
    claim: "ci-role-least-privilege",
    stack: "iam-user",
    what: "the CI plan role may read every object but the log bucket's (NotResource)",
    edit: (s) =>
      s.add("terraform-ci-plan-role-terraform-state", {
        Effect: "Allow",
        Action: "s3:GetObject",
        NotResource: `${LOG_BUCKET}/*`,
      }),
    finding: "NotResource",
  },
  {
    id: "ci-permissions/apply-deletes-versions",
    claim: "ci-role-least-privilege",
    stack: "iam-user",
    what: "the CI apply role may delete state versions",
    edit: (s) =>
      s.add("terraform-ci-role-terraform-state", {
        Effect: "Allow",
        Action: "s3:DeleteObjectVersion",
        Resource: `${STATE_BUCKET}/*`,
      }),
    finding: "Action::s3:DeleteObjectVersion",
  },
  {
    id: "ci-permissions/apply-bucket-admin",
    claim: "ci-role-least-privilege",
    stack: "github",
    what: "the CI apply role may do s3:* on the state bucket",
    edit: (s) =>
      s.add("terraform-ci-role-terraform-state", {
        Effect: "Allow",
        Action: "s3:*",
        Resource: [STATE_BUCKET, `${STATE_BUCKET}/*`],
      }),
    finding: "Action::*",
  },
  {
    id: "ci-permissions/plan-writes-state",
    claim: "ci-role-least-privilege",
    stack: "iam-user",
    what: "the CI plan role may put any object under the prefix",
    edit: (s) =>
      s.statement("terraform-ci-plan-role-terraform-state", "HoldLockfile", (st) => ({
        ...st,
        Resource: `${STATE_BUCKET}/terraform/*`,
      })),
    finding: "Action::*",
  },
  {
    id: "ci-permissions/apply-key-admin",
    claim: "ci-role-least-privilege",
    stack: "gitlab",
    what: "the CI apply role may do kms:* on the account's keys",
    edit: (s) =>
      s.statement("terraform-ci-role-terraform-state", "UseStateKeyThroughStorage", (st) => ({
        ...st,
        Action: "kms:*",
      })),
    finding: "Action::*",
  },
  {
    id: "ci-permissions/apply-pass-role",
    claim: "ci-role-least-privilege",
    stack: "boundary",
    what: "the CI apply role may pass roles",
    edit: (s) =>
      s.add("terraform-ci-role-terraform-state", {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "*",
      }),
    finding: "Action::iam:PassRole",
  },
  // --- CI identities -------------------------------------------------------------------------
  {
    id: "ci-identity/user-assumes-anything",
    claim: "ci-identity-least-privilege",
    stack: "iam-user",
    what: "the CI user may assume any role",
    edit: (s) =>
      s.statement("terraform-ci-assume-ci-role", "AssumeCiRoleOnly", (st) => ({
        ...st,
        Resource: "*",
      })),
    finding: "Resource::*",
  },
  {
    id: "ci-identity/user-mints-keys",
    claim: "ci-identity-least-privilege",
    stack: "iam-user",
    what: "the CI user may create access keys",
    edit: (s) =>
      s.add("terraform-ci-assume-ci-role", {
        Effect: "Allow",
        Action: "iam:CreateAccessKey",
        Resource: "*",
      }),
    finding: "Action::iam:CreateAccessKey",
  },
  {
    id: "ci-identity/plan-user-assumes-apply-role",
    claim: "ci-identity-least-privilege",
    stack: "dynamodb",
    what: "the plan user may assume the CI apply role",
    edit: (s) =>
      s.statement("terraform-ci-plan-assume-ci-role", "AssumeCiRoleOnly", (st) => ({
        ...st,
        Resource: [...listOf(st.Resource), CI_APPLY],
      })),
    finding: "Resource::*",
  },
  {
    id: "ci-identity/user-admin-policy",
    claim: "ci-identity-least-privilege",
    stack: "iam-user",
    what: "AdministratorAccess attached to the CI user",
    edit: (s) =>
      s.set("terraform-ci-managed-exclusive", "policyArns", [
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ]),
    finding: "ManagedPolicy::arn:aws:iam::aws:policy/AdministratorAccess",
  },
  {
    id: "ci-identity/user-console-login",
    claim: "ci-identity-least-privilege",
    stack: "iam-user",
    what: "a console password for the CI user",
    edit: (s) =>
      s.addResource("terraform-ci-user", "aws:iam/userLoginProfile:UserLoginProfile", "ci-login", {
        user: "terraform-ci",
      }),
    finding: "LoginProfile",
  },
  {
    id: "ci-identity/user-in-admin-group",
    claim: "ci-identity-least-privilege",
    stack: "iam-user",
    what: "the CI user added to a group",
    edit: (s) =>
      s.addResource(
        "terraform-ci-user",
        "aws:iam/userGroupMembership:UserGroupMembership",
        "ci-admins",
        { user: "terraform-ci", groups: ["admins"] },
      ),
    finding: "Group::admins",
  },
  {
    id: "ci-identity/user-ssh-key",
    claim: "ci-identity-least-privilege",
    stack: "dynamodb",
    what: "an SSH key for the CI plan user",
    edit: (s) =>
      s.addResource("terraform-ci-plan-user", "aws:iam/sshKey:SshKey", "ci-plan-ssh", {
        username: "terraform-ci-plan",
        encoding: "SSH",
        publicKey: "ssh-ed25519 AAAA",
      }),
    finding: "Credential::SshKey",
  },
  {
    id: "ci-identity/oidc-second-audience",
    claim: "oidc-provider-audience",
    stack: "github",
    what: "the OIDC provider accepts a second audience",
    edit: (s) => s.set("terraform-oidc-provider", "clientIdLists", ["sts.amazonaws.com", "other"]),
    finding: "OIDC::Audiences",
  },
  {
    id: "ci-identity/oidc-gitlab-second-audience",
    claim: "oidc-provider-audience",
    stack: "gitlab",
    what: "the GitLab OIDC provider accepts a second audience",
    edit: (s) =>
      s.set("terraform-oidc-provider", "clientIdLists", [
        "sts.amazonaws.com",
        "https://gitlab.com",
      ]),
    finding: "OIDC::Audiences",
  },
  // --- providers -----------------------------------------------------------------------------
  {
    id: "providers/default-provider",
    claim: "provider-pinned",
    stack: "iam-user",
    what: "the state bucket registered without an explicit provider",
    edit: (s) => void delete (s.get("terraform-state-bucket") as { provider?: unknown }).provider,
    finding: "Provider::Missing",
  },
  {
    id: "providers/two-accounts",
    claim: "provider-pinned",
    stack: "github",
    what: "the Terraform account's provider pinned to two accounts",
    edit: (s) => {
      const r = s.get("terraform-state-bucket");
      if (r.provider) r.provider.props.allowedAccountIds = JSON.stringify([TF, OTHER]);
    },
    finding: "Provider::SeveralAccounts",
  },
  // --- values unknown at preview -------------------------------------------------------------
  {
    id: "unknown/terraform-trust-computed",
    claim: "terraform-role-trust",
    stack: "iam-user",
    what: "a Terraform role's trust built from another resource's output (unknown at preview)",
    edit: (s) => s.set("dev-terraform-role", "assumeRolePolicy", UNKNOWN.string),
    finding: "Unknown::assumeRolePolicy",
  },
  {
    id: "unknown/state-bucket-policy-computed",
    claim: "state-bucket-access",
    stack: "github",
    what: "the state bucket policy built from another resource's output (unknown at preview)",
    edit: (s) => s.set(BP, "policy", UNKNOWN.string),
    finding: "Unknown::policy",
  },
  {
    id: "unknown/lifecycle-days-computed",
    claim: "state-lifecycle",
    stack: "iam-user",
    what: "the state lifecycle rules computed from another resource's output",
    edit: (s) => s.set("terraform-state-bucket-lifecycle", "rules", UNKNOWN.array),
    finding: "Unknown::rules",
  },
  // ci-apply-role-environment-scoped: the per-environment layout of example-oidc.
  {
    id: "ci-apply-env/dev-trusts-production-job",
    claim: "ci-apply-role-environment-scoped",
    stack: "environments",
    what: "the dev CI apply role admits the production environment's jobs",
    edit: addSubject(
      "terraform-ci-role-dev",
      GH,
      "repo:acme/infrastructure:environment:production",
    ),
    finding: "Trust::OtherEnvironment::production",
  },
  {
    id: "ci-apply-env/dev-reaches-production-role",
    claim: "ci-apply-role-environment-scoped",
    stack: "environments",
    what: "the dev CI apply role may assume production's Terraform role",
    edit: (s) =>
      s.doc("terraform-ci-role-dev-terraform-ci-dev-reach-1", (d) => {
        const st = d.Statement[0];
        st.Resource = [...listOf(st.Resource), "arn:aws:iam::444444444444:role/terraform"];
      }),
    finding: "Reach::AssumeRole::arn:aws:iam::444444444444:role/terraform",
  },
  {
    id: "ci-apply-env/dev-writes-every-workspace",
    claim: "ci-apply-role-environment-scoped",
    stack: "environments",
    what: "the dev CI apply role may read and write every workspace's state",
    edit: (s) =>
      s.doc("terraform-ci-role-dev-terraform-ci-dev-reach-1", (d) => {
        const st = d.Statement[1];
        st.Resource = ["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/terraform/*"];
      }),
    finding: "Reach::State::*",
  },
  {
    id: "ci-apply-env/production-role-trusts-dev",
    claim: "ci-apply-role-environment-scoped",
    stack: "environments",
    what: "production's Terraform role also trusts the dev CI apply role",
    edit: trust("prod-terraform-role", (st) =>
      condition(st, "ArnEquals", "aws:PrincipalArn", [
        `arn:aws:iam::${TF}:role/terraform-ci-production`,
        `arn:aws:iam::${TF}:role/terraform-ci-dev`,
      ]),
    ),
    finding: "Trust::OtherEnvironmentApplyRole::*",
  },
  {
    id: "ci-apply-env/dev-role-removed",
    claim: "ci-apply-role-environment-scoped",
    stack: "environments",
    what: "the dev CI apply role removed (its jobs would need another environment's role)",
    edit: (s) => void s.remove("terraform-ci-role-dev"),
    finding: "ApplyRole::Missing::dev",
  },
  // org-stack-consistent: example-oidc split into a core stack and a group of dev and staging.
  {
    id: "org/group-roles-widened-alike",
    claim: "org-role-definition",
    stack: "org-group",
    what: "both of a group's Terraform roles given iam:PassRole alike (identical within the group)",
    edit: (s) => {
      for (const p of ["dev", "staging"]) {
        s.add(`${p}-terraform-role-terraform`, {
          Sid: "Extra",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "*",
        });
      }
    },
    finding: "Org::RoleDefinitionDiffers",
  },
  {
    id: "org/group-plan-roles-widened-alike",
    claim: "org-role-definition",
    stack: "org-group",
    what: "both of a group's plan roles given the ReadOnlyAccess managed policy alike",
    edit: (s) => {
      for (const p of ["dev", "staging"]) {
        s.addResource(
          `${p}-plan-role-terraform-plan`,
          "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          `${p}-plan-role-extra`,
          {
            role: "terraform-plan",
            policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
          },
        );
      }
    },
    finding: "Org::RoleDefinitionDiffers",
  },
  {
    id: "org/group-provider-in-terraform-account",
    claim: "org-stack-scope",
    stack: "org-group",
    what: "a group's dev provider repointed at the Terraform account (its roles land there)",
    edit: (s) => void s.set("aws-dev", "allowedAccountIds", [TF]),
    finding: "Org::OutsideGroup",
  },
  // The product-role claims hold in an account-group stack too, against the core's CI roles.
  {
    id: "org/group-trust-other-account",
    claim: "terraform-role-trust",
    stack: "org-group",
    what: "a group's Terraform role also trusts another account",
    edit: (s) =>
      s.add(
        "dev-terraform-role",
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: "sts:AssumeRole",
        },
        "assumeRolePolicy",
      ),
    finding: "Principal::Account:999999999999",
  },
  {
    id: "org/group-trust-other-environment",
    claim: "terraform-role-trust",
    stack: "org-group",
    what: "a group's staging Terraform role also trusts production's CI apply role",
    edit: trust("staging-terraform-role", (st) =>
      condition(st, "ArnEquals", "aws:PrincipalArn", [
        `arn:aws:iam::${TF}:role/terraform-ci-staging`,
        `arn:aws:iam::${TF}:role/terraform-ci-production`,
      ]),
    ),
    finding: "Condition::PrincipalArn:*",
  },
  {
    id: "org/group-one-role-differs",
    claim: "terraform-roles-identical",
    stack: "org-group",
    what: "one group account's Terraform role given an extra statement",
    edit: (s) =>
      s.add("dev-terraform-role-terraform", {
        Sid: "Extra",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "*",
      }),
    finding: "Permissions::Differ",
  },
  {
    id: "org/group-role-without-provider",
    claim: "org-stack-scope",
    stack: "org-group",
    what: "a group's dev Terraform role registered without its provider (its account unknown)",
    edit: (s) => void delete s.get("dev-terraform-role").provider,
    finding: "Org::AccountUnknown",
  },
  {
    id: "org/group-iam-user-in-product-account",
    claim: "org-stack-scope",
    stack: "org-group",
    what: "an IAM user registered in the group's dev account",
    edit: (s) =>
      void s.addResource("aws-dev", "aws:iam/user:User", "dev-support-user", { name: "support" }),
    finding: "Org::ForeignResource",
  },
  {
    id: "org/core-terraform-account-role-for-ci",
    claim: "org-stack-scope",
    stack: "org-core",
    what: "a role in the Terraform account whose trust admits the CI plan role",
    edit: (s) => {
      const like = s.get("terraform-ci-plan-role");
      s.addResource("terraform-ci-plan-role", like.type, "terraform-maintenance", {
        ...like.props,
        name: "terraform-maintenance",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: CI_PLAN },
              Action: "sts:AssumeRole",
            },
          ],
        }),
      });
    },
    finding: "Org::TerraformAccountRole",
  },
  {
    id: "org/core-role-in-product-account",
    claim: "org-stack-scope",
    stack: "org-core",
    what: "a role registered by the core stack in the dev account, through a provider for it",
    edit: (s) => {
      const like = s.get("terraform-ci-plan-role");
      s.addResource("terraform-ci-plan-role", like.type, "dev-extra-role", {
        ...like.props,
        name: "extra",
      });
      const role = s.get("dev-extra-role");
      const provider = like.provider;
      if (provider === undefined) throw new Error("corpus: the CI plan role has no provider");
      role.provider = {
        ...provider,
        name: "aws-dev",
        urn: provider.urn.replace(/::aws-terraform$/, "::aws-dev"),
        props: { ...provider.props, allowedAccountIds: ["222222222222"] },
      };
    },
    finding: "Org::OutsideCore",
  },
];

/** Every benign edit of the corpus. */
export const BENIGN_EDITS: readonly BenignEdit[] = [
  {
    id: "terraform-roles/statement-split-everywhere",
    stack: "iam-user",
    what: "every Terraform role's allow statement split in two",
    edit: everyTerraformPolicy((s, name) =>
      s.doc(name, (d) => {
        const i = d.Statement.findIndex((st) => st.Sid === "ManageAllowedServices");
        const st = d.Statement[i];
        const actions = listOf(st.Action);
        d.Statement.splice(
          i,
          1,
          { ...st, Sid: "A", Action: actions.slice(0, 3) },
          { ...st, Sid: "B", Action: actions.slice(3) },
        );
      }),
    ),
  },
  {
    id: "terraform-roles/statement-split-one-account",
    stack: "github",
    what: "one Terraform role's allow statement split in two (the others unchanged)",
    edit: (s) =>
      s.doc("dev-terraform-role-terraform", (d) => {
        const i = d.Statement.findIndex((st) => st.Sid === "ManageAllowedServices");
        const st = d.Statement[i];
        const actions = listOf(st.Action);
        d.Statement.splice(
          i,
          1,
          { ...st, Sid: "ManageSome", Action: actions.slice(0, 5) },
          { ...st, Sid: "ManageOthers", Action: actions.slice(5) },
        );
      }),
  },
  {
    id: "terraform-roles/deny-split-by-resource",
    stack: "iam-user",
    what: "one Terraform role's self-protection Deny split by resource",
    edit: (s) =>
      s.doc("staging-terraform-role-terraform", (d) => {
        const i = d.Statement.findIndex((st) => st.Sid === "DenyChangingTopologyRoles");
        const st = d.Statement[i];
        const resources = listOf(st.Resource);
        d.Statement.splice(i, 1, ...resources.map((r) => ({ ...st, Sid: undefined, Resource: r })));
        d.Statement = JSON.parse(JSON.stringify(d.Statement)) as Statement[];
      }),
  },
  {
    id: "terraform-roles/sid-renamed",
    stack: "iam-user",
    what: "Sids of one Terraform role renamed",
    edit: (s) =>
      s.doc("prod-terraform-role-terraform", (d) =>
        d.Statement.forEach((st, i) => void (st.Sid = `Renamed${i}`)),
      ),
  },
  {
    id: "terraform-roles/sids-dropped",
    stack: "dynamodb",
    what: "Sids of one Terraform role dropped",
    edit: (s) =>
      s.doc("dev-terraform-role-terraform", (d) => d.Statement.forEach((st) => delete st.Sid)),
  },
  {
    id: "terraform-roles/action-order",
    stack: "github",
    what: "actions of one Terraform role reversed",
    edit: (s) =>
      s.doc("prod-terraform-role-terraform", (d) =>
        d.Statement.forEach((st) => void (st.Action = [...listOf(st.Action)].reverse())),
      ),
  },
  {
    id: "terraform-roles/statement-order",
    stack: "iam-user",
    what: "statements of one Terraform role reordered",
    edit: (s) => s.doc("dev-terraform-role-terraform", (d) => void d.Statement.reverse()),
  },
  {
    id: "plan-roles/string-vs-array",
    stack: "iam-user",
    what: "one-element arrays of one plan role written as strings",
    edit: (s) =>
      s.doc("dev-plan-role-terraform-plan", (d) =>
        d.Statement.forEach((st) => {
          const r = listOf(st.Resource);
          if (r.length === 1) st.Resource = r[0];
        }),
      ),
  },
  {
    id: "state-bucket/statement-order",
    stack: "iam-user",
    what: "the state bucket policy's statements reversed",
    edit: (s) => s.doc(BP, (d) => void d.Statement.reverse()),
  },
  {
    id: "state-bucket/sids-renamed",
    stack: "github",
    what: "the state bucket policy's Sids renamed",
    edit: (s) => s.doc(BP, (d) => d.Statement.forEach((st, i) => void (st.Sid = `S${i}`))),
  },
  {
    id: "state-bucket/tls-deny-split",
    stack: "iam-user",
    what: "the TLS Deny split into one for the bucket and one for its objects",
    edit: (s) =>
      s.doc(BP, (d) => {
        const i = d.Statement.findIndex((st) => st.Sid === "DenyInsecureTransport");
        const st = d.Statement[i];
        d.Statement.splice(
          i,
          1,
          { ...st, Sid: "DenyInsecureBucket", Resource: STATE_BUCKET },
          { ...st, Sid: "DenyInsecureObjects", Resource: `${STATE_BUCKET}/*` },
        );
      }),
  },
  {
    id: "state-bucket/condition-key-case",
    stack: "iam-user",
    what: "condition keys written in another case (aws:principalarn, aws:securetransport)",
    edit: (s) =>
      s.doc(BP, (d) =>
        d.Statement.forEach((st) => {
          const c = st.Condition as Record<string, Record<string, unknown>> | undefined;
          if (!c) return;
          for (const op of Object.keys(c)) {
            const inner: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(c[op])) {
              inner[k.startsWith("aws:") ? k.toLowerCase() : k] = v;
            }
            c[op] = inner;
          }
        }),
      ),
  },
  {
    id: "state-bucket/principal-string",
    stack: "dynamodb",
    what: "one-element lists of the state bucket policy written as strings",
    edit: (s) =>
      s.doc(BP, (d) =>
        d.Statement.forEach((st) => {
          for (const key of ["Action", "NotAction", "Resource"]) {
            const v = listOf(st[key]);
            if (st[key] !== undefined && v.length === 1) st[key] = v[0];
          }
        }),
      ),
  },
  {
    id: "state-key/statement-order",
    stack: "github",
    what: "the state key policy's statements reversed and Sids dropped",
    edit: (s) =>
      s.doc(SK, (d) => {
        d.Statement.reverse();
        d.Statement.forEach((st) => delete st.Sid);
      }),
  },
  {
    id: "log-bucket/statement-order",
    stack: "gitlab",
    what: "the log bucket policy's statements reversed",
    edit: (s) => s.doc(LP, (d) => void d.Statement.reverse()),
  },
  {
    id: "ci-trust/subjects-reordered",
    stack: "github",
    what: "the CI apply role's subjects reordered",
    edit: trust("terraform-ci-role", (st) => {
      const c = st.Condition as Record<string, Record<string, unknown>>;
      return condition(
        st,
        "StringEquals",
        `${GH}:sub`,
        [...listOf(c.StringEquals?.[`${GH}:sub`])].reverse(),
      );
    }),
  },
  {
    id: "ci-trust/action-string",
    stack: "iam-user",
    what: "the CI roles' trust Action written as a string",
    edit: (s) => {
      trust("terraform-ci-role", (st) => ({ ...st, Action: "sts:AssumeRole" }))(s);
      trust("terraform-ci-plan-role", (st) => ({ ...st, Action: "sts:AssumeRole" }))(s);
    },
  },
  {
    id: "state-lifecycle/longer-retention",
    stack: "iam-user",
    what: "noncurrent versions kept longer than configured (365 days)",
    edit: editRule(
      "terraform-state-bucket-lifecycle",
      (r) => void (r.noncurrentVersionExpiration = { noncurrentDays: 365 }),
    ),
  },
  {
    id: "state-lifecycle/other-prefix-expires",
    stack: "github",
    what: "a rule expiring objects under a prefix outside the state (tmp/)",
    edit: lifecycleRule("terraform-state-bucket-lifecycle", {
      id: "tmp",
      status: "Enabled",
      filter: { prefix: "tmp/" },
      expiration: { days: 1 },
    }),
  },
  {
    id: "trail/selector-renamed",
    stack: "iam-user",
    what: "the trail's selectors renamed and reordered",
    edit: selectors((l) => [...l].reverse().map((x, i) => ({ ...x, name: `selector ${i}` }))),
  },
  {
    id: "plan-roles/deny-split",
    stack: "boundary",
    what: "every plan role's secrets Deny split in two",
    edit: everyPlanPolicy((s, name) =>
      s.doc(name, (d) => {
        const i = d.Statement.findIndex((st) => st.Sid === "DenyReadingSecrets");
        const st = d.Statement[i];
        const actions = listOf(st.Action);
        const half = Math.ceil(actions.length / 2);
        d.Statement.splice(
          i,
          1,
          { ...st, Sid: "DenySecretsA", Action: actions.slice(0, half) },
          { ...st, Sid: "DenySecretsB", Action: actions.slice(half) },
        );
      }),
    ),
  },
];

/** The roles the corpus names, for the test's sanity checks. */
export const CORPUS_ROLES = { TF_ROLES, PLAN_ROLES };

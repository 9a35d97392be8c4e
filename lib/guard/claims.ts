/**
 * Every promise the policy pack makes, written down once: what `docs/policies.md` and the
 * README's "how it is kept safe" table guarantee, which policy keeps each promise, the finding
 * ids it reports when the promise is broken, and the evaluation that decides it. Every claim is
 * checked by evaluating documents and settings, never by a statement's Sid, name or shape.
 *
 * The docs show this inventory (`renderClaims`, a generated section of `docs/policies.md`), with
 * the mutations of the project's corpus (`test/policy-pack/mutations/`) that break each claim;
 * a test holds the docs, the corpus and the pack to it.
 */
import type { PolicyName } from "./finding";

/** Where a claim is made. */
export type ClaimSource = "policies" | "readme";

/** The function that decides a claim, and its file. */
export interface Evaluation {
  readonly fn: string;
  readonly file: string;
}

/** One promise of the pack. */
export interface Claim {
  /** Stable id (kebab-case); mutations name it. */
  readonly id: string;
  readonly policy: PolicyName;
  /** The promise, as a user reads it. */
  readonly text: string;
  /** Finding ids reported when the claim is broken; `*` matches any text. */
  readonly findings: readonly string[];
  readonly evaluation: Evaluation;
  readonly sources: readonly ClaimSource[];
}

const ACCESS: Evaluation = { fn: "checkResourceAccess", file: "lib/guard/resource-access.ts" };
const TRAIL: Evaluation = { fn: "checkAuditTrail", file: "lib/guard/audit-trail.ts" };
const BOTH: readonly ClaimSource[] = ["policies", "readme"];

/** The inventory, in the order the docs list it. */
export const CLAIMS: readonly Claim[] = [
  {
    id: "state-bucket-access",
    policy: "state-backend-hardened",
    text: "The state bucket's policy refuses state reads, writes, version deletions, other object writes, configuration changes and bucket deletion to every caller class the access matrix refuses (another account, any other principal of the Terraform account, the bootstrap role; the CI plan role writes only lockfiles), and state writes under any key but the account's KMS keys.",
    findings: ["Access::StateBucket:*", "Unknown::policy"],
    evaluation: ACCESS,
    sources: BOTH,
  },
  {
    id: "state-tls-only",
    policy: "state-backend-hardened",
    text: "The state bucket refuses every request made without TLS, for every principal its policy names and for an outsider.",
    findings: ["Tls::NotDenied", "Tls::NoBucketPolicy"],
    evaluation: { fn: "checkTls", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "state-versioned",
    policy: "state-backend-hardened",
    text: "The state bucket is versioned.",
    findings: ["Versioning::*"],
    evaluation: { fn: "checkVersioning", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "state-encrypted",
    policy: "state-backend-hardened",
    text: "The state bucket's default encryption is SSE-KMS under a key of the Terraform account, not the AWS managed key.",
    findings: ["Encryption::*", "Kms::KeyOutsideAccount"],
    evaluation: { fn: "checkEncryption", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "state-private",
    policy: "state-backend-hardened",
    text: "The state bucket blocks all four kinds of public access and has ACLs disabled.",
    findings: ["PublicAccess::*", "Ownership::*"],
    evaluation: { fn: "checkBucketBasics", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "state-kept",
    policy: "state-backend-hardened",
    text: "The state bucket, the keys and the lock table are protected (the offline synth also checks they are retained on delete, which CrossGuard cannot see); the bucket is never force-destroyed.",
    findings: ["ForceDestroy", "Protect::*"],
    evaluation: { fn: "checkKept", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "state-key-kept",
    policy: "state-backend-hardened",
    text: "Every KMS key of the Terraform account is enabled and rotates (live, the audit also reports a key scheduled for deletion: `Kms::PendingDeletion`).",
    findings: ["Kms::RotationOff", "Kms::Disabled"],
    evaluation: { fn: "checkKeys", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "key-deletion-window",
    policy: "state-backend-hardened",
    text: "Every KMS key of the Terraform account keeps the 30-day deletion window, so a scheduled deletion can be noticed and cancelled.",
    findings: ["Kms::DeletionWindow"],
    evaluation: { fn: "checkDeletionWindows", file: "lib/guard/backend-access.ts" },
    sources: BOTH,
  },
  {
    id: "state-key-access",
    policy: "state-backend-hardened",
    text: "The state key's policy lets only the CI roles and the admin principals use it, and only through S3 (and DynamoDB); nobody decrypts with it directly, the CI roles create no grants, and only the account, the bootstrap role and the admins administer it.",
    findings: ["Access::StateKey:*"],
    evaluation: ACCESS,
    sources: BOTH,
  },
  {
    id: "state-lifecycle",
    policy: "state-backend-hardened",
    text: "No lifecycle rule expires or archives current state, and noncurrent versions are kept at least `state.noncurrentVersionRetentionDays` days.",
    findings: [
      "Lifecycle::ExpiresState",
      "Lifecycle::ArchivesState",
      "Lifecycle::NoncurrentRetention",
      "Unknown::rules",
    ],
    evaluation: { fn: "checkStateLifecycle", file: "lib/guard/lifecycle.ts" },
    sources: BOTH,
  },
  {
    id: "lock-table-kept",
    policy: "state-backend-hardened",
    text: "A DynamoDB lock table has point-in-time recovery, KMS encryption and deletion protection, and is protected.",
    findings: ["LockTable::*", "Protect::aws:dynamodb/table:Table"],
    evaluation: { fn: "checkLockTables", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "trail-records",
    policy: "audit-trail-enabled",
    text: "A CloudTrail trail of the Terraform account is multi-region, validates log files, is logging and is encrypted with a key of the Terraform account.",
    findings: [
      "Trail::Missing",
      "Trail::NotMultiRegion",
      "Trail::NoLogFileValidation",
      "Trail::LoggingOff",
      "Trail::NotEncrypted",
    ],
    evaluation: TRAIL,
    sources: BOTH,
  },
  {
    id: "trail-management-events",
    policy: "audit-trail-enabled",
    text: "The trail records every management event, reads and writes, from every event source, including the global services (IAM, STS).",
    findings: ["Trail::NoManagementEvents", "Trail::NoGlobalServiceEvents"],
    evaluation: { fn: "checkManagementEvents", file: "lib/guard/audit-trail.ts" },
    sources: ["policies"],
  },
  {
    id: "trail-state-data-events",
    policy: "audit-trail-enabled",
    text: "The trail records data events, reads and writes, for every object of every state bucket.",
    findings: ["Trail::NoStateDataEvents"],
    evaluation: { fn: "checkSelectors", file: "lib/guard/audit-trail.ts" },
    sources: BOTH,
  },
  {
    id: "log-bucket-access",
    policy: "audit-trail-enabled",
    text: "The log bucket's policy refuses deleting logs to everyone, reading them to other accounts, requests without TLS, configuration changes to all but the administrators, and log delivery for other accounts' trails and buckets.",
    findings: ["Access::LogBucket:*"],
    evaluation: ACCESS,
    sources: BOTH,
  },
  {
    id: "log-bucket-hardened",
    policy: "audit-trail-enabled",
    text: "The log bucket is versioned, blocks public access, has ACLs disabled and is never force-destroyed.",
    findings: ["Versioning::*", "PublicAccess::*", "Ownership::*", "ForceDestroy"],
    evaluation: { fn: "checkBucketBasics", file: "lib/guard/state-backend.ts" },
    sources: BOTH,
  },
  {
    id: "log-lifecycle",
    policy: "audit-trail-enabled",
    text: "No lifecycle rule expires logs, current or noncurrent, sooner than `audit.logRetentionDays` (or at all when logs are kept forever).",
    findings: ["Lifecycle::ExpiresLogs"],
    evaluation: { fn: "checkLogLifecycle", file: "lib/guard/lifecycle.ts" },
    sources: ["policies"],
  },
  {
    id: "state-access-logged",
    policy: "audit-trail-enabled",
    text: "The state bucket sends its server access logs to the log bucket.",
    findings: ["AccessLogs::Missing"],
    evaluation: { fn: "checkAccessLogs", file: "lib/guard/audit-trail.ts" },
    sources: BOTH,
  },
  {
    id: "trail-key-access",
    policy: "audit-trail-enabled",
    text: "The trail key lets CloudTrail encrypt only for the stack's trail, lets no other account decrypt, lets the CI roles create no grants, and only the administrators administer it.",
    findings: ["Access::TrailKey:*"],
    evaluation: ACCESS,
    sources: ["policies"],
  },
  {
    id: "terraform-roles-identical",
    policy: "terraform-role-policies-identical",
    text: "Every product account's Terraform role has the same permissions (documents compared in canonical form: order, Sids and statement splitting do not matter).",
    findings: ["Permissions::Differ"],
    evaluation: { fn: "checkRolePermissionsIdentical", file: "lib/guard/role-permissions.ts" },
    sources: BOTH,
  },
  {
    id: "terraform-role-trust",
    policy: "terraform-role-trust-restrictive",
    text: "Only the CI apply role can assume a Terraform role and only the CI plan role a plan role; no trust allows session tags or source identities.",
    findings: [
      "Principal::*",
      "Condition::PrincipalArn:*",
      "Trust::*",
      "Unknown::assumeRolePolicy",
    ],
    evaluation: { fn: "checkTerraformRoleTrust", file: "lib/guard/trust.ts" },
    sources: BOTH,
  },
  {
    id: "terraform-role-self-protection",
    policy: "terraform-role-self-protection",
    text: "Every Terraform role is refused, by a Deny of its own policies, changes to itself, to its account's plan role and bootstrap role, and to its attached policies (proved on requests against each).",
    findings: ["SelfProtection::*"],
    evaluation: { fn: "checkTerraformRoleSelfProtection", file: "lib/guard/self-protection.ts" },
    sources: BOTH,
  },
  {
    id: "terraform-role-boundary",
    policy: "terraform-role-self-protection",
    text: "A Terraform role that can create IAM roles has a permissions boundary (or the config accepts it), and with a boundary it creates and widens only identities that carry it and removes no boundary.",
    findings: ["Boundary::*"],
    evaluation: { fn: "checkTerraformRoleSelfProtection", file: "lib/guard/self-protection.ts" },
    sources: ["policies"],
  },
  {
    id: "plan-role-read-only",
    policy: "plan-role-read-only",
    text: "A plan role grants only List and Read actions (by the Service Authorization Reference's access levels), and attaches only the read-only AWS managed policies the config allows.",
    findings: ["Action::*", "NotAction", "ManagedPolicy::*"],
    evaluation: { fn: "checkPlanRoleReadOnly", file: "lib/guard/plan-read-only.ts" },
    sources: BOTH,
  },
  {
    id: "plan-role-secrets-denied",
    policy: "plan-role-read-only",
    text: "A plan role explicitly and unconditionally denies reading secret values (Secrets Manager, Parameter Store, `kms:Decrypt`, ...).",
    findings: ["Secrets::NotDenied:*"],
    evaluation: { fn: "checkPlanRoleReadOnly", file: "lib/guard/plan-read-only.ts" },
    sources: BOTH,
  },
  {
    id: "plan-role-credential-reads",
    policy: "plan-role-read-only",
    text: "A plan role is granted no Read action that returns or mints credentials, tokens or keys unless it denies it.",
    findings: ["Credentials::NotDenied"],
    evaluation: { fn: "credentialReadsGranted", file: "lib/guard/plan-read-only.ts" },
    sources: ["policies"],
  },
  {
    id: "plan-roles-identical",
    policy: "plan-roles-identical",
    text: "Every product account's plan role has the same permissions.",
    findings: ["Permissions::Differ"],
    evaluation: { fn: "checkPlanRolesIdentical", file: "lib/guard/role-permissions.ts" },
    sources: ["policies"],
  },
  {
    id: "ci-role-trust",
    policy: "ci-role-trust-restrictive",
    text: "Each CI role is trusted by its own path's CI identity only (its IAM user, or the stack's OIDC issuer), with no session tags.",
    findings: ["Principal::*", "Condition::PrincipalArn:*", "Trust::*"],
    evaluation: { fn: "checkCiRoleTrust", file: "lib/guard/trust.ts" },
    sources: BOTH,
  },
  {
    id: "ci-oidc-subjects",
    policy: "ci-role-trust-restrictive",
    text: "OIDC modes: the CI apply role admits exactly the configured apply subjects (environments, or the configured branch), the CI plan role exactly the plan path's; no other branch, tag, environment, repository or wildcard.",
    findings: ["OIDC::Subject:*"],
    evaluation: { fn: "checkCiRoleTrust", file: "lib/guard/trust.ts" },
    sources: BOTH,
  },
  {
    id: "ci-oidc-audience",
    policy: "ci-role-trust-restrictive",
    text: "OIDC modes: each CI role's trust pins the one configured audience.",
    findings: ["OIDC::Audience:*"],
    evaluation: { fn: "checkCiRoleTrust", file: "lib/guard/trust.ts" },
    sources: ["policies"],
  },
  {
    id: "ci-role-assume-scoped",
    policy: "ci-role-assume-scoped",
    text: "The CI apply role may assume exactly the product Terraform roles, the CI plan role exactly the plan roles.",
    findings: ["Resource::*", "NotResource", "Missing::*"],
    evaluation: { fn: "checkCiRoleAssumeScope", file: "lib/guard/assume-scope.ts" },
    sources: BOTH,
  },
  {
    id: "ci-apply-role-environment-scoped",
    policy: "ci-apply-role-environment-scoped",
    text: "With one CI apply role per environment, each admits only its environment's CI identity, may assume only its environment's Terraform roles, reads and writes only its environment's state and lockfiles, is trusted by no other environment's Terraform role, and can still do its own job.",
    findings: [
      "ApplyRole::Missing::*",
      "Trust::OtherEnvironment::*",
      "Trust::OtherEnvironmentApplyRole::*",
      "Reach::*",
    ],
    evaluation: {
      fn: "checkApplyRoleEnvironmentScope",
      file: "lib/guard/apply-environment.ts",
    },
    sources: ["policies"],
  },
  {
    id: "ci-role-least-privilege",
    policy: "ci-role-least-privilege",
    text: "Each CI role may do in the Terraform account only what its path needs: read state, write it (apply) or only lockfiles (plan), use the state key, hold the lock.",
    findings: ["Action::*", "NotAction", "NotResource"],
    evaluation: { fn: "checkCiRoleLeastPrivilege", file: "lib/guard/ci-role-permissions.ts" },
    sources: BOTH,
  },
  {
    id: "ci-identity-least-privilege",
    policy: "ci-identity-least-privilege",
    text: "A CI user can do nothing but assume its own path's CI role: no other action, managed policy, group, console login or other credential.",
    findings: [
      "Action::*",
      "Resource::*",
      "ManagedPolicy::*",
      "LoginProfile",
      "Group::*",
      "Credential::*",
    ],
    evaluation: { fn: "checkCiIdentity", file: "lib/guard/ci-identity.ts" },
    sources: BOTH,
  },
  {
    id: "oidc-provider-audience",
    policy: "ci-identity-least-privilege",
    text: "The stack's OIDC provider accepts exactly one audience.",
    findings: ["OIDC::Audiences"],
    evaluation: { fn: "checkCiIdentity", file: "lib/guard/ci-identity.ts" },
    sources: BOTH,
  },
  {
    id: "org-stack-scope",
    policy: "org-stack-consistent",
    text: "In an organisation split across stacks, a core stack registers resources only in the Terraform account, and no role there but the CI roles that a CI role may assume; an account-group stack registers only providers and roles, only in its own product accounts.",
    findings: [
      "Org::OutsideGroup",
      "Org::OutsideCore",
      "Org::AccountUnknown",
      "Org::ForeignResource",
      "Org::TerraformAccountRole",
    ],
    evaluation: { fn: "checkOrgStack", file: "lib/guard/org-stack.ts" },
    sources: ["policies"],
  },
  {
    id: "org-role-definition",
    policy: "org-stack-consistent",
    text: "Every Terraform and plan role of an account-group stack (or of a core stack handing its accounts over) has exactly the role definition of its stack config, which the program holds to the core stack's: roles are identical across stacks, not only within one.",
    findings: ["Org::RoleDefinitionDiffers"],
    evaluation: { fn: "checkOrgStack", file: "lib/guard/org-stack.ts" },
    sources: ["policies"],
  },
  {
    id: "provider-pinned",
    policy: "explicit-provider-pinned",
    text: "Every AWS resource goes through an explicit provider pinned to exactly one account.",
    findings: ["Provider::*"],
    evaluation: { fn: "checkProviderPinned", file: "lib/guard/providers.ts" },
    sources: BOTH,
  },
];

/** Whether finding id `id` matches the pattern `pattern` (`*` matches any text). */
export function findingMatches(pattern: string, id: string): boolean {
  const parts = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`).test(id);
}

/** The claim `id`. */
export function claimOf(id: string): Claim {
  const claim = CLAIMS.find((c) => c.id === id);
  if (claim === undefined) throw new Error(`bug: no claim ${id}`);
  return claim;
}

const SOURCE_LABEL: Readonly<Record<ClaimSource, string>> = {
  policies: "policies",
  readme: "README",
};

/**
 * The inventory as Markdown: one row per claim with its policy, finding ids, evaluation and
 * the ids of the mutations that break it (`mutations`, by claim id, from the corpus).
 * `docs/policies.md` embeds this text (a test compares them).
 */
export function renderClaims(mutations: ReadonlyMap<string, readonly string[]>): string {
  const out: string[] = [
    "| claim | promise | policy | finding ids | evaluated by | broken by (mutations) | made in |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const claim of CLAIMS) {
    const broken = mutations.get(claim.id) ?? [];
    out.push(
      `| \`${claim.id}\` | ${claim.text.replace(/\|/g, "\\|")} | \`${claim.policy}\` | ` +
        `${claim.findings.map((f) => `\`${f}\``).join(", ")} | ` +
        `\`${claim.evaluation.fn}\` (\`${claim.evaluation.file}\`) | ` +
        `${broken.length}: ${broken.map((m) => `\`${m}\``).join(", ")} | ` +
        `${claim.sources.map((s) => SOURCE_LABEL[s]).join(", ")} |`,
    );
  }
  return out.join("\n");
}

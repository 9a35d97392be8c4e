/**
 * Drift: what the live accounts hold that differs from the declared topology
 * (`planTopology` of the stack config). Declared resources that are missing, inline policies
 * added, removed or edited, managed policies attached or detached, boundaries and trust, bucket
 * and key policies changed, an OIDC provider's audiences. Documents are compared by value and
 * changes shown as a diff.
 */
import { bucketArn } from "../arn";
import { renderDiff } from "../guard/text-diff";
import type {
  InlinePolicyPlan,
  KmsKeyPlan,
  OidcProviderPlan,
  RolePlan,
  TopologyPlan,
} from "../plan/model";
import { ciRoles, ciUsers, productRoles } from "../plan/model";
import type { PolicyDocument } from "../iam/types";
import { documentDiff } from "./document-diff";
import { AUDIT_CHECKS, RESTORE_FIX, type AuditFinding } from "./finding";
import type { AccountSnapshot, LiveInlinePolicy, LiveUser } from "./snapshot";

type Emit = (
  id: string,
  resource: string,
  message: string,
  extra?: { fix?: string; diff?: string },
) => void;

function emitter(snapshot: AccountSnapshot, out: AuditFinding[]): Emit {
  return (id, resource, message, extra = {}) => {
    out.push({
      check: AUDIT_CHECKS.drift,
      id,
      account: snapshot.key,
      accountId: snapshot.accountId,
      resource,
      message,
      fix: extra.fix ?? RESTORE_FIX,
      ...(extra.diff !== undefined ? { diff: extra.diff } : {}),
    });
  };
}

function compareInline(
  owner: string,
  declared: readonly InlinePolicyPlan[],
  live: readonly LiveInlinePolicy[],
  emit: Emit,
): void {
  for (const policy of declared) {
    const found = live.find((p) => p.name === policy.name);
    const resource = `${owner} inline policy '${policy.name}'`;
    if (found === undefined) {
      emit(
        "Drift::InlinePolicyRemoved",
        resource,
        `The declared inline policy '${policy.name}' of ${owner} is missing.`,
      );
      continue;
    }
    const diff = documentDiff(policy.document, found.document);
    if (diff !== undefined) {
      emit(
        "Drift::InlinePolicyChanged",
        resource,
        `The inline policy '${policy.name}' of ${owner} differs from the declared document.`,
        { diff },
      );
    }
  }
  for (const policy of live) {
    if (declared.some((p) => p.name === policy.name)) continue;
    emit(
      "Drift::InlinePolicyAdded",
      `${owner} inline policy '${policy.name}'`,
      `${owner} has an inline policy '${policy.name}' that the program does not declare.`,
      {
        diff: documentDiff(undefined, policy.document),
        fix: `Remove the inline policy (the exclusive resource removes it on \`pulumi up --refresh\`); if Terraform needs the permission, add it to the stack config. ${RESTORE_FIX}`,
      },
    );
  }
}

function compareManaged(
  owner: string,
  declared: readonly string[],
  live: readonly string[],
  emit: Emit,
): void {
  for (const arn of live) {
    if (declared.includes(arn)) continue;
    emit(
      "Drift::ManagedPolicyAttached",
      `${owner} attachment ${arn}`,
      `${owner} has the managed policy ${arn} attached, which the program does not declare.`,
      {
        fix: `Detach it (the exclusive attachment resource detaches it on \`pulumi up --refresh\`); if Terraform needs it, list it in the stack config. ${RESTORE_FIX}`,
      },
    );
  }
  for (const arn of declared) {
    if (live.includes(arn)) continue;
    emit(
      "Drift::ManagedPolicyDetached",
      `${owner} attachment ${arn}`,
      `The declared managed policy ${arn} is not attached to ${owner}.`,
    );
  }
}

function compareRole(declared: RolePlan, snapshot: AccountSnapshot, emit: Emit): void {
  const live = snapshot.roles.find((r) => r.name === declared.name && r.path === declared.path);
  if (live === undefined) {
    emit(
      "Drift::Missing",
      declared.arn,
      `The declared role ${declared.arn} does not exist in account ${snapshot.accountId}.`,
    );
    return;
  }
  const trust = documentDiff(declared.trustPolicy, live.trustPolicy);
  if (trust !== undefined) {
    emit(
      "Drift::TrustPolicy",
      `${declared.arn} (trust policy)`,
      `The trust policy of ${declared.arn} differs from the declared one.`,
      { diff: trust },
    );
  }
  compareInline(declared.arn, declared.inlinePolicies, live.inlinePolicies, emit);
  compareManaged(
    declared.arn,
    [...declared.managedPolicyArns, ...declared.customerPolicies.map((p) => p.arn)],
    live.attachedPolicyArns,
    emit,
  );
  for (const policy of declared.customerPolicies) {
    const found = snapshot.managedPolicies.find((m) => m.arn === policy.arn);
    if (found === undefined) {
      emit(
        "Drift::Missing",
        policy.arn,
        `The declared managed policy ${policy.arn} does not exist in account ${snapshot.accountId}.`,
      );
      continue;
    }
    const diff = documentDiff(policy.document, found.document);
    if (diff !== undefined) {
      emit(
        "Drift::ManagedPolicyChanged",
        `${policy.arn} (document)`,
        `The default version of ${policy.arn} differs from the declared document.`,
        { diff },
      );
    }
  }
  if ((declared.permissionsBoundaryArn ?? "") !== (live.boundaryArn ?? "")) {
    emit(
      "Drift::PermissionsBoundary",
      `${declared.arn} (permissions boundary)`,
      `The permissions boundary of ${declared.arn} is ${live.boundaryArn ?? "(none)"}; the ` +
        `program declares ${declared.permissionsBoundaryArn ?? "(none)"}.`,
    );
  }
}

function compareUser(
  declared: {
    arn: string;
    name: string;
    path: string;
    inlinePolicies: readonly InlinePolicyPlan[];
  },
  users: readonly LiveUser[],
  accountId: string,
  emit: Emit,
): void {
  const live = users.find((u) => u.name === declared.name && u.path === declared.path);
  if (live === undefined) {
    emit(
      "Drift::Missing",
      declared.arn,
      `The declared CI user ${declared.arn} does not exist in account ${accountId}.`,
    );
    return;
  }
  compareInline(declared.arn, declared.inlinePolicies, live.inlinePolicies, emit);
  compareManaged(declared.arn, [], live.attachedPolicyArns, emit);
}

function compareBucketPolicy(
  partition: string,
  name: string,
  declared: PolicyDocument,
  snapshot: AccountSnapshot,
  emit: Emit,
): void {
  const arn = bucketArn(partition, name);
  const live = snapshot.buckets.find((b) => b.name === name);
  if (live === undefined) {
    emit("Drift::Missing", arn, `The declared bucket ${name} does not exist.`);
    return;
  }
  const diff = documentDiff(declared, live.policy);
  if (diff !== undefined) {
    emit(
      "Drift::BucketPolicy",
      `${arn} (bucket policy)`,
      live.policy === undefined
        ? `The bucket ${name} has no bucket policy; the program declares one.`
        : `The bucket policy of ${name} differs from the declared one.`,
      { diff },
    );
  }
}

function compareKey(key: KmsKeyPlan, snapshot: AccountSnapshot, emit: Emit): void {
  const alias = `alias/${key.alias}`;
  const live = snapshot.keys.find((k) => k.aliases.includes(alias));
  if (live === undefined) {
    emit(
      "Drift::Missing",
      key.aliasArn,
      `The declared KMS key with alias ${alias} does not exist (no such alias).`,
    );
    return;
  }
  const diff = documentDiff(key.policy, live.policy);
  if (diff !== undefined) {
    emit(
      "Drift::KeyPolicy",
      `${live.arn} (${alias}) key policy`,
      `The key policy of ${alias} (${live.arn}) differs from the declared one.`,
      { diff },
    );
  }
}

/**
 * The Terraform account's OIDC provider (OIDC modes): it must exist, whether the stack creates it
 * or uses the account's (the CI roles trust it: without it no CI job can authenticate), and
 * accept exactly `ci.audience`. Client ids compare as a set. A provider the stack does not
 * manage (`ci.oidcProvider: existing`) is not restored by `pulumi up`, so its fix says what to
 * change in IAM instead.
 */
function compareOidcProvider(
  declared: OidcProviderPlan,
  snapshot: AccountSnapshot,
  emit: Emit,
): void {
  const unmanaged = declared.create
    ? ""
    : " The stack does not manage this provider (ci.oidcProvider: existing), so `pulumi up` " +
      "does not restore it.";
  const live = snapshot.oidcProviders.find((p) => p.arn === declared.arn);
  if (live === undefined) {
    emit(
      "Drift::Missing",
      declared.arn,
      `The declared OIDC provider ${declared.arn} (issuer ${declared.url}) does not exist in ` +
        `account ${snapshot.accountId}; the CI roles trust it, so no CI job can authenticate.` +
        unmanaged,
      declared.create
        ? {}
        : {
            fix:
              `Create the IAM OIDC provider for ${declared.url} with ${declared.audience} as ` +
              `its only audience (client id), or set ci.oidcProvider to create and run ` +
              `\`pulumi up\`; then find who deleted it in the audit trail's logs.`,
          },
    );
    return;
  }
  const liveIds = [...new Set(live.clientIds)].sort();
  if (liveIds.length === 1 && liveIds[0] === declared.audience) return;
  const accepted = liveIds.length === 0 ? "no audience" : `the audiences ${liveIds.join(", ")}`;
  emit(
    "Drift::OidcAudiences",
    `${declared.arn} (audiences)`,
    `The OIDC provider ${declared.arn} accepts ${accepted} (client ids); the stack declares ` +
      `${declared.audience} (ci.audience) only.` +
      unmanaged,
    {
      diff: renderDiff(declared.audience, liveIds.length === 0 ? "(none)" : liveIds.join("\n")),
      ...(declared.create
        ? {}
        : {
            fix:
              `Make ${declared.audience} the provider's only audience in IAM ` +
              `(iam:AddClientIDToOpenIDConnectProvider, ` +
              `iam:RemoveClientIDFromOpenIDConnectProvider); then find who changed it in the ` +
              `audit trail's logs.`,
          }),
    },
  );
}

/** Drift findings of the audited accounts (snapshots of accounts that could be read). */
export function driftFindings(
  plan: TopologyPlan,
  snapshots: readonly AccountSnapshot[],
): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const snapshot of snapshots) {
    const emit = emitter(snapshot, out);
    const tf = plan.terraform;
    if (snapshot.accountId === tf.accountId) {
      for (const role of ciRoles(tf)) compareRole(role, snapshot, emit);
      for (const user of ciUsers(tf)) compareUser(user, snapshot.users, snapshot.accountId, emit);
      compareBucketPolicy(plan.partition, tf.state.bucket, tf.state.bucketPolicy, snapshot, emit);
      compareBucketPolicy(
        plan.partition,
        tf.audit.logBucket,
        tf.audit.logBucketPolicy,
        snapshot,
        emit,
      );
      compareKey(tf.state.kmsKey, snapshot, emit);
      compareKey(tf.audit.kmsKey, snapshot, emit);
      if (!snapshot.trails.some((t) => t.name === tf.audit.trailName)) {
        emit(
          "Drift::Missing",
          tf.audit.trailArn,
          `The declared CloudTrail trail ${tf.audit.trailName} does not exist.`,
        );
      }
      const table = tf.state.lockTable;
      if (table !== undefined && !snapshot.tables.some((t) => t.name === table.name)) {
        emit("Drift::Missing", table.arn, `The declared lock table ${table.name} does not exist.`);
      }
      if (tf.oidcProvider !== undefined) compareOidcProvider(tf.oidcProvider, snapshot, emit);
      continue;
    }
    const product = plan.products.find((p) => p.accountId === snapshot.accountId);
    for (const role of product ? productRoles(product) : []) compareRole(role, snapshot, emit);
  }
  return out;
}

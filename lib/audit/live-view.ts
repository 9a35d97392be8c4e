/**
 * Live data as the guard's view of a stack: every resource read from an account becomes the
 * `ResourceView` of the Pulumi resource type that declares it, with properties shaped like that
 * type's inputs, registered with a provider pinned to the account. The guard's policies then
 * run on live state exactly as they run on a preview.
 *
 * Mapping choices:
 * - Lists a role or user has live (inline policy names, attached policy ARNs) become the
 *   exclusive-attachment resources the program declares: live, they are by definition the
 *   whole set.
 * - `protect`/`retainOnDelete` are Pulumi options that AWS does not record; findings about them
 *   are dropped by the audit (see {@link PREVIEW_ONLY_FINDING}), and `protect` is left false.
 * - A declared principal that was not read (its account could not be read, or it is missing,
 *   which drift reports) is represented by a placeholder whose documents are unknown, so the
 *   rest is judged as declared (the CI role's assume policy still names that role, the product
 *   roles' trust is still checked against the CI role); findings on placeholders are dropped.
 * - Roles the program does not declare are not added: the guard takes every role of a product
 *   account for the Terraform role. They are reported by the audit's own check instead.
 * - The Terraform account's OIDC provider becomes the resource the program registers when it
 *   creates one (`url` with its `https://` scheme, which IAM drops, and `clientIdLists`), also
 *   when the stack uses the account's existing provider: the pack then judges its audiences
 *   live. A declared provider that is missing gets no placeholder; drift reports it, and the
 *   pack falls back to the provider the CI roles' trusts name, as it does at preview for an
 *   existing provider.
 */
import { bucketArn } from "../arn";
import { AWS_PROVIDER_TYPE } from "../guard/accounts";
import { TYPES } from "../guard/iam-index";
import { KMS_KEY_TYPE } from "../guard/kms-reference";
import { LIFECYCLE_TYPE } from "../guard/lifecycle";
import { S3, TABLE_TYPE, TRAIL_TYPE } from "../guard/state-backend";
import { OIDC_PROVIDER_TYPE } from "../guard/topology";
import { unknownValue } from "../guard/unknown";
import type { ProviderView, ResourceView, StackView, ViewProps, ViewValue } from "../guard/view";
import type { RolePlan, TopologyPlan } from "../plan/model";
import { ACCESS_TAG, ciRoles, ciUsers, productRoles } from "../plan/model";
import type {
  AccountOutcome,
  AccountSnapshot,
  LiveBucket,
  LiveKey,
  LiveOidcProvider,
  LiveRole,
  LiveTable,
  LiveTrail,
  LiveUser,
} from "./snapshot";

/** Guard finding ids about Pulumi resource options, which live state cannot show. */
export const PREVIEW_ONLY_FINDING = /^(Protect|RetainOnDelete)::/;

/** The KMS alias resource type. */
export const KMS_ALIAS_TYPE = "aws:kms/alias:Alias";

/** An account of the live view. */
export interface ViewAccount {
  readonly key: string;
  readonly accountId: string;
}

/** The live view and how to attribute its resources. */
export interface LiveView {
  readonly view: StackView;
  /** The account of each resource, by URN. */
  readonly accountOf: ReadonlyMap<string, ViewAccount>;
  /** URNs of placeholders for accounts that could not be read. */
  readonly placeholders: ReadonlySet<string>;
}

type Props = Record<string, ViewValue | undefined>;

class AccountViews {
  readonly resources: ResourceView[] = [];
  private readonly provider: ProviderView;

  constructor(
    readonly account: ViewAccount,
    region: string,
  ) {
    this.provider = {
      type: AWS_PROVIDER_TYPE,
      name: `live-${account.key}`,
      urn: this.urn(AWS_PROVIDER_TYPE, `live-${account.key}`),
      props: { allowedAccountIds: [account.accountId], region },
    };
  }

  urn(type: string, name: string): string {
    return `urn:pulumi:live::tf-bootstrap-audit::${type}::${this.account.accountId}/${name}`;
  }

  add(type: string, name: string, props: Props): ResourceView {
    const resource: ResourceView = {
      type,
      name,
      urn: this.urn(type, name),
      props: compact(props),
      provider: this.provider,
      protect: false,
    };
    this.resources.push(resource);
    return resource;
  }
}

function compact(props: Props): ViewProps {
  const out: Record<string, ViewValue> = {};
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    out[key] = value;
  }
  return out;
}

function strings(values: readonly string[] | undefined): ViewValue | undefined {
  return values === undefined || values.length === 0 ? undefined : [...values];
}

function addRole(views: AccountViews, role: LiveRole): void {
  views.add(TYPES.role, role.arn, {
    name: role.name,
    path: role.path,
    arn: role.arn,
    assumeRolePolicy: role.trustPolicy,
    maxSessionDuration: role.maxSessionDuration,
    description: role.description,
    permissionsBoundary: role.boundaryArn,
    tags: role.tags === undefined ? undefined : { ...role.tags },
  });
  for (const inline of role.inlinePolicies) {
    views.add(TYPES.rolePolicy, `${role.arn} inline policy '${inline.name}'`, {
      name: inline.name,
      role: role.name,
      policy: inline.document,
    });
  }
  for (const arn of role.attachedPolicyArns) {
    views.add(TYPES.rolePolicyAttachment, `${role.arn} attachment ${arn}`, {
      role: role.name,
      policyArn: arn,
    });
  }
  views.add(TYPES.rolePoliciesExclusive, `${role.arn} (inline policies)`, {
    roleName: role.name,
    policyNames: role.inlinePolicies.map((p) => p.name),
  });
  views.add(TYPES.roleAttachmentsExclusive, `${role.arn} (managed policies)`, {
    roleName: role.name,
    policyArns: [...role.attachedPolicyArns],
  });
}

function addUser(views: AccountViews, user: LiveUser): void {
  views.add(TYPES.user, user.arn, {
    name: user.name,
    path: user.path,
    arn: user.arn,
    tags: user.tags === undefined ? undefined : { ...user.tags },
  });
  for (const inline of user.inlinePolicies) {
    views.add(TYPES.userPolicy, `${user.arn} inline policy '${inline.name}'`, {
      name: inline.name,
      user: user.name,
      policy: inline.document,
    });
  }
  for (const arn of user.attachedPolicyArns) {
    views.add(TYPES.userPolicyAttachment, `${user.arn} attachment ${arn}`, {
      user: user.name,
      policyArn: arn,
    });
  }
  views.add(TYPES.userPoliciesExclusive, `${user.arn} (inline policies)`, {
    userName: user.name,
    policyNames: user.inlinePolicies.map((p) => p.name),
  });
  views.add(TYPES.userAttachmentsExclusive, `${user.arn} (managed policies)`, {
    userName: user.name,
    policyArns: [...user.attachedPolicyArns],
  });
  if (user.groups.length > 0) {
    views.add(TYPES.userGroupMembership, `${user.arn} (groups)`, {
      user: user.name,
      groups: [...user.groups],
    });
  }
  if (user.hasLoginProfile) {
    views.add(TYPES.userLoginProfile, `${user.arn} (console password)`, { user: user.name });
  }
  for (const key of user.accessKeys) {
    views.add(TYPES.accessKey, `${user.arn} access key ${key.id}`, {
      user: user.name,
      status: key.status,
    });
  }
  for (const id of user.sshPublicKeyIds) {
    views.add(TYPES.sshKey, `${user.arn} SSH key ${id}`, { username: user.name });
  }
  for (const id of user.signingCertificateIds) {
    views.add(TYPES.signingCertificate, `${user.arn} signing certificate ${id}`, {
      userName: user.name,
    });
  }
}

function addBucket(views: AccountViews, bucket: LiveBucket, partition: string): void {
  const arn = bucketArn(partition, bucket.name);
  const [bucketType] = S3.bucket;
  views.add(bucketType, arn, { bucket: bucket.name });
  if (bucket.versioningStatus !== undefined) {
    views.add(S3.versioning[0], `${arn} (versioning)`, {
      bucket: bucket.name,
      versioningConfiguration: { status: bucket.versioningStatus },
    });
  }
  if (bucket.encryptionRules !== undefined) {
    views.add(S3.encryption[0], `${arn} (default encryption)`, {
      bucket: bucket.name,
      rules: bucket.encryptionRules.map((rule) =>
        compact({
          applyServerSideEncryptionByDefault: compact({
            sseAlgorithm: rule.sseAlgorithm,
            kmsMasterKeyId: rule.kmsMasterKeyId,
          }),
          bucketKeyEnabled: rule.bucketKeyEnabled,
        }),
      ),
    });
  }
  if (bucket.publicAccessBlock !== undefined) {
    views.add(S3.publicAccess[0], `${arn} (public access block)`, {
      bucket: bucket.name,
      ...bucket.publicAccessBlock,
    });
  }
  if (bucket.objectOwnership !== undefined) {
    views.add(S3.ownership[0], `${arn} (object ownership)`, {
      bucket: bucket.name,
      rule: { objectOwnership: bucket.objectOwnership },
    });
  }
  if (bucket.policy !== undefined) {
    views.add(S3.policy[0], `${arn} (bucket policy)`, {
      bucket: bucket.name,
      policy: bucket.policy,
    });
  }
  if (bucket.lifecycleRules !== undefined) {
    views.add(LIFECYCLE_TYPE, `${arn} (lifecycle)`, {
      bucket: bucket.name,
      rules: bucket.lifecycleRules.map((rule) =>
        compact({
          id: rule.id,
          status: rule.status,
          filter: compact({ prefix: rule.prefix }),
          expiration:
            rule.expirationDays !== undefined || rule.expirationDate !== undefined
              ? compact({ days: rule.expirationDays, date: rule.expirationDate })
              : undefined,
          noncurrentVersionExpiration:
            rule.noncurrentDays !== undefined ? { noncurrentDays: rule.noncurrentDays } : undefined,
          transitions: rule.transitionStorageClasses.map((storageClass) => ({ storageClass })),
        }),
      ),
    });
  }
  if (bucket.logging !== undefined) {
    views.add(S3.logging[0], `${arn} (access logging)`, {
      bucket: bucket.name,
      targetBucket: bucket.logging.targetBucket,
      targetPrefix: bucket.logging.targetPrefix,
    });
  }
}

function addKey(views: AccountViews, key: LiveKey): void {
  views.add(KMS_KEY_TYPE, key.arn, {
    arn: key.arn,
    keyId: key.keyId,
    enableKeyRotation: key.rotationEnabled,
    policy: key.policy,
    keyState: key.keyState,
  });
  for (const alias of key.aliases) {
    views.add(KMS_ALIAS_TYPE, `${key.arn} ${alias}`, { name: alias, targetKeyId: key.keyId });
  }
}

function addTable(views: AccountViews, table: LiveTable): void {
  views.add(TABLE_TYPE, table.arn, {
    name: table.name,
    arn: table.arn,
    pointInTimeRecovery: { enabled: table.pointInTimeRecovery },
    serverSideEncryption:
      table.sse === undefined
        ? undefined
        : compact({
            enabled: table.sse.enabled,
            kmsKeyArn: table.sse.kmsKeyArn,
          }),
    deletionProtectionEnabled: table.deletionProtection,
  });
}

function addTrail(views: AccountViews, trail: LiveTrail): void {
  views.add(TRAIL_TYPE, trail.arn, {
    name: trail.name,
    arn: trail.arn,
    s3BucketName: trail.s3BucketName,
    s3KeyPrefix: trail.s3KeyPrefix,
    isMultiRegionTrail: trail.isMultiRegion,
    enableLogFileValidation: trail.logFileValidation,
    includeGlobalServiceEvents: trail.includeGlobalServiceEvents,
    enableLogging: trail.isLogging,
    kmsKeyId: trail.kmsKeyId,
    advancedEventSelectors: trail.advancedEventSelectors.map((selector) =>
      compact({
        name: selector.name,
        fieldSelectors: selector.fieldSelectors.map((f) =>
          compact({
            field: f.field,
            equals: strings(f.equals),
            startsWiths: strings(f.startsWith),
            endsWiths: strings(f.endsWith),
            notEquals: strings(f.notEquals),
            notStartsWiths: strings(f.notStartsWith),
            notEndsWiths: strings(f.notEndsWith),
          }),
        ),
      }),
    ),
    eventSelectors: trail.eventSelectors.map((selector) =>
      compact({
        readWriteType: selector.readWriteType,
        includeManagementEvents: selector.includeManagementEvents,
        dataResources: selector.dataResources.map((d) => ({ type: d.type, values: [...d.values] })),
      }),
    ),
  });
}

/** An issuer URL as the program registers it, with its scheme (IAM returns it without). */
function issuerUrl(url: string): string {
  return /^https:\/\//i.test(url) ? url : `https://${url}`;
}

function addOidcProvider(views: AccountViews, provider: LiveOidcProvider): void {
  views.add(OIDC_PROVIDER_TYPE, provider.arn, {
    url: issuerUrl(provider.url),
    clientIdLists: [...provider.clientIds],
    arn: provider.arn,
  });
}

function addSnapshot(views: AccountViews, snapshot: AccountSnapshot, partition: string): void {
  snapshot.roles.forEach((role) => addRole(views, role));
  snapshot.users.forEach((user) => addUser(views, user));
  for (const policy of snapshot.managedPolicies) {
    views.add(TYPES.policy, policy.arn, {
      arn: policy.arn,
      name: policy.name,
      path: policy.path,
      policy: policy.document,
    });
  }
  snapshot.buckets.forEach((bucket) => addBucket(views, bucket, partition));
  snapshot.keys.forEach((key) => addKey(views, key));
  snapshot.tables.forEach((table) => addTable(views, table));
  snapshot.trails.forEach((trail) => addTrail(views, trail));
  snapshot.oidcProviders.forEach((provider) => addOidcProvider(views, provider));
}

function addPlaceholderRole(views: AccountViews, role: RolePlan): void {
  views.add(TYPES.role, role.arn, {
    name: role.name,
    path: role.path,
    tags: { [ACCESS_TAG]: role.access },
    assumeRolePolicy: unknownValue("string"),
    inlinePolicies: unknownValue("array"),
    managedPolicyArns: unknownValue("array"),
  });
}

/**
 * Placeholders for the declared principals of an account that were not read: all of them when
 * the account could not be read, the missing ones otherwise (drift reports those).
 */
function addPlaceholders(
  views: AccountViews,
  plan: TopologyPlan,
  snapshot: AccountSnapshot | undefined,
): void {
  const hasRole = (role: RolePlan) =>
    snapshot?.roles.some((r) => r.name === role.name && r.path === role.path) === true;
  const tf = plan.terraform;
  if (views.account.accountId === tf.accountId) {
    for (const user of ciUsers(tf)) {
      if (!(snapshot?.users.some((u) => u.name === user.name && u.path === user.path) === true)) {
        views.add(TYPES.user, user.arn, {
          name: user.name,
          path: user.path,
          tags: { [ACCESS_TAG]: user.access },
        });
      }
    }
    for (const role of ciRoles(tf)) if (!hasRole(role)) addPlaceholderRole(views, role);
    return;
  }
  const product = plan.products.find((p) => p.accountId === views.account.accountId);
  for (const role of product ? productRoles(product) : []) {
    if (!hasRole(role)) addPlaceholderRole(views, role);
  }
}

/** Builds the guard's view of the live accounts (see the module comment). */
export function liveStackView(plan: TopologyPlan, outcomes: readonly AccountOutcome[]): LiveView {
  const resources: ResourceView[] = [];
  const accountOf = new Map<string, ViewAccount>();
  const placeholders = new Set<string>();
  for (const outcome of outcomes) {
    const account =
      outcome.kind === "audited"
        ? { key: outcome.snapshot.key, accountId: outcome.snapshot.accountId }
        : { key: outcome.key, accountId: outcome.accountId };
    const views = new AccountViews(account, plan.region);
    const snapshot = outcome.kind === "audited" ? outcome.snapshot : undefined;
    if (snapshot !== undefined) addSnapshot(views, snapshot, plan.partition);
    const read = views.resources.length;
    addPlaceholders(views, plan, snapshot);
    views.resources.forEach((resource, index) => {
      resources.push(resource);
      accountOf.set(resource.urn, account);
      if (index >= read) placeholders.add(resource.urn);
    });
  }
  return { view: { resources }, accountOf, placeholders };
}

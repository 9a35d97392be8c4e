/**
 * Recognising the topology in a stack, without trusting names.
 *
 * - The **Terraform account** is the account of the providers that hold the stack's S3 buckets
 *   and CloudTrail trails (the state backend and the audit trail live there). Config
 *   `terraformAccountId` pins it instead.
 * - The **CI identity** is every IAM user in the Terraform account, and every CI platform's
 *   workflows that a role there trusts through an OIDC provider.
 * - A **CI role** is every role in the Terraform account that a CI identity may assume: its
 *   trust names the identity (or everyone), or its trust admits the identity's account and the
 *   identity's own policies allow `sts:AssumeRole` on it, or its trust admits web identities
 *   (`sts:AssumeRoleWithWebIdentity` from a `Federated` principal or everyone). Whatever cannot
 *   be read counts as "may".
 * - The **product accounts** are every other account a provider of the stack is pinned to, and
 *   every role in one of them is a **product Terraform role**.
 * - A **Terraform role** is a product Terraform role, or any other role (in the Terraform account
 *   or of an unresolved account) whose trust admits a CI role.
 *
 * A role cannot slip past the pack by its name: it is classified by where it lives and who can
 * assume it. Each principal then serves one of two CI paths (`PrincipalEntry.access`, from its
 * `tf-bootstrap:access` tag): the read-only plan path or the apply path. {@link forAccess}
 * narrows the topology to one path, and every policy that judges callers judges each path
 * against its own: a plan role must admit only the CI plan role, a CI plan role only the plan
 * identity, and so on. The tag can only add checks, never remove them.
 */
import { accountOf, type AccountOf } from "./accounts";
import { answer, type Answer } from "./documents";
import { NO_INTENT, type IntentRead } from "./intent";
import { IamIndex, permissionsOf, readDocumentText, TYPES, type PrincipalEntry } from "./iam-index";
import { evaluatePolicy } from "../iam/evaluate";
import { normalizeDocument } from "../iam/normalize";
import type { PolicyDocument } from "../iam/types";
import { anyActionMatches } from "../iam/matching";
import type { Access } from "../plan/model";
import { WEB_IDENTITY_ACTION } from "../plan/trust";
import type { ResourceView, StackView } from "./view";

/** Types whose account is the Terraform account. */
export const TERRAFORM_ACCOUNT_MARKERS = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:cloudtrail/trail:Trail",
] as const;

/** The Terraform account, or why it cannot be told. */
export type TerraformAccount =
  | {
      readonly kind: "resolved";
      readonly id: string;
      readonly partition: string;
      readonly source: "config" | "derived";
    }
  | {
      readonly kind: "unresolved";
      readonly id:
        | "Topology::NoTerraformAccount"
        | "Topology::TerraformAccountAmbiguous"
        | "Topology::TerraformAccountMismatch";
      readonly message: string;
    };

/** Options of {@link deriveTopology}. */
export interface TopologyOptions {
  /** Pins the Terraform account instead of deriving it. */
  readonly terraformAccountId?: string;
  /**
   * What the stack config means the topology to be (see `intent.ts`). Its Terraform account
   * pins the Terraform account when `terraformAccountId` does not.
   */
  readonly intent?: IntentRead;
}

/** The stack's topology, as far as it can be recognised. */
export interface Topology {
  readonly view: StackView;
  readonly index: IamIndex;
  readonly terraformAccount: TerraformAccount;
  /** IAM users of the Terraform account. */
  readonly ciIdentities: readonly PrincipalEntry[];
  /** Roles of the Terraform account that a CI identity may assume. */
  readonly ciRoles: readonly PrincipalEntry[];
  /** CI roles whose trust admits web identities (OIDC workflows). */
  readonly workflowCiRoles: readonly PrincipalEntry[];
  /** OIDC providers of the Terraform account. */
  readonly oidcProviders: readonly ResourceView[];
  /** The path the topology is narrowed to ({@link forAccess}); both when not narrowed. */
  readonly access: Access | "both";
  /**
   * Roles of the Terraform account that a CI identity's own policies allow it to assume but
   * whose trust does not admit it (a hint when no CI role is found).
   */
  readonly refusedCiRoles: readonly PrincipalEntry[];
  /** Every role of a product account. */
  readonly productRoles: readonly PrincipalEntry[];
  /** Product roles, and other roles whose trust admits a CI role (see the module comment). */
  readonly terraformRoles: readonly PrincipalEntry[];
  /** The account of each resource, by URN. */
  readonly accounts: ReadonlyMap<string, AccountOf>;
  /** What the stack config means the topology to be, or why it is not known. */
  readonly intent: IntentRead;
  /** Product account ids, sorted. */
  readonly productAccountIds: readonly string[];
  /**
   * The stack's part in its organisation (config `orgStack`; `whole` when the stack holds it
   * all, or the intent is not known): a core stack holds the Terraform account, a group stack
   * product accounts only.
   */
  readonly part: "whole" | "core" | "group";
}

function partitionOf(accounts: ReadonlyMap<string, AccountOf>, id: string): string {
  for (const account of accounts.values()) {
    if (account.kind === "account" && account.id === id) return account.partition;
  }
  return "aws";
}

function terraformAccount(
  view: StackView,
  accounts: ReadonlyMap<string, AccountOf>,
  options: TopologyOptions,
): TerraformAccount {
  if (options.terraformAccountId !== undefined) {
    return {
      kind: "resolved",
      id: options.terraformAccountId,
      partition: partitionOf(accounts, options.terraformAccountId),
      source: "config",
    };
  }
  const markers = view.resources.filter((r) =>
    (TERRAFORM_ACCOUNT_MARKERS as readonly string[]).includes(r.type),
  );
  const ids = new Set<string>();
  for (const marker of markers) {
    const account = accounts.get(marker.urn);
    if (account?.kind === "account") ids.add(account.id);
  }
  if (ids.size === 1) {
    const id = [...ids][0] ?? "";
    return { kind: "resolved", id, partition: partitionOf(accounts, id), source: "derived" };
  }
  if (ids.size === 0) {
    return {
      kind: "unresolved",
      id: "Topology::NoTerraformAccount",
      message:
        "The Terraform account cannot be told: no S3 bucket or CloudTrail trail of the stack " +
        "is registered with a provider pinned to one account (allowedAccountIds). The policy " +
        "needs it to tell the CI identity, the CI role and the product accounts apart, and " +
        "fails closed. Fix: register the state backend and the trail with the Terraform " +
        "account's provider, or set `terraformAccountId` in this policy's config.",
    };
  }
  return {
    kind: "unresolved",
    id: "Topology::TerraformAccountAmbiguous",
    message:
      `The Terraform account is ambiguous: the stack's S3 buckets and CloudTrail trails are in ` +
      `${ids.size} accounts (${[...ids].sort().join(", ")}); they must all be in the Terraform ` +
      `account. The policy fails closed. Fix: move them to the Terraform account's provider, or ` +
      `set \`terraformAccountId\` in this policy's config.`,
  };
}

/**
 * The Terraform account as derived, held to the config's: a stack whose buckets and trails are
 * in another account than the config's Terraform account fails closed.
 */
function intendedAccount(tf: TerraformAccount, intent: IntentRead): TerraformAccount {
  if (tf.kind !== "resolved" || intent.kind !== "known") return tf;
  const expected = intent.intent.terraformAccountId;
  if (tf.id === expected) return tf;
  return {
    kind: "unresolved",
    id: "Topology::TerraformAccountMismatch",
    message:
      tf.source === "config"
        ? `This policy's config pins the Terraform account to ${tf.id} (terraformAccountId), ` +
          `but the stack config's Terraform account is ${expected} (terraformAccount.id). The ` +
          `policy fails closed. Fix: correct terraformAccountId in the policy pack config, or ` +
          `remove it (the stack config names the Terraform account).`
        : `The stack's S3 buckets and CloudTrail trails are in account ${tf.id}, but the stack ` +
          `config's Terraform account is ${expected} (terraformAccount.id): the state backend ` +
          `and the trail must be registered with the Terraform account's provider. The policy ` +
          `fails closed. Fix: register them with the provider of account ${expected}, or ` +
          `correct the config.`,
  };
}

/** A role's trust policy, normalized; `absent` or `unreadable` when it cannot be had. */
export function trustDocument(role: PrincipalEntry): PolicyDocument | "absent" | "unreadable" {
  const text = readDocumentText(role.resource, "assumeRolePolicy");
  if (text.kind === "absent") return "absent";
  if (text.kind !== "value") return "unreadable";
  const doc = normalizeDocument(text.value);
  return doc.ok ? doc.document : "unreadable";
}

/** Whether `role`'s trust policy lets `caller` call sts:AssumeRole (its own policies aside). */
function trustAnswer(role: PrincipalEntry, caller: PrincipalEntry): Answer {
  if (caller.arn.kind !== "value" || caller.account.kind !== "account") return "indeterminate";
  const doc = trustDocument(role);
  if (doc === "absent") return "deny";
  if (doc === "unreadable") return "indeterminate";
  const resource = role.arn.kind === "value" ? role.arn.value : "*";
  return answer(doc, "sts:AssumeRole", resource, caller.arn.value, caller.account.id);
}

/**
 * Whether `role`'s trust names `caller` itself (its ARN, or everyone), which lets a caller of
 * the same account assume the role without any permission of its own. A trust that admits the
 * caller only through its account root needs the caller's own policies to allow it too.
 */
function trustNamesCaller(role: PrincipalEntry, caller: PrincipalEntry): Answer {
  if (caller.arn.kind !== "value" || caller.account.kind !== "account") return "indeterminate";
  const doc = trustDocument(role);
  if (doc === "absent") return "deny";
  if (doc === "unreadable") return "indeterminate";
  const result = evaluatePolicy(doc, {
    action: "sts:AssumeRole",
    resource: role.arn.kind === "value" ? role.arn.value : "*",
    // An account that is not the caller's: only its ARN or a wildcard principal can match.
    principal: { kind: "aws", arn: caller.arn.value, accountId: "000000000000" },
    context: {
      "aws:PrincipalArn": caller.arn.value,
      "aws:PrincipalAccount": caller.account.id,
      "aws:SecureTransport": "true",
    },
  });
  if (result.decision === "indeterminate") return "indeterminate";
  return result.decision === "allow" ? "allow" : "deny";
}

/**
 * Whether `user`'s own policies may allow it sts:AssumeRole on `role`; what cannot be read
 * answers `unsure`.
 */
function identityMayAssume(
  index: IamIndex,
  user: PrincipalEntry,
  role: PrincipalEntry,
  unsure = true,
): boolean {
  if (role.arn.kind !== "value" || user.arn.kind !== "value" || user.account.kind !== "account") {
    return unsure;
  }
  const permissions = permissionsOf(index, user);
  if (permissions.unreadable.length > 0 || permissions.managedArns.length > 0) return unsure;
  const accountId = user.account.id;
  const userArn = user.arn.value;
  const roleArn = role.arn.value;
  return permissions.inline.some((inline) => {
    const doc = normalizeDocument(inline.document);
    return (
      !doc.ok || answer(doc.document, "sts:AssumeRole", roleArn, userArn, accountId) !== "deny"
    );
  });
}

/**
 * Whether the CI identity `user` may assume `role` of its own account: the trust names it, or
 * the trust admits its account and its own policies allow it. When unsure: it may.
 */
function ciMayAssume(index: IamIndex, user: PrincipalEntry, role: PrincipalEntry): boolean {
  if (trustNamesCaller(role, user) !== "deny") return true;
  return trustAnswer(role, user) !== "deny" && identityMayAssume(index, user, role);
}

/** The resource type of an IAM OIDC identity provider. */
export const OIDC_PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/**
 * Whether `doc` has an Allow that covers `sts:AssumeRoleWithWebIdentity` for everyone, for every
 * federated principal, or for `providerArn` (any federated principal when it is not given).
 */
export function admitsWebIdentity(doc: PolicyDocument, providerArn?: string): boolean {
  return doc.Statement.some((s) => {
    if (s.Effect !== "Allow") return false;
    const action = s.Action
      ? anyActionMatches(s.Action, WEB_IDENTITY_ACTION)
      : !anyActionMatches(s.NotAction ?? [], WEB_IDENTITY_ACTION);
    if (!action) return false;
    if (s.NotPrincipal !== undefined || s.Principal === "*") return true;
    if ((s.Principal?.AWS ?? []).includes("*")) return true;
    const federated = s.Principal?.Federated ?? [];
    return providerArn === undefined
      ? federated.length > 0
      : federated.some((p) => p === "*" || p === providerArn);
  });
}

/** Whether `role`'s trust may admit web identities (OIDC workflows). Unreadable: it may. */
export function trustsWorkflows(role: PrincipalEntry): boolean {
  const doc = trustDocument(role);
  if (doc === "absent") return false;
  return doc === "unreadable" || admitsWebIdentity(doc);
}

/** Recognises the topology of `view` (see the module comment). */
export function deriveTopology(view: StackView, options: TopologyOptions = {}): Topology {
  const accounts = new Map<string, AccountOf>();
  for (const resource of view.resources) accounts.set(resource.urn, accountOf(resource));
  const index = new IamIndex(view.resources);
  const intent = options.intent ?? NO_INTENT;
  const part = intent.kind === "known" ? (intent.intent.org?.part ?? "whole") : "whole";
  // A group stack holds no Terraform account resource to derive it from: its config names it.
  const tf =
    part === "group" && intent.kind === "known" && options.terraformAccountId === undefined
      ? ({
          kind: "resolved",
          id: intent.intent.terraformAccountId,
          partition: intent.intent.partition,
          source: "config",
        } as const)
      : intendedAccount(terraformAccount(view, accounts, options), intent);
  const inTerraform = (p: PrincipalEntry) =>
    tf.kind === "resolved" && p.account.kind === "account" && p.account.id === tf.id;
  const ciIdentities = tf.kind === "resolved" ? index.users.filter(inTerraform) : [];
  const tfRoles = index.roles.filter(inTerraform);
  const workflowCiRoles = tfRoles.filter(trustsWorkflows);
  const ciRoles = tfRoles.filter(
    (role) =>
      workflowCiRoles.includes(role) || ciIdentities.some((user) => ciMayAssume(index, user, role)),
  );
  const refusedCiRoles = tfRoles.filter(
    (role) =>
      !ciRoles.includes(role) &&
      ciIdentities.some((user) => identityMayAssume(index, user, role, false)),
  );
  const productAccountIds = new Set<string>();
  for (const account of accounts.values()) {
    if (tf.kind === "resolved" && account.kind === "account" && account.id !== tf.id) {
      productAccountIds.add(account.id);
    }
  }
  const productRoles =
    tf.kind === "resolved"
      ? index.roles.filter((r) => r.account.kind === "account" && r.account.id !== tf.id)
      : [];
  // Roles of the Terraform account (other than the CI roles) that a CI role may assume, and
  // roles whose account cannot be told (they may be anywhere, so they are held to the rule).
  const admitted = [
    ...tfRoles.filter(
      (role) => !ciRoles.includes(role) && ciRoles.some((ci) => trustAnswer(role, ci) !== "deny"),
    ),
    ...index.roles.filter((role) => role.account.kind !== "account"),
  ];
  return {
    view,
    index,
    terraformAccount: tf,
    ciIdentities,
    ciRoles,
    workflowCiRoles,
    oidcProviders:
      tf.kind === "resolved"
        ? view.resources.filter((r) => {
            const account = accounts.get(r.urn);
            return (
              r.type === OIDC_PROVIDER_TYPE && account?.kind === "account" && account.id === tf.id
            );
          })
        : [],
    access: "both",
    refusedCiRoles,
    productRoles,
    terraformRoles: [...productRoles, ...admitted],
    accounts,
    intent,
    productAccountIds: [...productAccountIds].sort(),
    part,
  };
}

/**
 * The topology of one CI path: its CI identities, CI roles and product roles only (see the
 * module comment). A CI role of the other path that admits one of this path's identities, or
 * a product role that admits this path's CI role, is still caught: by the other path's checks.
 */
export function forAccess(topology: Topology, access: Access): Topology {
  const of = (list: readonly PrincipalEntry[]) => list.filter((p) => p.access === access);
  return {
    ...topology,
    access,
    ciIdentities: of(topology.ciIdentities),
    ciRoles: of(topology.ciRoles),
    workflowCiRoles: of(topology.workflowCiRoles),
    refusedCiRoles: of(topology.refusedCiRoles),
    productRoles: of(topology.productRoles),
    terraformRoles: of(topology.terraformRoles),
  };
}

/** The paths policies judge: apply always, plan when the stack has a plan path. */
export function ciPaths(topology: Topology): Access[] {
  const plan = forAccess(topology, "plan");
  const hasPlan = plan.ciRoles.length + plan.terraformRoles.length + plan.ciIdentities.length > 0;
  return hasPlan ? ["apply", "plan"] : ["apply"];
}

/** What a path's principals are called in messages. */
export const PATH_NOUNS: Readonly<
  Record<Access, { ciIdentity: string; ciRole: string; productRole: string }>
> = {
  apply: {
    ciIdentity: "CI identity",
    ciRole: "CI Terraform role",
    productRole: "product Terraform role",
  },
  plan: {
    ciIdentity: "CI plan identity",
    ciRole: "CI plan role",
    productRole: "product plan role",
  },
};

/** The resources of `view` in the Terraform account, of one of `types`. */
export function inTerraformAccount(
  topology: Topology,
  types: readonly string[],
): readonly ResourceView[] {
  const tf = topology.terraformAccount;
  if (tf.kind !== "resolved") return [];
  return topology.view.resources.filter((r) => {
    if (!types.includes(r.type)) return false;
    const account = topology.accounts.get(r.urn);
    return account?.kind === "account" && account.id === tf.id;
  });
}

/** Short description of a principal for messages: `role 'terraform' in account 222222222222`. */
export function principalLabel(principal: PrincipalEntry): string {
  const kind = principal.resource.type === TYPES.role ? "role" : "user";
  const name = principal.name.kind === "value" ? principal.name.value : principal.resource.name;
  const where =
    principal.account.kind === "account"
      ? `account ${principal.account.id}`
      : "an unresolved account";
  return `${kind} '${name}' (resource '${principal.resource.name}') in ${where}`;
}

/**
 * Who may do what in a planned topology, decided by evaluating the plan's IAM documents with
 * `lib/iam` (never from a table written by hand): who may assume each role, and what each
 * identity may do to Terraform state. The picture of the topology (`topology-html.ts`) shows
 * these answers.
 *
 * A request is allowed as IAM decides within one account: no explicit Deny in the identity's
 * policies or the resource's policy, and an Allow in either, except that a resource policy
 * that names the account (its root) rather than the identity delegates to the identity's own
 * policies, as trust and key policies do here. Across accounts both sides must allow. An
 * identity whose policies the stack does not manage (an admin principal) gets "allowed if its
 * own policies allow" when the resource side does not refuse it.
 */
import { dnsSuffix } from "../arn";
import { evaluatePolicy, type EvaluationRequest } from "../iam/evaluate";
import type { PolicyDocument, Statement } from "../iam/types";
import {
  ciRoles,
  ciUsers,
  productRoles,
  type ProductAccountPlan,
  type RolePlan,
  type TopologyPlan,
} from "../plan/model";

/** The answer for one identity and one request. */
export type Verdict =
  | { readonly kind: "allow"; readonly by: readonly string[] }
  | { readonly kind: "deny"; readonly by: readonly string[] }
  | { readonly kind: "not-granted" }
  | { readonly kind: "if-own-policy"; readonly by: readonly string[] };

/** An identity as far as the stack knows its policies. */
export interface Identity {
  readonly label: string;
  readonly arn: string;
  readonly accountId: string;
  /** Its identity policies; `unmanaged` when the stack does not manage them. */
  readonly policies: readonly PolicyDocument[] | "unmanaged";
}

function parts(arn: string): { partition: string; accountId: string } {
  const [, partition = "aws", , , accountId = ""] = arn.split(":");
  return { partition, accountId };
}

/** Every identity policy document of a planned role. */
export function rolePolicies(role: RolePlan): PolicyDocument[] {
  return [
    ...role.inlinePolicies.map((p) => p.document),
    ...role.customerPolicies.map((p) => p.document),
  ];
}

/** Whether an allowing statement of `doc` names `arn` itself (not its account) as principal. */
function namesPrincipal(doc: PolicyDocument, labels: readonly string[], arn: string): boolean {
  return doc.Statement.some(
    (s: Statement, i: number) =>
      labels.includes(s.Sid ?? `Statement[${i}]`) &&
      s.Principal !== undefined &&
      s.Principal !== "*" &&
      (s.Principal.AWS ?? []).includes(arn),
  );
}

function evaluateAll(docs: readonly PolicyDocument[], request: EvaluationRequest) {
  const denies: string[] = [];
  const allows: string[] = [];
  let unknown = false;
  for (const doc of docs) {
    const result = evaluatePolicy(doc, request);
    if (result.decision === "explicit-deny") denies.push(...result.statements);
    else if (result.decision === "allow") allows.push(...result.statements);
    else if (result.decision === "indeterminate") unknown = true;
  }
  return { denies, allows, unknown };
}

/**
 * Decides `request` by `identity` against a resource policy `resource` (undefined: the
 * resource has none), as described in the module comment.
 */
export function decide(
  identity: Identity,
  resource: PolicyDocument | undefined,
  request: Omit<EvaluationRequest, "principal">,
  resourceAccountId: string,
): Verdict {
  const full: EvaluationRequest = {
    ...request,
    principal: { kind: "aws", arn: identity.arn, accountId: identity.accountId },
    context: { "aws:PrincipalArn": identity.arn, ...request.context },
  };
  const onResource = resource
    ? evaluateAll([resource], full)
    : { denies: [], allows: [], unknown: false };
  const own = identity.policies === "unmanaged" ? undefined : evaluateAll(identity.policies, full);
  const denies = [...onResource.denies, ...(own?.denies ?? [])];
  if (denies.length > 0) return { kind: "deny", by: denies };
  const namesCaller =
    resource !== undefined && namesPrincipal(resource, onResource.allows, identity.arn);
  const delegates = onResource.allows.length > 0 && !namesCaller;
  const mustAllow = resource !== undefined && resourceRequired(resource);
  const sameAccount = identity.accountId === resourceAccountId;
  if (namesCaller && sameAccount) return { kind: "allow", by: onResource.allows };
  if (own === undefined) {
    return delegates || (sameAccount && !mustAllow) || namesCaller
      ? { kind: "if-own-policy", by: onResource.allows }
      : { kind: "not-granted" };
  }
  const allowed =
    own.allows.length > 0 &&
    (sameAccount ? delegates || namesCaller || !mustAllow : delegates || namesCaller);
  return allowed
    ? { kind: "allow", by: [...onResource.allows, ...own.allows] }
    : { kind: "not-granted" };
}

/**
 * Whether a resource policy must itself allow a same-account request: KMS key policies and
 * role trust policies must (an identity policy alone is not enough); bucket policies need not.
 */
function resourceRequired(resource: PolicyDocument): boolean {
  return resource.Id === "key-policy" || resource.Id === "trust-policy";
}

const asKind = (doc: PolicyDocument, id: string): PolicyDocument => ({ ...doc, Id: id });

/** A row of the state access matrix. */
export interface StateAccessRow {
  readonly identity: Identity;
  readonly cells: readonly Verdict[];
}

/** The state access matrix: columns, and one row per identity. */
export interface StateAccessMatrix {
  readonly columns: readonly string[];
  readonly rows: readonly StateAccessRow[];
}

/** A request on state, with the key use S3 makes on the caller's behalf. */
interface StateOperation {
  readonly label: string;
  readonly s3?: { action: string; resource: string; context?: Record<string, string | string[]> };
  readonly kms?: string;
  readonly dynamodb?: { action: string; resource: string; leadingKey: string };
}

function stateOperations(plan: TopologyPlan): StateOperation[] {
  const state = plan.terraform.state;
  const workspace = plan.products[0]?.workspace ?? "WORKSPACE";
  const object = `${state.bucketArn}/${state.keyPrefix}/${workspace}/${state.key}`;
  const ops: StateOperation[] = [
    {
      label: "list state",
      s3: {
        action: "s3:ListBucket",
        resource: state.bucketArn,
        context: { "s3:prefix": `${state.keyPrefix}/` },
      },
    },
    { label: "read state", s3: { action: "s3:GetObject", resource: object }, kms: "kms:Decrypt" },
    {
      label: "write state",
      s3: { action: "s3:PutObject", resource: object },
      kms: "kms:GenerateDataKey",
    },
    { label: "delete state", s3: { action: "s3:DeleteObject", resource: object } },
  ];
  if (state.lockMode !== "dynamodb") {
    ops.push(
      {
        label: "take the lockfile",
        s3: { action: "s3:PutObject", resource: `${object}.tflock` },
        kms: "kms:GenerateDataKey",
      },
      {
        label: "release the lockfile",
        s3: { action: "s3:DeleteObject", resource: `${object}.tflock` },
      },
    );
  }
  if (state.lockTable !== undefined) {
    ops.push({
      label: "lock in DynamoDB",
      dynamodb: {
        action: "dynamodb:PutItem",
        resource: state.lockTable.arn,
        leadingKey: `${state.bucket}/${state.keyPrefix}/${workspace}/${state.key}`,
      },
    });
  }
  ops.push({
    label: "delete the bucket",
    s3: { action: "s3:DeleteBucket", resource: state.bucketArn },
  });
  return ops;
}

function both(a: Verdict, b: Verdict): Verdict {
  if (a.kind === "deny") return a;
  if (b.kind === "deny") return b;
  if (a.kind === "not-granted" || b.kind === "not-granted") return { kind: "not-granted" };
  if (a.kind === "if-own-policy" || b.kind === "if-own-policy") {
    return { kind: "if-own-policy", by: [...a.by, ...b.by] };
  }
  return { kind: "allow", by: [...a.by, ...b.by] };
}

/** The document of the AWS managed policy AdministratorAccess. */
const ADMINISTRATOR_ACCESS: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }],
};

/** The identities the matrices are about, with what the stack knows of their policies. */
export function stateIdentities(plan: TopologyPlan): Identity[] {
  const tf = plan.terraform;
  const identities: Identity[] = [
    ...tf.ciApply.map((a) => ({
      label: a.environment === undefined ? "CI apply role" : `CI apply role of ${a.environment}`,
      arn: a.role.arn,
      accountId: tf.accountId,
      policies: rolePolicies(a.role),
    })),
    {
      label: "CI plan role",
      arn: tf.ciPlanRole.arn,
      accountId: tf.accountId,
      policies: rolePolicies(tf.ciPlanRole),
    },
    ...ciUsers(tf).map((u) => ({
      label: `CI ${u.access} user`,
      arn: u.arn,
      accountId: tf.accountId,
      policies: u.inlinePolicies.map((p) => p.document),
    })),
    ...plan.adminPrincipals.map((arn) => ({
      label: "admin principal",
      arn,
      accountId: parts(arn).accountId,
      policies: "unmanaged" as const,
    })),
    {
      label: "the deployer: bootstrap role, with AdministratorAccess",
      arn: tf.provider.assumeRoleArn,
      accountId: tf.accountId,
      policies: [ADMINISTRATOR_ACCESS],
    },
    {
      label: "any other principal of the Terraform account, even with AdministratorAccess",
      arn: `arn:${plan.partition}:iam::${tf.accountId}:role/SomeAdministrator`,
      accountId: tf.accountId,
      policies: [ADMINISTRATOR_ACCESS],
    },
  ];
  const product = plan.products[0];
  if (product !== undefined) {
    identities.push({
      label: `a product account's Terraform role (${product.key})`,
      arn: product.terraformRole.arn,
      accountId: product.accountId,
      policies: rolePolicies(product.terraformRole),
    });
  }
  return identities;
}

/** What each identity may do to Terraform state, by evaluation of the plan's documents. */
export function stateAccessMatrix(plan: TopologyPlan): StateAccessMatrix {
  const tf = plan.terraform;
  const state = tf.state;
  const ops = stateOperations(plan);
  const bucketPolicy = state.bucketPolicy;
  const keyPolicy = asKind(state.kmsKey.policy, "key-policy");
  const keyArn = `arn:${plan.partition}:kms:${plan.region}:${tf.accountId}:key/state`;
  const viaS3 = `s3.${plan.region}.${dnsSuffix(plan.partition)}`;
  const rows = stateIdentities(plan).map((identity) => ({
    identity,
    cells: ops.map((op) => {
      let verdict: Verdict = { kind: "allow", by: [] };
      if (op.s3) {
        verdict = decide(
          identity,
          bucketPolicy,
          {
            action: op.s3.action,
            resource: op.s3.resource,
            context: { "aws:SecureTransport": "true", ...op.s3.context },
          },
          tf.accountId,
        );
      }
      if (op.kms) {
        verdict = both(
          verdict,
          decide(
            identity,
            keyPolicy,
            {
              action: op.kms,
              resource: keyArn,
              context: {
                "kms:ViaService": viaS3,
                "kms:ResourceAliases": [`alias/${state.kmsKey.alias}`],
              },
            },
            tf.accountId,
          ),
        );
      }
      if (op.dynamodb) {
        verdict = decide(
          identity,
          undefined,
          {
            action: op.dynamodb.action,
            resource: op.dynamodb.resource,
            context: { "dynamodb:LeadingKeys": [op.dynamodb.leadingKey] },
          },
          tf.accountId,
        );
      }
      return verdict;
    }),
  }));
  return { columns: ops.map((o) => o.label), rows };
}

/** A caller in the "who may assume what" matrix. */
export interface AssumeCaller {
  readonly label: string;
  /** An IAM identity, or a CI workflow by its OIDC token subject. */
  readonly identity?: Identity;
  readonly oidc?: {
    readonly providerArn: string;
    readonly host: string;
    readonly audience: string;
    readonly subject: string;
  };
}

/** A role in the "who may assume what" matrix: one role, or the same role in a group of accounts. */
export interface AssumeTarget {
  readonly label: string;
  /** One role per account (one for a CI role). */
  readonly roles: readonly { readonly role: RolePlan; readonly accountId: string }[];
}

/** Who may assume what: rows of callers, columns of roles. */
export interface AssumeMatrix {
  readonly targets: readonly AssumeTarget[];
  readonly rows: readonly { readonly caller: AssumeCaller; readonly cells: readonly Verdict[] }[];
}

function webIdentityVerdict(role: RolePlan, oidc: NonNullable<AssumeCaller["oidc"]>): Verdict {
  // Statements that name the provider decide by their conditions on the token's claims.
  const naming = role.trustPolicy.Statement.filter(
    (s) =>
      s.Principal !== undefined &&
      s.Principal !== "*" &&
      (s.Principal.Federated ?? []).includes(oidc.providerArn),
  ).map((s) => ({ ...s, Principal: undefined }));
  const others = role.trustPolicy.Statement.filter((s) => !naming.some((n) => n.Sid === s.Sid));
  const doc: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [...naming, ...others.filter((s) => s.Principal === "*")],
  };
  const result = evaluatePolicy(doc, {
    action: "sts:AssumeRoleWithWebIdentity",
    resource: role.arn,
    context: { [`${oidc.host}:aud`]: oidc.audience, [`${oidc.host}:sub`]: oidc.subject },
  });
  if (result.decision === "allow") return { kind: "allow", by: result.statements };
  if (result.decision === "explicit-deny") return { kind: "deny", by: result.statements };
  return { kind: "not-granted" };
}

function assumeVerdict(caller: AssumeCaller, role: RolePlan, accountId: string): Verdict {
  if (caller.oidc) return webIdentityVerdict(role, caller.oidc);
  if (!caller.identity) return { kind: "not-granted" };
  return decide(
    caller.identity,
    asKind(role.trustPolicy, "trust-policy"),
    { action: "sts:AssumeRole", resource: role.arn },
    accountId,
  );
}

/** Combines the verdicts for every account of a group: allowed only if allowed in all. */
function groupVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((acc, v) => both(acc, v), { kind: "allow", by: [] });
}

/** Who may assume each role of the plan, product roles by group. */
export function assumeMatrix(plan: TopologyPlan, groups: readonly ProductGroup[]): AssumeMatrix {
  const tf = plan.terraform;
  const callers: AssumeCaller[] = [];
  for (const [path, identity] of [
    ...tf.ciApply.map((a) => ["apply", a.identity] as const),
    ["plan", tf.ciPlanIdentity] as const,
  ]) {
    if (identity.kind === "iam-user") {
      callers.push({
        label: `CI ${path} user ${identity.name}`,
        identity: {
          label: `CI ${path} user`,
          arn: identity.arn,
          accountId: tf.accountId,
          policies: identity.inlinePolicies.map((p) => p.document),
        },
      });
    } else {
      for (const subject of identity.subjects) {
        callers.push({
          label: `${path} workflow, token subject ${subject}`,
          oidc: {
            providerArn: identity.provider.arn,
            host: identity.provider.host,
            audience: identity.provider.audience,
            subject,
          },
        });
      }
    }
  }
  callers.push(
    ...stateIdentities(plan)
      .filter((i) => !i.label.startsWith("CI ") || i.label.includes(" role"))
      .map((identity) => ({ label: identity.label, identity })),
  );
  const targets: AssumeTarget[] = [
    ...ciRoles(tf).map((role) => ({
      label: role.access === "apply" ? `CI apply role ${role.name}` : `CI plan role ${role.name}`,
      roles: [{ role, accountId: tf.accountId }],
    })),
    ...groups.flatMap((g) =>
      ([0, 1] as const).map((i) => ({
        label: `${i === 0 ? "Terraform role" : "plan role"} in ${g.label}`,
        roles: g.accounts.map((a) => ({
          role: i === 0 ? a.terraformRole : a.planRole,
          accountId: a.accountId,
        })),
      })),
    ),
  ];
  return {
    targets,
    rows: callers.map((caller) => ({
      caller,
      cells: targets.map((t) =>
        groupVerdict(t.roles.map((r) => assumeVerdict(caller, r.role, r.accountId))),
      ),
    })),
  };
}

/** Product accounts whose roles are identical (but for the account id), in one environment. */
export interface ProductGroup {
  readonly environment: string;
  readonly label: string;
  readonly accounts: readonly ProductAccountPlan[];
}

/**
 * Groups the product accounts by CI environment, and within one by their roles' documents with
 * the account's own id replaced by a placeholder: identical accounts share a group.
 */
export function productGroups(plan: TopologyPlan): ProductGroup[] {
  const groups = new Map<string, ProductAccountPlan[]>();
  for (const product of plan.products) {
    const canonical = JSON.stringify(productRoles(product))
      .split(product.accountId)
      .join("<ACCOUNT>");
    const key = `${product.environment}\u0000${canonical}`;
    groups.set(key, [...(groups.get(key) ?? []), product]);
  }
  const perEnvironment = new Map<string, number>();
  const out: ProductGroup[] = [];
  for (const [key, accounts] of groups) {
    const environment = key.split("\u0000")[0] ?? "";
    const n = (perEnvironment.get(environment) ?? 0) + 1;
    perEnvironment.set(environment, n);
    out.push({
      environment,
      label: `environment ${environment}${n > 1 ? ` (variant ${n})` : ""}`,
      accounts,
    });
  }
  return out;
}

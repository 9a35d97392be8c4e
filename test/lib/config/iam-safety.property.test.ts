import { strict as assert } from "node:assert";
import fc from "fast-check";
import { configPath, parseStackConfig, type TopologyConfig } from "../../../lib/config/parse";
import { evaluatePolicy, type EvaluationRequest } from "../../../lib/iam/evaluate";
import type { PolicyDocument } from "../../../lib/iam/types";
import { terraformBootstrapRoleArn } from "../../../lib/plan/administrators";
import { policyRefArn } from "../../../lib/plan/product";
import { applyPlanOf, type RolePlan } from "../../../lib/plan/model";
import { planTopology } from "../../../lib/plan/topology";

/**
 * Property: no value a user can give a setting that reaches an IAM document makes the stack
 * grant more than the same stack with the plain value. A seeded generator takes one such
 * setting of a full config (every one of them is set) and gives it a value made from the plain
 * one: with a wildcard, a policy variable, an ARN separator, another case, a length at IAM's
 * limits, another setting's value (a collision), or, for ARNs, another partition, account,
 * service or resource type. Then:
 *
 * - a refused config names the setting (or the one it collides with) with a message that says
 *   how to fix it, and never holds a stack trace;
 * - an accepted config's documents hold no more `*`, `?` and `${` than the plain config's, and,
 *   evaluated on a fixed set of requests (the attacker's and the legitimate callers', built
 *   from each config's own names), answer no request more permissively than the plain config.
 *
 * TFB_PROPERTY_RUNS changes the number of configs (default 300), TFB_PROPERTY_SEED the seed.
 */

const SEED = Number(process.env.TFB_PROPERTY_SEED ?? 20261203);
const RUNS = Number(process.env.TFB_PROPERTY_RUNS ?? 300);

const TF = "111111111111";
const DEV = "222222222222";

type Raw = Record<string, unknown>;

/** A full config in iam-user mode: every setting that reaches an IAM document is set. */
function iamUserBase(): Raw {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: TF, bootstrapRoleName: "OrganizationAccountAccessRole" },
    productAccounts: [
      { name: "dev", id: DEV, workspace: "dev", bootstrapRoleName: "DevBootstrap" },
      { name: "prod", id: "444444444444" },
    ],
    ci: {
      mode: "iam-user",
      userName: "terraform-ci",
      planUserName: "terraform-ci-plan",
      roleName: "terraform-ci",
      planRoleName: "terraform-ci-plan",
      path: "/ci/",
      pipeline: { roots: [{ name: "app", directory: "terraform" }] },
    },
    terraformRole: {
      name: "terraform",
      path: "/tf/",
      allowedServices: ["ec2", "iam"],
      permissionsBoundary: "team/TerraformBoundary",
      customerManagedPolicies: ["team/TerraformExtras"],
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    },
    terraformPlanRole: {
      name: "terraform-plan",
      path: "/tf/",
      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    },
    state: {
      bucketName: "acme-state-111111111111",
      keyPrefix: "terraform",
      kmsAlias: "terraform-state",
      lock: "both",
      lockTableName: "terraform-locks",
    },
    audit: {
      trailName: "terraform-audit",
      logBucketName: "acme-logs-111111111111",
      kmsAlias: "terraform-audit",
    },
    adminPrincipals: [`arn:aws:iam::${TF}:role/ops/PlatformAdmin`],
  };
}

/** The same in github-oidc mode, with a generated bucket name and environments. */
function oidcBase(): Raw {
  const raw = iamUserBase();
  raw.ci = {
    mode: "github-oidc",
    repository: "acme/infrastructure",
    branch: "main",
    audience: "sts.amazonaws.com",
    roleName: "terraform-ci",
    planRoleName: "terraform-ci-plan",
    path: "/ci/",
  };
  raw.productAccounts = [
    { name: "dev", id: DEV, environment: "development" },
    { name: "prod", id: "444444444444", environment: "production" },
  ];
  raw.state = { bucketPrefix: "acme-tfstate", keyPrefix: "states/terraform", lock: "s3-lockfile" };
  raw.audit = {};
  return raw;
}

type Kind = "name" | "path" | "policy" | "admin" | "managed" | "text";
type Path = readonly (string | number)[];

interface Field {
  readonly path: Path;
  readonly kind: Kind;
}

/** The settings whose values reach an IAM document (names, paths, prefixes, ARNs). */
const IAM_USER_FIELDS: readonly Field[] = [
  { path: ["organization"], kind: "text" },
  { path: ["terraformAccount", "bootstrapRoleName"], kind: "name" },
  { path: ["productAccounts", 0, "bootstrapRoleName"], kind: "name" },
  { path: ["productAccounts", 0, "workspace"], kind: "text" },
  { path: ["ci", "userName"], kind: "name" },
  { path: ["ci", "planUserName"], kind: "name" },
  { path: ["ci", "roleName"], kind: "name" },
  { path: ["ci", "planRoleName"], kind: "name" },
  { path: ["ci", "path"], kind: "path" },
  { path: ["ci", "pipeline", "roots", 0, "name"], kind: "text" },
  { path: ["terraformRole", "name"], kind: "name" },
  { path: ["terraformRole", "path"], kind: "path" },
  { path: ["terraformRole", "allowedServices", 0], kind: "text" },
  { path: ["terraformRole", "permissionsBoundary"], kind: "policy" },
  { path: ["terraformRole", "customerManagedPolicies", 0], kind: "policy" },
  { path: ["terraformRole", "managedPolicyArns", 0], kind: "managed" },
  { path: ["terraformPlanRole", "name"], kind: "name" },
  { path: ["terraformPlanRole", "path"], kind: "path" },
  { path: ["terraformPlanRole", "managedPolicyArns", 0], kind: "managed" },
  { path: ["state", "bucketName"], kind: "text" },
  { path: ["state", "keyPrefix"], kind: "text" },
  { path: ["state", "kmsAlias"], kind: "text" },
  { path: ["state", "lockTableName"], kind: "text" },
  { path: ["audit", "trailName"], kind: "text" },
  { path: ["audit", "logBucketName"], kind: "text" },
  { path: ["audit", "kmsAlias"], kind: "text" },
  { path: ["adminPrincipals", 0], kind: "admin" },
];

const OIDC_FIELDS: readonly Field[] = [
  { path: ["ci", "repository"], kind: "text" },
  { path: ["ci", "branch"], kind: "text" },
  { path: ["ci", "audience"], kind: "text" },
  { path: ["productAccounts", 0, "environment"], kind: "text" },
  { path: ["state", "bucketPrefix"], kind: "text" },
  { path: ["state", "keyPrefix"], kind: "text" },
  { path: ["ci", "roleName"], kind: "name" },
  { path: ["adminPrincipals", 0], kind: "admin" },
];

function valueAt(raw: unknown, path: Path): unknown {
  let cur = raw;
  for (const part of path) cur = (cur as Record<string | number, unknown>)[part];
  return cur;
}

function withValueAt(raw: Raw, path: Path, value: unknown): Raw {
  const copy = structuredClone(raw);
  let cur = copy as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) cur = cur[part] as Record<string | number, unknown>;
  cur[path[path.length - 1] ?? ""] = value;
  return copy;
}

/** What IAM, S3, KMS or an ARN parser could read as something else than a plain name. */
const SPECIALS = [
  "*",
  "?",
  "${aws:username}",
  "${",
  "$",
  ":",
  "/",
  "//",
  " ",
  "\n",
  ".",
  "..",
  "@",
  "+",
  ",",
  "é",
  "\u0000",
  "%2A",
  "[a]",
  "#",
  "arn:aws:iam::*:",
  "aws/",
  "alias/",
];

const LENGTHS = [63, 64, 65, 128, 129, 250, 251, 256, 257, 512, 513];

/** A value made from the plain one (and the other settings' plain values, for collisions). */
type Mutation =
  | { kind: "insert"; special: string; at: "start" | "middle" | "end" }
  | { kind: "case" }
  | { kind: "length"; length: number }
  | { kind: "empty" }
  | { kind: "collide"; with: number; flipCase: boolean }
  | { kind: "arn"; edit: ArnEdit };

type ArnEdit =
  | "partition"
  | "account-other"
  | "account-wildcard"
  | "account-aws"
  | "service-sts"
  | "type-group"
  | "type-root"
  | "type-policy"
  | "type-role"
  | "name-wildcard"
  | "ci-plan-role";

const ARN_EDITS: readonly ArnEdit[] = [
  "partition",
  "account-other",
  "account-wildcard",
  "account-aws",
  "service-sts",
  "type-group",
  "type-root",
  "type-policy",
  "type-role",
  "name-wildcard",
  "ci-plan-role",
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      special: fc.constantFrom(...SPECIALS),
      at: fc.constantFrom("start" as const, "middle" as const, "end" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("case" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("length" as const),
      length: fc.constantFrom(...LENGTHS),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("empty" as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("collide" as const),
      with: fc.nat(),
      flipCase: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("arn" as const),
      edit: fc.constantFrom(...ARN_EDITS),
    }),
  },
);

function flipCase(value: string): string {
  const upper = value.toUpperCase();
  return upper === value ? value.toLowerCase() : upper;
}

function editArn(value: string, edit: ArnEdit): string {
  const parts = value.split(":");
  if (parts.length < 6) return `arn:aws:iam::${TF}:role/${value}`;
  const [arn, partition, service, region, account, ...rest] = parts;
  let resource = rest.join(":");
  let out = [arn, partition, service, region, account];
  switch (edit) {
    case "partition":
      out[1] = partition === "aws" ? "aws-cn" : "aws";
      break;
    case "account-other":
      out[4] = "999999999999";
      break;
    case "account-wildcard":
      out[4] = "*";
      break;
    case "account-aws":
      out[4] = account === "aws" ? TF : "aws";
      break;
    case "service-sts":
      out[2] = "sts";
      break;
    case "type-group":
      resource = resource.replace(/^[^/]*/, "group");
      break;
    case "type-root":
      resource = "root";
      break;
    case "type-policy":
      resource = resource.replace(/^[^/]*/, "policy");
      break;
    case "type-role":
      resource = resource.replace(/^[^/]*/, "role");
      break;
    case "name-wildcard":
      resource = resource.replace(/[^/]*$/, (name) => `${name.slice(0, 3)}*`);
      break;
    case "ci-plan-role":
      // An identity the stack creates itself (both bases keep the CI roles under /ci/).
      resource = "role/ci/terraform-ci-plan";
      break;
  }
  out = [...out, resource];
  return out.join(":");
}

interface Sample {
  readonly value: string;
  /** The setting whose plain value was copied, for a collision. */
  readonly collidedWith?: Field;
}

function apply(base: Raw, fields: readonly Field[], field: Field, m: Mutation): Sample {
  const plain = String(valueAt(base, field.path));
  switch (m.kind) {
    case "insert": {
      const middle = Math.floor(plain.length / 2);
      const at = m.at === "start" ? 0 : m.at === "end" ? plain.length : middle;
      return { value: `${plain.slice(0, at)}${m.special}${plain.slice(at)}` };
    }
    case "case":
      return { value: flipCase(plain) };
    case "length":
      return { value: plain.padEnd(m.length, plain.endsWith("/") ? "a/" : "a").slice(0, m.length) };
    case "empty":
      return { value: "" };
    case "collide": {
      const others = fields.filter((f) => f !== field);
      const other = others[m.with % others.length] ?? field;
      const value = String(valueAt(base, other.path));
      return { value: m.flipCase ? flipCase(value) : value, collidedWith: other };
    }
    case "arn":
      return { value: editArn(plain, m.edit) };
  }
}

// ---------------------------------------------------------------------------------------------
// The documents and the fixed request set.

const SPECIAL_IN_DOCUMENT = /\*|\?|\$\{/g;

/** Every policy document of a plan, by its path in the plan. */
function documentsOf(plan: unknown, at = "", out = new Map<string, PolicyDocument>()) {
  if (Array.isArray(plan)) {
    plan.forEach((v, i) => documentsOf(v, `${at}[${i}]`, out));
  } else if (typeof plan === "object" && plan !== null) {
    const o = plan as Record<string, unknown>;
    if (Array.isArray(o.Statement) && typeof o.Version === "string") {
      out.set(at, plan as PolicyDocument);
      return out;
    }
    for (const [k, v] of Object.entries(o)) documentsOf(v, `${at}.${k}`, out);
  }
  return out;
}

function specialCount(doc: PolicyDocument): number {
  return (JSON.stringify(doc).match(SPECIAL_IN_DOCUMENT) ?? []).length;
}

/** A decision's permissiveness: an explicit Deny, no Allow, an Allow; an unknown counts most. */
const RANK: Readonly<Record<string, number>> = {
  "explicit-deny": 0,
  "implicit-deny": 1,
  allow: 2,
  indeterminate: 3,
};

function worst(decisions: readonly string[]): string {
  if (decisions.includes("explicit-deny")) return "explicit-deny";
  if (decisions.includes("indeterminate")) return "indeterminate";
  return decisions.includes("allow") ? "allow" : "implicit-deny";
}

function aws(arn: string, more: Record<string, string | string[]> = {}) {
  const account = arn.split(":")[4] ?? "";
  return {
    principal: { kind: "aws" as const, arn, accountId: account },
    context: {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "aws:SecureTransport": "true",
      ...more,
    },
  };
}

/** An identity one character away from `arn`, which a wildcard in a document would admit. */
const near = (arn: string) => `${arn}x`;

/**
 * The decision of every request of the fixed set, by a label that does not depend on the
 * config's names: who (by role in the topology), what, on which document.
 */
function decisions(config: TopologyConfig): Map<string, string> {
  const plan = planTopology(config);
  const tf = plan.terraform;
  const product = plan.products[0];
  assert.ok(product);
  const p = config.partition;
  const state = tf.state;
  const root = config.names.roots[0]?.stateKey ?? "terraform.tfstate";
  const stateObject = `${state.bucketArn}/${state.keyPrefix}/${product.workspace}/${root}`;
  const stateKeyArn = `arn:${p}:kms:${config.region}:${TF}:key/11111111-2222-3333-4444-555555555555`;
  const admin = config.adminPrincipals[0] ?? `arn:${p}:iam::${TF}:role/NoAdmin`;
  // The apply path of the product's environment (its own role, or the shared one).
  const apply = applyPlanOf(tf, product.environment);
  assert.ok(apply, `no CI apply role for environment ${product.environment}`);
  const ciRole = apply.role;
  const ciIdentity = apply.identity;
  const who: Record<string, string> = {
    ciRole: ciRole.arn,
    ciPlanRole: tf.ciPlanRole.arn,
    admin,
    bootstrap: terraformBootstrapRoleArn(config),
    intruder: `arn:${p}:iam::${TF}:role/Intruder`,
    outsider: `arn:${p}:iam::999999999999:role/Attacker`,
    nearCiRole: near(ciRole.arn),
    nearCiPlanRole: near(tf.ciPlanRole.arn),
    nearAdmin: near(admin),
    terraformRole: product.terraformRole.arn,
    planRole: product.planRole.arn,
  };
  if (ciIdentity.kind === "iam-user" && tf.ciPlanIdentity.kind === "iam-user") {
    who.ciUser = ciIdentity.arn;
    who.ciPlanUser = tf.ciPlanIdentity.arn;
    who.nearCiUser = near(ciIdentity.arn);
  }
  const out = new Map<string, string>();
  const judge = (label: string, docs: readonly PolicyDocument[], request: EvaluationRequest) =>
    out.set(label, worst(docs.map((d) => evaluatePolicy(d, request).decision)));

  const viaS3 = { "kms:ViaService": `s3.${config.region}.amazonaws.com` };
  const sseKms = {
    "s3:x-amz-server-side-encryption": "aws:kms",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": stateKeyArn,
  };
  for (const [name, arn] of Object.entries(who)) {
    const resourceRequests: [string, PolicyDocument, string, string, Record<string, string>][] = [
      ["state object", state.bucketPolicy, "s3:GetObject", stateObject, {}],
      ["state object", state.bucketPolicy, "s3:PutObject", stateObject, sseKms],
      ["state lockfile", state.bucketPolicy, "s3:PutObject", `${stateObject}.tflock`, {}],
      ["state lockfile", state.bucketPolicy, "s3:DeleteObject", `${stateObject}.tflock`, {}],
      ["state object", state.bucketPolicy, "s3:PutObjectAcl", stateObject, {}],
      ["state object", state.bucketPolicy, "s3:DeleteObjectVersion", stateObject, {}],
      ["state bucket", state.bucketPolicy, "s3:PutBucketPolicy", state.bucketArn, {}],
      ["state bucket", state.bucketPolicy, "s3:PutLifecycleConfiguration", state.bucketArn, {}],
      ["log bucket", tf.audit.logBucketPolicy, "s3:PutBucketPolicy", tf.audit.logBucketArn, {}],
      ["log object", tf.audit.logBucketPolicy, "s3:DeleteObject", `${tf.audit.logBucketArn}/x`, {}],
      ["state key", state.kmsKey.policy, "kms:Decrypt", "*", viaS3],
      ["state key", state.kmsKey.policy, "kms:PutKeyPolicy", "*", {}],
      ["state key", state.kmsKey.policy, "kms:ScheduleKeyDeletion", "*", {}],
      ["trail key", tf.audit.kmsKey.policy, "kms:PutKeyPolicy", "*", {}],
    ];
    for (const [doc, document, action, resource, more] of resourceRequests) {
      judge(`${name} ${action} on the ${doc}`, [document], {
        action,
        resource,
        ...aws(arn, more),
      });
    }
    for (const [role, plan] of Object.entries({
      ciRole,
      ciPlanRole: tf.ciPlanRole,
      terraformRole: product.terraformRole,
      planRole: product.planRole,
    })) {
      for (const action of ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]) {
        judge(`${name} ${action} into ${role}`, [plan.trustPolicy], {
          action,
          resource: plan.arn,
          ...aws(arn),
        });
      }
    }
  }
  if (tf.oidcProvider !== undefined) {
    const host = tf.oidcProvider.host;
    const repository = config.ci.repository ?? "";
    const environment = product.environment;
    const tokens: Record<string, string> = {
      applyJob: `repo:${repository}:environment:${environment}`,
      pullRequest: `repo:${repository}:pull_request`,
      branch: `repo:${repository}:ref:refs/heads/${config.ci.branch}`,
      otherRepository: `repo:${repository}x:pull_request`,
      otherBranch: `repo:${repository}:ref:refs/heads/${config.ci.branch}x`,
      otherEnvironment: `repo:${repository}:environment:${environment}x`,
    };
    for (const [token, sub] of Object.entries(tokens)) {
      for (const [role, plan] of Object.entries({ ciRole, ciPlanRole: tf.ciPlanRole })) {
        for (const aud of [config.ci.audience, `${config.ci.audience}x`]) {
          judge(
            `${token} (${aud === config.ci.audience ? "" : "other "}audience) into ${role}`,
            [plan.trustPolicy],
            {
              action: "sts:AssumeRoleWithWebIdentity",
              resource: plan.arn,
              principal: { kind: "federated", provider: tf.oidcProvider.arn },
              context: { [`${host}:sub`]: sub, [`${host}:aud`]: aud },
            },
          );
        }
      }
    }
  }

  // What each role's own policies allow it.
  const own = (role: RolePlan) => [
    ...role.inlinePolicies.map((i) => i.document),
    ...role.customerPolicies.map((c) => c.document),
  ];
  const identityRequests: [string, RolePlan, string, string, Record<string, string>][] = [
    ["ciRole", ciRole, "s3:GetObject", stateObject, {}],
    ["ciRole", ciRole, "s3:PutObject", stateObject, {}],
    ["ciRole", ciRole, "s3:PutObject", `${state.bucketArn}/elsewhere/x`, {}],
    ["ciRole", ciRole, "sts:AssumeRole", product.terraformRole.arn, {}],
    ["ciRole", ciRole, "sts:AssumeRole", near(product.terraformRole.arn), {}],
    ["ciRole", ciRole, "sts:AssumeRole", product.planRole.arn, {}],
    ["ciPlanRole", tf.ciPlanRole, "s3:GetObject", stateObject, {}],
    ["ciPlanRole", tf.ciPlanRole, "s3:PutObject", stateObject, {}],
    ["ciPlanRole", tf.ciPlanRole, "s3:PutObject", `${stateObject}.tflock`, {}],
    ["ciPlanRole", tf.ciPlanRole, "sts:AssumeRole", product.planRole.arn, {}],
    ["ciPlanRole", tf.ciPlanRole, "sts:AssumeRole", product.terraformRole.arn, {}],
    ["ciPlanRole", tf.ciPlanRole, "sts:AssumeRole", near(product.planRole.arn), {}],
  ];
  const decrypt = {
    ...viaS3,
    "kms:ResourceAliases": `alias/${state.kmsKey.alias}`,
  };
  identityRequests.push(
    ["ciRole", ciRole, "kms:Decrypt", stateKeyArn, decrypt],
    ["ciPlanRole", tf.ciPlanRole, "kms:Decrypt", stateKeyArn, decrypt],
    ["ciRole", ciRole, "kms:Decrypt", stateKeyArn, { ...viaS3, "kms:ResourceAliases": "x" }],
  );
  const boundary =
    config.terraformRole.permissionsBoundary === undefined
      ? "none"
      : policyRefArn(p, product.accountId, config.terraformRole.permissionsBoundary);
  const inAccount = (type: string, name: string) =>
    `arn:${p}:iam::${product.accountId}:${type}/${name}`;
  identityRequests.push(
    ["terraformRole", product.terraformRole, "ec2:RunInstances", "*", {}],
    [
      "terraformRole",
      product.terraformRole,
      "iam:UpdateAssumeRolePolicy",
      product.planRole.arn,
      {},
    ],
    ["terraformRole", product.terraformRole, "iam:AttachRolePolicy", product.planRole.arn, {}],
    ["terraformRole", product.terraformRole, "iam:PutRolePolicy", product.terraformRole.arn, {}],
    ["terraformRole", product.terraformRole, "iam:CreateRole", inAccount("role", "app"), {}],
    [
      "terraformRole",
      product.terraformRole,
      "iam:CreateRole",
      inAccount("role", "app"),
      { "iam:PermissionsBoundary": boundary },
    ],
    ...config.terraformRole.customerManagedPolicies.map(
      (ref) =>
        [
          "terraformRole",
          product.terraformRole,
          "iam:CreatePolicyVersion",
          policyRefArn(p, product.accountId, ref),
          {},
        ] as [string, RolePlan, string, string, Record<string, string>],
    ),
    ["planRole", product.planRole, "ec2:DescribeInstances", "*", {}],
    ["planRole", product.planRole, "ec2:RunInstances", "*", {}],
    ["planRole", product.planRole, "iam:UpdateAssumeRolePolicy", product.planRole.arn, {}],
  );
  identityRequests.forEach(([name, role, action, resource, more], i) => {
    judge(`#${i} ${name}'s own policies: ${action}`, own(role), {
      action,
      resource,
      ...aws(role.arn, more),
    });
  });
  return out;
}

/**
 * The cases a random draw would reach too rarely, run every time: every ARN edit of every ARN
 * setting, and every name colliding with every other name, as is and in another case.
 */
function exhaustive(fields: readonly Field[]): [Field, Mutation][] {
  const cases: [Field, Mutation][] = [];
  for (const field of fields) {
    if (field.kind === "admin" || field.kind === "managed" || field.kind === "policy") {
      for (const edit of ARN_EDITS) cases.push([field, { kind: "arn", edit }]);
    }
    if (field.kind !== "name") continue;
    const others = fields.filter((f) => f !== field);
    others.forEach((other, i) => {
      if (other.kind !== "name") return;
      for (const flip of [false, true]) {
        cases.push([field, { kind: "collide", with: i, flipCase: flip }]);
      }
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------

const NO_STACK = /\n\s+at\s/;
const SAYS_HOW =
  /for example|such as|Use |use |Choose|choose|Remove|remove|Name |Set |set |give |must be|write it|Rename|instead|allowed|at most/;

function parsed(raw: Raw): TopologyConfig {
  const result = parseStackConfig(raw);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems, null, 1));
  return result.config;
}

describe("config values that reach IAM documents (property)", function () {
  this.timeout(60000);

  for (const [mode, base, fields] of [
    ["iam-user", iamUserBase(), IAM_USER_FIELDS],
    ["github-oidc", oidcBase(), OIDC_FIELDS],
  ] as const) {
    it(`${mode}: every value is refused with the setting and the fix, or grants no more than the plain one`, () => {
      const plainConfig = parsed(base);
      const plainDocs = documentsOf(planTopology(plainConfig));
      const plainTotal = [...plainDocs.values()].reduce((n, d) => n + specialCount(d), 0);
      const plainDecisions = decisions(plainConfig);
      let accepted = 0;
      let refused = 0;
      fc.assert(
        fc.property(fc.constantFrom(...fields), mutation, (field, m) => {
          const sample = apply(base, fields, field, m);
          const raw = withValueAt(base, field.path, sample.value);
          const result = parseStackConfig(raw);
          const where = `${configPath(field.path)} = ${JSON.stringify(sample.value)}`;
          if (!result.ok) {
            refused += 1;
            assert.ok(result.problems.length > 0, where);
            // The setting itself, or one it collides with (any whose plain value it took).
            const collided = fields.filter(
              (f) =>
                sample.collidedWith !== undefined &&
                String(valueAt(base, f.path)).toLowerCase() === sample.value.toLowerCase(),
            );
            const named = [field, ...collided].flatMap((f) => [
              configPath(f.path),
              configPath(f.path.slice(0, 2)),
            ]);
            assert.ok(
              result.problems.some((p) => named.some((n) => p.path === n || p.path.startsWith(n))),
              `${where}: no problem names the setting; got ${JSON.stringify(result.problems)}`,
            );
            for (const problem of result.problems) {
              assert.doesNotMatch(problem.message, NO_STACK, where);
              assert.match(problem.message, SAYS_HOW, `${where}: ${problem.message}`);
            }
            return;
          }
          accepted += 1;
          const docs = documentsOf(planTopology(result.config));
          let total = 0;
          for (const [at, doc] of docs) {
            const count = specialCount(doc);
            total += count;
            const plain = plainDocs.get(at);
            if (plain !== undefined) {
              assert.ok(
                count <= specialCount(plain),
                `${where}: ${at} holds more '*', '?' or '\${' than with the plain value:\n${JSON.stringify(doc)}`,
              );
            }
          }
          assert.ok(total <= plainTotal, `${where}: the documents hold more wildcards in all`);
          const got = decisions(result.config);
          for (const [label, plain] of plainDecisions) {
            const now = got.get(label);
            assert.ok(now !== undefined, `${where}: request ${label} was not judged`);
            assert.ok(
              (RANK[now] ?? 3) <= (RANK[plain] ?? 3),
              `${where}: ${label} is ${now}, with the plain value ${plain}`,
            );
          }
        }),
        { seed: SEED, numRuns: RUNS, examples: exhaustive(fields) },
      );
      // The generator reaches both outcomes (a generator that only makes refused values
      // would prove nothing about the documents).
      if (process.env.TFB_PROPERTY_VERBOSE === "1")
        console.log(`${mode}: ${accepted} accepted, ${refused} refused`);
      assert.ok(accepted > RUNS / 10, `only ${accepted} of ${RUNS} values were accepted`);
      assert.ok(refused > RUNS / 10, `only ${refused} of ${RUNS} values were refused`);
    });
  }

  it("the request set tells an attacker from a legitimate caller on the plain config", () => {
    const d = decisions(parsed(iamUserBase()));
    const expect: [string, string][] = [
      // The bucket policy only denies; the CI role's own policy is what allows.
      ["ciRole s3:PutObject on the state object", "implicit-deny"],
      ["#1 ciRole's own policies: s3:PutObject", "allow"],
      ["#7 ciPlanRole's own policies: s3:PutObject", "implicit-deny"],
      ["intruder s3:GetObject on the state object", "explicit-deny"],
      ["nearCiRole s3:GetObject on the state object", "explicit-deny"],
      ["ciPlanRole s3:PutObject on the state object", "explicit-deny"],
      ["ciPlanRole s3:PutObject on the state lockfile", "implicit-deny"],
      ["bootstrap s3:PutBucketPolicy on the state bucket", "implicit-deny"],
      ["intruder s3:PutBucketPolicy on the state bucket", "explicit-deny"],
      ["intruder s3:PutBucketPolicy on the log bucket", "explicit-deny"],
      ["nearAdmin kms:PutKeyPolicy on the state key", "explicit-deny"],
      ["admin kms:PutKeyPolicy on the state key", "allow"],
      ["intruder kms:PutKeyPolicy on the trail key", "explicit-deny"],
      ["ciRole kms:Decrypt on the state key", "allow"],
      ["nearCiRole kms:Decrypt on the state key", "implicit-deny"],
      ["ciUser sts:AssumeRole into ciRole", "allow"],
      ["nearCiUser sts:AssumeRole into ciRole", "implicit-deny"],
      ["ciRole sts:AssumeRole into terraformRole", "allow"],
      ["ciRole sts:TagSession into terraformRole", "implicit-deny"],
    ];
    for (const [label, decision] of expect) {
      assert.equal(d.get(label), decision, label);
    }
  });
});

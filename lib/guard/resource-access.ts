/**
 * Judging a resource policy against the access matrix (`access-matrix.ts`) by evaluation.
 *
 * For every cell, the check builds the requests of the cell's action class (concrete actions
 * from the IAM action catalog, including one AWS has not invented yet, so a list that names
 * today's actions instead of covering them does not pass) and the principals of the cell's
 * caller class, and asks the IAM library what the document does with each:
 *
 * - an attacker's request (`refused`) is judged with `judgeRequest`: only the principal, TLS
 *   and what the action class fixes are known, everything else (headers, source IP, tags) is
 *   the caller's choice, so only a Deny that holds whatever they send counts;
 * - a legitimate request (`allowed`, `not-denied`) is evaluated fully known with
 *   `evaluatePolicy`.
 *
 * The principals of a class are concrete probes plus every principal the document itself names
 * that belongs to the class: a role exempted from a Deny by name, or by a wildcard in an
 * `ArnNotEquals` (a probe that matches the wildcard is made from it), is probed too.
 */
import { dnsSuffix } from "../arn";
import { writesOnResourceType } from "../iam/action-catalog";
import { evaluatePolicy } from "../iam/evaluate";
import { judgeRequest, type PartialRequest, type RequestPrincipal } from "../iam/judge";
import { anyActionMatches } from "../iam/matching";
import type { PolicyDocument } from "../iam/types";
import { KEY_NON_ADMIN_ACTIONS } from "../plan/kms";
import {
  ACTION_CLASSES,
  CALLER_CLASSES,
  cellId,
  type ActionClass,
  type CallerClass,
  type MatrixCell,
  type ResourceMatrix,
} from "./access-matrix";
import { describe, type Findings } from "./finding";
import type { ResourceView } from "./view";

/** What the requests of a resource's matrix are made of. */
export interface AccessSubject {
  readonly partition: string;
  readonly region: string;
  /** The Terraform account. */
  readonly accountId: string;
  /** The bucket's ARN (bucket matrices). */
  readonly bucketArn?: string;
  /** Prefix of the state objects and the state object's name (state bucket). */
  readonly stateKeyPrefix?: string;
  readonly stateKey?: string;
  /** The trail (log bucket, trail key) and its object prefix in the log bucket. */
  readonly trailArn?: string;
  readonly trailPrefix?: string;
  /** The state bucket whose access logs the log bucket receives, and their prefix. */
  readonly accessLogSource?: string;
  readonly accessLogPrefix?: string;
}

/** Who belongs to each named caller class of the stack. */
export interface CallerDirectory {
  readonly ciPlanRoles: readonly string[];
  readonly ciApplyRoles: readonly string[];
  readonly adminPrincipals: readonly string[];
  readonly bootstrapRoles: readonly string[];
}

/** A request before the caller's principal is added. */
interface RequestShape {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
  readonly absent?: readonly string[];
}

/** Another account, for probes and foreign keys. */
const OTHER_ACCOUNT = "999999999999";
const PROBE = "tf-bootstrap-probe";

const SSE = "s3:x-amz-server-side-encryption";
const SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
const SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm";
const SSE_HEADERS = [SSE, SSE_KEY, SSE_C];

/** Bucket and object writes AWS has not invented yet: a Deny that lists today's misses them. */
const FUTURE_BUCKET_WRITE = "s3:PutBucketSettingAddedLater";
const FUTURE_OBJECT_WRITE = "s3:PutObjectSettingAddedLater";
const FUTURE_KEY_ADMINISTRATION = "kms:ChangeKeySettingAddedLater";

function stateObject(s: AccessSubject): string {
  return `${s.bucketArn ?? ""}/${s.stateKeyPrefix ?? "terraform"}/${PROBE}/${s.stateKey ?? "terraform.tfstate"}`;
}

function logObject(s: AccessSubject): string {
  const prefix = s.trailPrefix ? `${s.trailPrefix}/` : "";
  return `${s.bucketArn ?? ""}/${prefix}AWSLogs/${s.accountId}/CloudTrail/${s.region}/${PROBE}.json.gz`;
}

function keyArn(s: AccessSubject, account = s.accountId): string {
  return `arn:${s.partition}:kms:${s.region}:${account}:key/00000000-0000-4000-8000-000000000000`;
}

/** The bucket-level writes of the catalog, and one added later; DeleteBucket has its own row. */
function bucketConfigurationActions(): string[] {
  return [
    ...writesOnResourceType("s3", "bucket").filter((a) => a !== "s3:DeleteBucket"),
    FUTURE_BUCKET_WRITE,
  ];
}

/** Object writes besides writing state, deleting a version and the lockfile's own actions. */
function stateObjectChanges(): string[] {
  const own = ["s3:PutObject", "s3:DeleteObjectVersion"];
  return [
    ...writesOnResourceType("s3", "object").filter((a) => !own.includes(a)),
    FUTURE_OBJECT_WRITE,
  ];
}

/** KMS actions that administer a key rather than use or read it, and one added later. */
function keyAdministrationActions(): string[] {
  return [
    ...writesOnResourceType("kms", "key").filter(
      (a) => !anyActionMatches(KEY_NON_ADMIN_ACTIONS, a),
    ),
    FUTURE_KEY_ADMINISTRATION,
  ];
}

function requestsOf(action: ActionClass, s: AccessSubject): RequestShape[] {
  const bucket = s.bucketArn ?? "";
  const state = stateObject(s);
  const plain = { absent: SSE_HEADERS };
  const storage = `s3.${s.region}.${dnsSuffix(s.partition)}`;
  switch (action) {
    case "read-state":
      return [
        { action: "s3:GetObject", resource: state },
        { action: "s3:GetObjectVersion", resource: state },
        { action: "s3:GetObject", resource: `${bucket}/${s.stateKey ?? "terraform.tfstate"}` },
      ];
    case "write-state":
      return [
        { action: "s3:PutObject", resource: state, ...plain },
        {
          action: "s3:PutObject",
          resource: state,
          context: { [SSE]: "aws:kms", [SSE_KEY]: keyArn(s) },
          absent: [SSE_C],
        },
      ];
    case "write-lockfile":
      return [
        { action: "s3:PutObject", resource: `${state}.tflock`, ...plain },
        { action: "s3:DeleteObject", resource: `${state}.tflock` },
      ];
    case "change-state-object":
      return stateObjectChanges().map((a) => ({ action: a, resource: state }));
    case "delete-state-version":
      return [{ action: "s3:DeleteObjectVersion", resource: state }];
    case "write-state-sse-c":
      return [{ action: "s3:PutObject", resource: state, context: { [SSE_C]: "AES256" } }];
    case "write-state-sse-s3":
      return [
        {
          action: "s3:PutObject",
          resource: state,
          context: { [SSE]: "AES256" },
          absent: [SSE_KEY, SSE_C],
        },
      ];
    case "write-state-aws-managed-key":
      return [
        {
          action: "s3:PutObject",
          resource: state,
          context: { [SSE]: "aws:kms" },
          absent: [SSE_KEY, SSE_C],
        },
      ];
    case "write-state-foreign-key":
      return [
        {
          action: "s3:PutObject",
          resource: state,
          context: { [SSE]: "aws:kms", [SSE_KEY]: keyArn(s, OTHER_ACCOUNT) },
          absent: [SSE_C],
        },
      ];
    case "read-logs":
      return [{ action: "s3:GetObject", resource: logObject(s) }];
    case "delete-logs":
      return [
        { action: "s3:DeleteObject", resource: logObject(s) },
        { action: "s3:DeleteObjectVersion", resource: logObject(s) },
        { action: "s3:DeleteObject", resource: `${bucket}/${s.accessLogPrefix ?? ""}${PROBE}` },
      ];
    case "deliver-trail-logs":
      return [
        {
          action: "s3:PutObject",
          resource: logObject(s),
          context: { "s3:x-amz-acl": "bucket-owner-full-control" },
        },
        { action: "s3:GetBucketAcl", resource: bucket },
      ];
    case "deliver-access-logs":
      return [{ action: "s3:PutObject", resource: `${bucket}/${s.accessLogPrefix ?? ""}${PROBE}` }];
    case "change-bucket-configuration":
      return bucketConfigurationActions().map((a) => ({ action: a, resource: bucket }));
    case "delete-bucket":
      return [{ action: "s3:DeleteBucket", resource: bucket }];
    case "read-without-tls":
      return [
        {
          action: "s3:GetObject",
          resource: `${bucket}/${PROBE}`,
          context: { "aws:SecureTransport": "false" },
        },
        {
          action: "s3:PutObject",
          resource: `${bucket}/${PROBE}`,
          context: { "aws:SecureTransport": "false" },
        },
        { action: "s3:ListBucket", resource: bucket, context: { "aws:SecureTransport": "false" } },
      ];
    case "use-key-through-storage":
      return ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"].map((a) => ({
        action: a,
        resource: keyArn(s),
        context: { "kms:ViaService": storage },
        absent: ["kms:GrantIsForAWSResource"],
      }));
    case "use-key-directly":
      return ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"].map(
        (a) => ({
          action: a,
          resource: keyArn(s),
          absent: ["kms:ViaService", "kms:GrantIsForAWSResource"],
        }),
      );
    case "create-grant-directly":
      return [
        {
          action: "kms:CreateGrant",
          resource: keyArn(s),
          absent: ["kms:ViaService", "kms:GrantIsForAWSResource"],
        },
      ];
    case "administer-key":
      return keyAdministrationActions().map((a) => ({
        action: a,
        resource: keyArn(s),
        absent: ["kms:ViaService"],
      }));
    case "encrypt-trail-logs":
      return [
        {
          action: "kms:GenerateDataKey",
          resource: keyArn(s),
          context: {
            "kms:EncryptionContext:aws:cloudtrail:arn": s.trailArn ?? "",
          },
        },
        { action: "kms:DescribeKey", resource: keyArn(s) },
      ];
  }
}

/** A caller: a principal and the context keys that come with it. */
interface Probe {
  readonly label: string;
  readonly principal: RequestPrincipal;
  readonly context: Readonly<Record<string, string>>;
  readonly absent: readonly string[];
  /** Whether the caller is of the bucket's own account (a bucket policy alone cannot refuse). */
  readonly sameAccount: boolean;
}

function awsProbe(arn: string, tfAccount: string): Probe {
  const account = arn.split(":")[4] ?? "";
  return {
    label: arn,
    principal: { kind: "aws", arn, accountId: account },
    context: {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": account,
      "kms:CallerAccount": account,
      "aws:SecureTransport": "true",
    },
    absent: ["aws:SourceArn", "aws:SourceAccount"],
    sameAccount: account === tfAccount,
  };
}

function serviceProbe(
  service: string,
  sourceArn: string,
  sourceAccount: string,
  tfAccount: string,
): Probe {
  return {
    label: `${service} for ${sourceArn}`,
    principal: { kind: "service", service },
    context: {
      "aws:SourceArn": sourceArn,
      "aws:SourceAccount": sourceAccount,
      "aws:SecureTransport": "true",
    },
    absent: ["aws:PrincipalArn"],
    sameAccount: sourceAccount === tfAccount,
  };
}

/** Every string of the document's principals and conditions that looks like an IAM ARN or id. */
function namedIdentities(doc: PolicyDocument): { arns: string[]; accounts: string[] } {
  const arns = new Set<string>();
  const accounts = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (/^arn:[^:]*:(iam|sts)::[^:]*:/.test(value)) arns.add(value);
      else if (/^\d{12}$/.test(value)) accounts.add(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(visit);
  };
  for (const statement of doc.Statement) {
    visit(statement.Principal);
    visit(statement.NotPrincipal);
    visit(statement.Condition);
  }
  return { arns: [...arns], accounts: [...accounts] };
}

/** A principal ARN that matches `pattern`: wildcards and policy variables made concrete. */
function concrete(pattern: string): string {
  return pattern.replace(/\$\{[^}]*\}/g, "x").replace(/[*?]/g, "x");
}

function probesOf(
  caller: CallerClass,
  doc: PolicyDocument,
  s: AccessSubject,
  directory: CallerDirectory,
): Probe[] {
  const tf = s.accountId;
  const iam = (account: string, kind: string) =>
    `arn:${s.partition}:iam::${account}:${kind}/${PROBE}`;
  const named = namedIdentities(doc);
  const known = new Set([
    ...directory.ciApplyRoles,
    ...directory.ciPlanRoles,
    ...directory.adminPrincipals,
    ...directory.bootstrapRoles,
  ]);
  const concreteNamed = named.arns
    .map(concrete)
    .filter((arn) => /:(role|user)\//.test(arn) && !known.has(arn));
  switch (caller) {
    case "outsider": {
      const accounts = new Set([OTHER_ACCOUNT, ...named.accounts.filter((a) => a !== tf)]);
      for (const arn of named.arns) {
        const account = concrete(arn).split(":")[4];
        if (account && account !== tf && /^\w+$/.test(account)) accounts.add(account);
      }
      return [
        ...[...accounts].map((a) => awsProbe(iam(a, "role"), tf)),
        ...concreteNamed.filter((a) => a.split(":")[4] !== tf).map((a) => awsProbe(a, tf)),
      ];
    }
    case "account-principal":
      return [
        awsProbe(iam(tf, "role"), tf),
        awsProbe(iam(tf, "user"), tf),
        ...concreteNamed.filter((a) => a.split(":")[4] === tf).map((a) => awsProbe(a, tf)),
      ];
    case "ci-plan-role":
      return directory.ciPlanRoles.map((a) => awsProbe(a, tf));
    case "ci-apply-role":
      return directory.ciApplyRoles.map((a) => awsProbe(a, tf));
    case "admin-principal":
      return directory.adminPrincipals.map((a) => awsProbe(a, tf));
    case "bootstrap-role":
      return directory.bootstrapRoles.map((a) => awsProbe(a, tf));
    case "cloudtrail":
      return s.trailArn ? [serviceProbe("cloudtrail.amazonaws.com", s.trailArn, tf, tf)] : [];
    case "cloudtrail-elsewhere":
      return [
        serviceProbe(
          "cloudtrail.amazonaws.com",
          `arn:${s.partition}:cloudtrail:${s.region}:${OTHER_ACCOUNT}:trail/${PROBE}`,
          OTHER_ACCOUNT,
          tf,
        ),
      ];
    case "s3-logging":
      return s.accessLogSource
        ? [serviceProbe("logging.s3.amazonaws.com", s.accessLogSource, tf, tf)]
        : [];
    case "s3-logging-elsewhere":
      return [
        serviceProbe(
          "logging.s3.amazonaws.com",
          `arn:${s.partition}:s3:::${PROBE}-bucket`,
          OTHER_ACCOUNT,
          tf,
        ),
      ];
  }
}

/** Why a request breaks its cell, or `undefined` when it keeps it. */
function breach(
  doc: PolicyDocument,
  cell: MatrixCell,
  probe: Probe,
  shape: RequestShape,
  isKey: boolean,
): string | undefined {
  const context = { ...probe.context, ...(shape.context ?? {}) };
  if (cell.expect === "refused") {
    const request: PartialRequest = {
      action: shape.action,
      resource: shape.resource,
      principal: probe.principal,
      context,
      absent: [...probe.absent, ...(shape.absent ?? [])].filter((k) => !(k in context)),
    };
    const judged = judgeRequest(doc, request);
    const needsDeny = !isKey && probe.sameAccount && probe.principal.kind === "aws";
    if (judged.deny === "yes") return undefined;
    if (!needsDeny && judged.allow === "no") return undefined;
    return needsDeny
      ? judged.deny === "maybe"
        ? "only a Deny whose condition the caller controls stands in the way, and its own IAM policies can allow the rest"
        : "no Deny refuses it, and the caller's own IAM policies can allow it"
      : judged.allow === "yes"
        ? "an Allow admits it"
        : "an Allow may admit it, depending on what the caller sends";
  }
  const evaluation = evaluatePolicy(doc, {
    action: shape.action,
    resource: shape.resource,
    principal: probe.principal,
    context,
  });
  if (cell.expect === "allowed") {
    return evaluation.decision === "allow"
      ? undefined
      : `the policy answers ${evaluation.decision}`;
  }
  return evaluation.decision === "allow" || evaluation.decision === "implicit-deny"
    ? undefined
    : `the policy answers ${evaluation.decision}`;
}

const FIXES: Readonly<Record<string, string>> = {
  "state-bucket":
    "keep the state bucket policy as lib/plan/state.ts plans it (DenyStateAccessToOthers, DenyDeletingStateVersions, the plan path's and encryption Denies, DenyBucketConfigurationToOthers)",
  "log-bucket":
    "keep the log bucket policy as lib/plan/audit.ts plans it (DenyLogTampering, DenyBucketConfigurationToOthers, the service statements pinned to the trail and the state bucket)",
  "state-key":
    "keep the state key policy as lib/plan/state.ts plans it (StateUsersUseKeyThroughStorage, DenyKeyAdministrationToOthers)",
  "trail-key":
    "keep the trail key policy as lib/plan/audit.ts plans it (CloudTrail pinned to the trail, DenyKeyAdministrationToOthers)",
};

/**
 * Judges `doc`, the resource policy of `owner`, against `matrix`; reports one finding per cell
 * it breaks, with an example request.
 */
export function checkResourceAccess(
  matrix: ResourceMatrix,
  doc: PolicyDocument,
  subject: AccessSubject,
  directory: CallerDirectory,
  owner: ResourceView,
  out: Findings,
): void {
  const isKey = matrix.resource === "state-key" || matrix.resource === "trail-key";
  for (const cell of matrix.cells) {
    const probes = probesOf(cell.caller, doc, subject, directory);
    let found: string | undefined;
    for (const shape of requestsOf(cell.action, subject)) {
      for (const probe of probes) {
        const why = breach(doc, cell, probe, shape, isKey);
        if (why === undefined) continue;
        found = `${shape.action} on ${shape.resource} by ${probe.label}: ${why}`;
        break;
      }
      if (found !== undefined) break;
    }
    if (found === undefined) continue;
    const action = ACTION_CLASSES[cell.action];
    const caller = CALLER_CLASSES[cell.caller];
    const expectation =
      cell.expect === "refused"
        ? "must be refused"
        : cell.expect === "allowed"
          ? "must be allowed"
          : "must not be denied";
    out.add(
      cellId(matrix, cell),
      `${describe(owner)}: the ${matrix.label} breaks the access matrix: "${action.label}" by ` +
        `${caller.label} ${expectation}, but ${found}. Fix: ${FIXES[matrix.resource] ?? ""}; ` +
        `docs/policies.md shows the whole matrix.`,
      owner,
    );
  }
}

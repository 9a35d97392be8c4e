/**
 * `ci-apply-role-environment-scoped`: with per-environment apply roles, an approval for one
 * environment reaches only that environment. For every CI apply role the config means, judged
 * by evaluation on the documents the stack registers:
 *
 * - its trust admits no other environment's CI identity (that environment's IAM user, or
 *   OIDC token subject);
 * - its policies allow it no `sts:AssumeRole` on another environment's Terraform roles, and no
 *   read, write or lock of another environment's workspaces' state (every root's state object,
 *   its lockfile, its lock item);
 * - no other environment's Terraform role trusts it;
 * - it can still do its own job: assume its Terraform roles, read and write its state.
 *
 * A request is judged with every context key the caller could choose left unknown: an Allow
 * that may apply counts as allowing. The state bucket's policy is judged with the role's own
 * policies (in the bucket's account either may allow). With shared apply roles the policy has
 * nothing to judge and passes (docs/ci-apply-roles.md).
 */
import {
  judgeRequest,
  mayBeAllowed,
  principalRequest,
  surelyAllowed,
  type PartialRequest,
  type RequestPrincipal,
} from "../iam/judge";
import { normalizeDocument } from "../iam/normalize";
import type { PolicyDocument } from "../iam/types";
import { WEB_IDENTITY_ACTION } from "../plan/trust";
import type { Findings } from "./finding";
import { readDocumentText, type PrincipalEntry } from "./iam-index";
import { requireIntent, type ApplyRoleIntent, type StackIntent } from "./intent";
import { readableDocuments } from "./principal-documents";
import { requireTerraformAccount } from "./prerequisites";
import { principalLabel, trustDocument, type Topology } from "./topology";

const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

/** A request of the CI apply role `roleArn`, in the Terraform account, over TLS. */
function asRole(intent: StackIntent, roleArn: string, action: string, resource: string) {
  return principalRequest(roleArn, intent.terraformAccountId, action, resource, {
    "aws:SecureTransport": "true",
  });
}

/** The state requests that reach workspace `workspace`: its state objects and lockfiles. */
function stateRequests(intent: StackIntent, workspace: string): [string, string][] {
  const { bucket, keyPrefix, rootKeys } = intent.state;
  return rootKeys.flatMap((key): [string, string][] => {
    const object = `arn:${intent.partition}:s3:::${bucket}/${keyPrefix}/${workspace}/${key}`;
    return [
      ["s3:GetObject", object],
      ["s3:PutObject", object],
      ["s3:PutObject", `${object}.tflock`],
      ["s3:DeleteObject", `${object}.tflock`],
    ];
  });
}

/** `roleArn`'s requests for the lock items of workspace `workspace` (DynamoDB locking). */
function lockRequests(intent: StackIntent, roleArn: string, workspace: string): PartialRequest[] {
  const table = intent.state.lockTableArn;
  if (table === undefined) return [];
  const { bucket, keyPrefix, rootKeys } = intent.state;
  return rootKeys.map((key) => {
    const request = asRole(intent, roleArn, "dynamodb:PutItem", table);
    return {
      ...request,
      context: {
        ...request.context,
        "dynamodb:LeadingKeys": [`${bucket}/${keyPrefix}/${workspace}/${key}`],
      },
    };
  });
}

/** The state bucket's policy, when the stack registers one that can be read. */
function bucketPolicy(topology: Topology, intent: StackIntent): PolicyDocument | undefined {
  for (const resource of topology.view.resources) {
    if (resource.type !== BUCKET_POLICY || resource.props.bucket !== intent.state.bucket) continue;
    const text = readDocumentText(resource, "policy");
    if (text.kind !== "value") continue;
    const doc = normalizeDocument(text.value);
    if (doc.ok) return doc.document;
  }
  return undefined;
}

/** The caller of another environment's identity, as a trust policy sees it. */
function identityRequest(
  intent: StackIntent,
  other: ApplyRoleIntent,
  roleArn: string,
): PartialRequest[] {
  if (other.userArn !== undefined) {
    return [asRole(intent, other.userArn, "sts:AssumeRole", roleArn)];
  }
  const provider = intent.oidcProvider;
  if (provider === undefined) return [];
  const principal: RequestPrincipal = { kind: "federated", provider: provider.arn };
  return other.subjects.map((subject) => ({
    action: WEB_IDENTITY_ACTION,
    resource: roleArn,
    principal,
    context: { [`${provider.host}:sub`]: subject, [`${provider.host}:aud`]: provider.audience },
  }));
}

function findRole(topology: Topology, arn: string): PrincipalEntry | undefined {
  return topology.index.roles.find((r) => r.arn.kind === "value" && r.arn.value === arn);
}

/** `ci-apply-role-environment-scoped` (see the module comment). */
export function checkApplyRoleEnvironmentScope(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const intent = requireIntent(
    topology.intent,
    out,
    "which environment each CI apply role is meant to reach",
  );
  if (intent === undefined || intent.applyRolesMode !== "per-environment") return;
  const bucket = bucketPolicy(topology, intent);
  for (const meant of intent.applyRoles) {
    const env = meant.environment ?? "";
    const role = findRole(topology, meant.roleArn);
    if (role === undefined) {
      out.add(
        `ApplyRole::Missing::${env}`,
        `The stack config means environment '${env}' to have its own CI apply role ` +
          `${meant.roleArn}, but the stack registers no role with that ARN: its apply jobs ` +
          `could not run. Fix: let the program create it (ci.applyRoles: per-environment, ` +
          `lib/plan/topology.ts).`,
      );
      continue;
    }
    const label = principalLabel(role);
    const docs = readableDocuments(topology, role, out).map((d) => d.document);
    const withBucket = bucket ? [...docs, bucket] : docs;
    const trust = trustDocument(role);
    for (const other of intent.applyRoles) {
      if (other === meant) continue;
      const otherEnv = other.environment ?? "";
      if (typeof trust !== "string") {
        const admitted = identityRequest(intent, other, meant.roleArn).some(
          (request) => judgeRequest(trust, request).allow !== "no",
        );
        if (admitted) {
          out.add(
            `Trust::OtherEnvironment::${otherEnv}`,
            `${label}, the CI apply role of '${env}', may be assumed by the CI identity of ` +
              `'${otherEnv}' (${other.userArn ?? other.subjects.join(", ")}): a job approved ` +
              `for '${otherEnv}' would act in '${env}'. Fix: trust only '${env}''s identity ` +
              `(lib/plan/ci.ts planCiRole).`,
            role.resource,
          );
        }
      }
      for (const target of other.terraformRoleArns) {
        if (mayBeAllowed(docs, asRole(intent, meant.roleArn, "sts:AssumeRole", target))) {
          out.add(
            `Reach::AssumeRole::${target}`,
            `${label}, the CI apply role of '${env}', may assume ${target}, a Terraform role ` +
              `of environment '${otherEnv}': a job approved for '${env}' could change ` +
              `'${otherEnv}'. Fix: allow sts:AssumeRole only on '${env}''s Terraform roles ` +
              `(its <role>-reach-N policies, lib/plan/ci.ts).`,
            role.resource,
          );
        }
        const product = findRole(topology, target);
        const productTrust = product ? trustDocument(product) : "absent";
        if (
          product !== undefined &&
          typeof productTrust !== "string" &&
          judgeRequest(productTrust, asRole(intent, meant.roleArn, "sts:AssumeRole", target))
            .allow !== "no"
        ) {
          out.add(
            `Trust::OtherEnvironmentApplyRole::${target}`,
            `${principalLabel(product)}, a Terraform role of environment '${otherEnv}', ` +
              `trusts ${meant.roleArn}, the CI apply role of '${env}'. Fix: trust only ` +
              `'${otherEnv}''s CI apply role (lib/plan/topology.ts).`,
            product.resource,
          );
        }
      }
      for (const workspace of other.workspaces) {
        const reached = stateRequests(intent, workspace).filter(([action, object]) =>
          mayBeAllowed(withBucket, asRole(intent, meant.roleArn, action, object)),
        );
        const locked = lockRequests(intent, meant.roleArn, workspace).filter((r) =>
          mayBeAllowed(docs, r),
        );
        if (reached.length === 0 && locked.length === 0) continue;
        const what = [
          ...reached.map(([action, object]) => `${action} on ${object}`),
          ...locked.map((r) => `${r.action} on the lock item of ${workspace}`),
        ];
        out.add(
          `Reach::State::${workspace}`,
          `${label}, the CI apply role of '${env}', may use the state of workspace ` +
            `'${workspace}' of environment '${otherEnv}' (${what.join("; ")}): a job approved ` +
            `for '${env}' could overwrite it. Fix: grant state only under '${env}''s ` +
            `workspaces (lib/plan/ci.ts planEnvironmentPolicies).`,
          role.resource,
        );
      }
    }
    const own = meant.workspaces.flatMap((w) => stateRequests(intent, w));
    const refused = own.filter(
      ([action, object]) =>
        !object.endsWith(".tflock") &&
        // The role's own job, as Terraform sends it: every key of the request is known.
        !surelyAllowed(withBucket, {
          ...asRole(intent, meant.roleArn, action, object),
          closed: true,
        }),
    );
    if (refused.length > 0) {
      out.add(
        `Reach::OwnStateRefused::${env}`,
        `${label}, the CI apply role of '${env}', is not surely allowed ` +
          `${refused.map(([a, o]) => `${a} on ${o}`).join("; ")}: Terraform could not read or ` +
          `write its own environment's state. Fix: grant its workspaces' state objects ` +
          `(lib/plan/ci.ts planEnvironmentPolicies).`,
        role.resource,
      );
    }
  }
}

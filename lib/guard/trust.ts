/**
 * Trust checks: a role may be assumed by its allowed callers and nobody else.
 *
 * - `terraform-role-trust-restrictive`: every Terraform role (see `topology.ts`) may be assumed
 *   by its path's CI role only (a plan role by the CI plan role).
 * - `ci-role-trust-restrictive`: every CI role may be assumed by its path's CI identity only
 *   (the path's IAM user, or OIDC workflows of the allowed subjects; `workflow-callers.ts`).
 *
 * "Nobody else" is proved by the trust analyzer (`analyzeTrust`), which never answers
 * "restrictive" wrongly; "may be assumed" is checked with the single-policy evaluator.
 */
import { judgeRequest, type RequestPrincipal } from "../iam/judge";
import { analyzeTrust, type AllowedCaller } from "../iam/trust";
import type { PolicyDocument } from "../iam/types";
import { accountOfArn, answer, parseDocument } from "./documents";
import { describe, type Findings } from "./finding";
import { readDocumentText, type PrincipalEntry } from "./iam-index";
import {
  principalArns,
  reportSeveralCiIdentities,
  reportSeveralCiRoles,
  requireCiIdentity,
  requireCiRole,
  requireTerraformAccount,
} from "./prerequisites";
import {
  admitsWebIdentity,
  ciPaths,
  forAccess,
  PATH_NOUNS,
  principalLabel,
  trustDocument,
  type Topology,
} from "./topology";
import {
  reportSeveralRepositories,
  workflowCallers,
  workflowScope,
  type WorkflowScope,
} from "./workflow-callers";
import { ACCESS_TAG, type Access } from "../plan/model";
import { requireIntent } from "./intent";
import { applyCallersOf, identitiesOf, subjectsOf } from "./apply-scope";

function checkRoleTrust(
  topology: Topology,
  role: PrincipalEntry,
  callers: readonly { readonly arn: string; readonly accountId: string }[],
  callerNoun: string,
  out: Findings,
  workflows?: {
    readonly access: Access;
    readonly scope: WorkflowScope;
    readonly expected?: readonly string[];
  },
): void {
  const what = `the trust policy of ${principalLabel(role)}`;
  const text = readDocumentText(role.resource, "assumeRolePolicy");
  if (out.unreadable(text, role.resource, what)) return;
  if (text.kind !== "value") {
    out.add(
      "Trust::Missing",
      `${describe(role.resource)} has no assumeRolePolicy; the policy cannot prove who may ` +
        `assume it and fails closed. Fix: set a trust policy that admits only the ${callerNoun}.`,
      role.resource,
    );
    return;
  }
  const doc = parseDocument(text.value, role.resource, what, out);
  if (doc === undefined) return;
  const allowed: AllowedCaller[] = [
    ...callers.map((c): AllowedCaller => ({ kind: "aws", arn: c.arn })),
    ...(workflows
      ? workflowCallers(
          doc,
          role,
          topology,
          workflows.scope,
          workflows.access,
          out,
          workflows.expected,
        )
      : []),
  ];
  const admitted = allowed.map((c) => (c.kind === "aws" ? c.arn : `${c.providerArn} tokens`));
  for (const finding of analyzeTrust(doc, allowed)) {
    out.add(
      finding.id,
      `${principalLabel(role)} may be assumed by more than the ${callerNoun} ` +
        `(${admitted.join(", ") || "none found"}). ${finding.message}` +
        (finding.path ? ` [at ${finding.path}]` : ""),
      role.resource,
    );
  }
  const resource = role.arn.kind === "value" ? role.arn.value : "*";
  checkSessionIdentity(doc, role, resource, callers, allowed, out);
  for (const caller of callers) {
    const verdict = answer(doc, "sts:AssumeRole", resource, caller.arn, caller.accountId);
    if (verdict === "deny") {
      out.add(
        "Trust::CallerNotAdmitted",
        `${principalLabel(role)} cannot be assumed by the ${callerNoun} ${caller.arn}: no ` +
          `statement of its trust policy allows it sts:AssumeRole. Terraform would fail to reach ` +
          `this account. Fix: trust the Terraform account root narrowed by ` +
          `ArnEquals aws:PrincipalArn = ${caller.arn} (lib/plan/trust.ts trustOnly).`,
        role.resource,
      );
    }
  }
}

/** The session actions no trust may allow: the caller would choose tags and the source identity. */
const SESSION_ACTIONS: readonly [string, string][] = [
  ["sts:TagSession", "Trust::SessionTags"],
  ["sts:SetSourceIdentity", "Trust::SourceIdentity"],
];

/**
 * Whether the trust lets any caller it admits tag the session or set a source identity: both
 * are values the caller chooses (session tags that attribute-based access control may trust,
 * the source identity CloudTrail shows for the whole role chain), and the callers are CI jobs
 * that may run unreviewed code. Judged for each allowed caller and for any other principal,
 * with every condition key unknown.
 */
function checkSessionIdentity(
  doc: PolicyDocument,
  role: PrincipalEntry,
  resource: string,
  callers: readonly { readonly arn: string; readonly accountId: string }[],
  allowed: readonly AllowedCaller[],
  out: Findings,
): void {
  const principals: RequestPrincipal[] = [
    ...callers.map((c): RequestPrincipal => ({ kind: "aws", arn: c.arn, accountId: c.accountId })),
    ...allowed.flatMap((c): RequestPrincipal[] =>
      c.kind === "oidc" ? [{ kind: "federated", provider: c.providerArn }] : [],
    ),
    { kind: "federated", provider: "*" },
  ];
  for (const [action, id] of SESSION_ACTIONS) {
    const admitted = principals.find((principal) => {
      const context: Record<string, string> =
        principal.kind === "aws"
          ? { "aws:PrincipalArn": principal.arn, "aws:PrincipalAccount": principal.accountId }
          : {};
      return judgeRequest(doc, { action, resource, principal, context }).allow !== "no";
    });
    if (admitted === undefined) continue;
    out.add(
      id,
      `${principalLabel(role)}: its trust policy lets ${
        admitted.kind === "aws" ? admitted.arn : "web identity callers"
      } call ${action}, so the caller chooses ${
        action === "sts:TagSession"
          ? "session tags that attribute-based access control in the account may trust"
          : "the source identity CloudTrail records for the whole role chain"
      }. CI callers run code that may not be reviewed yet. Fix: allow only sts:AssumeRole ` +
        `(or sts:AssumeRoleWithWebIdentity) in the trust (lib/plan/trust.ts).`,
      role.resource,
    );
  }
}

/**
 * Reports principals whose access tag is unknown at preview: which path's rules hold them
 * cannot be told, so the policy fails closed.
 */
function reportUnknownAccess(principals: readonly PrincipalEntry[], out: Findings): void {
  for (const principal of principals) {
    out.unreadable(principal.accessTag, principal.resource, `the ${ACCESS_TAG} tag`);
  }
}

function callersOf(arns: readonly string[]): { arn: string; accountId: string }[] {
  return arns.map((arn) => ({ arn, accountId: accountOfArn(arn) }));
}

/**
 * The ARNs of a path's CI roles: in a group stack, the core stack's, as the config names them
 * (the group holds none); otherwise the stack's own, after reporting why there are none.
 */
function ciRoleArnsOf(
  path: Topology,
  access: Access,
  noun: string,
  out: Findings,
): string[] | undefined {
  const { intent } = path;
  if (path.part === "group" && intent.kind === "known") {
    return access === "apply"
      ? intent.intent.applyRoles.map((r) => r.roleArn)
      : [intent.intent.planRoleArn];
  }
  if (!requireCiRole(path, out)) return undefined;
  reportSeveralCiRoles(path, out);
  return principalArns(path.ciRoles, out, noun);
}

/**
 * `terraform-role-trust-restrictive`: every Terraform role admits the CI role of its own path
 * only: a product Terraform role the CI apply role, a plan role the CI plan role.
 */
export function checkTerraformRoleTrust(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  reportUnknownAccess(topology.index.roles, out);
  for (const access of ciPaths(topology)) {
    const path = forAccess(topology, access);
    const nouns = PATH_NOUNS[access];
    if (access === "plan" && path.terraformRoles.length === 0) continue;
    const arns = ciRoleArnsOf(path, access, nouns.ciRole, out);
    if (arns === undefined) continue;
    for (const role of path.terraformRoles) {
      const own = role.arn.kind === "value" ? role.arn.value : undefined;
      const callers = access === "apply" ? applyCallersOf(topology, own, arns) : arns;
      checkRoleTrust(topology, role, callersOf(callers), nouns.ciRole, out);
    }
  }
}

/**
 * `ci-role-trust-restrictive`: every CI role admits its own path's CI identity only: the path's
 * IAM user, or the path's OIDC workflows (audience pinned, subjects of the allowed shapes).
 */
export function checkCiRoleTrust(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  reportUnknownAccess(topology.index.users, out);
  reportSeveralRepositories(topology, out);
  const scope = workflowScope(topology);
  const intent = requireIntent(
    topology.intent,
    out,
    "which OIDC subjects the stack config means each CI path to admit",
  );
  if (intent !== undefined && intent.ciMode === "iam-user") {
    for (const role of topology.workflowCiRoles) {
      const trust = trustDocument(role);
      if (typeof trust === "string" || !admitsWebIdentity(trust)) continue;
      out.add(
        "OIDC::NotConfigured",
        `${principalLabel(role)} trusts OIDC workflows, but the stack config's ci.mode is ` +
          `iam-user: no workflow is meant to take a CI role. Fix: remove the web identity ` +
          `statement, or set ci.mode to github-oidc or gitlab-oidc.`,
        role.resource,
      );
    }
  }
  for (const access of ciPaths(topology)) {
    const path = forAccess(topology, access);
    const nouns = PATH_NOUNS[access];
    if (!requireCiIdentity(path, out)) continue;
    reportSeveralCiIdentities(path, out);
    if (!requireCiRole(path, out)) continue;
    const arns = principalArns(path.ciIdentities, out, nouns.ciIdentity);
    if (arns === undefined) continue;
    for (const role of path.ciRoles) {
      const own = role.arn.kind === "value" ? role.arn.value : undefined;
      const callers = access === "apply" ? identitiesOf(topology, own, arns) : arns;
      checkRoleTrust(topology, role, callersOf(callers), nouns.ciIdentity, out, {
        access,
        scope,
        ...(intent !== undefined && intent.ciMode !== "iam-user"
          ? {
              expected:
                access === "apply"
                  ? subjectsOf(topology, own, intent.subjects.apply)
                  : intent.subjects[access],
            }
          : {}),
      });
    }
  }
}

/**
 * `ci-role-assume-scoped`: on each path, the CI role may assume exactly that path's product
 * roles: the CI apply role the product Terraform roles, the CI plan role the plan roles.
 *
 * Every Allow statement of the CI role's policies (inline, and managed policies the stack
 * defines) that covers `sts:AssumeRole` — by `Action`, a wildcard or `NotAction` — may name only
 * product Terraform role ARNs as `Resource`: a `NotResource`, a `*` or a pattern that matches
 * any other ARN grants more. Conditions are ignored (they can only narrow an Allow) and Deny
 * statements are not credited (a Deny that exactly cancels a wide Allow is not worth the risk
 * of misreading it), so the check may reject a safe policy but never accepts an unsafe one.
 * A managed policy whose document the stack does not define cannot be read and is rejected.
 * Then every product Terraform role must be assumable: a missing one is reported.
 */
import { reachOf } from "./apply-scope";
import { anyActionMatches, hasWildcard, wildcardMatch } from "../iam/matching";
import type { Statement } from "../iam/types";
import { patternIncludes } from "../iam/trust";
import { describe, type Findings } from "./finding";
import type { PrincipalEntry } from "./iam-index";
import { readableDocuments, type SourcedDocument } from "./principal-documents";
import { principalArns, requireCiRole, requireTerraformAccount } from "./prerequisites";
import { ciPaths, forAccess, PATH_NOUNS, principalLabel, type Topology } from "./topology";

const ASSUME = "sts:AssumeRole";

function coversAssume(statement: Statement): boolean {
  if (statement.Action) return anyActionMatches(statement.Action, ASSUME);
  return !anyActionMatches(statement.NotAction ?? [], ASSUME);
}

function actionText(statement: Statement): string {
  return statement.Action
    ? `Action ${JSON.stringify(statement.Action)}`
    : `NotAction ${JSON.stringify(statement.NotAction)}`;
}

function beyond(pattern: string, allowed: ReadonlySet<string>): string | undefined {
  if (allowed.has(pattern)) return undefined;
  if (!hasWildcard(pattern)) return pattern;
  const inclusion = patternIncludes(pattern, [...allowed]);
  if (inclusion.kind === "included") return undefined;
  return inclusion.kind === "not-included" ? inclusion.witness : `an ARN matching ${pattern}`;
}

function checkStatements(
  role: PrincipalEntry,
  source: SourcedDocument,
  allowed: ReadonlySet<string>,
  productNoun: string,
  out: Findings,
): void {
  source.document.Statement.forEach((statement, index) => {
    if (statement.Effect !== "Allow" || !coversAssume(statement)) return;
    const where = `${source.label} Statement[${index}]${statement.Sid ? ` (Sid "${statement.Sid}")` : ""}`;
    const fix =
      `Fix: list exactly the ${productNoun} ARNs as Resource ` +
      `(lib/plan/ci.ts builds them from config), with no wildcard.`;
    if (statement.NotResource !== undefined) {
      out.add(
        "NotResource",
        `${principalLabel(role)}: ${where} allows sts:AssumeRole through ${actionText(statement)} ` +
          `on every resource except ${JSON.stringify(statement.NotResource)}, i.e. on roles ` +
          `that are not ${productNoun}s. ${fix}`,
        source.resource,
      );
      return;
    }
    for (const pattern of statement.Resource ?? ["*"]) {
      const extra = beyond(pattern, allowed);
      if (extra === undefined) continue;
      out.add(
        `Resource::${pattern}`,
        `${principalLabel(role)}: ${where} allows sts:AssumeRole through ${actionText(statement)} ` +
          `on Resource "${pattern}", which ${pattern === extra ? "is" : `also matches ${extra}, which is`} ` +
          `not a ${productNoun}. ${fix}`,
        source.resource,
      );
    }
  });
}

function assumable(docs: readonly SourcedDocument[], arn: string): boolean {
  let allowed = false;
  for (const { document } of docs) {
    for (const statement of document.Statement) {
      if (!coversAssume(statement)) continue;
      const hit = statement.Resource
        ? statement.Resource.some((p) => p === "*" || wildcardMatch(p, arn))
        : !(statement.NotResource ?? []).some((p) => p === "*" || wildcardMatch(p, arn));
      if (!hit) continue;
      if (statement.Effect === "Deny" && statement.Condition === undefined) return false;
      if (statement.Effect === "Allow") allowed = true;
    }
  }
  return allowed;
}

/** `ci-role-assume-scoped`: for each path, its CI role may assume exactly its product roles. */
export function checkCiRoleAssumeScope(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  for (const access of ciPaths(topology)) {
    const path = forAccess(topology, access);
    if (access === "plan" && path.ciRoles.length === 0 && path.productRoles.length === 0) continue;
    if (requireCiRole(path, out)) checkPath(path, PATH_NOUNS[access].productRole, out);
  }
}

/**
 * The product roles a path's CI roles must reach: in a core stack, every account of the
 * organisation's, as its config names them (the groups hold the roles); otherwise the stack's.
 */
function productArnsOf(
  topology: Topology,
  productNoun: string,
  out: Findings,
): string[] | undefined {
  const { intent } = topology;
  if (topology.part === "core" && intent.kind === "known" && intent.intent.org) {
    const accounts = Object.values(intent.intent.org.contract.accounts);
    return accounts.map((a) => (topology.access === "plan" ? a.planRoleArn : a.roleArn));
  }
  return principalArns(topology.productRoles, out, productNoun);
}

function checkPath(topology: Topology, productNoun: string, out: Findings): void {
  const productArns = productArnsOf(topology, productNoun, out);
  if (productArns === undefined) return;
  for (const role of topology.ciRoles) {
    // With per-environment apply roles, each reaches its own environment's Terraform roles.
    const own = role.arn.kind === "value" ? role.arn.value : undefined;
    const reach = topology.access === "apply" ? reachOf(topology, own, productArns) : productArns;
    const allowed = new Set(reach);
    const docs = readableDocuments(topology, role, out);
    for (const doc of docs) checkStatements(role, doc, allowed, productNoun, out);
    // A core stack's product roles live in the group stacks: every one the config names.
    const targets =
      topology.part === "core"
        ? productArns.map((arn) => ({ arn, where: "an account-group stack's role" }))
        : topology.productRoles.flatMap((p) =>
            p.arn.kind === "value" ? [{ arn: p.arn.value, where: describe(p.resource) }] : [],
          );
    for (const { arn, where } of targets) {
      if (!allowed.has(arn) || assumable(docs, arn)) continue;
      out.add(
        `Missing::${arn}`,
        `${principalLabel(role)} may not assume the ${productNoun} ${arn} ` +
          `(${where}): none of its policies allows sts:AssumeRole on it, so ` +
          `Terraform cannot reach that account. Fix: add the role's ARN to the CI role's ` +
          `assume policies (<CI role>-assume-N; they are built from config.productAccounts).`,
        role.resource,
      );
    }
  }
}

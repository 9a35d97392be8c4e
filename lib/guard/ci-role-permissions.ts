/**
 * `ci-role-least-privilege`: each CI role may do exactly what its path needs, and nothing else.
 *
 * | path  | may                                                                                  |
 * | ----- | ------------------------------------------------------------------------------------ |
 * | both  | list the state bucket; read its objects; use the Terraform account's KMS keys        |
 * |       | (`kms:Decrypt`, `Encrypt`, `GenerateDataKey*`, `ReEncrypt*`, `DescribeKey`, and      |
 * |       | `CreateGrant` with a lock table); hold the lock table's items; `sts:AssumeRole`      |
 * | apply | write state objects under the key prefix; delete lockfiles there                     |
 * | plan  | put and delete lockfiles under the key prefix                                        |
 *
 * Which roles they may assume is `ci-role-assume-scoped`'s question. Every Allow of the CI
 * role's documents (inline, and managed policies the stack defines) is expanded with the IAM
 * action catalog: each action it grants must be one of the above, on resources inside the
 * above's (pattern inclusion, exact). `NotAction` and `NotResource` cannot be bounded and are
 * reported; conditions are not credited (they only narrow). A grant outside this table is a
 * permission the CI role holds in the Terraform account, where state and the audit trail live.
 */
import { bucketArn, kmsKeysArn } from "../arn";
import { expandAction } from "../iam/access-level";
import { anyActionMatches } from "../iam/matching";
import { patternIncludes } from "../iam/trust/glob-solver";
import { LOCK_TABLE_ACTIONS } from "../plan/ci";
import { KEY_USE_ACTIONS } from "../plan/kms";
import type { Access } from "../plan/model";
import type { Findings } from "./finding";
import type { PrincipalEntry } from "./iam-index";
import { requireIntent, type StackIntent } from "./intent";
import { readableDocuments } from "./principal-documents";
import { requireTerraformAccount } from "./prerequisites";
import { forAccess, principalLabel, type Topology } from "./topology";

/** Actions on resources, as a grant of the table above. */
interface Grant {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** The grants a CI role of `access` may hold (the module table), for the stack's intent. */
export function ciRoleGrants(intent: StackIntent, access: Access): Grant[] {
  const bucket = bucketArn(intent.partition, intent.state.bucket);
  const objects = `${bucket}/${intent.state.keyPrefix}/*`;
  const lockfiles = `${bucket}/${intent.state.keyPrefix}/*.tflock`;
  const keys = kmsKeysArn(intent.partition, intent.region, intent.terraformAccountId);
  const grants: Grant[] = [
    { actions: ["s3:ListBucket"], resources: [bucket] },
    { actions: ["s3:GetObject"], resources: [`${bucket}/*`] },
    {
      actions: [...KEY_USE_ACTIONS, ...(intent.state.lockTableArn ? ["kms:CreateGrant"] : [])],
      resources: [keys],
    },
    { actions: ["sts:AssumeRole"], resources: ["*"] },
    access === "apply"
      ? { actions: ["s3:PutObject"], resources: [objects] }
      : { actions: ["s3:PutObject"], resources: [lockfiles] },
    { actions: ["s3:DeleteObject"], resources: [lockfiles] },
  ];
  if (intent.state.lockTableArn !== undefined) {
    grants.push({
      actions: LOCK_TABLE_ACTIONS,
      resources: [intent.state.lockTableArn],
    });
  }
  return grants;
}

/** Whether `resource` (a pattern of a statement) lies inside the resources `grants` give `action`. */
function inside(grants: readonly Grant[], action: string, resource: string): boolean {
  const allowed = grants
    .filter((g) => anyActionMatches(g.actions, action))
    .flatMap((g) => g.resources);
  if (allowed.includes("*")) return true;
  return allowed.length > 0 && patternIncludes(resource, allowed).kind === "included";
}

const FIX =
  "Fix: keep the CI roles' policies as lib/plan/ci.ts plans them (state access, the state " +
  "key through storage, the lock, and assuming the product roles); give other permissions to " +
  "another role.";

function checkRole(
  topology: Topology,
  role: PrincipalEntry,
  access: Access,
  grants: readonly Grant[],
  out: Findings,
): void {
  for (const source of readableDocuments(topology, role, out)) {
    source.document.Statement.forEach((statement, index) => {
      if (statement.Effect !== "Allow") return;
      const where = `${principalLabel(role)} (the CI ${access} role): ${source.label} Statement[${index}]`;
      if (statement.NotAction !== undefined) {
        out.add(
          "NotAction",
          `${where} allows every action except ${JSON.stringify(statement.NotAction)}. ${FIX}`,
          source.resource,
        );
        return;
      }
      if (statement.NotResource !== undefined) {
        out.add(
          "NotResource",
          `${where} allows its actions on every resource except ${JSON.stringify(statement.NotResource)}. ${FIX}`,
          source.resource,
        );
        return;
      }
      const resources = statement.Resource ?? ["*"];
      for (const pattern of statement.Action ?? []) {
        const expanded = expandAction(pattern);
        const actions =
          expanded.ok && expanded.actions.length > 0
            ? expanded.actions.map((a) => a.action)
            : [pattern];
        const outside = actions.filter((action) =>
          resources.some((resource) => !inside(grants, action, resource)),
        );
        if (outside.length === 0) continue;
        out.add(
          `Action::${pattern}`,
          `${where} allows ${JSON.stringify(pattern)} on ${JSON.stringify(resources)}, which ` +
            `grants ${outside.length === 1 ? outside[0] : `${outside.length} actions (${outside.slice(0, 5).join(", ")}${outside.length > 5 ? ", ..." : ""})`} ` +
            `beyond what the ${access} path needs. ${FIX}`,
          source.resource,
        );
      }
    });
  }
}

/** `ci-role-least-privilege`. */
export function checkCiRoleLeastPrivilege(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const intent = requireIntent(topology.intent, out, "what the CI roles' state access is");
  if (intent === undefined) return;
  for (const access of ["apply", "plan"] as const) {
    const grants = ciRoleGrants(intent, access);
    for (const role of forAccess(topology, access).ciRoles) {
      checkRole(topology, role, access, grants, out);
    }
  }
}

/**
 * `plan-role-read-only`: every plan role (a role of the plan path, see `topology.ts`) can only
 * read, and cannot read secrets.
 *
 * - Each Allow of its documents (inline, and managed policies the stack defines) grants only
 *   actions whose access level in the Service Authorization Reference is List or Read, checked
 *   by the action catalog (`lib/iam/access-level.ts`), not by action names: `ec2:Describe*` is
 *   judged by every action it matches.
 * - An AWS managed policy is accepted only when it is one of the read-only policies the config
 *   allows; any other managed policy cannot be read and fails closed.
 * - Its inline policies deny, without condition and on every resource, each action that reads
 *   secret values (Secrets Manager values, SSM SecureString decryption, KMS decryption, ...).
 *
 * The CI plan role (the plan path's CI role, in the Terraform account) is held to the same
 * classification, with the writes a plan needs and nothing else: S3 object writes only on
 * lockfiles (`*.tflock`), the lock table's items, the state key's use through storage, and
 * assuming roles (which roles: `ci-role-assume-scoped`).
 */
import { isReadOnlyManagedPolicy, READ_ONLY_MANAGED_POLICIES } from "../config/rules";
import { expandAction, nonReadOnlyGrants } from "../iam/access-level";
import { LOCK_TABLE_ACTIONS, LOCKFILE_ACTIONS } from "../plan/ci";
import { KEY_USE_ACTIONS } from "../plan/kms";
import { ASSUME_ACTIONS } from "../plan/trust";
import { anyActionMatches } from "../iam/matching";
import type { PolicyDocument } from "../iam/types";
import { SECRET_READ_ACTIONS } from "../plan/plan-permissions";
import type { Findings } from "./finding";
import { permissionsOf, type PrincipalEntry } from "./iam-index";
import { readableDocuments } from "./principal-documents";
import { requireTerraformAccount } from "./prerequisites";
import { forAccess, principalLabel, type Topology } from "./topology";

const FIX =
  "Fix: the plan role's permissions come from terraformRole.allowedServices (read actions " +
  "only) and terraformPlanRole.managedPolicyArns (read-only AWS managed policies); do not add " +
  "or attach policies to it (lib/plan/plan-permissions.ts).";

/** Findings of a document by its text: every plan role's documents are the same. */
type Grants = Map<string, ReturnType<typeof nonReadOnlyGrants>>;

function grantsOf(document: PolicyDocument, cache: Grants): ReturnType<typeof nonReadOnlyGrants> {
  const key = JSON.stringify(document);
  let found = cache.get(key);
  if (found === undefined) {
    found = nonReadOnlyGrants(document);
    cache.set(key, found);
  }
  return found;
}

function checkRole(topology: Topology, role: PrincipalEntry, cache: Grants, out: Findings): void {
  const permissions = permissionsOf(topology.index, role);
  const readable = new Set(
    permissions.managedArns.filter((arn) => topology.index.managedPolicy(arn) !== undefined),
  );
  for (const arn of permissions.managedArns) {
    if (readable.has(arn) || isReadOnlyManagedPolicy(arn)) continue;
    out.add(
      `ManagedPolicy::${arn}`,
      `${principalLabel(role)} has the managed policy ${arn} attached, which is not one of the ` +
        `read-only AWS managed policies (${READ_ONLY_MANAGED_POLICIES.join(", ")}) and whose ` +
        `document the stack does not define, so the policy cannot prove it read-only. ${FIX}`,
      role.resource,
    );
  }
  // The read-only AWS managed policies are judged by their ARN; readableDocuments reads the
  // rest (inline, and managed policies the stack defines).
  const docs = readableDocuments(topology, role, out, isReadOnlyManagedPolicy);
  for (const source of docs) {
    for (const finding of grantsOf(source.document, cache)) {
      out.add(
        finding.id,
        `${principalLabel(role)}: ${source.label}: ${finding.message} A plan role runs ` +
          `\`terraform plan\` on code nobody has approved yet; it must not be able to change ` +
          `anything. ${FIX}`,
        source.resource,
      );
    }
  }
  const inlineDenies = docs
    .filter((d) => d.label.startsWith("inline policy "))
    .flatMap((d) => d.document.Statement)
    .filter(
      (s) =>
        s.Effect === "Deny" &&
        s.Condition === undefined &&
        s.NotResource === undefined &&
        (s.Resource ?? []).includes("*"),
    );
  for (const action of SECRET_READ_ACTIONS) {
    if (inlineDenies.some((s) => s.Action !== undefined && anyActionMatches(s.Action, action))) {
      continue;
    }
    out.add(
      `Secrets::NotDenied:${action}`,
      `${principalLabel(role)} does not deny ${action} outright (an unconditional Deny on ` +
        `Resource "*" in an inline policy): a read-only managed policy or a future read ` +
        `permission could let plans on unreviewed code read secret values through it. ` +
        `Fix: keep the plan role's DenyReadingSecrets statement (lib/plan/plan-permissions.ts).`,
      role.resource,
    );
  }
}

type ResourceTest = (resource: string) => boolean;

let planPathWrites: Map<string, ResourceTest> | undefined;

/**
 * The writes a plan makes, by lower-case action, with where the CI plan role may make them:
 * the planner's own action lists (lib/plan/ci.ts, kms.ts, trust.ts), expanded by the catalog.
 */
function planPathWritesByAction(): ReadonlyMap<string, ResourceTest> {
  if (planPathWrites === undefined) {
    const writes = new Map<string, ResourceTest>();
    const add = (patterns: readonly string[], where: ResourceTest) => {
      for (const pattern of patterns) {
        const expanded = expandAction(pattern);
        if (!expanded.ok) continue;
        for (const a of expanded.actions) writes.set(a.action.toLowerCase(), where);
      }
    };
    add(LOCKFILE_ACTIONS, (r) => r.endsWith(".tflock"));
    add(LOCK_TABLE_ACTIONS, (r) => r.includes(":table/"));
    add(KEY_USE_ACTIONS, (r) => r.includes(":key/"));
    add(ASSUME_ACTIONS, () => true);
    planPathWrites = writes;
  }
  return planPathWrites;
}

/** Whether every write `finding` grants is one a plan needs, on the statement's resources. */
function planPathWrite(
  finding: ReturnType<typeof nonReadOnlyGrants>[number],
  document: PolicyDocument,
): boolean {
  if (finding.kind !== "NonReadAction") return false;
  const statement = document.Statement[finding.statement];
  const resources = statement?.Resource;
  if (statement === undefined || resources === undefined) return false;
  return finding.grants.every((grant) => {
    const allowed = planPathWritesByAction().get(grant.action.toLowerCase());
    return allowed !== undefined && resources.every(allowed);
  });
}

function checkCiPlanRole(
  topology: Topology,
  role: PrincipalEntry,
  cache: Grants,
  out: Findings,
): void {
  for (const source of readableDocuments(topology, role, out)) {
    for (const finding of grantsOf(source.document, cache)) {
      if (planPathWrite(finding, source.document)) continue;
      out.add(
        finding.id,
        `${principalLabel(role)} (the CI plan role): ${source.label}: ${finding.message} The ` +
          `plan path writes nothing but lockfiles and lock items; this grant would let a ` +
          `pull request's plan change state or more. Fix: keep the CI plan role's policies as ` +
          `lib/plan/ci.ts plans them.`,
        source.resource,
      );
    }
  }
}

/** `plan-role-read-only`. */
export function checkPlanRoleReadOnly(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const cache: Grants = new Map();
  for (const role of forAccess(topology, "plan").ciRoles) {
    checkCiPlanRole(topology, role, cache, out);
  }
  for (const role of forAccess(topology, "plan").terraformRoles) {
    checkRole(topology, role, cache, out);
  }
}

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
 * The CI plan role (the plan path's CI role, in the Terraform account) is held to what a plan
 * needs by `ci-role-least-privilege`.
 */
import { isReadOnlyManagedPolicy, READ_ONLY_MANAGED_POLICIES } from "../config/rules";
import { nonReadOnlyGrants } from "../iam/access-level";
import { anyActionMatches } from "../iam/matching";
import type { PolicyDocument } from "../iam/types";
import { CREDENTIAL_READ_DENIES, CREDENTIAL_READ_REVIEWS } from "../iam/credential-reads";
import { SECRET_READ_ACTIONS } from "../iam/secret-reads";
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
  const denied = (action: string) =>
    inlineDenies.some((s) => s.Action !== undefined && anyActionMatches(s.Action, action));
  const readOnlyManaged = permissions.managedArns.some(isReadOnlyManagedPolicy);
  const open = credentialReadsGranted(docs, readOnlyManaged).filter((a) => !denied(a));
  if (open.length > 0) {
    const shown = open
      .slice(0, 8)
      .map((a) => `${a} (${credentialReason(a)})`)
      .join("; ");
    out.add(
      "Credentials::NotDenied",
      `${principalLabel(role)} may call ${open.length} read action(s) that return or mint a ` +
        `credential, and does not deny them outright (an unconditional Deny on Resource "*" in ` +
        `an inline policy): ${shown}${open.length > 8 ? `; and ${open.length - 8} more` : ""}. ` +
        `A plan of unreviewed code could mint a credential through them. Fix: keep the plan ` +
        `role's DenyReadingSecrets statement, which names the credential reads of the services ` +
        `it reads, or of every service when a read-only AWS managed policy is attached ` +
        `(lib/plan/plan-permissions.ts secretReadDenies); attach such a policy through ` +
        `terraformPlanRole.managedPolicyArns, never by hand.`,
      role.resource,
    );
  }
  for (const action of SECRET_READ_ACTIONS) {
    if (denied(action)) continue;
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

/**
 * The credential reads (`CREDENTIAL_READ_DENIES`) a role with these documents may be granted:
 * every one when a read-only AWS managed policy is attached (it reads across AWS), otherwise
 * those an Allow of its documents matches.
 */
function credentialReadsGranted(
  docs: readonly { readonly document: PolicyDocument }[],
  readOnlyManaged: boolean,
): string[] {
  if (readOnlyManaged) return [...CREDENTIAL_READ_DENIES];
  return CREDENTIAL_READ_DENIES.filter((action) =>
    docs.some(({ document }) =>
      document.Statement.some(
        (s) =>
          s.Effect === "Allow" &&
          (s.Action
            ? anyActionMatches(s.Action, action)
            : !anyActionMatches(s.NotAction ?? [], action)),
      ),
    ),
  );
}

/** Why a credential read is denied, from its review. */
function credentialReason(action: string): string {
  const review = CREDENTIAL_READ_REVIEWS.find((r) => r.action === action);
  return review?.reason ?? "it returns a secret value";
}

/** `plan-role-read-only`. */
export function checkPlanRoleReadOnly(topology: Topology, out: Findings): void {
  if (!requireTerraformAccount(topology, out)) return;
  const cache: Grants = new Map();
  for (const role of forAccess(topology, "plan").terraformRoles) {
    checkRole(topology, role, cache, out);
  }
}

/**
 * The OIDC workflows a CI role may admit, read from its own trust and held to the shapes the
 * design allows (see lib/plan/oidc.ts):
 *
 * - the audience is the one the stack's OIDC provider accepts (its single client id), or,
 *   for a provider the stack does not define, the single audience the trust pins;
 * - every subject names exactly one repository, with no wildcard in its owner, group, project
 *   or repository part;
 * - on the apply path a subject is exact: GitHub `repo:O/R:environment:NAME` or
 *   `repo:O/R:ref:refs/heads/BRANCH`, GitLab `project_path:G/P:ref_type:branch:ref:BRANCH`;
 * - on the plan path GitHub also admits `repo:O/R:pull_request`, and a GitLab ref may hold a
 *   wildcard (merge request pipelines run on any branch).
 *
 * A subject outside those shapes is reported and left out of the allowed callers, so the trust
 * analyzer then also proves whether the trust admits it. Only the stack's own OIDC provider is
 * an allowed issuer ({@link workflowScope}), and every subject of every CI role must name the
 * same repository.
 */
import type { AllowedCaller } from "../iam/trust";
import type { PolicyDocument } from "../iam/types";
import { oidcKeyPrefix } from "../iam/trust/statements";
import type { Access } from "../plan/model";
import type { Findings } from "./finding";
import type { PrincipalEntry } from "./iam-index";
import { oidcProviderArn } from "../arn";
import { readString, readStringList } from "./read";
import { principalLabel, trustDocument, type Topology } from "./topology";

/** The issuer host of GitHub Actions tokens. */
const GITHUB_HOST = "token.actions.githubusercontent.com";

/** The audience aws-actions/configure-aws-credentials requests by default. */
const DEFAULT_AUDIENCE = "sts.amazonaws.com";

const WILDCARD = /[*?]/;

/** Why `subject` is not allowed on `access`'s path, or `undefined` when it is. */
export function subjectProblem(host: string, subject: string, access: Access): string | undefined {
  if (host === GITHUB_HOST) {
    const match = /^repo:([^:/]+)\/([^:]+):(.+)$/.exec(subject);
    if (!match) return "is not a GitHub subject of the form repo:OWNER/REPO:CONTEXT";
    const [, owner = "", repo = "", context = ""] = match;
    if (WILDCARD.test(owner) || WILDCARD.test(repo)) {
      return "has a wildcard in the owner or repository part, so workflows of other repositories could take the role";
    }
    if (WILDCARD.test(context)) {
      return "has a wildcard in its context; only exact environments, branches or pull_request are allowed";
    }
    if (/^(environment:[^:]+|ref:refs\/heads\/[^:]+)$/.test(context)) return undefined;
    if (context === "pull_request") {
      return access === "plan"
        ? undefined
        : "admits every pull request job, whose code nobody has approved yet; the apply path admits only protected environments or the protected branch";
    }
    return "has a context other than environment:NAME, ref:refs/heads/BRANCH or pull_request";
  }
  const match = /^project_path:([^:]+):ref_type:(branch|tag):ref:(.+)$/.exec(subject);
  if (!match) {
    return "is not a GitLab subject of the form project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH";
  }
  const [, project = "", , ref = ""] = match;
  if (WILDCARD.test(project) || !project.includes("/")) {
    return "does not name exactly one project (a wildcard in the group or project part would let pipelines of other projects take the role)";
  }
  if (WILDCARD.test(ref) && access === "apply") {
    return "has a wildcard in its ref; the apply path admits only the protected branch";
  }
  return undefined;
}

/** The repository (GitHub `OWNER/REPO`, GitLab project path) a well-formed subject names. */
export function subjectRepository(host: string, subject: string): string | undefined {
  const match =
    host === GITHUB_HOST
      ? /^repo:([^:]+):/.exec(subject)
      : /^project_path:([^:]+):ref_type:/.exec(subject);
  const repository = match?.[1];
  return repository === undefined || host !== GITHUB_HOST ? repository : repository.toLowerCase();
}

/** What OIDC callers a stack may admit at all. */
export interface WorkflowScope {
  /** The OIDC providers CI roles may trust: the Terraform account's provider of the stack. */
  readonly providers: ReadonlySet<string>;
}

/**
 * The providers CI roles may trust: those the stack defines in the Terraform account; when it
 * defines none (a provider the account already has), the one provider of the Terraform account
 * the CI roles' trusts name, if they name exactly one.
 */
export function workflowScope(topology: Topology): WorkflowScope {
  const tf = topology.terraformAccount;
  if (tf.kind !== "resolved") return { providers: new Set() };
  const defined = topology.oidcProviders.flatMap((p) => {
    const url = readString(p.props, ["url"]);
    return url.kind === "value"
      ? [oidcProviderArn(tf.partition, tf.id, url.value.replace(/^https:\/\//, "").toLowerCase())]
      : [];
  });
  if (topology.oidcProviders.length > 0) return { providers: new Set(defined) };
  const named = new Set<string>();
  for (const role of topology.workflowCiRoles) {
    for (const statement of trustStatements(role)) {
      const federated = statement.Principal === "*" ? [] : (statement.Principal?.Federated ?? []);
      for (const arn of federated) if (arn.includes(":oidc-provider/")) named.add(arn);
    }
  }
  const inAccount = [...named].filter((arn) =>
    arn.startsWith(`arn:${tf.partition}:iam::${tf.id}:`),
  );
  return { providers: new Set(named.size === 1 ? inAccount : []) };
}

function trustStatements(role: PrincipalEntry): PolicyDocument["Statement"] {
  const doc = trustDocument(role);
  return typeof doc === "string" ? [] : doc.Statement;
}

/**
 * Reports OIDC subjects that name another repository than the stack's: the repository most
 * subjects of the CI roles name (subjects of a shape no path allows are reported by
 * {@link workflowCallers} instead). With no clear majority, every CI role is reported.
 */
export function reportSeveralRepositories(topology: Topology, out: Findings): void {
  const named: { role: PrincipalEntry; subject: string; repository: string }[] = [];
  for (const role of topology.workflowCiRoles) {
    for (const statement of trustStatements(role)) {
      for (const arn of statement.Principal === "*" ? [] : (statement.Principal?.Federated ?? [])) {
        const host = oidcKeyPrefix(arn);
        for (const subject of conditionValues(statement.Condition, `${host}:sub`)) {
          const repository = subjectRepository(host, subject);
          // Subjects of a shape no path allows are reported by workflowCallers.
          if (repository !== undefined && subjectProblem(host, subject, "plan") === undefined) {
            named.push({ role, subject, repository });
          }
        }
      }
    }
  }
  const counts = new Map<string, number>();
  for (const n of named) counts.set(n.repository, (counts.get(n.repository) ?? 0) + 1);
  if (counts.size <= 1) return;
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const [top, second] = ranked;
  const all = ranked
    .map(([r]) => r)
    .sort()
    .join(", ");
  if (top !== undefined && second !== undefined && top[1] === second[1]) {
    for (const role of new Set(named.map((n) => n.role))) {
      out.add(
        "OIDC::SeveralRepositories",
        `${principalLabel(role)}: the CI roles trust workflows of ${counts.size} repositories ` +
          `(${all}) equally often; the stack's CI runs from one repository, and every other ` +
          `one's workflows could take a CI role. Fix: set ci.repository to the one repository ` +
          `(lib/plan/oidc.ts pins it in every subject).`,
        role.resource,
      );
    }
    return;
  }
  const main = top?.[0];
  for (const n of named) {
    if (n.repository === main) continue;
    out.add(
      `OIDC::Subject:${n.subject}`,
      `${principalLabel(n.role)} trusts the OIDC subject "${n.subject}", of the repository ` +
        `${n.repository}, while the stack's CI roles otherwise trust ${main}: that repository's ` +
        `workflows could take the role. Fix: set ci.repository to the one repository; the ` +
        `planner pins it in every subject (lib/plan/oidc.ts).`,
      n.role.resource,
    );
  }
}

/** The audience the stack's provider for `host` accepts, when it defines exactly one. */
function providerAudience(topology: Topology, host: string): string | undefined {
  for (const provider of topology.oidcProviders) {
    const url = readString(provider.props, ["url"]);
    if (url.kind !== "value" || url.value.replace(/^https:\/\//, "").toLowerCase() !== host) {
      continue;
    }
    const ids = readStringList(provider.props, ["clientIdLists"]);
    if (ids.kind === "value" && ids.value.length === 1) return ids.value[0];
  }
  return undefined;
}

/** The values a statement's condition gives `key` (case-insensitive), under any operator. */
function conditionValues(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  key: string,
): string[] {
  const values: string[] = [];
  for (const block of Object.values(condition ?? {})) {
    for (const [k, v] of Object.entries(block)) if (k.toLowerCase() === key) values.push(...v);
  }
  return values;
}

/**
 * The OIDC callers `role` may admit on `access`'s path (see the module comment); subjects
 * outside the allowed shapes are reported.
 */
export function workflowCallers(
  doc: PolicyDocument,
  role: PrincipalEntry,
  topology: Topology,
  scope: WorkflowScope,
  access: Access,
  out: Findings,
  /**
   * The subjects the stack config means this path to admit (the intent): when given, a subject
   * is allowed only if it is one of them, exactly; the shapes above only explain why not.
   */
  expected?: readonly string[],
): AllowedCaller[] {
  const callers = new Map<string, { audience: string; subjects: Set<string> }>();
  for (const statement of doc.Statement) {
    if (statement.Effect !== "Allow") continue;
    for (const providerArn of statement.Principal === "*"
      ? []
      : (statement.Principal?.Federated ?? [])) {
      // Any other issuer stays out of the allowed callers: the analyzer reports what it admits.
      if (!scope.providers.has(providerArn)) continue;
      const host = oidcKeyPrefix(providerArn);
      const pinned = conditionValues(statement.Condition, `${host}:aud`);
      const audience =
        providerAudience(topology, host) ?? (pinned.length === 1 ? pinned[0] : DEFAULT_AUDIENCE);
      const entry = callers.get(providerArn) ?? {
        audience: audience ?? DEFAULT_AUDIENCE,
        subjects: new Set<string>(),
      };
      callers.set(providerArn, entry);
      for (const subject of conditionValues(statement.Condition, `${host}:sub`)) {
        const shape = subjectProblem(host, subject, access);
        const problem =
          expected === undefined
            ? shape
            : expected.includes(subject)
              ? undefined
              : `is not one of the subjects the stack config means the ${access} path to admit ` +
                `(${expected.join(", ") || "none"})${shape !== undefined ? `; it ${shape}` : ""}`;
        if (problem === undefined) {
          entry.subjects.add(subject);
          continue;
        }
        out.add(
          `OIDC::Subject:${subject}`,
          `${principalLabel(role)} trusts the OIDC subject "${subject}", which ${problem}. ` +
            `Fix: set ci.repository (no wildcards), ci.branch and the accounts' environments in ` +
            `the stack config; the planner pins the subjects (lib/plan/oidc.ts).`,
          role.resource,
        );
      }
    }
  }
  return [...callers].map(([providerArn, c]) => ({
    kind: "oidc",
    providerArn,
    audience: c.audience,
    subjects: [...c.subjects],
  }));
}

/**
 * Access-level analysis: which actions an `Action` pattern grants, and whether a policy grants
 * only List and Read actions, judged by the access levels of the Service Authorization Reference
 * (see `./action-catalog`), never by what an action's name looks like.
 *
 * The analysis fails closed: what the catalog cannot classify (an unknown service, an action it
 * does not list, a `NotAction`) is reported, because it cannot be proved read-only.
 */
import {
  catalogAction,
  catalogServices,
  catalogVersion,
  isCatalogService,
  isReadOnly,
  serviceCatalog,
  ACTION_CATALOG_PACKAGE,
  type CatalogAction,
} from "./action-catalog";
import { actionMatches, hasWildcard, wildcardMatch } from "./matching";
import type { PolicyDocument, Statement } from "./types";

/** Result of {@link expandAction}. */
export type ExpandResult =
  | {
      readonly ok: true;
      /** Every catalog action the pattern matches, by service then name; may be empty. */
      readonly actions: readonly CatalogAction[];
    }
  | {
      readonly ok: false;
      /** The pattern's service part, lower case, which names no service the catalog knows. */
      readonly unknownService: string;
    };

type Candidates =
  | { readonly ok: true; readonly services: readonly string[] }
  | { readonly ok: false; readonly unknownService: string };

/**
 * The services whose actions `pattern` may match. An action name has exactly one colon, so in a
 * pattern with a colon the part before the first colon matches the service prefix alone; a
 * pattern without a colon matches across it when it has a wildcard (`*`, `s3*`), so every
 * service is a candidate, and matches nothing when it has none.
 */
function candidateServices(pattern: string): Candidates {
  const colon = pattern.indexOf(":");
  if (colon < 0) {
    return { ok: true, services: hasWildcard(pattern) ? catalogServices() : [] };
  }
  const servicePart = pattern.slice(0, colon).toLowerCase();
  const services = hasWildcard(servicePart)
    ? catalogServices().filter((service) => wildcardMatch(servicePart, service))
    : isCatalogService(servicePart)
      ? [servicePart]
      : [];
  return services.length === 0
    ? { ok: false, unknownService: servicePart }
    : { ok: true, services };
}

/**
 * Every action the catalog knows that the IAM action pattern `pattern` matches (case-insensitive;
 * `*` and `?` wildcards, as IAM matches them), with its access levels. When the pattern's service
 * part names no service the catalog knows (`foo:Get*`, `nosuch*:*`), the result says so instead;
 * a known service with no matching action gives an empty list.
 */
export function expandAction(pattern: string): ExpandResult {
  const candidates = candidateServices(pattern);
  if (!candidates.ok) {
    return candidates;
  }
  if (!hasWildcard(pattern)) {
    const exact = catalogAction(pattern);
    return { ok: true, actions: exact === undefined ? [] : [exact] };
  }
  const actions: CatalogAction[] = [];
  for (const service of candidates.services) {
    for (const entry of serviceCatalog(service)?.actions ?? []) {
      if (actionMatches(pattern, entry.action)) {
        actions.push(entry);
      }
    }
  }
  return { ok: true, actions };
}

/** How many granted actions a finding's message names before it gives the count. */
const NAMED_IN_MESSAGE = 5;

interface FindingBase {
  /**
   * Stable id an exception can name: `NotAction`, `Action::ec2:RunInstances`, `Action::ec2:*`,
   * `UnknownService::foo`, `UnknownAction::s3:Frobnicate`. Exact actions are spelled as the
   * catalog spells them and service prefixes in lower case, so two spellings of one action share
   * an id.
   */
  readonly id: string;
  /** The statement, the pattern, what it grants, and how to fix it. */
  readonly message: string;
  /** Where, e.g. `Statement[0].Action[2]` or `Statement[1].NotAction`. */
  readonly path: string;
  /** Index of the statement in the document. */
  readonly statement: number;
  /** The statement's Sid, when it has one. */
  readonly sid?: string;
}

/**
 * Why a policy cannot be proved read-only. `kind` says which rule found it:
 * - `NotAction`: an Allow with NotAction grants every action it does not list;
 * - `NonReadAction`: a pattern matches actions whose access level is not List or Read;
 * - `UnknownService`: the pattern's service is not in the catalog;
 * - `UnknownAction`: the pattern matches no action the catalog lists for its service.
 */
export type ReadOnlyFinding =
  | (FindingBase & { readonly kind: "NotAction" })
  | (FindingBase & {
      readonly kind: "NonReadAction";
      readonly pattern: string;
      /** Every action the pattern grants that is not read-only, sorted. */
      readonly grants: readonly CatalogAction[];
    })
  | (FindingBase & {
      readonly kind: "UnknownService";
      readonly pattern: string;
      readonly service: string;
    })
  | (FindingBase & { readonly kind: "UnknownAction"; readonly pattern: string });

function statementLabel(index: number, statement: Statement): string {
  return statement.Sid === undefined || statement.Sid === ""
    ? `Statement[${index}]`
    : `Statement[${index}] (Sid "${statement.Sid}")`;
}

function describeGrant(grant: CatalogAction): string {
  return `${grant.action} (${grant.levels.join(", ")})`;
}

function listGrants(grants: readonly CatalogAction[]): string {
  const named = grants.slice(0, NAMED_IN_MESSAGE).map(describeGrant).join(", ");
  const more = grants.length - NAMED_IN_MESSAGE;
  return more > 0 ? `${named}, and ${more} more` : named;
}

/** `ec2:*` for `EC2:*`: the service prefix lower-cased, the rest as written. */
function canonicalPattern(pattern: string): string {
  const colon = pattern.indexOf(":");
  return colon < 0 ? pattern : `${pattern.slice(0, colon).toLowerCase()}${pattern.slice(colon)}`;
}

function catalogName(): string {
  return `the IAM action catalog (${ACTION_CATALOG_PACKAGE} ${catalogVersion()})`;
}

function patternFinding(
  pattern: string,
  base: Omit<FindingBase, "id" | "message">,
  where: string,
): ReadOnlyFinding | undefined {
  const expanded = expandAction(pattern);
  const shown = JSON.stringify(pattern);
  if (!expanded.ok) {
    return {
      ...base,
      kind: "UnknownService",
      pattern,
      service: expanded.unknownService,
      id: `UnknownService::${expanded.unknownService}`,
      message:
        `${where} allows ${shown}, whose service "${expanded.unknownService}" is not in ` +
        `${catalogName()}, so it cannot be proved read-only. Fix: correct the service prefix, ` +
        `or update ${ACTION_CATALOG_PACKAGE} if the service is new.`,
    };
  }
  if (expanded.actions.length === 0) {
    return {
      ...base,
      kind: "UnknownAction",
      pattern,
      id: `UnknownAction::${canonicalPattern(pattern)}`,
      message:
        `${where} allows ${shown}, which matches no action ${catalogName()} lists, so it ` +
        `cannot be proved read-only. Fix: correct the action name, or update ` +
        `${ACTION_CATALOG_PACKAGE} if the action is new.`,
    };
  }
  const grants = expanded.actions.filter((action) => !isReadOnly(action));
  if (grants.length === 0) {
    return undefined;
  }
  const exact = !hasWildcard(pattern) ? expanded.actions[0] : undefined;
  const id = `Action::${exact?.action ?? canonicalPattern(pattern)}`;
  const fix =
    exact === undefined
      ? `Fix: replace ${shown} with the List and Read actions needed, or with narrower ` +
        `patterns that match only List and Read actions.`
      : `Fix: remove ${shown}; a read-only policy grants only List and Read actions.`;
  const what =
    exact === undefined
      ? `which grants ${grants.length} of ${expanded.actions.length} matching actions that are ` +
        `not List or Read: ${listGrants(grants)}.`
      : `which is not List or Read: ${describeGrant(exact)}.`;
  return {
    ...base,
    kind: "NonReadAction",
    pattern,
    grants,
    id,
    message: `${where} allows ${shown}, ${what} ${fix}`,
  };
}

/**
 * Every reason `doc` may grant an action whose access level is not List or Read. An empty list
 * proves (against the pinned catalog) that the document's Allow statements grant only List and
 * Read actions. Rules:
 * - only Allow statements count: a Deny only removes permissions;
 * - conditions and resources are ignored: they only narrow what an Allow grants;
 * - an Allow with `NotAction` is a finding: it grants everything it does not list;
 * - a pattern is a finding when any action it matches is not List or Read, when its service is
 *   unknown, or when it matches no catalog action (it may match an action the catalog does not
 *   know yet).
 * A pattern repeated within one statement is reported once.
 */
export function nonReadOnlyGrants(doc: PolicyDocument): ReadOnlyFinding[] {
  const findings: ReadOnlyFinding[] = [];
  doc.Statement.forEach((statement, index) => {
    if (statement.Effect !== "Allow") {
      return;
    }
    const where = statementLabel(index, statement);
    const base = {
      statement: index,
      ...(statement.Sid !== undefined ? { sid: statement.Sid } : {}),
    };
    if (statement.NotAction !== undefined) {
      findings.push({
        ...base,
        kind: "NotAction",
        id: "NotAction",
        path: `Statement[${index}].NotAction`,
        message:
          `${where} allows every action except ${JSON.stringify(statement.NotAction)}, so it ` +
          `cannot be proved read-only: it grants whatever it does not list, including actions ` +
          `AWS adds later. Fix: use Action with the List and Read actions needed.`,
      });
    }
    const seen = new Set<string>();
    (statement.Action ?? []).forEach((pattern, position) => {
      const key = pattern.toLowerCase();
      if (seen.has(key)) {
        return;
      }
      seen.add(key);
      const finding = patternFinding(
        pattern,
        { ...base, path: `Statement[${index}].Action[${position}]` },
        where,
      );
      if (finding !== undefined) {
        findings.push(finding);
      }
    });
  });
  return findings;
}

/**
 * Reads that mint or return credentials. The Service Authorization Reference classes many
 * actions as Read or List although their answer is a credential, a token, a key, a password, a
 * secret value, a presigned URL or data a policy chose to hide: `sts:GetSessionToken`,
 * `ecr:GetAuthorizationToken`, `cognito-identity:GetCredentialsForIdentity`, `s3:GetDataAccess`.
 * A role granted "only List and Read" (the plan role, or a read-only managed policy) may call
 * them, so code that runs as that role could mint a credential.
 *
 * - {@link detectCredentialReads} scans the IAM action catalog (`./action-catalog`) for List and
 *   Read actions whose name or description matches a pattern of `./credential-read-patterns`.
 * - `./credential-read-reviews` holds the verdict and reason for every action it flags.
 * - {@link unreviewedCredentialReads} and {@link credentialReadTableProblems} tell when the two
 *   drift apart, as they do when an upgrade of the catalog brings new actions of the class.
 * - {@link CREDENTIAL_READ_DENIES} is what a read-only role must be denied.
 */
import {
  ACTION_CATALOG_PACKAGE,
  catalogAction,
  catalogServices,
  catalogVersion,
  isReadOnly,
  serviceCatalog,
  type AccessLevel,
  type CatalogAction,
} from "./action-catalog";
import { CREDENTIAL_READ_PATTERNS, type CredentialReadPattern } from "./credential-read-patterns";
import {
  CREDENTIAL_READ_REVIEWS,
  type CredentialReadReview,
  type CredentialReadVerdict,
} from "./credential-read-reviews";
import { SECRET_READ_ACTIONS } from "./secret-reads";

export { CREDENTIAL_READ_REVIEWS, type CredentialReadReview, type CredentialReadVerdict };

/** The file a reviewer edits; named in messages. */
export const CREDENTIAL_READ_REVIEWS_FILE = "lib/iam/credential-read-reviews.ts";

/** A List or Read action the detector flags. */
export interface DetectedCredentialRead {
  /** `service:Name`, as the catalog spells it. */
  readonly action: string;
  /** Its access levels (List, Read or both). */
  readonly levels: readonly AccessLevel[];
  /** Its catalog description. */
  readonly description: string;
  /** Ids of the patterns that matched, in pattern order (`name:Token`, `description:token`). */
  readonly matchedBy: readonly string[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The action's name without its service prefix: `GetSessionToken` for `sts:GetSessionToken`. */
function actionName(action: string): string {
  return action.slice(action.indexOf(":") + 1);
}

/**
 * The ids of the patterns that match `action` (its name, or its catalog description), whatever
 * its access level. Empty when none does.
 */
export function credentialReadMatches(
  action: CatalogAction,
  patterns: readonly CredentialReadPattern[] = CREDENTIAL_READ_PATTERNS,
): string[] {
  const name = actionName(action.action);
  return patterns
    .filter((p) => p.pattern.test(p.target === "name" ? name : action.description))
    .map((p) => p.id);
}

let detectedWithDefaults: readonly DetectedCredentialRead[] | undefined;

/**
 * Every action of the catalog whose access levels are all List or Read and that a pattern
 * matches, sorted by action. Reads every service of the catalog; with the default patterns the
 * result is computed once per process.
 */
export function detectCredentialReads(
  patterns: readonly CredentialReadPattern[] = CREDENTIAL_READ_PATTERNS,
): readonly DetectedCredentialRead[] {
  if (patterns === CREDENTIAL_READ_PATTERNS && detectedWithDefaults !== undefined) {
    return detectedWithDefaults;
  }
  const detected: DetectedCredentialRead[] = [];
  for (const service of catalogServices()) {
    for (const entry of serviceCatalog(service)?.actions ?? []) {
      if (!isReadOnly(entry)) {
        continue;
      }
      const matchedBy = credentialReadMatches(entry, patterns);
      if (matchedBy.length > 0) {
        detected.push({
          action: entry.action,
          levels: entry.levels,
          description: entry.description,
          matchedBy,
        });
      }
    }
  }
  detected.sort((a, b) => compare(a.action, b.action));
  if (patterns === CREDENTIAL_READ_PATTERNS) {
    detectedWithDefaults = detected;
  }
  return detected;
}

/**
 * What the detector flags that `table` does not review (actions compared case-insensitively), in
 * detection order. Empty when every flagged action has a verdict.
 */
export function unreviewedCredentialReads(
  table: readonly CredentialReadReview[] = CREDENTIAL_READ_REVIEWS,
  detected: readonly DetectedCredentialRead[] = detectCredentialReads(),
): DetectedCredentialRead[] {
  const reviewed = new Set(table.map((r) => r.action.toLowerCase()));
  return detected.filter((d) => !reviewed.has(d.action.toLowerCase()));
}

/**
 * Why the reviewed table does not fit the catalog. `code` says which rule found it:
 * - `Unreviewed`: the detector flags an action the table does not review;
 * - `NotInCatalog`: an entry names an action the catalog no longer lists;
 * - `Misspelled`: an entry names a catalog action with other capitals than the catalog's;
 * - `NotReadOnly`: an entry's action is no longer only List or Read (its level changed; the read
 *   statement does not grant it, and a deny of it belongs with the other write denies);
 * - `NoReason`: an entry's reason is empty;
 * - `BadVerdict`: an entry's verdict is neither `deny` nor `allow`;
 * - `Duplicate`: two entries name the same action;
 * - `Unsorted`: an entry is out of order (the table is kept sorted by action).
 */
export type CredentialReadTableProblemCode =
  | "Unreviewed"
  | "NotInCatalog"
  | "Misspelled"
  | "NotReadOnly"
  | "NoReason"
  | "BadVerdict"
  | "Duplicate"
  | "Unsorted";

/** One problem of the reviewed table, as data. */
export interface CredentialReadTableProblem {
  readonly code: CredentialReadTableProblemCode;
  readonly action: string;
  /** Where: `CREDENTIAL_READ_REVIEWS[12]`, or `catalog` for an unreviewed action. */
  readonly path: string;
  /** What is wrong, the value found, and how to fix it. */
  readonly message: string;
}

function catalogName(): string {
  return `${ACTION_CATALOG_PACKAGE} ${catalogVersion()}`;
}

function unreviewedProblem(d: DetectedCredentialRead): CredentialReadTableProblem {
  return {
    code: "Unreviewed",
    action: d.action,
    path: "catalog",
    message:
      `${d.action} (${d.levels.join(", ")}) is flagged by ${d.matchedBy.join(", ")} ` +
      `("${d.description}") and has no verdict. Review it: read what AWS's API reference says ` +
      `its response carries, then add deny("${d.action}", reason) if it returns or mints a ` +
      `credential, token, key, password, secret value or presigned URL (or AWS publishes no ` +
      `response), else allow("${d.action}", reason), to ${CREDENTIAL_READ_REVIEWS_FILE}, and ` +
      `name the Terraform resources that refresh with it.`,
  };
}

function entryProblems(
  entry: CredentialReadReview,
  index: number,
  previous: CredentialReadReview | undefined,
  seen: Map<string, number>,
): CredentialReadTableProblem[] {
  const path = `CREDENTIAL_READ_REVIEWS[${index}]`;
  const problems: CredentialReadTableProblem[] = [];
  const problem = (code: CredentialReadTableProblemCode, message: string): void => {
    problems.push({ code, action: entry.action, path, message });
  };
  const shown = JSON.stringify(entry.action);
  const key = entry.action.toLowerCase();
  const first = seen.get(key);
  if (first !== undefined) {
    problem(
      "Duplicate",
      `${shown} is reviewed twice (also CREDENTIAL_READ_REVIEWS[${first}]). Fix: keep one entry.`,
    );
  } else {
    seen.set(key, index);
  }
  if (previous !== undefined && compare(previous.action, entry.action) > 0) {
    problem(
      "Unsorted",
      `${shown} comes after ${JSON.stringify(previous.action)}. Fix: keep the table sorted by ` +
        `action.`,
    );
  }
  if (entry.verdict !== "deny" && entry.verdict !== "allow") {
    problem(
      "BadVerdict",
      `${shown} has the verdict ${JSON.stringify(entry.verdict)}; allowed: "deny", "allow".`,
    );
  }
  if (entry.reason.trim() === "") {
    problem(
      "NoReason",
      `${shown} has no reason. Fix: say in one line what its answer carries, so a reviewer ` +
        `can check the verdict against AWS's API reference.`,
    );
  }
  const known = catalogAction(entry.action);
  if (known === undefined) {
    problem(
      "NotInCatalog",
      `${shown} is not in the IAM action catalog (${catalogName()}): AWS renamed or removed it. ` +
        `Fix: remove the entry, and review the action that replaces it, if any.`,
    );
  } else {
    if (known.action !== entry.action) {
      problem(
        "Misspelled",
        `${shown} is spelled ${JSON.stringify(known.action)} in the IAM action catalog. Fix: ` +
          `use the catalog's spelling.`,
      );
    }
    if (!isReadOnly(known)) {
      problem(
        "NotReadOnly",
        `${shown} is now ${known.levels.join(", ")} in the IAM action catalog ` +
          `(${catalogName()}), not List or Read: the table reviews only reads. Fix: remove the ` +
          `entry; if it still returns a credential, deny it where write actions are denied.`,
      );
    }
  }
  return problems;
}

/**
 * Every problem of `table` against the catalog and `detected`: unreviewed detections first (in
 * detection order), then each entry's problems in table order. Empty when the table is complete
 * and current. Never throws for a bad table.
 */
export function credentialReadTableProblems(
  table: readonly CredentialReadReview[] = CREDENTIAL_READ_REVIEWS,
  detected: readonly DetectedCredentialRead[] = detectCredentialReads(),
): CredentialReadTableProblem[] {
  const seen = new Map<string, number>();
  return [
    ...unreviewedCredentialReads(table, detected).map(unreviewedProblem),
    ...table.flatMap((entry, index) => entryProblems(entry, index, table[index - 1], seen)),
  ];
}

/**
 * The actions a read-only role must be denied, sorted and without repeats: every action the
 * table reviews as `deny`, and every action of `SECRET_READ_ACTIONS`
 * (`lib/plan/plan-permissions.ts`, which stay denied whatever the table says: Parameter Store
 * values, `kms:Decrypt`, `kms:ReEncryptFrom` and other reads the detector does not flag).
 */
export const CREDENTIAL_READ_DENIES: readonly string[] = [
  ...new Set([
    ...CREDENTIAL_READ_REVIEWS.filter((r) => r.verdict === "deny").map((r) => r.action),
    ...SECRET_READ_ACTIONS,
  ]),
].sort(compare);

/**
 * The permissions of the Terraform plan role: what `terraform plan` on a pull request runs as in
 * every product account. It reads the services the Terraform role manages, and nothing it is
 * granted writes: every pattern in its Allow is proved read-only against the IAM action catalog
 * (`nonReadOnlyGrants` of the document is empty). An explicit Deny keeps secret values out of
 * reach even when another policy of the role (a read-only AWS managed policy) or a resource
 * policy (a KMS key policy naming the role) would allow them.
 */
import { isReadOnly, serviceCatalog, type CatalogAction } from "../iam/action-catalog";
import { expandAction } from "../iam/access-level";
import { allow, deny } from "../iam/documents";
import type { Statement } from "../iam/types";

/** Sid of the plan role's read statement. */
export const PLAN_READ_SID = "ReadManagedServices";

/** Sid of the plan role's Deny on secret values. */
export const DENY_SECRET_READS_SID = "DenyReadingSecrets";

import { CREDENTIAL_READ_DENIES } from "../iam/credential-reads";
import { SECRET_READ_ACTIONS } from "../iam/secret-reads";

export {
  KMS_DECRYPT_ACTIONS,
  OTHER_SECRET_READ_ACTIONS,
  PARAMETER_STORE_VALUE_ACTIONS,
  SECRET_READ_ACTIONS,
  SECRETS_MANAGER_VALUE_ACTIONS,
} from "../iam/secret-reads";

/**
 * What the plan role is denied: every action of {@link SECRET_READ_ACTIONS}, and the reads that
 * mint or return credentials (`CREDENTIAL_READ_DENIES`, each reviewed in
 * lib/iam/credential-read-reviews.ts) of the services it can read: `services`, or every
 * service when a read-only AWS managed policy is attached (`"all"`: such a policy reads across
 * AWS). Sorted, without repeats.
 */
export function secretReadDenies(services: readonly string[] | "all"): string[] {
  const wanted = services === "all" ? undefined : new Set(services.map((s) => s.toLowerCase()));
  const credential = CREDENTIAL_READ_DENIES.filter(
    (action) => wanted === undefined || wanted.has(action.slice(0, action.indexOf(":"))),
  );
  return [...new Set([...SECRET_READ_ACTIONS, ...credential])].sort();
}

/**
 * The plan role's explicit Deny on {@link secretReadDenies}, on every resource. It needs no
 * exception for Terraform state: the plan role never reads state (the CI plan role does, in the
 * Terraform account). One statement, returned as a list to spread into a document.
 */
export function denySecretReads(services: readonly string[] | "all"): Statement[] {
  return [
    deny({ sid: DENY_SECRET_READS_SID, actions: secretReadDenies(services), resources: ["*"] }),
  ];
}

/**
 * The positions where a word starts in an action name, after the first: `GetDBInstances` →
 * `Get|DB|Instances`. An upper-case letter starts a word when a lower-case letter or a digit
 * comes before it, or when it is the last capital of an acronym (`DBInstances`: the `I`).
 */
function wordStarts(name: string): number[] {
  const isUpper = (c: string | undefined): boolean => c !== undefined && c >= "A" && c <= "Z";
  const isLowerOrDigit = (c: string | undefined): boolean =>
    c !== undefined && ((c >= "a" && c <= "z") || (c >= "0" && c <= "9"));
  const starts: number[] = [];
  for (let i = 1; i < name.length; i += 1) {
    const [before, here, after] = [name[i - 1], name[i], name[i + 1]];
    if (isUpper(here) && (isLowerOrDigit(before) || (isUpper(before) && isLowerOrDigit(after)))) {
      starts.push(i);
    }
  }
  return starts;
}

/**
 * Verbs of actions the Service Authorization Reference classes as Read although they change
 * something: `sqs:ReceiveMessage` hides messages from their consumers, `logs:StartQuery` runs
 * (and bills) a query, `ssm:PutConfigurePackageResult` records a result. A plan needs none of
 * them, so the plan role is not granted any Read action whose name starts with one of these.
 */
export const SIDE_EFFECT_VERBS: readonly string[] = [
  "Allow",
  "Cancel",
  "Create",
  "Delete",
  "Execute",
  "Invoke",
  "Purge",
  "Put",
  "Receive",
  "Reset",
  "Run",
  "Send",
  "Start",
  "Stop",
  "Update",
];

/** Whether the plan role may be granted `action`: read-only, and no side-effect verb. */
export function isPlanGrantable(action: CatalogAction): boolean {
  const name = action.action.slice(action.action.indexOf(":") + 1);
  const verb = /^[A-Z][a-z]+/.exec(name)?.[0] ?? name;
  return isReadOnly(action) && !SIDE_EFFECT_VERBS.includes(verb);
}

/**
 * Read-only patterns for one service's List and Read actions (but those with a
 * {@link SIDE_EFFECT_VERBS} verb). For each such action, the
 * shortest whole-word prefix (`Describe`, `Get`, `GetConsole`) whose pattern `service:Prefix*`
 * matches only List and Read actions, and at least two of them, stands for it; an action with no
 * such prefix is named exactly. Word boundaries (not the shortest string that happens to be
 * clean, such as `Des*`) keep the patterns readable and unlikely to catch a write action AWS adds
 * later. Returns `[]` for a service the catalog does not know. Sorted.
 */
export function readPatternsForService(service: string): string[] {
  const catalog = serviceCatalog(service);
  if (catalog === undefined) {
    return [];
  }
  const verdicts = new Map<string, boolean>();
  const cleanPrefix = (prefix: string): boolean => {
    const key = prefix.toLowerCase();
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      const expanded = expandAction(`${catalog.service}:${prefix}*`);
      verdict =
        expanded.ok &&
        expanded.actions.length >= 2 &&
        expanded.actions.every((action: CatalogAction) => isPlanGrantable(action));
      verdicts.set(key, verdict);
    }
    return verdict;
  };
  const patterns = new Set<string>();
  for (const action of catalog.actions) {
    if (!isPlanGrantable(action)) {
      continue;
    }
    const name = action.action.slice(catalog.service.length + 1);
    const prefix = wordStarts(name)
      .map((end) => name.slice(0, end))
      .find(cleanPrefix);
    patterns.add(prefix === undefined ? action.action : `${catalog.service}:${prefix}*`);
  }
  return [...patterns].sort();
}

/**
 * The services of `services` that the IAM action catalog does not know (lower case, sorted,
 * without repeats). {@link planReadStatements} grants nothing for them; report them so the user
 * can correct the name or update the catalog.
 */
export function servicesWithoutCatalog(services: readonly string[]): string[] {
  const unknown = new Set(
    services.map((s) => s.toLowerCase()).filter((s) => serviceCatalog(s) === undefined),
  );
  return [...unknown].sort();
}

/**
 * The plan role's read access to `services` (the Terraform role's `allowedServices`): one Allow
 * statement on every resource, with {@link readPatternsForService} of each service, sorted.
 * Services the catalog does not know get nothing (fail closed; see
 * {@link servicesWithoutCatalog}). Returns `[]` when nothing is readable.
 */
export function planReadStatements(services: readonly string[]): Statement[] {
  const unique = [...new Set(services.map((s) => s.toLowerCase()))].sort();
  const actions = unique.flatMap(readPatternsForService).sort();
  return actions.length === 0 ? [] : [allow({ sid: PLAN_READ_SID, actions, resources: ["*"] })];
}

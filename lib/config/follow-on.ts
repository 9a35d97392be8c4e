/**
 * Follow-on problems: problems that only exist because of another one that is already reported.
 * One misspelt `productAccounts` would otherwise also make it "missing" and every apply-order
 * entry "not the workspace of any account"; the user needs the first line only.
 */
import type { ConfigProblem } from "../errors/config-error";

/** A problem with what the parser knows about its kind. */
export interface TaggedProblem {
  readonly problem: ConfigProblem;
  /** A key the schema does not know, under `parent`, with the known key it resembles. */
  readonly unknownKey?: { readonly parent: string; readonly suggestion: string | undefined };
  /** A required setting that is missing. */
  readonly required?: boolean;
}

/**
 * Settings whose problem makes the problems under other paths follow-ons: the apply order names
 * workspaces, which come from the product accounts.
 */
const DEPENDENTS: readonly { readonly cause: string; readonly dependent: string }[] = [
  { cause: "tf-bootstrap:productAccounts", dependent: "tf-bootstrap:ci.pipeline.applyOrder" },
];

/** Settings that a CI mode refuses; a problem with their value is moot while they are refused. */
const MODE_SETTINGS: Readonly<Record<string, (mode: string) => boolean>> = {
  userName: (mode) => mode !== "iam-user",
  planUserName: (mode) => mode !== "iam-user",
  createAccessKey: (mode) => mode !== "iam-user",
  oidcProvider: (mode) => mode === "iam-user",
  audience: (mode) => mode === "iam-user",
  gitlabUrl: (mode) => mode !== "gitlab-oidc",
};

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

function ciMode(config: Readonly<Record<string, unknown>>): string | undefined {
  const ci = config.ci;
  if (typeof ci !== "object" || ci === null || Array.isArray(ci)) return "iam-user";
  const mode = (ci as Record<string, unknown>).mode;
  if (mode === undefined) return "iam-user";
  return typeof mode === "string" ? mode : undefined;
}

/**
 * The problems to report: a misspelt key and the missing key it was meant to be become one
 * problem, and problems that follow from a reported one are dropped.
 */
export function suppressFollowOns(
  tagged: readonly TaggedProblem[],
  config: Readonly<Record<string, unknown>>,
): ConfigProblem[] {
  const merged = new Map<TaggedProblem, ConfigProblem>();
  const dropped = new Set<TaggedProblem>();
  for (const t of tagged) {
    if (!t.unknownKey?.suggestion) continue;
    const { parent, suggestion } = t.unknownKey;
    const intended = parent.includes(":") ? `${parent}.${suggestion}` : `${parent}:${suggestion}`;
    const missing = tagged.find((m) => m.required && m.problem.path === intended);
    if (!missing) continue;
    dropped.add(missing);
    merged.set(t, {
      ...t.problem,
      message: `is not a known setting; did you mean '${suggestion}'? '${suggestion}' is required and missing, so rename this key to '${suggestion}'.`,
    });
  }

  const kept = tagged.filter((t) => !dropped.has(t));
  const reported = new Set([
    ...kept.map((t) => t.problem.path),
    ...[...dropped].map((t) => t.problem.path),
  ]);
  const causes = DEPENDENTS.filter(({ cause }) => reported.has(cause));
  const mode = ciMode(config);
  const refused = new Set(
    Object.entries(MODE_SETTINGS)
      .filter(([, refusedIn]) => mode !== undefined && refusedIn(mode))
      .map(([key]) => `tf-bootstrap:ci.${key}`)
      .filter((path) => kept.some((t) => t.problem.path === path && !t.required)),
  );
  const modeProblem = new Map<string, TaggedProblem>();
  for (const path of refused) {
    // The mode rule's own problem names the mode; keep that one for the path.
    const own = kept.find((t) => t.problem.path === path && /mode/.test(t.problem.message));
    if (own) modeProblem.set(path, own);
  }

  return kept
    .filter((t) => {
      const path = t.problem.path;
      if (causes.some(({ dependent }) => under(path, dependent))) return false;
      for (const [refusedPath, own] of modeProblem) {
        if (under(path, refusedPath) && t !== own) return false;
      }
      return true;
    })
    .map((t) => merged.get(t) ?? t.problem);
}

/**
 * The stacks the mutation corpus edits: the example stacks synthesized on the mock runtime and
 * shaped as the engine holds them at their first preview (values computed from other resources
 * unknown), plus variants built from them by config: GitLab OIDC, a DynamoDB lock, and admins
 * with a permissions boundary.
 */
import { configuredStack, exampleStack, type EngineResource } from "../helpers/engine";
import { getValue, stackConfig, withValue } from "../../helpers/stack";
import { synthesize } from "../../../scripts/synth/mock-runtime";

/** The core stack of the `org-*` variants: example-oidc's organisation split across stacks. */
export const ORG_CORE = "corpus-org-core";

/** example-oidc as the core stack of a split organisation. */
function orgCoreConfig(): Record<string, string> {
  return withValue(stackConfig("example-oidc"), "orgStack", { part: "core" });
}

/** example-oidc's dev and staging accounts as an account-group stack of {@link ORG_CORE}. */
function orgGroupConfig(): Record<string, string> {
  const flat = stackConfig("example-oidc");
  const ci = getValue<Record<string, unknown>>(flat, "ci");
  const accounts = getValue<Record<string, unknown>[]>(flat, "productAccounts");
  const groupCi = Object.fromEntries(Object.entries(ci).filter(([key]) => key !== "pipeline"));
  return withValue(
    withValue(
      withValue(flat, "ci", groupCi),
      "productAccounts",
      accounts.filter((a) => a.name === "dev" || a.name === "staging"),
    ),
    "orgStack",
    { part: "group", core: ORG_CORE },
  );
}

/** The stacks of the corpus. */
export const CORPUS_STACKS = [
  "iam-user",
  "github",
  "gitlab",
  "dynamodb",
  "boundary",
  "environments",
  "org-core",
  "org-group",
] as const;

/** One of {@link CORPUS_STACKS}. */
export type CorpusStack = (typeof CORPUS_STACKS)[number];

/** The GitLab project of the `gitlab` variant. */
export const GITLAB_PROJECT = "acme/platform/infrastructure";

/** A second admin principal of the `boundary` variant. */
export const SECOND_ADMIN = "arn:aws:iam::111111111111:user/break-glass";

async function build(stack: CorpusStack): Promise<EngineResource[]> {
  switch (stack) {
    case "iam-user":
      return exampleStack("example");
    // The OIDC stacks with one CI apply role shared by every environment, the layout the
    // corpus's CI-role edits are written against; the per-environment layout is broken edit by
    // edit in test/policy-pack/apply-environment.test.ts.
    case "github": {
      const flat = stackConfig("example-oidc");
      const ci = getValue<Record<string, unknown>>(flat, "ci");
      return configuredStack(
        withValue(flat, "ci", { ...ci, applyRoles: "shared" }),
        "corpus-github",
      );
    }
    case "environments":
      return exampleStack("example-oidc");
    case "org-core":
      return configuredStack(orgCoreConfig(), ORG_CORE);
    case "org-group": {
      // The core's outputs as its own synth gives them (what the StackReference reads).
      const core = await synthesize(orgCoreConfig(), { stack: ORG_CORE });
      return configuredStack(orgGroupConfig(), "corpus-org-group", { [ORG_CORE]: core.outputs });
    }
    case "gitlab": {
      const flat = stackConfig("example-oidc");
      const ci = getValue<Record<string, unknown>>(flat, "ci");
      return configuredStack(
        withValue(flat, "ci", {
          ...ci,
          applyRoles: "shared",
          mode: "gitlab-oidc",
          repository: GITLAB_PROJECT,
        }),
        "corpus-gitlab",
      );
    }
    case "dynamodb": {
      const flat = stackConfig("example");
      const state = getValue<Record<string, unknown>>(flat, "state");
      return configuredStack(
        withValue(flat, "state", { ...state, lock: "dynamodb" }),
        "corpus-ddb",
      );
    }
    case "boundary": {
      const flat = stackConfig("example");
      const role = getValue<Record<string, unknown>>(flat, "terraformRole");
      const admins = getValue<string[]>(flat, "adminPrincipals");
      return configuredStack(
        withValue(
          withValue(flat, "terraformRole", {
            ...role,
            allowedServices: [...(role.allowedServices as string[]), "iam"],
            permissionsBoundary: "TerraformBoundary",
          }),
          "adminPrincipals",
          [...admins, SECOND_ADMIN],
        ),
        "corpus-boundary",
      );
    }
  }
}

const built = new Map<CorpusStack, Promise<EngineResource[]>>();

/** The stack `stack` (synthesized once per run). Callers must not change it: clone first. */
export function corpusStack(stack: CorpusStack): Promise<EngineResource[]> {
  let found = built.get(stack);
  if (found === undefined) {
    found = build(stack);
    built.set(stack, found);
  }
  return found;
}

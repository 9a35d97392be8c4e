/**
 * The account lifecycle on a stack file: add, remove, rename and move an account, each planned
 * as an edit of the file's text (see `stack-edit.ts`) plus what the change means beyond the
 * file: workspaces, state, CI environments, the apply order. Pure: text in, text and notes out.
 * Nothing is written here.
 *
 * Every change is validated twice: the file as it is must be a valid config (fix it first), and
 * the file as it would be must be one too; otherwise the change is refused with every problem.
 */
import { decodePulumiConfig, parseStackConfig, type TopologyConfig } from "../config/parse";
import { flatConfigFromStackFile } from "../config/stack-file";
import { formatProblems, type ConfigProblem } from "../errors/config-error";
import {
  appendAccount,
  removeAccount,
  rewriteApplyOrder,
  setAccountField,
  type AccountEntry,
  type EditResult,
} from "./stack-edit";

/** A change to the stack's product accounts. */
export type AccountChange =
  | {
      readonly kind: "add";
      readonly entry: AccountEntry;
      /** Written at the end of the entry's first line (the OU it came from, say). */
      readonly comment?: string;
    }
  | { readonly kind: "remove"; readonly name: string }
  | {
      /**
       * The account's workspace (and so its state path) becomes `to`; its CI environment too
       * when it followed the workspace. The account's `name`, the key Pulumi knows its
       * resources by, stays: changing it would replace the account's roles.
       */
      readonly kind: "rename";
      readonly name: string;
      readonly to: string;
    }
  | { readonly kind: "move"; readonly name: string; readonly environment: string };

/** A workspace whose state must move to a new workspace. */
export interface WorkspaceMove {
  readonly from: string;
  readonly to: string;
}

/** A planned change: the new file text, both configs, and what it means. */
export interface PlannedChange {
  readonly change: AccountChange;
  readonly text: string;
  readonly before: TopologyConfig;
  readonly after: TopologyConfig;
  /** One sentence per consequence beyond the file, in the order they matter. */
  readonly notes: readonly string[];
  /** Workspaces whose state must be moved before the pipeline runs them. */
  readonly stateMoves: readonly WorkspaceMove[];
}

/** The outcome of planning. */
export type PlanResult =
  | { readonly ok: true; readonly planned: PlannedChange }
  | { readonly ok: false; readonly message: string };

/** Validates a stack file's text as the program would; returns the config or every problem. */
export function configOfText(
  text: string,
): { ok: true; config: TopologyConfig } | { ok: false; problems: readonly ConfigProblem[] } {
  let flat: Record<string, string>;
  try {
    flat = flatConfigFromStackFile(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return {
      ok: false,
      problems: [{ path: "(file)", value: undefined, message: `is not valid YAML: ${message}` }],
    };
  }
  const parsed = parseStackConfig(decodePulumiConfig(flat));
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, problems: parsed.problems };
}

function chain(text: string, ...edits: ((t: string) => EditResult)[]): EditResult {
  let current = text;
  for (const edit of edits) {
    const result = edit(current);
    if (!result.ok) return result;
    current = result.text;
  }
  return { ok: true, text: current };
}

function edit(text: string, change: AccountChange, before: TopologyConfig): EditResult {
  const account = (name: string) => before.productAccounts.find((a) => a.name === name);
  switch (change.kind) {
    case "add":
      return appendAccount(text, change.entry, change.comment);
    case "remove": {
      const workspace = before.names.workspaces[change.name];
      return chain(
        text,
        (t) => removeAccount(t, change.name),
        (t) => rewriteApplyOrder(t, (w) => (w === workspace ? undefined : w)),
      );
    }
    case "rename": {
      const current = account(change.name);
      const workspace = before.names.workspaces[change.name];
      if (current === undefined || workspace === undefined) {
        return { ok: false, message: `no product account named '${change.name}'` };
      }
      if (workspace === change.to) {
        return {
          ok: false,
          message: `account '${change.name}' already has workspace '${change.to}'`,
        };
      }
      return chain(
        text,
        (t) => setAccountField(t, change.name, "workspace", change.to),
        (t) => rewriteApplyOrder(t, (w) => (w === workspace ? change.to : w)),
      );
    }
    case "move": {
      if (account(change.name) === undefined) {
        return { ok: false, message: `no product account named '${change.name}'` };
      }
      if (before.names.environments[change.name] === change.environment) {
        return {
          ok: false,
          message: `account '${change.name}' is in environment '${change.environment}' already`,
        };
      }
      return setAccountField(text, change.name, "environment", change.environment);
    }
  }
}

function problemsMessage(headline: string, problems: readonly ConfigProblem[]): string {
  return `${headline}\n${formatProblems(problems, "the stack file").split("\n").slice(1).join("\n")}`;
}

/**
 * Plans `change` on the stack file `text`. Refuses, with every problem, a file that is not a
 * valid config now or would not be one after the change.
 */
export function planAccountChange(text: string, change: AccountChange): PlanResult {
  const now = configOfText(text);
  if (!now.ok) {
    return {
      ok: false,
      message: problemsMessage(
        "the stack file is not a valid config as it is; fix it first (nothing was changed):",
        now.problems,
      ),
    };
  }
  const edited = edit(text, change, now.config);
  if (!edited.ok) return { ok: false, message: `${edited.message}; nothing was changed` };
  const next = configOfText(edited.text);
  if (!next.ok) {
    return {
      ok: false,
      message: problemsMessage(
        `the change would make the stack file invalid, so it was not made:`,
        next.problems,
      ),
    };
  }
  const stateMoves = workspaceMoves(now.config, next.config);
  return {
    ok: true,
    planned: {
      change,
      text: edited.text,
      before: now.config,
      after: next.config,
      notes: consequences(now.config, next.config, stateMoves),
      stateMoves,
    },
  };
}

/** Workspaces of accounts present before and after whose workspace changed. */
export function workspaceMoves(before: TopologyConfig, after: TopologyConfig): WorkspaceMove[] {
  const moves: WorkspaceMove[] = [];
  for (const [name, from] of Object.entries(before.names.workspaces)) {
    const to = after.names.workspaces[name];
    if (to !== undefined && to !== from) moves.push({ from, to });
  }
  return moves;
}

function environmentsOf(config: TopologyConfig): Set<string> {
  return new Set(Object.values(config.names.environments));
}

/** What a change means beyond the stack file, one sentence each. */
export function consequences(
  before: TopologyConfig,
  after: TopologyConfig,
  moves: readonly WorkspaceMove[],
): string[] {
  const notes: string[] = [];
  const beforeNames = new Set(before.productAccounts.map((a) => a.name));
  const afterNames = new Set(after.productAccounts.map((a) => a.name));
  const state = (workspace: string) =>
    `s3://${before.names.stateBucket}/${before.state.keyPrefix}/${workspace}/terraform.tfstate`;
  for (const account of after.productAccounts) {
    if (beforeNames.has(account.name)) continue;
    const workspace = after.names.workspaces[account.name] ?? account.name;
    const role = account.bootstrapRoleName ?? after.terraformAccount.bootstrapRoleName;
    notes.push(
      `Account ${account.name} (${account.id}): \`pulumi up\` assumes ${role} there to create its roles; an account invited into the organisation has no OrganizationAccountAccessRole until you create it (docs/quickstart.md, "Accounts invited into the organisation").`,
      `Terraform: a new workspace '${workspace}'; it has no state until its first apply creates it (a pull request plan reports it as having no state yet).`,
    );
  }
  for (const account of before.productAccounts) {
    if (afterNames.has(account.name)) continue;
    const workspace = before.names.workspaces[account.name] ?? account.name;
    notes.push(
      `Account ${account.name} (${account.id}): \`pulumi up\` deletes its provider, Terraform role and plan role, and takes both roles out of the CI roles' assume policies. The bootstrap role and everything else in the account stay.`,
      `State: ${state(workspace)} is kept as it is (tf-bootstrap never deletes state). The resources Terraform manages in the account stay in AWS and are no longer managed: to destroy them, run \`destroy\` in workspace '${workspace}' before \`pulumi up\` removes the Terraform role.`,
      `CI: regenerate the handoff and pipeline files (npm run synth, or npm run export-terraform after pulumi up); workspace '${workspace}' leaves the plan matrix and the apply stages.`,
    );
  }
  for (const move of moves) {
    notes.push(
      `State: workspace '${move.from}' becomes '${move.to}', so its state moves from ${state(move.from)} to ${state(move.to)}. Run the generated state move script once, before the pipeline first runs '${move.to}': without it the first apply of '${move.to}' would start from empty state and create everything again.`,
    );
  }
  const envBefore = environmentsOf(before);
  const envAfter = environmentsOf(after);
  const oidc = after.ci.mode === "github-oidc";
  for (const env of [...envAfter].filter((e) => !envBefore.has(e)).sort()) {
    notes.push(
      oidc
        ? `CI: a new environment '${env}'. The CI apply role's trust gains the subject repo:${after.ci.repository ?? "OWNER/REPO"}:environment:${env}; create the GitHub environment with its reviewers before the first apply (docs/quickstart.md, step 7).`
        : `CI: a new environment '${env}'; create it in your CI platform with its reviewers before the first apply.`,
    );
  }
  for (const env of [...envBefore].filter((e) => !envAfter.has(e)).sort()) {
    notes.push(
      oidc
        ? `CI: no account uses environment '${env}' any more; the CI apply role's trust drops its subject. Delete the GitHub environment once no pipeline needs it.`
        : `CI: no account uses environment '${env}' any more; delete it in your CI platform once no pipeline needs it.`,
    );
  }
  for (const account of after.productAccounts) {
    if (!beforeNames.has(account.name)) continue;
    const was = before.names.environments[account.name];
    const is = after.names.environments[account.name];
    if (was !== undefined && is !== undefined && was !== is) {
      notes.push(
        `CI: account ${account.name}'s apply job runs in environment '${is}' instead of '${was}', with that environment's reviewers.`,
      );
    }
  }
  const orderBefore = JSON.stringify(before.ci.pipeline.applyOrder);
  const orderAfter = JSON.stringify(after.ci.pipeline.applyOrder);
  if (orderBefore !== orderAfter) {
    notes.push(
      `CI: ci.pipeline.applyOrder was updated for the workspaces above; check that each workspace is in the stage you want.`,
    );
  } else if (after.ci.pipeline.applyOrder !== undefined) {
    notes.push(
      `CI: the stack sets ci.pipeline.applyOrder, which this change leaves as it is; move a workspace to another stage there if its new environment needs it.`,
    );
  }
  return notes;
}

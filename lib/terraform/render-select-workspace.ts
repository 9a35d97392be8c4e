import { generatedHeader, HANDOFF_FILES, type HandoffOptions } from "./files";

/**
 * The exit status of `select-workspace.sh` for a workspace that has no state yet, with plan
 * access: not an error, there is nothing to plan against until the first apply creates the
 * state. Pipelines report it and skip the plan.
 */
export const NO_STATE_YET_EXIT = 3;

/**
 * `select-workspace.sh WORKSPACE`: the pipeline's workspace step, run after `init` and before
 * `plan`/`apply`. It refuses a workspace that is not in `accounts.auto.tfvars.json` before the
 * backend is touched, then selects the workspace. With apply access (`TF_VAR_access=apply`) it
 * creates the workspace the first time; with plan access (the default, as in `accounts.tf`) it
 * only selects one that exists, because creating a workspace writes its state and a plan run
 * writes nothing but the lock (the CI plan role may not); for one that does not exist yet it
 * exits with {@link NO_STATE_YET_EXIT}. It says so only after `workspace list` succeeded: a
 * listing that fails (no access to the state bucket, a network error) exits 1, so a pipeline
 * never mistakes a failing engine for "no state yet".
 *
 * Why a script and not only the guard in `accounts.tf`: the S3 backend writes an empty state
 * object (with a lock) as soon as a command meets a workspace that does not exist yet
 * (`workspace new`, `workspace select -or-create`, or any command run with `TF_WORKSPACE`
 * naming it), before any configuration is evaluated. `workspace select` without `-or-create`
 * writes nothing, but cannot create a new account's workspace. Checking the map first is the
 * only way that writes nothing for an unknown workspace and still creates known ones.
 */
export function renderSelectWorkspace(options: HandoffOptions): string {
  const tfvars = HANDOFF_FILES.tfvars;
  return [
    "#!/bin/sh",
    ...generatedHeader(options.stack),
    "#",
    "# Usage (in the Terraform root, after init): sh select-workspace.sh WORKSPACE",
    `# Refuses a workspace that is not in ${tfvars} before any state is read or written.`,
    "# With apply access (TF_VAR_access=apply) it then selects the workspace, creating its (empty)",
    "# state the first time. With plan access (the default) it selects only a workspace that",
    "# exists: a plan run writes no state, so a new workspace's first run must have apply access.",
    `# Exit status ${NO_STATE_YET_EXIT}: plan access, and the workspace has no state yet (nothing to plan against).`,
    "# Any other failure (the workspace list cannot be read, selecting fails) exits non-zero too.",
    "# Needs jq. Uses tofu, or the command named by $TF (TF=terraform).",
    "set -eu",
    'ws="${1:?usage: sh select-workspace.sh WORKSPACE}"',
    'tf="${TF:-tofu}"',
    "if ! command -v jq >/dev/null 2>&1; then",
    '  echo "select-workspace: jq is not installed; it reads the workspace map. Install jq (apt-get install jq, apk add jq)." >&2',
    "  exit 1",
    "fi",
    `if jq -e --arg ws "$ws" '.accounts | has($ws)' ${tfvars} >/dev/null; then`,
    "  :",
    "else",
    "  status=$?",
    '  if [ "$status" -ne 1 ]; then',
    `    echo "select-workspace: could not read ${tfvars} (jq exit $status, its error is above). Nothing was read or written." >&2`,
    "    exit 1",
    "  fi",
    `  echo "select-workspace: workspace '$ws' is not in ${tfvars}; known workspaces: $(jq -r '.accounts | keys | join(", ")' ${tfvars}). Nothing was read or written. Add the account to the tf-bootstrap stack, deploy it and regenerate these files." >&2`,
    "  exit 1",
    "fi",
    'if [ -n "${TF_WORKSPACE:-}" ]; then',
    '  echo "select-workspace: unset TF_WORKSPACE: with it, a command creates a workspace that does not exist yet" >&2',
    "  exit 1",
    "fi",
    'case "${TF_VAR_access:-plan}" in',
    '  apply) exec "$tf" workspace select -or-create "$ws" ;;',
    "  plan) ;;",
    "  *)",
    `    echo "select-workspace: TF_VAR_access must be plan or apply, not '$TF_VAR_access'" >&2`,
    "    exit 1",
    "    ;;",
    "esac",
    "# The list is read on its own, not through a pipe: plain sh has no pipefail, and a failed",
    "# listing (no access to the state bucket, a network error) must fail, never read as empty.",
    'if ! workspaces="$("$tf" workspace list)"; then',
    `  echo "select-workspace: '$tf workspace list' failed (its error is above), so whether workspace '$ws' has state is unknown. Nothing was written." >&2`,
    "  exit 1",
    "fi",
    "# One workspace a line, the selected one marked: '* NAME' or '  NAME'.",
    "found=no",
    "while IFS= read -r line; do",
    '  if [ "${line#??}" = "$ws" ]; then found=yes; fi',
    "done <<EOF",
    "$workspaces",
    "EOF",
    'if [ "$found" = no ]; then',
    `  echo "select-workspace: workspace '$ws' has no state yet. Its first run with apply access (TF_VAR_access=apply) creates it; plan access writes no state, so there is nothing to plan against." >&2`,
    `  exit ${NO_STATE_YET_EXIT}`,
    "fi",
    'exec "$tf" workspace select "$ws"',
    "",
  ].join("\n");
}

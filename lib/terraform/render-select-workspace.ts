import { generatedHeader, HANDOFF_FILES, type HandoffOptions } from "./files";

/**
 * `select-workspace.sh WORKSPACE`: the pipeline's workspace step, run after `init` and before
 * `plan`/`apply`. It refuses a workspace that is not in `accounts.auto.tfvars.json` before the
 * backend is touched, then selects the workspace, creating it the first time.
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
    `# Refuses a workspace that is not in ${tfvars} before any state is read or written,`,
    "# then selects it, creating its (empty) state the first time. Needs jq. Uses tofu, or the",
    "# command named by $TF (TF=terraform).",
    "set -eu",
    'ws="${1:?usage: sh select-workspace.sh WORKSPACE}"',
    `if ! jq -e --arg ws "$ws" '.accounts | has($ws)' ${tfvars} >/dev/null; then`,
    `  echo "select-workspace: workspace '$ws' is not in ${tfvars}; known workspaces: $(jq -r '.accounts | keys | join(", ")' ${tfvars}). Nothing was read or written. Add the account to the tf-bootstrap stack, deploy it and regenerate these files." >&2`,
    "  exit 1",
    "fi",
    'if [ -n "${TF_WORKSPACE:-}" ]; then',
    '  echo "select-workspace: unset TF_WORKSPACE: with it, a command creates a workspace that does not exist yet" >&2',
    "  exit 1",
    "fi",
    'exec "${TF:-tofu}" workspace select -or-create "$ws"',
    "",
  ].join("\n");
}

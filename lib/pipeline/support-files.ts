/**
 * The files the generated pipelines run besides their own YAML, copied next to it into the
 * infrastructure repository (`.github/tf-bootstrap/` or `.gitlab/tf-bootstrap/`):
 *
 * - `pipeline.json`: the roots, their workspaces, and the (root, workspace) pairs of each job,
 *   so the pipeline YAML grows with stages and roots and this data file with accounts;
 * - `changes.sh`: which (root, workspace) pairs a change touches, from `git diff`;
 * - `plan-digest.sh`: the SHA-256 of a saved plan's change set, so the apply job can prove it
 *   applies the changes the approver saw.
 */
import { generatedHeader } from "../terraform/files";
import { rootWorkspaces, stageWorkspaces, type PipelinePlan, type PipelineRoot } from "./model";

/** The folder of the support files, relative to the platform's folder (`.github`, `.gitlab`). */
export const SUPPORT_FOLDER = "tf-bootstrap";

/** The per-workspace variables file of a root, loaded by every plan when it exists. */
export function workspaceVarFile(workspace = "$WORKSPACE"): string {
  return `workspaces/${workspace}.tfvars`;
}

/** One entry of a job's matrix. */
export interface MatrixEntry {
  readonly root: string;
  readonly directory: string;
  readonly workspace: string;
  /** Apply jobs: the CI environment and its CI apply role. */
  readonly environment?: string;
  readonly role?: string;
}

/** `pipeline.json`. */
export interface PipelineData {
  /** Paths whose change touches every pair: shared modules and the pipeline's own files. */
  readonly everything: readonly string[];
  readonly roots: readonly { name: string; directory: string; workspaces: readonly string[] }[];
  /** The entries of each job's matrix, by job key. */
  readonly matrices: Readonly<Record<string, readonly MatrixEntry[]>>;
}

function root(plan: PipelinePlan, name: string): PipelineRoot {
  const found = plan.roots.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no root ${name}`);
  return found;
}

/** Plan-job matrices: the pairs in chunks of `limit`, keyed `plan-1`, `plan-2`, ... */
export function planMatrices(plan: PipelinePlan, limit: number): Record<string, MatrixEntry[]> {
  const out: Record<string, MatrixEntry[]> = {};
  const pairs = rootWorkspaces(plan);
  for (let i = 0; i * limit < pairs.length; i++) {
    out[`plan-${i + 1}`] = pairs.slice(i * limit, (i + 1) * limit).map((p) => ({
      root: p.root,
      directory: root(plan, p.root).directory,
      workspace: p.workspace,
    }));
  }
  return out;
}

/** The key of the apply matrix of stage `stage` (0-based) and root `root`. */
export function applyKey(stage: number, rootName: string): string {
  return `apply-${stage + 1}-${rootName}`;
}

/** Apply-job matrices, one per stage and root that has workspaces in the stage. */
export function applyMatrices(plan: PipelinePlan): Record<string, MatrixEntry[]> {
  const out: Record<string, MatrixEntry[]> = {};
  plan.stages.forEach((stage, s) => {
    for (const r of plan.roots) {
      const workspaces = stageWorkspaces(r, stage);
      if (workspaces.length === 0) continue;
      out[applyKey(s, r.name)] = workspaces.map((w) => ({
        root: r.name,
        directory: r.directory,
        workspace: w.workspace,
        environment: w.environment,
        role: plan.applyRoleArns[w.environment] ?? "",
      }));
    }
  });
  return out;
}

/** The data file; `ownFiles` are the pipeline's own files (a change to them touches all). */
export function renderPipelineData(
  plan: PipelinePlan,
  ownFiles: readonly string[],
  planLimit: number,
): string {
  const data: PipelineData = {
    everything: [...plan.sharedPaths, ...ownFiles],
    roots: plan.roots.map((r) => ({
      name: r.name,
      directory: r.directory,
      workspaces: rootWorkspaces(plan)
        .filter((p) => p.root === r.name)
        .map((p) => p.workspace),
    })),
    matrices: { ...planMatrices(plan, planLimit), ...applyMatrices(plan) },
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/**
 * `changes.sh EVENT BASE HEAD [FORMAT]`: which pairs a change touches. A pair is touched when
 * a changed file is under one of `everything` (every pair), under its root's directory (every
 * workspace of the root), except `<root>/workspaces/<W>.tfvars`, which touches only (root, W).
 * Schedules and manual runs (EVENT `schedule`, `workflow_dispatch`, `web`), EVENT `full`, a missing or unknown
 * BASE (a new branch, a force push) touch everything. FORMAT `github` prints `KEY=JSON` lines,
 * one per matrix of `pipeline.json` with the touched entries only (for `$GITHUB_OUTPUT`);
 * `pairs` prints `ROOT WORKSPACE` lines.
 */
export function renderChangesScript(stack: string): string {
  return [
    "#!/usr/bin/env bash",
    ...generatedHeader(stack),
    "#",
    "# Usage: changes.sh EVENT BASE HEAD [github|pairs]",
    "# Prints the Terraform (root, workspace) pairs a change touches; see pipeline.json.",
    "# Needs git (with BASE fetched) and jq.",
    "set -euo pipefail",
    'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    'event="${1:?usage: changes.sh EVENT BASE HEAD [github|pairs]}"',
    'base="${2:-}"',
    'head="${3:?usage: changes.sh EVENT BASE HEAD [github|pairs]}"',
    'format="${4:-github}"',
    "all=false",
    'case "$event" in',
    "  schedule | workflow_dispatch | web | full) all=true ;;",
    "esac",
    'if [ "$all" = false ]; then',
    '  if [ -z "$base" ] || [ -z "${base//0/}" ] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then',
    '    echo "changes: no base commit to compare with (${base:-none}): every root and workspace is touched" >&2',
    "    all=true",
    "  fi",
    "fi",
    'files="[]"',
    'if [ "$all" = false ]; then',
    '  files="$(git diff --no-renames --name-only "$base" "$head" | jq -R . | jq -s -c .)"',
    "fi",
    "# shellcheck disable=SC2016 # $-names below are jq variables, not shell ones",
    "program='",
    '  def under($dir): . as $f | $dir == "." or $f == $dir or ($f | startswith($dir + "/"));',
    "  . as $data",
    "  | ($all or any($files[]; . as $f | any($data.everything[]; . as $p | $f | under($p)))) as $every",
    "  | [ $data.roots[] as $r | $r.workspaces[] as $w",
    "      | select($every or any($files[]; . as $f",
    "          | ($f | under($r.directory))",
    '            and (($f | ltrimstr(if $r.directory == "." then "" else $r.directory + "/" end)) as $rel',
    '                 | ($rel | test("^workspaces/[^/]+\\\\.tfvars$") | not) or $rel == "workspaces/" + $w + ".tfvars")))',
    "      | {root: $r.name, workspace: $w} ] as $touched",
    '  | if $format == "pairs" then $touched[] | "\\(.root) \\(.workspace)"',
    "    else $data.matrices | to_entries[]",
    '      | "\\(.key)=\\([.value[] | select({root, workspace} as $p | any($touched[]; . == $p))] | tojson)"',
    "    end'",
    'jq -r --argjson all "$all" --argjson files "$files" --arg format "$format" "$program" "$here/pipeline.json"',
    "",
  ].join("\n");
}

/**
 * `plan-digest.sh PLANFILE`: the SHA-256 of the plan's change set: every resource change
 * (address, actions, values before and after, what is unknown and what is sensitive) and every
 * output change, as canonical JSON. The same changes give the same digest whoever planned
 * them; the plan file itself differs on every run and pins the access level it was made with.
 */
export function renderPlanDigestScript(stack: string): string {
  return [
    "#!/usr/bin/env bash",
    ...generatedHeader(stack),
    "#",
    "# Usage (in the root, after init): plan-digest.sh PLANFILE",
    "# Prints the SHA-256 of the plan's resource and output changes. Needs jq and sha256sum;",
    "# runs the CLI named by $TF.",
    "set -euo pipefail",
    'planfile="${1:?usage: plan-digest.sh PLANFILE}"',
    '"${TF:?set TF to terraform or tofu}" show -json "$planfile" \\',
    "  | jq -S -c '{",
    "      resource_changes: [(.resource_changes // [])[] | {address, mode, type, provider_name,",
    "        change: (.change | {actions, before, after, after_unknown, before_sensitive, after_sensitive, replace_paths})}],",
    "      output_changes: (.output_changes // {})",
    "    }' \\",
    "  | sha256sum | cut -d ' ' -f 1",
    "",
  ].join("\n");
}

/**
 * The linters the generated CI files must pass: actionlint for GitHub workflows (it runs
 * shellcheck on `run:` scripts when shellcheck is on PATH) and check-jsonschema with the
 * GitLab CI and GitHub workflow schemas it ships. Both come from `.ci/setup-tools`.
 */
import { execFile } from "node:child_process";
import type { Tools } from "../harness/tools";

/** What a linter said. `code` 0 means no finding. */
export interface LintResult {
  readonly code: number;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error === null) return resolve({ code: 0, output });
      if (typeof error.code === "number") return resolve({ code: error.code, output });
      reject(new Error(`could not run ${command}: ${error.message}\n${output}`));
    });
  });
}

/** actionlint on `files` (paths relative to `cwd`), every check on. */
export function actionlint(tools: Tools, cwd: string, files: readonly string[]) {
  return run(tools.actionlint, ["-no-color", ...files], cwd);
}

/** check-jsonschema with one of its built-in schemas, e.g. `vendor.gitlab-ci`. */
export function checkJsonschema(
  tools: Tools,
  schema: "vendor.gitlab-ci" | "vendor.github-workflows",
  cwd: string,
  files: readonly string[],
) {
  return run(tools.checkJsonschema, ["--builtin-schema", schema, ...files], cwd);
}

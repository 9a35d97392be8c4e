import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderPipeline, type PipelinePlan } from "../../lib/pipeline";
import { APPLY_ROLE, PARALLEL, pipelinePlan, SEQUENTIAL, twoRoots } from "./fixtures";

const GOLDEN = path.join(__dirname, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const PER_ENVIRONMENT = {
  dev: APPLY_ROLE,
  staging: APPLY_ROLE.replace("terraform-ci", "terraform-ci-staging"),
  production: APPLY_ROLE.replace("terraform-ci", "terraform-ci-production"),
};

const CASES: Record<string, PipelinePlan> = {
  "github-oidc": pipelinePlan("github-oidc", PARALLEL, {
    roots: twoRoots(PARALLEL),
    applyRoleArns: PER_ENVIRONMENT,
  }),
  "gitlab-oidc": pipelinePlan("gitlab-oidc", PARALLEL, {
    tool: "tofu",
    roots: twoRoots(PARALLEL),
    applyRoleArns: PER_ENVIRONMENT,
  }),
  "iam-user": pipelinePlan("iam-user", SEQUENTIAL),
};

/** Every file below `dir`, dotfiles included, as paths relative to it, sorted. */
function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? walk(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    )
    .sort();
}

describe("CI pipeline templates: golden files (refresh with UPDATE_GOLDEN=1)", function () {
  for (const [name, plan] of Object.entries(CASES)) {
    it(`match test/pipeline/golden/${name}`, function () {
      const dir = path.join(GOLDEN, name);
      const files = renderPipeline(plan);
      if (UPDATE) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of files) {
          mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
          writeFileSync(path.join(dir, f.path), f.text);
        }
      }
      assert.ok(existsSync(dir), `no golden files in ${dir}; run with UPDATE_GOLDEN=1`);
      assert.deepEqual(
        walk(dir),
        files.map((f) => f.path).sort(),
        "the set of files differs from the golden set",
      );
      for (const f of files) {
        assert.equal(f.text, readFileSync(path.join(dir, f.path), "utf8"), `${f.path} differs`);
      }
    });
  }
});

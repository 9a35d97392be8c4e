import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../../lib/config/parse";

/** Asserts that `config` is rejected with a problem at `path` whose message matches `message`. */
export function assertProblem(
  config: Record<string, unknown>,
  path: string,
  message: RegExp,
): void {
  const result = parseStackConfig(config);
  assert.equal(result.ok, false, "expected the config to be rejected");
  if (result.ok) return;
  const problem = result.problems.find((p) => p.path === path);
  assert.ok(problem, `no problem at ${path}; got ${JSON.stringify(result.problems, null, 1)}`);
  assert.match(problem.message, message);
}

/**
 * Rules of `orgStack` (an organisation split across a core stack and account-group stacks,
 * docs/org-stacks.md) that the schema alone cannot state: which settings belong to which part.
 */
import type { ConfigProblem } from "../errors/config-error";
import { objectAt, type Raw } from "./raw";

/** Every problem of the `orgStack` setting's parts. */
export function orgStackProblems(
  raw: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  if (raw.orgStack === undefined) return [];
  const org = objectAt(raw, "orgStack");
  const problems: ConfigProblem[] = [];
  const only = (key: string, part: string, why: string) => {
    if (org[key] === undefined || org.part === part || typeof org.part !== "string") return;
    problems.push({
      path: configPath(["orgStack", key]),
      value: org[key],
      message: `applies to a ${part} stack only (this stack's orgStack.part is ${org.part}): ${why} Remove it.`,
    });
  };
  if (org.part === "group" && org.core === undefined) {
    problems.push({
      path: configPath(["orgStack", "core"]),
      value: undefined,
      message:
        "is missing: an account-group stack names its core stack (the stack that holds the Terraform account and lists every product account), so its preview can check that the core stack admits its accounts. Fix: set orgStack.core to the core stack's name, for example acme-core.",
    });
  }
  if (org.part === "group" && objectAt(raw, "ci").pipeline !== undefined) {
    problems.push({
      path: configPath(["ci", "pipeline"]),
      value: objectAt(raw, "ci").pipeline,
      message:
        "belongs to the core stack: the pipeline (apply order, roots, tool) spans every account of the organisation, and a group stack lists only its own. Remove it here and keep it in the core stack's config.",
    });
  }
  only("core", "group", "a group stack names its core stack; the core stack is the one named.");
  only("adopt", "group", "a group stack adopts the roles an earlier single stack created.");
  only(
    "handOver",
    "core",
    "the core stack hands over the product accounts a single stack held while groups adopt them.",
  );
  return problems;
}

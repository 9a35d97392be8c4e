import { readStackFile } from "../inputs";
import { PROJECT } from "./mock-runtime";

/** `count` product accounts named `acct-0001`, `acct-0002`..., with ids from 200000000000. */
export function generatedProductAccounts(count: number): { name: string; id: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `acct-${String(i + 1).padStart(4, "0")}`,
    id: String(200000000000 + i),
  }));
}

/**
 * The example stack's config with its product accounts replaced by `count` generated ones: the
 * stacks that the benchmarks and the scale tests measure.
 */
export function generatedStack(count: number): Record<string, string> {
  const example = readStackFile("example");
  if (!example.ok) throw new Error(example.message);
  return {
    ...example.flat,
    [`${PROJECT}:productAccounts`]: JSON.stringify(generatedProductAccounts(count)),
  };
}

/**
 * The generated stack of `count` accounts spread round-robin over `environments` environments
 * (`env-001`...), with one CI apply role per environment.
 */
export function generatedPerEnvironmentStack(
  count: number,
  environments: number,
): Record<string, string> {
  const flat = generatedStack(count);
  const ci = JSON.parse(flat[`${PROJECT}:ci`] ?? "{}") as Record<string, unknown>;
  return {
    ...flat,
    [`${PROJECT}:productAccounts`]: JSON.stringify(
      generatedProductAccounts(count).map((a, i) => ({
        ...a,
        environment: `env-${String((i % environments) + 1).padStart(3, "0")}`,
      })),
    ),
    [`${PROJECT}:ci`]: JSON.stringify({ ...ci, applyRoles: "per-environment" }),
  };
}

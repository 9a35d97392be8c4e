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

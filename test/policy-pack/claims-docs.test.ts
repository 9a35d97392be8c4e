/**
 * `docs/policies.md` against the claims inventory (`lib/guard/claims.ts`), the access matrix
 * (`lib/guard/access-matrix.ts`) and the mutation corpus: the generated sections are exactly
 * the renderings (formatted as the repository's Prettier config formats Markdown), every policy
 * of the pack has claims, and every claim names a real evaluation. That every finding id a
 * claim names is one the pack emits is proved by the corpus itself (`mutations/corpus.test.ts`
 * makes the pack report each one).
 *
 * `UPDATE_GOLDEN=1` rewrites the generated sections.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { renderAccessMatrix } from "../../lib/guard/access-matrix";
import { CLAIMS, renderClaims } from "../../lib/guard/claims";
import { packPolicies } from "../../policy-pack/policies";
import { ROOT } from "../helpers/stack";
import { MUTATIONS } from "./mutations/corpus";

const DOC = join(ROOT, "docs", "policies.md");

function mutationsByClaim(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of MUTATIONS) out.set(m.claim, [...(out.get(m.claim) ?? []), m.id]);
  return out;
}

async function formatted(markdown: string): Promise<string> {
  const config = (await resolveConfig(DOC)) ?? {};
  return (await format(markdown, { ...config, parser: "markdown" })).trimEnd();
}

const begin = (name: string) =>
  `<!-- generated: ${name} (npm test; UPDATE_GOLDEN=1 rewrites it) -->`;
const end = (name: string) => `<!-- end generated: ${name} -->`;

function section(doc: string, name: string): string {
  const from = doc.indexOf(begin(name));
  const to = doc.indexOf(end(name));
  assert.ok(from >= 0 && to > from, `docs/policies.md has no generated section ${name}`);
  return doc.slice(from + begin(name).length, to).trim();
}

function replaced(doc: string, name: string, body: string): string {
  const from = doc.indexOf(begin(name)) + begin(name).length;
  const to = doc.indexOf(end(name));
  return `${doc.slice(0, from)}\n\n${body}\n\n${doc.slice(to)}`;
}

describe("docs/policies.md: the claims inventory and the access matrix", () => {
  const renderings: Record<string, () => Promise<string>> = {
    claims: () => formatted(renderClaims(mutationsByClaim())),
    "access-matrix": () => formatted(renderAccessMatrix()),
  };

  for (const [name, render] of Object.entries(renderings)) {
    it(`shows the ${name} section exactly as rendered`, async () => {
      const expected = await render();
      let doc = readFileSync(DOC, "utf8");
      if (process.env.UPDATE_GOLDEN === "1") {
        doc = replaced(doc, name, expected);
        writeFileSync(DOC, doc);
      }
      assert.equal(section(doc, name), expected);
    });
  }

  it("gives every policy of the pack at least one claim, and every claim a policy of the pack", () => {
    const names = packPolicies().map((p) => p.name);
    assert.deepEqual(
      names.filter((n) => !CLAIMS.some((c) => c.policy === n)),
      [],
    );
    assert.deepEqual(
      CLAIMS.filter((c) => !names.includes(c.policy)).map((c) => c.id),
      [],
    );
  });

  it("names, for every claim, a function that exists in the file it gives", () => {
    for (const claim of CLAIMS) {
      const source = readFileSync(join(ROOT, claim.evaluation.file), "utf8");
      assert.match(
        source,
        new RegExp(`function ${claim.evaluation.fn}\\(`),
        `${claim.id}: ${claim.evaluation.fn} in ${claim.evaluation.file}`,
      );
    }
  });

  it("documents every claim's finding ids in its policy's section", () => {
    const doc = readFileSync(DOC, "utf8");
    const missing: string[] = [];
    for (const claim of CLAIMS) {
      const start = doc.indexOf(`### \`${claim.policy}\``);
      assert.ok(start >= 0, `docs/policies.md has no section for ${claim.policy}`);
      const next = doc.indexOf("\n### ", start + 1);
      const text = doc.slice(start, next < 0 ? undefined : next);
      for (const id of claim.findings) {
        // Documented literally (up to its first wildcard), or as its family with a placeholder
        // (`Unknown::<path>` documents `Unknown::policy`).
        const prefix = id.split("*")[0] ?? id;
        const family = `${id.split("::")[0] ?? id}::<`;
        if (!text.includes(prefix) && !text.includes(family)) {
          missing.push(`${claim.policy}: ${id}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});

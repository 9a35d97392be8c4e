/**
 * The mutation corpus (`corpus.ts`) against the pack's own validate functions, fed as the
 * engine feeds them (first preview: values computed from other resources unknown, the stack
 * config played through ConfigureStack): every mutation is a mandatory violation of the policy
 * that owns its claim, with the claim's finding id; every benign edit passes every policy.
 */
import { strict as assert } from "node:assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CLAIMS, claimOf, findingMatches } from "../../../lib/guard/claims";
import { packPolicies } from "../../../policy-pack/policies";
import { validateResources, validateStack, type EngineResource } from "../helpers/engine";
import { BENIGN_EDITS, MUTATIONS } from "./corpus";
import { StackEdit } from "./edit";
import { CORPUS_STACKS, corpusStack } from "./stacks";

type AnyPolicy = StackValidationPolicy | ResourceValidationPolicy;

const policies = packPolicies() as AnyPolicy[];

function policyNamed(name: string): AnyPolicy {
  const found = policies.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no policy ${name}`);
  return found;
}

async function violations(policy: AnyPolicy, resources: readonly EngineResource[]) {
  return "validateStack" in policy
    ? validateStack(policy, resources)
    : validateResources(policy, resources);
}

/** Finding ids the corpus saw each claim's policy report, by claim. */
const seen = new Map<string, Set<string>>();

describe("policy pack: the mutation corpus", function () {
  this.timeout(120000);

  it("is a corpus: ≥100 mutations, ≥15 benign edits, unique ids, known claims", () => {
    assert.ok(MUTATIONS.length >= 100, `${MUTATIONS.length} mutations`);
    assert.ok(BENIGN_EDITS.length >= 15, `${BENIGN_EDITS.length} benign edits`);
    const ids = [...MUTATIONS.map((m) => m.id), ...BENIGN_EDITS.map((b) => b.id)];
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
    );
    for (const m of MUTATIONS) {
      const claim = claimOf(m.claim);
      assert.ok(
        claim.findings.some((pattern) => findingMatches(pattern, m.finding.replace(/\*$/, "x"))),
        `${m.id}: ${m.finding} is not a finding of claim ${m.claim}`,
      );
    }
    for (const stack of CORPUS_STACKS) {
      assert.ok(
        MUTATIONS.some((m) => m.stack === stack),
        `no mutation edits stack ${stack}`,
      );
    }
  });

  describe("the unedited stacks pass every policy", () => {
    for (const stack of CORPUS_STACKS) {
      it(stack, async () => {
        const resources = await corpusStack(stack);
        const found: string[] = [];
        for (const policy of policies) {
          for (const v of await violations(policy, resources)) found.push(`${policy.name} ${v.id}`);
        }
        assert.deepEqual(found, []);
      });
    }
  });

  describe("every mutation is a mandatory violation of its claim's policy", () => {
    for (const m of MUTATIONS) {
      it(`${m.id}: ${m.what}`, async () => {
        const claim = claimOf(m.claim);
        const policy = policyNamed(claim.policy);
        assert.equal(policy.enforcementLevel, "mandatory");
        const edit = new StackEdit(await corpusStack(m.stack));
        m.edit(edit);
        const found = await violations(policy, edit.resources);
        const ids = found.map((v) => v.id);
        const hit = ids.filter((id) => findingMatches(m.finding, id));
        assert.ok(
          hit.length > 0,
          `${claim.policy} reported ${JSON.stringify(ids)}, not ${m.finding}`,
        );
        const claimed = seen.get(m.claim) ?? new Set<string>();
        ids
          .filter((id) => claim.findings.some((pattern) => findingMatches(pattern, id)))
          .forEach((id) => claimed.add(id));
        seen.set(m.claim, claimed);
      });
    }
  });

  describe("every benign edit passes every policy", () => {
    for (const b of BENIGN_EDITS) {
      it(`${b.id}: ${b.what}`, async () => {
        const edit = new StackEdit(await corpusStack(b.stack));
        b.edit(edit);
        const found: string[] = [];
        for (const policy of policies) {
          for (const v of await violations(policy, edit.resources))
            found.push(`${policy.name} ${v.id}`);
        }
        assert.deepEqual(found, []);
      });
    }
  });

  describe("coverage (after the mutations ran)", () => {
    it("breaks every claim, and makes the pack report each finding id a claim names", () => {
      const gaps: string[] = [];
      for (const claim of CLAIMS) {
        const ids = [...(seen.get(claim.id) ?? [])];
        if (ids.length === 0) gaps.push(`no mutation breaks claim ${claim.id}`);
        for (const pattern of claim.findings) {
          if (ids.length > 0 && !ids.some((id) => findingMatches(pattern, id))) {
            gaps.push(
              `claim ${claim.id} names ${pattern}, which no mutation made ${claim.policy} report`,
            );
          }
        }
      }
      assert.deepEqual(gaps, []);
    });
  });
});

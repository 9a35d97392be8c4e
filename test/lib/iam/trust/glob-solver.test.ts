import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { patternIncludes } from "../../../../lib/iam";
import { wildcardMatch } from "../../../../lib/iam/matching";
import {
  FALSE,
  TRUE,
  and,
  atom,
  literal,
  not,
  or,
  pattern,
  solve,
  star,
  type Formula,
} from "../../../../lib/iam/trust/glob-solver";

describe("patternIncludes", () => {
  const cases: {
    name: string;
    input: [string, string[]];
    expected: "included" | "not-included";
  }[] = [
    {
      name: "literal in its own pattern",
      input: ["repo:a/b:ref:refs/heads/main", ["repo:a/b:*"]],
      expected: "included",
    },
    {
      name: "wider pattern not in a literal",
      input: ["repo:a/b:*", ["repo:a/b:ref:refs/heads/main"]],
      expected: "not-included",
    },
    { name: "equal patterns", input: ["repo:a/*", ["repo:a/*"]], expected: "included" },
    { name: "narrower star pattern", input: ["repo:a/b:*", ["repo:a/*"]], expected: "included" },
    { name: "wider star pattern", input: ["repo:a/*", ["repo:a/b:*"]], expected: "not-included" },
    { name: "question mark inside star", input: ["a?c", ["a*"]], expected: "included" },
    { name: "star not inside question mark", input: ["a*", ["a?"]], expected: "not-included" },
    { name: "covered only by the union", input: ["a*", ["a", "a?*"]], expected: "included" },
    { name: "union of two halves", input: ["x?", ["xa", "xb"]], expected: "not-included" },
    { name: "empty pattern in star", input: ["", ["*"]], expected: "included" },
    {
      name: "nothing includes a non-empty pattern in no pattern",
      input: ["a", []],
      expected: "not-included",
    },
    { name: "star star in star", input: ["**", ["*"]], expected: "included" },
    { name: "not covered by either half alone", input: ["a*", ["a?*"]], expected: "not-included" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(patternIncludes(c.input[0], c.input[1]).kind, c.expected);
    });
  }

  it("gives a witness that the sub-pattern matches and no super-pattern does", () => {
    const result = patternIncludes("repo:org/app:*", ["repo:org/app:ref:refs/heads/main"]);
    assert.equal(result.kind, "not-included");
    if (result.kind === "not-included") {
      assert.ok(wildcardMatch("repo:org/app:*", result.witness));
      assert.ok(!wildcardMatch("repo:org/app:ref:refs/heads/main", result.witness));
    }
  });

  it("ignores case on request", () => {
    assert.equal(patternIncludes("ABC", ["a*"], { ignoreCase: true }).kind, "included");
    assert.equal(patternIncludes("ABC", ["a*"]).kind, "not-included");
  });

  it("reports unknown when the state budget is exhausted", () => {
    const result = patternIncludes("*a*b*c*", ["*c*b*a*"], { maxStates: 3 });
    assert.equal(result.kind, "unknown");
  });

  it("agrees with brute force over short strings", () => {
    const unit = fc.constantFrom("a", "b", "*", "?");
    const pat = fc.string({ unit, maxLength: 5 });
    const strings: string[] = [""];
    for (let length = 1; length <= 6; length += 1) {
      for (const s of strings.filter((x) => x.length === length - 1)) {
        strings.push(`${s}a`, `${s}b`, `${s}c`);
      }
    }
    fc.assert(
      fc.property(pat, fc.array(pat, { maxLength: 3 }), (sub, sups) => {
        const result = patternIncludes(sub, sups);
        const counter = strings.find(
          (s) => wildcardMatch(sub, s) && !sups.some((q) => wildcardMatch(q, s)),
        );
        if (result.kind === "included") {
          // Sound: no string (of any length) escapes; check every short one.
          assert.equal(
            counter,
            undefined,
            `${sub} ⊆ ${JSON.stringify(sups)} but ${counter} escapes`,
          );
        } else if (result.kind === "not-included") {
          assert.ok(wildcardMatch(sub, result.witness));
          assert.ok(!sups.some((q) => wildcardMatch(q, result.witness)));
        } else {
          assert.fail("budget exhausted on a tiny input");
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("solve", () => {
  it("folds constants", () => {
    assert.deepEqual(solve(TRUE), { kind: "sat", witness: "" });
    assert.deepEqual(solve(FALSE), { kind: "unsat" });
    assert.equal(and(TRUE, FALSE), FALSE);
    assert.equal(or(FALSE, TRUE), TRUE);
    assert.equal(not(not(TRUE)), TRUE);
  });

  it("respects characters excluded from a wildcard", () => {
    // An ARN component wildcard cannot swallow a colon.
    const component = atom([...literal("a:"), star(":"), ...literal(":b")]);
    assert.equal(solve(and(component, atom(literal("a:x:y:b")))).kind, "unsat");
    assert.equal(solve(and(component, atom(literal("a:xy:b")))).kind, "sat");
  });

  it("finds a shortest witness", () => {
    const result = solve(and(atom(pattern("ab*")), not(atom(literal("ab")))));
    assert.equal(result.kind, "sat");
    if (result.kind === "sat") {
      assert.equal(result.witness.length, 3);
      assert.ok(result.witness.startsWith("ab"));
    }
  });

  it("treats case-insensitive literals as either case", () => {
    const ci = atom(literal("Ab", { ignoreCase: true }));
    assert.equal(solve(and(ci, atom(literal("aB")))).kind, "sat");
    assert.equal(
      solve(
        and(
          ci,
          not(atom(literal("ab"))),
          not(atom(literal("AB"))),
          not(atom(literal("Ab"))),
          not(atom(literal("aB"))),
        ),
      ).kind,
      "unsat",
    );
  });

  it("agrees with brute force on random formulas", () => {
    const unit = fc.constantFrom("a", "b", "*", "?");
    const leaf: fc.Arbitrary<Formula> = fc
      .string({ unit, maxLength: 4 })
      .map((p) => atom(pattern(p)));
    const formula = fc.letrec<{ f: Formula }>((tie) => ({
      f: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        tie("f").map(not),
        fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((fs) => and(...fs)),
        fc.array(tie("f"), { minLength: 1, maxLength: 3 }).map((fs) => or(...fs)),
      ),
    })).f;
    const holds = (f: Formula, s: string): boolean => {
      switch (f.k) {
        case "const":
          return f.v;
        case "atom":
          return wildcardMatch(
            f.g.map((t) => (t.t === "lit" ? t.c : t.t === "one" ? "?" : "*")).join(""),
            s,
          );
        case "not":
          return !holds(f.f, s);
        case "and":
          return f.fs.every((g) => holds(g, s));
        case "or":
          return f.fs.some((g) => holds(g, s));
      }
    };
    const strings: string[] = [""];
    for (let length = 1; length <= 5; length += 1) {
      for (const s of strings.filter((x) => x.length === length - 1)) {
        strings.push(`${s}a`, `${s}b`, `${s}c`);
      }
    }
    fc.assert(
      fc.property(formula, (f) => {
        const result = solve(f);
        if (result.kind === "sat") {
          assert.ok(holds(f, result.witness), `witness ${JSON.stringify(result.witness)} fails`);
        } else {
          assert.equal(result.kind, "unsat");
          const found = strings.find((s) => holds(f, s));
          assert.equal(found, undefined, `unsat, yet ${JSON.stringify(found)} satisfies`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

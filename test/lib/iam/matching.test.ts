import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  actionMatches,
  arnLike,
  hasWildcard,
  parseArn,
  wildcardMatch,
} from "../../../lib/iam/matching";

describe("wildcardMatch", () => {
  const cases: { name: string; input: [string, string, boolean?]; expected: boolean }[] = [
    { name: "literal equal", input: ["abc", "abc"], expected: true },
    { name: "literal differs", input: ["abc", "abd"], expected: false },
    { name: "star matches empty", input: ["ab*", "ab"], expected: true },
    { name: "star matches run", input: ["a*c", "abbbc"], expected: true },
    { name: "star in the middle needs the suffix", input: ["a*c", "abbb"], expected: false },
    { name: "question mark matches one", input: ["a?c", "abc"], expected: true },
    { name: "question mark needs one", input: ["a?c", "ac"], expected: false },
    { name: "backtracking", input: ["*ab*ab", "abxab"], expected: true },
    { name: "stars only", input: ["**", ""], expected: true },
    { name: "case-sensitive by default", input: ["ABC", "abc"], expected: false },
    { name: "case-insensitive on request", input: ["ABC", "abc", true], expected: true },
    { name: "star matches colons", input: ["arn:*", "arn:aws:iam::1:root"], expected: true },
    { name: "value longer", input: ["ab", "abc"], expected: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [pattern, value, ci] = c.input;
      assert.equal(wildcardMatch(pattern, value, { caseInsensitive: ci === true }), c.expected);
    });
  }

  it("agrees with an independent regular-expression translation", () => {
    const toRegExp = (p: string): RegExp =>
      new RegExp(
        `^${[...p].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`,
        "s",
      );
    const alpha = fc.string({ unit: fc.constantFrom("a", "b", ":"), maxLength: 7 });
    const pat = fc.string({ unit: fc.constantFrom("a", "b", ":", "*", "?"), maxLength: 6 });
    fc.assert(
      fc.property(pat, alpha, (p, v) => wildcardMatch(p, v) === toRegExp(p).test(v)),
      { numRuns: 300 },
    );
  });
});

describe("actionMatches", () => {
  const cases = [
    { name: "exact", input: ["sts:AssumeRole", "sts:AssumeRole"], expected: true },
    { name: "case-insensitive", input: ["STS:assumerole", "sts:AssumeRole"], expected: true },
    { name: "service wildcard", input: ["sts:*", "sts:AssumeRoleWithSAML"], expected: true },
    {
      name: "prefix wildcard",
      input: ["sts:AssumeRole*", "sts:AssumeRoleWithWebIdentity"],
      expected: true,
    },
    { name: "other service", input: ["s3:*", "sts:AssumeRole"], expected: false },
    { name: "everything", input: ["*", "sts:AssumeRole"], expected: true },
    { name: "question mark", input: ["sts:AssumeRol?", "sts:AssumeRole"], expected: true },
    { name: "prefix is not enough", input: ["sts:Assume", "sts:AssumeRole"], expected: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(actionMatches(c.input[0] ?? "", c.input[1] ?? ""), c.expected));
  }
});

describe("parseArn", () => {
  it("splits the six components and keeps colons in the resource", () => {
    assert.deepEqual(parseArn("arn:aws:logs:eu-west-1:111122223333:log-group:x:*"), {
      ok: true,
      arn: {
        partition: "aws",
        service: "logs",
        region: "eu-west-1",
        account: "111122223333",
        resource: "log-group:x:*",
      },
    });
  });
  it("reads an IAM role ARN with a path", () => {
    const result = parseArn("arn:aws-us-gov:iam::111122223333:role/ci/deploy");
    assert.ok(result.ok);
    assert.equal(result.arn.partition, "aws-us-gov");
    assert.equal(result.arn.region, "");
    assert.equal(result.arn.resource, "role/ci/deploy");
  });
  const bad = [
    { name: "too few components", input: "arn:aws:iam::1" },
    { name: "no arn prefix", input: "urn:aws:iam::111122223333:root" },
    { name: "account id", input: "111122223333" },
  ];
  for (const c of bad) {
    it(`reports ${c.name} as data`, () => {
      const result = parseArn(c.input);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.reason.includes(c.input));
    });
  }
});

describe("arnLike", () => {
  const cases = [
    { name: "exact", input: ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a"], expected: true },
    {
      name: "wildcard account",
      input: ["arn:aws:iam::*:role/a", "arn:aws:iam::2:role/a"],
      expected: true,
    },
    {
      name: "wildcard stays in its component",
      input: ["arn:aws:iam::*:role/a", "arn:aws:iam::2:x:role/a"],
      expected: false,
    },
    {
      name: "resource wildcard",
      input: ["arn:aws:iam::1:role/*", "arn:aws:iam::1:role/a/b"],
      expected: true,
    },
    {
      name: "case-sensitive",
      input: ["arn:aws:iam::1:role/A", "arn:aws:iam::1:role/a"],
      expected: false,
    },
    {
      name: "pattern with fewer components",
      input: ["*", "arn:aws:iam::1:role/a"],
      expected: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(arnLike(c.input[0] ?? "", c.input[1] ?? ""), c.expected));
  }
  it("never matches more than whole-string wildcard matching", () => {
    const unit = fc.constantFrom("a", ":", "*", "?");
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 12 }),
        fc.string({ unit: fc.constantFrom("a", ":", "b"), maxLength: 12 }),
        (p, v) => !arnLike(p, v) || wildcardMatch(p, v),
      ),
      { numRuns: 300 },
    );
  });
});

describe("hasWildcard", () => {
  it("sees * and ?", () => {
    assert.equal(hasWildcard("a*"), true);
    assert.equal(hasWildcard("a?"), true);
    assert.equal(hasWildcard("arn:aws:iam::1:role/a"), false);
  });
});

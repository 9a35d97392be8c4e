import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { normalizeDocument, type PolicyDocument } from "../../../lib/iam";
import { documentArb, rawSpelling } from "./arbitraries";

const ROLE = "arn:aws:iam::111122223333:role/ci";

describe("normalizeDocument", () => {
  const cases: { name: string; input: unknown; expected: PolicyDocument }[] = [
    {
      name: "single statement object and string fields become arrays",
      input: {
        Version: "2012-10-17",
        Statement: { Effect: "Allow", Principal: { AWS: ROLE }, Action: "sts:AssumeRole" },
      },
      expected: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: [ROLE] }, Action: ["sts:AssumeRole"] }],
      },
    },
    {
      name: "Principal * stays apart from {AWS: *}",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
          { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: ["sts:AssumeRole"] },
          { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["sts:AssumeRole"] },
        ],
      },
    },
    {
      name: "a bare account id is kept as written",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: "111122223333" }, Action: ["sts:AssumeRole"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: ["111122223333"] }, Action: ["sts:AssumeRole"] },
        ],
      },
    },
    {
      name: "condition values of every scalar type become string arrays",
      input: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            NotPrincipal: { Service: "ec2.amazonaws.com" },
            NotAction: "s3:*",
            Resource: "*",
            Condition: {
              Bool: { "aws:SecureTransport": false },
              NumericLessThan: { "s3:max-keys": 10 },
              StringEquals: { "sts:ExternalId": ["a", "b"] },
            },
          },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            NotPrincipal: { Service: ["ec2.amazonaws.com"] },
            NotAction: ["s3:*"],
            Resource: ["*"],
            Condition: {
              Bool: { "aws:SecureTransport": ["false"] },
              NumericLessThan: { "s3:max-keys": ["10"] },
              StringEquals: { "sts:ExternalId": ["a", "b"] },
            },
          },
        ],
      },
    },
    {
      name: "JSON text, missing Version read as 2008-10-17, Sid and Id kept, order kept",
      input: JSON.stringify({
        Id: "trust",
        Statement: [
          { Sid: "Ci", Effect: "Allow", Principal: { AWS: [ROLE, ROLE] }, Action: ["b", "a"] },
        ],
      }),
      expected: {
        Version: "2008-10-17",
        Id: "trust",
        Statement: [
          { Sid: "Ci", Effect: "Allow", Principal: { AWS: [ROLE, ROLE] }, Action: ["b", "a"] },
        ],
      },
    },
    {
      name: "an empty principal type list is dropped",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: ROLE, Service: [] }, Action: "sts:AssumeRole" },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: [ROLE] }, Action: ["sts:AssumeRole"] }],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(normalizeDocument(c.input), { ok: true, document: c.expected });
    });
  }

  const problems: { name: string; input: unknown; expected: { code: string; path: string }[] }[] = [
    { name: "invalid JSON", input: "{", expected: [{ code: "Document::InvalidJson", path: "" }] },
    { name: "not an object", input: [1], expected: [{ code: "Document::NotObject", path: "" }] },
    {
      name: "no statement",
      input: { Version: "2012-10-17" },
      expected: [{ code: "Document::NoStatement", path: "Statement" }],
    },
    {
      name: "unknown version and field",
      input: { Version: "2020-01-01", Foo: 1, Statement: [] },
      expected: [
        { code: "Document::UnknownField", path: "Foo" },
        { code: "Document::BadVersion", path: "Version" },
      ],
    },
    {
      name: "bad effect, both Action and NotAction",
      input: { Statement: [{ Effect: "allow", Action: "a", NotAction: "b" }] },
      expected: [
        { code: "Statement::BadEffect", path: "Statement[0].Effect" },
        { code: "Statement::BothActionAndNotAction", path: "Statement[0]" },
      ],
    },
    {
      name: "no action",
      input: { Statement: [{ Effect: "Allow", Principal: "*" }] },
      expected: [{ code: "Statement::NoAction", path: "Statement[0]" }],
    },
    {
      name: "principal as a bare ARN string",
      input: { Statement: [{ Effect: "Allow", Principal: ROLE, Action: "a" }] },
      expected: [{ code: "Principal::BadShape", path: "Statement[0].Principal" }],
    },
    {
      name: "unknown principal type and a number in a list",
      input: {
        Statement: [
          {},
          { Effect: "Allow", Principal: { aws: "x", AWS: ["a", 1] }, Action: "a" },
        ].slice(1),
      },
      expected: [
        { code: "Principal::UnknownType", path: "Statement[0].Principal.aws" },
        { code: "Value::NotString", path: "Statement[0].Principal.AWS[1]" },
      ],
    },
    {
      name: "empty principal and empty action",
      input: { Statement: [{ Effect: "Allow", Principal: {}, Action: [] }] },
      expected: [
        { code: "Principal::Empty", path: "Statement[0].Principal" },
        { code: "Statement::EmptyAction", path: "Statement[0].Action" },
      ],
    },
    {
      name: "bad condition values",
      input: {
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "a",
            Condition: { StringEquals: { k: null, j: [] } },
          },
        ],
      },
      expected: [
        { code: "Condition::BadValue", path: "Statement[0].Condition.StringEquals.k" },
        { code: "Condition::EmptyValues", path: "Statement[0].Condition.StringEquals.j" },
      ],
    },
    {
      name: "statement that is not an object",
      input: { Statement: ["x"] },
      expected: [{ code: "Statement::NotObject", path: "Statement[0]" }],
    },
  ];
  for (const c of problems) {
    it(`reports ${c.name}`, () => {
      const result = normalizeDocument(c.input);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.deepEqual(
          result.problems.map(({ code, path }) => ({ code, path })),
          c.expected,
        );
        for (const p of result.problems) {
          assert.ok(p.message.length > 10);
        }
      }
    });
  }

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.json()), (input) => {
        const result = normalizeDocument(input);
        assert.equal(typeof result.ok, "boolean");
      }),
      { numRuns: 200 },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(documentArb, fc.array(fc.boolean(), { minLength: 1 }), (doc, choices) => {
        const once = normalizeDocument(rawSpelling(doc, choices));
        assert.ok(once.ok, JSON.stringify(once));
        assert.deepEqual(once.document, doc);
        assert.deepEqual(normalizeDocument(once.document), once);
        assert.deepEqual(normalizeDocument(JSON.stringify(once.document)), once);
      }),
      { numRuns: 200 },
    );
  });
});

import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  canonicalJson,
  canonicalizeDocument,
  documentsEqual,
  normalizeDocument,
  type PolicyDocument,
} from "../../../lib/iam";
import { documentArb, shuffled } from "./arbitraries";

const ROLE = "arn:aws:iam::111122223333:role/ci";

describe("canonicalizeDocument", () => {
  const cases: { name: string; input: PolicyDocument; expected: PolicyDocument }[] = [
    {
      name: "dedupes and sorts arrays, drops the Sid",
      input: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Ci",
            Effect: "Allow",
            Principal: { AWS: [ROLE, "111122223333", ROLE] },
            Action: ["sts:TagSession", "sts:AssumeRole"],
          },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ["111122223333", ROLE] },
            Action: ["sts:AssumeRole", "sts:TagSession"],
          },
        ],
      },
    },
    {
      name: "drops empty Sid, Id, lists and condition blocks",
      input: {
        Version: "2012-10-17",
        Id: "",
        Statement: [
          {
            Sid: "",
            Effect: "Deny",
            Principal: "*",
            Action: ["a"],
            Resource: [],
            Condition: { StringEquals: {} },
          },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: ["a"] }],
      },
    },
    {
      name: "sorts condition operators, keys and values",
      input: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["b", "a"], AWS: ["*"] },
            Action: ["a"],
            Condition: { StringLike: { z: ["2", "1"], a: ["x"] }, ArnLike: { k: ["v"] } },
          },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ["*"], Service: ["a", "b"] },
            Action: ["a"],
            Condition: { ArnLike: { k: ["v"] }, StringLike: { a: ["x"], z: ["1", "2"] } },
          },
        ],
      },
    },
    {
      name: "sorts statements by content and drops exact duplicates",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Deny", Principal: "*", Action: ["b"] },
          { Effect: "Allow", Principal: "*", Action: ["a"] },
          { Effect: "Deny", Principal: "*", Action: ["b"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: ["a"] },
          { Effect: "Deny", Principal: "*", Action: ["b"] },
        ],
      },
    },
    {
      name: "keeps * apart from {AWS: *}",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["a"] },
          { Effect: "Allow", Principal: "*", Action: ["a"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: ["a"] },
          { Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["a"] },
        ],
      },
    },
    {
      name: "merges statements that differ only in their actions",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Sid: "A", Effect: "Allow", Action: ["ec2:*"], Resource: ["*"] },
          { Sid: "B", Effect: "Allow", Action: ["s3:*", "ec2:*"], Resource: ["*"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["ec2:*", "s3:*"], Resource: ["*"] }],
      },
    },
    {
      name: "merges statements that differ only in their resources, trusts without Resource too",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Deny", Action: ["iam:DeleteRole"], Resource: ["arn:a"] },
          { Effect: "Deny", Action: ["iam:DeleteRole"], Resource: ["arn:b"] },
          { Effect: "Allow", Principal: { AWS: [ROLE] }, Action: ["sts:AssumeRole"] },
          { Effect: "Allow", Principal: { AWS: [ROLE] }, Action: ["sts:TagSession"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: [ROLE] },
            Action: ["sts:AssumeRole", "sts:TagSession"],
          },
          { Effect: "Deny", Action: ["iam:DeleteRole"], Resource: ["arn:a", "arn:b"] },
        ],
      },
    },
    {
      name: "keeps statements with other conditions, principals or NotAction apart",
      input: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] },
          {
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: ["*"],
            Condition: { Bool: { "aws:SecureTransport": ["true"] } },
          },
          { Effect: "Deny", NotAction: ["s3:Get*"], Resource: ["*"] },
          { Effect: "Deny", NotAction: ["s3:List*"], Resource: ["*"] },
        ],
      },
      expected: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] },
          {
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: ["*"],
            Condition: { Bool: { "aws:SecureTransport": ["true"] } },
          },
          { Effect: "Deny", NotAction: ["s3:Get*"], Resource: ["*"] },
          { Effect: "Deny", NotAction: ["s3:List*"], Resource: ["*"] },
        ],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.deepEqual(canonicalJson(canonicalizeDocument(c.input)), canonicalJson(c.expected)),
    );
  }

  it("is unique: however the (action, resource) pairs are split across statements", () => {
    const pairs: [string, string][] = [
      ["ec2:*", "*"],
      ["s3:GetObject", "arn:aws:s3:::b/*"],
      ["s3:PutObject", "arn:aws:s3:::b/*"],
      ["s3:GetObject", "arn:aws:s3:::c/*"],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
        (groups) => {
          const statements = [0, 1, 2, 3].flatMap((g) => {
            const mine = pairs.filter((_, i) => groups[i] === g);
            return mine.map(([a, r]) => ({ Effect: "Allow" as const, Action: [a], Resource: [r] }));
          });
          const whole = {
            Version: "2012-10-17",
            Statement: pairs.map(([a, r]) => ({
              Effect: "Allow" as const,
              Action: [a],
              Resource: [r],
            })),
          };
          assert.ok(documentsEqual({ Version: "2012-10-17", Statement: statements }, whole));
        },
      ),
    );
  });

  it("prints a stable key order with a 2-space indent", () => {
    const doc: PolicyDocument = {
      Statement: [
        { Condition: { StringEquals: { k: ["v"] } }, Action: ["a"], Effect: "Allow", Sid: "S" },
      ],
      Version: "2012-10-17",
    };
    assert.equal(
      canonicalJson(doc),
      [
        "{",
        '  "Version": "2012-10-17",',
        '  "Statement": [',
        "    {",
        '      "Effect": "Allow",',
        '      "Action": [',
        '        "a"',
        "      ],",
        '      "Condition": {',
        '        "StringEquals": {',
        '          "k": [',
        '            "v"',
        "          ]",
        "        }",
        "      }",
        "    }",
        "  ]",
        "}",
      ].join("\n"),
    );
  });

  it("tells documents apart by value", () => {
    const a: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["x", "y"] }],
    };
    const b: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["y", "x", "x"] }],
    };
    const c: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["x", "y"] }],
    };
    assert.equal(documentsEqual(a, b), true);
    assert.equal(documentsEqual(a, c), false);
  });

  it("keeps a statement without Resource apart from one with a Resource (idempotent on it)", () => {
    // Found by the property below (seed -1912090623): the Resource-less statement was folded
    // into the other, gaining its resources, and a second pass merged them again.
    const doc: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["111122223333", "sts:AssumeRole"],
          Resource: ["sts:AssumeRole"],
        },
        { Effect: "Allow", Action: ["sts:AssumeRole"] },
      ],
    };
    const once = canonicalizeDocument(doc);
    assert.deepEqual(canonicalizeDocument(once), once);
    assert.deepEqual(
      once.Statement.find((st) => st.Resource === undefined),
      { Effect: "Allow", Action: ["sts:AssumeRole"] },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const once = canonicalizeDocument(doc);
        assert.deepEqual(canonicalizeDocument(once), once);
        assert.equal(canonicalJson(once), canonicalJson(doc));
      }),
      { numRuns: 200 },
    );
  });

  it("is insensitive to statement and array order", () => {
    fc.assert(
      fc.property(documentArb, fc.integer(), (doc, seed) => {
        assert.equal(canonicalJson(shuffled(doc, seed)), canonicalJson(doc));
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips: canonical JSON parses and normalizes back to the canonical document", () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const reread = normalizeDocument(canonicalJson(doc));
        assert.ok(reread.ok);
        assert.deepEqual(reread.document, canonicalizeDocument(doc));
      }),
      { numRuns: 200 },
    );
  });

  it("does not modify its input", () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const before = JSON.stringify(doc);
        canonicalizeDocument(doc);
        assert.equal(JSON.stringify(doc), before);
      }),
      { numRuns: 100 },
    );
  });
});

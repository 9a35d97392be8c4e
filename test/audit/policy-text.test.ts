import { strict as assert } from "node:assert";
import { decodePolicyText, policyTextProblem } from "../../lib/audit/policy-text";

const doc =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';

const cases = [
  { name: "plain JSON (S3, KMS)", input: doc, expected: doc },
  { name: "URL-encoded (IAM)", input: encodeURIComponent(doc), expected: doc },
  { name: "plain JSON holding a percent sign", input: '{"a":"100%"}', expected: '{"a":"100%"}' },
  { name: "surrounding whitespace", input: `  ${doc}\n`, expected: doc },
  { name: "not decodable: returned as is", input: "%E0%A4%A", expected: "%E0%A4%A" },
];

describe("decodePolicyText", function () {
  for (const c of cases) {
    it(c.name, function () {
      assert.equal(decodePolicyText(c.input), c.expected);
    });
  }
});

describe("policyTextProblem", function () {
  const table = [
    { name: "a policy document", input: doc, expected: undefined },
    { name: "an empty object (judged later, not malformed)", input: "{}", expected: undefined },
    {
      name: "a document cut off",
      input: doc.slice(0, 30),
      expected: /^is not JSON \(it starts with /,
    },
    { name: "an HTML page", input: "<html><body>Gateway", expected: /^is not JSON .*<html>/ },
    { name: "an empty string", input: "", expected: /^is not JSON/ },
    { name: "a JSON list", input: "[]", expected: /^is JSON but not an object$/ },
    { name: "JSON null", input: "null", expected: /^is JSON but not an object$/ },
  ];
  for (const t of table) {
    it(t.name, function () {
      const problem = policyTextProblem(t.input);
      if (t.expected === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? "", t.expected);
    });
  }
});

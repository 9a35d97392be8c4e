import { strict as assert } from "node:assert";
import { decodePolicyText } from "../../lib/audit/policy-text";

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

import { strict as assert } from "node:assert";
import { uniqueIdPrincipals } from "../../lib/audit/unique-id-principals";

const doc = (statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

const cases = [
  {
    name: "a role ARN",
    input: doc([
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:role/x" }, Action: "sts:AssumeRole" },
    ]),
    expected: [],
  },
  {
    name: "a deleted role",
    input: doc([
      { Effect: "Allow", Principal: { AWS: "AROA3X42LBCDVWKBYZEOX" }, Action: "sts:AssumeRole" },
    ]),
    expected: ["AROA3X42LBCDVWKBYZEOX"],
  },
  {
    name: "a deleted user among ARNs, and in NotPrincipal",
    input: doc([
      {
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::1:root", "AIDAJQABLZS4A3QDU576Q"] },
        Action: "s3:*",
      },
      { Effect: "Deny", NotPrincipal: { AWS: "AROAZZZZZZZZZZZZZZZZZ" }, Action: "s3:*" },
    ]),
    expected: ["AIDAJQABLZS4A3QDU576Q", "AROAZZZZZZZZZZZZZZZZZ"],
  },
  {
    name: "an account id is not a unique id",
    input: doc([{ Effect: "Allow", Principal: { AWS: "123456789012" }, Action: "s3:*" }]),
    expected: [],
  },
  {
    name: "everyone",
    input: doc([{ Effect: "Allow", Principal: "*", Action: "s3:*" }]),
    expected: [],
  },
  { name: "an unreadable document", input: "{", expected: [] },
];

describe("uniqueIdPrincipals", function () {
  for (const c of cases) {
    it(c.name, function () {
      assert.deepEqual(uniqueIdPrincipals(c.input), c.expected);
    });
  }
});

import { strict as assert } from "node:assert";
import { admittedCallers, type AdmissionRoute } from "../../lib/audit/ci-admission";
import type { CiCaller } from "../../lib/audit/targets";

const TF = "111111111111";
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_USER = `arn:aws:iam::${TF}:user/terraform-ci`;
const PROVIDER = `arn:aws:iam::${TF}:oidc-provider/token.actions.githubusercontent.com`;
const callers: CiCaller[] = [
  { arn: CI_ROLE, accountId: TF, label: "CI role" },
  { arn: CI_USER, accountId: TF, label: "CI identity" },
];
const withProvider: CiCaller[] = [
  ...callers,
  { arn: PROVIDER, accountId: TF, label: "CI platform's OIDC provider", kind: "oidc" },
];
const webIdentity = (principal: unknown, condition?: object) =>
  trust({
    Effect: "Allow",
    Principal: principal,
    Action: "sts:AssumeRoleWithWebIdentity",
    ...(condition ? { Condition: condition } : {}),
  });
const ROLE = "arn:aws:iam::222222222222:role/other";

const trust = (statement: object) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const assume = (principal: unknown, condition?: object) =>
  trust({
    Effect: "Allow",
    Principal: principal,
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
  });

const cases: { name: string; trust: string; expected: [string, AdmissionRoute][] }[] = [
  {
    name: "the CI role by ARN",
    trust: assume({ AWS: CI_ROLE }),
    expected: [[CI_ROLE, "evaluated"]],
  },
  {
    name: "the Terraform account root narrowed to the CI role (the declared shape)",
    trust: assume(
      { AWS: `arn:aws:iam::${TF}:root` },
      { ArnEquals: { "aws:PrincipalArn": CI_ROLE } },
    ),
    expected: [[CI_ROLE, "evaluated"]],
  },
  {
    name: "the Terraform account root without a condition",
    trust: assume({ AWS: `arn:aws:iam::${TF}:root` }),
    expected: [
      [CI_ROLE, "evaluated"],
      [CI_USER, "evaluated"],
    ],
  },
  {
    name: "everyone",
    trust: assume("*"),
    expected: [
      [CI_ROLE, "evaluated"],
      [CI_USER, "evaluated"],
    ],
  },
  {
    name: "a session of the CI role",
    trust: assume({ AWS: `arn:aws:sts::${TF}:assumed-role/terraform-ci/ci` }),
    expected: [[CI_ROLE, "named"]],
  },
  {
    name: "another role",
    trust: assume({ AWS: "arn:aws:iam::333333333333:role/x" }),
    expected: [],
  },
  { name: "a service", trust: assume({ Service: "lambda.amazonaws.com" }), expected: [] },
  {
    name: "a deleted principal's unique id",
    trust: assume({ AWS: "AROAABCDEFGHIJKLMNOPQ" }),
    expected: [],
  },
  {
    name: "the root narrowed to another role",
    trust: assume(
      { AWS: `arn:aws:iam::${TF}:root` },
      { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${TF}:role/x` } },
    ),
    expected: [],
  },
  {
    name: "an unreadable document",
    trust: "{not json",
    expected: [
      [CI_ROLE, "unreadable"],
      [CI_USER, "unreadable"],
    ],
  },
];

describe("admittedCallers", function () {
  it("the CI platform's OIDC provider, whatever the subject the trust pins", function () {
    const pinned = webIdentity(
      { Federated: PROVIDER },
      {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:someone/else:ref:refs/heads/main",
        },
      },
    );
    for (const doc of [pinned, webIdentity({ Federated: PROVIDER }), webIdentity("*")]) {
      assert.deepEqual(
        admittedCallers(doc, ROLE, withProvider).map((a) => [a.caller.arn, a.route]),
        [[PROVIDER, "federated"]],
        doc,
      );
    }
  });

  it("not another provider, nor the provider's ARN under sts:AssumeRole", function () {
    const other = webIdentity({ Federated: `arn:aws:iam::${TF}:oidc-provider/gitlab.com` });
    assert.deepEqual(admittedCallers(other, ROLE, withProvider), []);
    assert.deepEqual(
      admittedCallers(assume({ Service: "lambda.amazonaws.com" }), ROLE, withProvider),
      [],
    );
  });

  for (const c of cases) {
    it(c.name, function () {
      const got = admittedCallers(c.trust, ROLE, callers).map((a): [string, AdmissionRoute] => [
        a.caller.arn,
        a.route,
      ]);
      assert.deepEqual(got, c.expected);
    });
  }
});

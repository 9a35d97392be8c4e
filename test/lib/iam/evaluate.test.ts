import { strict as assert } from "node:assert";
import { evaluatePolicy, EvaluationRequest } from "../../../lib/iam/evaluate";
import type { PolicyDocument, Statement } from "../../../lib/iam/types";

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const bucket = "arn:aws:s3:::state";
const role = (arn: string, accountId: string) => ({ kind: "aws" as const, arn, accountId });

interface Case {
  name: string;
  policy: PolicyDocument;
  request: EvaluationRequest;
  expected: string;
}

const cases: Case[] = [
  {
    name: "no statement applies: implicit deny",
    policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/a/*`] }),
    request: { action: "s3:GetObject", resource: `${bucket}/b/x` },
    expected: "implicit-deny",
  },
  {
    name: "actions match case-insensitively and with wildcards",
    policy: doc({ Effect: "Allow", Action: ["S3:get*"], Resource: ["*"] }),
    request: { action: "s3:GetObjectVersion", resource: `${bucket}/x` },
    expected: "allow",
  },
  {
    name: "resources match case-sensitively",
    policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucket}/A/*`] }),
    request: { action: "s3:GetObject", resource: `${bucket}/a/x` },
    expected: "implicit-deny",
  },
  {
    name: "an explicit deny wins over an allow",
    policy: doc(
      { Effect: "Allow", Action: ["s3:*"], Resource: ["*"] },
      { Effect: "Deny", Action: ["s3:DeleteObject"], Resource: ["*"] },
    ),
    request: { action: "s3:DeleteObject", resource: `${bucket}/x` },
    expected: "explicit-deny",
  },
  {
    name: "NotAction allows what it does not list",
    policy: doc({ Effect: "Allow", NotAction: ["iam:*"], Resource: ["*"] }),
    request: { action: "ec2:RunInstances", resource: "*" },
    expected: "allow",
  },
  {
    name: "NotAction does not allow what it lists",
    policy: doc({ Effect: "Allow", NotAction: ["iam:*"], Resource: ["*"] }),
    request: { action: "iam:CreateUser", resource: "*" },
    expected: "implicit-deny",
  },
  {
    name: "context keys compare case-insensitively: Bool aws:SecureTransport false denies HTTP",
    policy: doc({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["*"],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    }),
    request: {
      action: "s3:GetObject",
      resource: `${bucket}/x`,
      principal: role("arn:aws:iam::1:role/r", "1"),
      context: { "aws:securetransport": "false" },
    },
    expected: "explicit-deny",
  },
  {
    name: "a negated operator holds when the key is missing",
    policy: doc({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["*"],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::1:role/ci"] } },
    }),
    request: {
      action: "s3:GetObject",
      resource: `${bucket}/x`,
      principal: { kind: "service", service: "logging.s3.amazonaws.com" },
    },
    expected: "explicit-deny",
  },
  {
    name: "ArnNotEquals spares the named principal",
    policy: doc({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["*"],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::1:role/ci"] } },
    }),
    request: {
      action: "s3:GetObject",
      resource: `${bucket}/x`,
      principal: role("arn:aws:iam::1:role/ci", "1"),
      context: { "aws:PrincipalArn": "arn:aws:iam::1:role/ci" },
    },
    expected: "implicit-deny",
  },
  {
    name: "a positive operator fails when the key is missing",
    policy: doc({
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: { StringLike: { "s3:prefix": ["a/*"] } },
    }),
    request: { action: "s3:ListBucket", resource: bucket },
    expected: "implicit-deny",
  },
  {
    name: "IfExists holds when the key is missing",
    policy: doc({
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [bucket],
      Condition: { StringLikeIfExists: { "s3:prefix": ["a/*"] } },
    }),
    request: { action: "s3:ListBucket", resource: bucket },
    expected: "allow",
  },
  {
    name: "ForAllValues requires every value to match",
    policy: doc({
      Effect: "Allow",
      Action: ["dynamodb:GetItem"],
      Resource: ["*"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["state/a/*"] } },
    }),
    request: {
      action: "dynamodb:GetItem",
      resource: "t",
      context: { "dynamodb:LeadingKeys": ["state/a/x", "state/b/y"] },
    },
    expected: "implicit-deny",
  },
  {
    name: "ForAnyValue requires one value to match",
    policy: doc({
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: ["*"],
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/state"] } },
    }),
    request: {
      action: "kms:Decrypt",
      resource: "k",
      context: { "kms:ResourceAliases": ["alias/other", "alias/state"] },
    },
    expected: "allow",
  },
  {
    name: "an account principal admits that account's identities",
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
      Action: ["kms:Decrypt"],
      Resource: ["*"],
    }),
    request: {
      action: "kms:Decrypt",
      resource: "*",
      principal: role("arn:aws:iam::111111111111:role/x", "111111111111"),
    },
    expected: "allow",
  },
  {
    name: "an account principal does not admit other accounts",
    policy: doc({
      Effect: "Allow",
      Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
      Action: ["kms:Decrypt"],
      Resource: ["*"],
    }),
    request: {
      action: "kms:Decrypt",
      resource: "*",
      principal: role("arn:aws:iam::222222222222:role/x", "222222222222"),
    },
    expected: "implicit-deny",
  },
  {
    name: "an unknown operator makes an otherwise applicable statement indeterminate",
    policy: doc({
      Effect: "Allow",
      Action: ["s3:*"],
      Resource: ["*"],
      Condition: { DateGreaterThan: { "aws:CurrentTime": ["2020-01-01T00:00:00Z"] } },
    }),
    request: { action: "s3:GetObject", resource: "x" },
    expected: "indeterminate",
  },
];

describe("evaluatePolicy", () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(evaluatePolicy(c.policy, c.request).decision, c.expected);
    });
  }
});

/**
 * fast-check generators for trust policies built from a small palette of principals, actions and
 * conditions (the ones the analyzer reasons about, plus a few it does not), and the concrete
 * requests the reference evaluator replays against them.
 */
import * as fc from "fast-check";
import type {
  AllowedCaller,
  ConditionBlock,
  PolicyDocument,
  Principal,
  Statement,
} from "../../../../lib/iam";
import { wildcardMatch } from "../../../../lib/iam/matching";
import type { Request } from "./reference-evaluator";

export const ACCOUNT_A = "111111111111";
export const ACCOUNT_B = "222222222222";
export const CI = `arn:aws:iam::${ACCOUNT_A}:role/ci`;
export const CI_X = `arn:aws:iam::${ACCOUNT_A}:role/cix`;
export const ADMIN = `arn:aws:iam::${ACCOUNT_A}:role/admin`;
export const TEAM_CI = `arn:aws:iam::${ACCOUNT_A}:role/team/deploy`;
export const B_CI = `arn:aws:iam::${ACCOUNT_B}:role/ci`;
export const ALICE = `arn:aws:iam::${ACCOUNT_A}:user/alice`;
export const GH = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/token.actions.githubusercontent.com`;
export const GL = `arn:aws:iam::${ACCOUNT_A}:oidc-provider/gitlab.example.com`;
export const SAML = `arn:aws:iam::${ACCOUNT_A}:saml-provider/okta`;
export const AUD = "sts.amazonaws.com";
export const MAIN = "repo:acme/app:ref:refs/heads/main";
export const PROD = "repo:acme/app:environment:prod";
export const PR = "repo:acme/app:pull_request";
export const OTHER_REPO = "repo:acme/other:ref:refs/heads/main";
const GH_AUD = "token.actions.githubusercontent.com:aud";
const GH_SUB = "token.actions.githubusercontent.com:sub";

const CALLER_ARNS = [
  CI,
  CI_X,
  ADMIN,
  TEAM_CI,
  B_CI,
  ALICE,
  `arn:aws:iam::${ACCOUNT_A}:root`,
  `arn:aws:iam::333333333333:role/ci`,
];

/** Principals from the palette. */
export const principalArb: fc.Arbitrary<Principal> = fc.constantFrom<Principal>(
  "*",
  { AWS: ["*"] },
  { AWS: [ACCOUNT_A] },
  { AWS: [`arn:aws:iam::${ACCOUNT_A}:root`] },
  { AWS: [`arn:aws:iam::${ACCOUNT_B}:root`] },
  { AWS: [CI] },
  { AWS: [CI, ADMIN] },
  { AWS: [TEAM_CI] },
  { AWS: [ALICE] },
  { AWS: [`arn:aws:sts::${ACCOUNT_A}:assumed-role/ci/s1`] },
  { AWS: [`arn:aws:sts::${ACCOUNT_A}:assumed-role/admin/s1`] },
  { AWS: [`arn:aws:iam::${ACCOUNT_A}:role/c*`] },
  { Service: ["ec2.amazonaws.com"] },
  { AWS: [CI], Service: ["lambda.amazonaws.com"] },
  { Federated: [GH] },
  { Federated: [GL] },
  { Federated: [SAML] },
  { Federated: [GH, GL] },
);

const actionsArb: fc.Arbitrary<{ Action: string[] } | { NotAction: string[] }> = fc.oneof(
  fc.record({
    Action: fc.subarray(
      [
        "sts:AssumeRole",
        "sts:AssumeRoleWithWebIdentity",
        "sts:AssumeRoleWithSAML",
        "sts:*",
        "*",
        "STS:assumerole*",
        "sts:TagSession",
      ],
      { minLength: 1, maxLength: 2 },
    ),
  }),
  fc.record({
    NotAction: fc.constantFrom<string[]>(["s3:*"], ["sts:AssumeRole"], ["sts:AssumeRoleWith*"]),
  }),
);

const ARN_VALUES = [
  CI,
  ADMIN,
  `arn:aws:iam::${ACCOUNT_A}:role/c*`,
  "arn:aws:iam::*:role/ci",
  "*",
  B_CI,
  TEAM_CI,
];
const KEY_GROUPS: readonly { keys: string[]; operators: string[]; values: string[] }[] = [
  {
    keys: ["aws:PrincipalArn", "AWS:PRINCIPALARN"],
    operators: [
      "StringEquals",
      "StringNotEquals",
      "StringLike",
      "StringNotLike",
      "ArnEquals",
      "ArnLike",
      "ArnNotEquals",
      "ArnNotLike",
      "ArnLikeIfExists",
      "ArnNotLikeIfExists",
      "StringEqualsIfExists",
      "ForAnyValue:StringEquals",
      "ForAllValues:StringEquals",
      "ForAllValues:StringNotLike",
      "ForAnyValue:ArnLike",
      "StringEqualsIgnoreCase",
      "stringequals",
    ],
    values: ARN_VALUES,
  },
  {
    keys: ["aws:PrincipalAccount"],
    operators: ["StringEquals", "StringNotEquals", "StringLike"],
    values: [ACCOUNT_A, ACCOUNT_B, "1111*"],
  },
  {
    keys: ["aws:PrincipalOrgID"],
    operators: ["StringEquals", "StringNotEquals"],
    values: ["o-abc"],
  },
  { keys: ["sts:ExternalId"], operators: ["StringEquals", "StringNotEquals"], values: ["ext-1"] },
  {
    keys: ["aws:PrincipalArn", "sts:ExternalId", GH_SUB],
    operators: ["Null"],
    values: ["true", "false"],
  },
  { keys: ["aws:MultiFactorAuthPresent"], operators: ["Bool"], values: ["true"] },
  {
    keys: [GH_AUD, "Token.Actions.GitHubUserContent.com:AUD"],
    operators: ["StringEquals", "StringLike", "StringEqualsIfExists", "StringNotEquals"],
    values: [AUD, "other", "*"],
  },
  {
    keys: [GH_SUB],
    operators: [
      "StringEquals",
      "StringLike",
      "StringNotLike",
      "StringLikeIfExists",
      "ForAnyValue:StringLike",
      "ForAllValues:StringLike",
    ],
    values: [MAIN, PROD, "repo:acme/app:*", "repo:acme/*", "*"],
  },
];

type KeyGroup = (typeof KEY_GROUPS)[number];

function entryArb(groups: readonly KeyGroup[]): fc.Arbitrary<[string, string, string[]]> {
  return fc
    .constantFrom(...groups)
    .chain((group) =>
      fc.tuple(
        fc.constantFrom(...group.operators),
        fc.constantFrom(...group.keys),
        fc.subarray(group.values, { minLength: 1, maxLength: Math.min(2, group.values.length) }),
      ),
    );
}

function conditionArb(
  groups: readonly KeyGroup[],
  maxEntries: number,
): fc.Arbitrary<ConditionBlock | undefined> {
  return fc.array(entryArb(groups), { maxLength: maxEntries }).map((entries) => {
    if (entries.length === 0) {
      return undefined;
    }
    const block: ConditionBlock = {};
    for (const [operator, key, values] of entries) {
      block[operator] = { ...(block[operator] ?? {}), [key]: values };
    }
    return block;
  });
}

/** What a statement generator draws from. */
interface Palette {
  readonly principals: fc.Arbitrary<Principal>;
  readonly actions: fc.Arbitrary<{ Action: string[] } | { NotAction: string[] }>;
  readonly groups: readonly KeyGroup[];
  readonly maxEntries: number;
  /** Entries every statement may start from (e.g. a pinned audience), before the random ones. */
  readonly base?: fc.Arbitrary<ConditionBlock | undefined>;
}

const FULL: Palette = {
  principals: principalArb,
  actions: actionsArb,
  groups: KEY_GROUPS,
  maxEntries: 2,
};

/** Web identity callers only: OIDC providers, aud/sub conditions. */
const OIDC_FOCUS: Palette = {
  principals: fc.oneof(
    { weight: 4, arbitrary: fc.constant<Principal>({ Federated: [GH] }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Principal>("*", { Federated: [GL] }, { Federated: [GH, GL] }),
    },
  ),
  actions: fc.constantFrom({ Action: ["sts:AssumeRoleWithWebIdentity"] }, { Action: ["sts:*"] }),
  // The subject group twice: subject conditions are what most web identity trusts get wrong.
  groups: [
    ...KEY_GROUPS.filter((g) => g.keys.includes(GH_SUB)),
    ...KEY_GROUPS.filter((g) => g.keys.includes(GH_SUB) && g.operators.length > 1),
  ],
  maxEntries: 2,
  base: fc.option(fc.constant({ StringEquals: { [GH_AUD]: [AUD] } }), { nil: undefined, freq: 3 }),
};

/** IAM callers only: accounts, roles, PrincipalArn/account/org/external id conditions. */
const AWS_FOCUS: Palette = {
  principals: fc.constantFrom<Principal>(
    { AWS: [ACCOUNT_A] },
    { AWS: [`arn:aws:iam::${ACCOUNT_B}:root`] },
    { AWS: [CI, ADMIN] },
    { AWS: [`arn:aws:sts::${ACCOUNT_A}:assumed-role/admin/s1`] },
    { AWS: [TEAM_CI] },
    { AWS: ["*"] },
    "*",
  ),
  actions: fc.constantFrom({ Action: ["sts:AssumeRole"] }),
  groups: KEY_GROUPS.filter((g) => g.keys.some((k) => /^aws:principal|^sts:/i.test(k))),
  maxEntries: 3,
};

/** A statement of the given effect from a palette (the full one by default). */
export function statementArb(
  effect: "Allow" | "Deny",
  palette: Palette = FULL,
): fc.Arbitrary<Statement> {
  return fc
    .record({
      principal: fc.oneof(
        { weight: 6, arbitrary: palette.principals.map((p) => ({ Principal: p })) },
        { weight: 1, arbitrary: palette.principals.map((p) => ({ NotPrincipal: p })) },
      ),
      actions: palette.actions,
      base: palette.base ?? fc.constant(undefined),
      condition: conditionArb(palette.groups, effect === "Deny" ? 1 : palette.maxEntries),
    })
    .map(({ principal, actions, base, condition }) => {
      const statement: Statement = { Effect: effect, ...principal, ...actions };
      const merged: ConditionBlock = { ...(base ?? {}) };
      for (const [operator, keys] of Object.entries(condition ?? {})) {
        merged[operator] = { ...(merged[operator] ?? {}), ...keys };
      }
      if (Object.keys(merged).length > 0) {
        statement.Condition = merged;
      }
      return statement;
    });
}

function policyArb(palette: Palette): fc.Arbitrary<PolicyDocument> {
  return fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: statementArb("Allow", palette) },
        { weight: 1, arbitrary: statementArb("Deny", palette) },
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((Statement) => ({ Version: "2012-10-17", Statement }));
}

/** Trust policies focused on web identity callers. */
export const oidcPolicyArb = policyArb(OIDC_FOCUS);

/** Trust policies focused on IAM callers. */
export const awsPolicyArb = policyArb(AWS_FOCUS);

/** A trust policy of one to three statements, mostly Allows, from the full palette. */
export const trustPolicyArb: fc.Arbitrary<PolicyDocument> = policyArb(FULL);

const subjectsArb = fc.subarray([MAIN, PROD, "repo:acme/app:*"], { minLength: 1, maxLength: 2 });

/** An allowed set: one or two roles, and the GitHub OIDC caller (sometimes, or `always`). */
export const allowedArb: fc.Arbitrary<AllowedCaller[]> = allowedCallersArb(false);

/** An allowed set that always holds the GitHub OIDC caller. */
export const oidcAllowedArb: fc.Arbitrary<AllowedCaller[]> = allowedCallersArb(true);

function allowedCallersArb(always: boolean): fc.Arbitrary<AllowedCaller[]> {
  return fc
    .record({
      roles: fc.subarray([CI, TEAM_CI, ALICE], { minLength: 1, maxLength: 2 }),
      oidc: always ? subjectsArb : fc.option(subjectsArb, { nil: undefined }),
    })
    .map(({ roles, oidc }) => [
      ...roles.map((arn): AllowedCaller => ({ kind: "aws", arn })),
      ...(oidc === undefined
        ? []
        : [{ kind: "oidc", providerArn: GH, audience: AUD, subjects: oidc } as AllowedCaller]),
    ]);
}

function awsContext(arn: string): Record<string, string> {
  return { "aws:principalarn": arn, "aws:principalaccount": arn.split(":")[4] ?? "" };
}

function variants(base: Record<string, string>): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const org of [undefined, "o-abc"]) {
    for (const ext of [undefined, "ext-1"]) {
      for (const mfa of [undefined, "true"]) {
        const context = { ...base };
        if (org !== undefined) context["aws:principalorgid"] = org;
        if (ext !== undefined) context["sts:externalid"] = ext;
        if (mfa !== undefined) context["aws:multifactorauthpresent"] = mfa;
        out.push(context);
      }
    }
  }
  return out;
}

/** Every concrete request the soundness property replays, of every caller kind. */
export const REQUESTS: readonly Request[] = (() => {
  const requests: Request[] = [];
  for (const arn of CALLER_ARNS) {
    for (const session of ["s1", "s2"]) {
      for (const context of variants(awsContext(arn))) {
        requests.push({ caller: { kind: "aws", arn, session }, action: "sts:AssumeRole", context });
      }
    }
  }
  for (const name of ["ec2.amazonaws.com", "lambda.amazonaws.com"]) {
    for (const arn of [undefined, ...CALLER_ARNS]) {
      for (const context of variants(arn === undefined ? {} : awsContext(arn))) {
        requests.push({ caller: { kind: "service", name }, action: "sts:AssumeRole", context });
      }
    }
  }
  for (const provider of [GH, GL]) {
    const host = provider.split("oidc-provider/")[1] ?? "";
    for (const aud of [undefined, AUD, "other"]) {
      for (const sub of [undefined, MAIN, PROD, PR, OTHER_REPO]) {
        for (const arn of [undefined, CI]) {
          const context: Record<string, string> = arn === undefined ? {} : awsContext(arn);
          if (aud !== undefined) context[`${host}:aud`] = aud;
          if (sub !== undefined) context[`${host}:sub`] = sub;
          requests.push({
            caller: { kind: "oidc", provider },
            action: "sts:AssumeRoleWithWebIdentity",
            context,
          });
        }
      }
    }
  }
  requests.push({
    caller: { kind: "saml", provider: SAML },
    action: "sts:AssumeRoleWithSAML",
    context: {},
  });
  requests.push({
    caller: { kind: "saml", provider: SAML },
    action: "sts:AssumeRoleWithSAML",
    context: awsContext(CI),
  });
  return requests;
})();

/** Whether the request's caller is in the allowed set. */
export function isAllowedCaller(request: Request, allowed: readonly AllowedCaller[]): boolean {
  const caller = request.caller;
  if (caller.kind === "aws") {
    return allowed.some((a) => a.kind === "aws" && a.arn === caller.arn);
  }
  if (caller.kind !== "oidc") {
    return false;
  }
  const host = caller.provider.split("oidc-provider/")[1] ?? "";
  const aud = request.context[`${host}:aud`];
  const sub = request.context[`${host}:sub`];
  return allowed.some(
    (a) =>
      a.kind === "oidc" &&
      a.providerArn === caller.provider &&
      aud === a.audience &&
      sub !== undefined &&
      a.subjects.some((s) => wildcardMatch(s, sub)),
  );
}

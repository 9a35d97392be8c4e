/**
 * Web identity callers: holders of an OIDC token that call `sts:AssumeRoleWithWebIdentity`.
 *
 * A caller is a provider (the `Federated` principal) plus the token's claims. The provider's
 * `aud` and `sub` context keys (`<provider>:aud`, `<provider>:sub`, where `<provider>` is the
 * part of the provider ARN after `oidc-provider/`) are modelled exactly, including their absence;
 * every other key is unknown. The solver's variable is the pair, encoded as one string
 * `aud SEP sub` where either side may be the ABSENT marker.
 *
 * An allowed OIDC caller admits tokens of its provider whose `aud` equals its audience and whose
 * `sub` matches one of its subject patterns. A policy is precise when every token it admits is
 * admitted that way; subject patterns are compared by exact pattern inclusion.
 *
 * Sources: "Create a role for OpenID Connect federation" (formerly "Creating a role for web
 * identity or OIDC federation") and "IAM and AWS STS condition context keys" in the AWS IAM
 * User Guide.
 */
import type {
  Approximation,
  ConditionEntry,
  KeyModel,
  KeyModels,
  OperatorInfo,
} from "./conditions";
import { conditionFormula, isPositiveNarrowing } from "./conditions";
import { describeUnknown, finding, principalRoute, type FindingSink } from "./findings";
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
  type GlobToken,
} from "./glob-solver";
import {
  coversAction,
  isSamlProvider,
  isWildcardPrincipal,
  oidcKeyPrefix,
  principalValues,
  statementLabel,
  type StatementInfo,
} from "./statements";
import type { AllowedCaller } from "./types";

const ACTION = "sts:AssumeRoleWithWebIdentity";
const SEP = "\u001f";
const ABSENT = "\u001e";
const EXCLUDED = SEP + ABSENT;
/** Stands for every provider the policy and the allowed set do not name. */
const UNNAMED = "\u0000unnamed-provider";

function audAtom(tokens: readonly GlobToken[]): Formula {
  return atom([...tokens, ...literal(SEP), star()]);
}

function subAtom(tokens: readonly GlobToken[]): Formula {
  return atom([star(SEP), ...literal(SEP), ...tokens]);
}

const AUD_ABSENT = audAtom(literal(ABSENT));
const SUB_ABSENT = subAtom(literal(ABSENT));
const AUD_PRESENT = audAtom([star(EXCLUDED)]);
const SUB_PRESENT = subAtom([star(EXCLUDED)]);
/** Exactly one separator; each side is ABSENT or a string without the two markers. */
const WELL_FORMED = and(or(AUD_ABSENT, AUD_PRESENT), or(SUB_ABSENT, SUB_PRESENT));

function valueTokens(value: string, op: OperatorInfo): GlobToken[] {
  const options = { ignoreCase: op.ignoreCase, exclude: EXCLUDED };
  return op.wildcards ? pattern(value, options) : literal(value, options);
}

function claimModel(side: "aud" | "sub"): KeyModel {
  const wrap = side === "aud" ? audAtom : subAtom;
  return {
    kind: "variable",
    families: ["string"],
    absent: side === "aud" ? AUD_ABSENT : SUB_ABSENT,
    present: side === "aud" ? AUD_PRESENT : SUB_PRESENT,
    match: (value: string, op: OperatorInfo, approx: Approximation): Formula => {
      if (value.includes(SEP) || value.includes(ABSENT)) {
        return approx === "over" ? wrap([star(EXCLUDED)]) : FALSE;
      }
      return wrap(valueTokens(value, op));
    },
  };
}

const AUD_MODEL = claimModel("aud");
const SUB_MODEL = claimModel("sub");
const UNKNOWN: KeyModel = { kind: "unknown" };

function keyModels(provider: string): KeyModels {
  const prefix = oidcKeyPrefix(provider);
  const audKey = `${prefix}:aud`;
  const subKey = `${prefix}:sub`;
  return (key) => (key === audKey ? AUD_MODEL : key === subKey ? SUB_MODEL : UNKNOWN);
}

/** Tokens the allowed callers of `provider` may present. */
function allowedTokens(provider: string, allowed: readonly AllowedCaller[]): Formula {
  return or(
    ...allowed.flatMap((caller) =>
      caller.kind === "oidc" && caller.providerArn === provider
        ? [
            and(
              audAtom(literal(caller.audience)),
              or(...caller.subjects.map((s) => subAtom(pattern(s, { exclude: EXCLUDED })))),
            ),
          ]
        : [],
    ),
  );
}

/** How an Allow statement admits a provider: by name, by a wildcard route, or not at all. */
function admits(info: StatementInfo, provider: string): "named" | "route" | undefined {
  const spec = info.principal;
  if (spec.kind === "none") {
    return "route";
  }
  const listed = principalValues(spec.value, "Federated").includes(provider);
  if (spec.kind === "notPrincipal") {
    return spec.value === "*" || listed ? undefined : "route";
  }
  if (listed) {
    return "named";
  }
  return isWildcardPrincipal(spec.value) ? "route" : undefined;
}

/** Whether a Deny's principal element certainly covers tokens of `provider`. */
function certainlyCovers(info: StatementInfo, provider: string): boolean {
  const spec = info.principal;
  if (spec.kind !== "principal") {
    return false; // NotPrincipal is not supported in trust policies: never relied on
  }
  return spec.value === "*" || principalValues(spec.value, "Federated").includes(provider);
}

function namedProviders(
  statements: readonly StatementInfo[],
  allowed: readonly AllowedCaller[],
): string[] {
  const providers = new Set<string>();
  for (const info of statements) {
    if (info.principal.kind !== "none") {
      for (const value of principalValues(info.principal.value, "Federated")) {
        if (!isSamlProvider(value)) {
          providers.add(value);
        }
      }
    }
  }
  for (const caller of allowed) {
    if (caller.kind === "oidc") {
      providers.add(caller.providerArn);
    }
  }
  return [...providers, UNNAMED];
}

/** Findings for web identity callers. */
export function analyzeWebIdentityCallers(
  statements: readonly StatementInfo[],
  allowed: readonly AllowedCaller[],
  sink: FindingSink,
): void {
  const allows = statements.filter(
    (s) => s.statement.Effect === "Allow" && coversAction(s.statement, ACTION),
  );
  if (allows.length === 0) {
    return;
  }
  const denies = statements.filter(
    (s) =>
      s.statement.Effect === "Deny" && s.coversAnyResource && coversAction(s.statement, ACTION),
  );
  for (const provider of namedProviders(statements, allowed)) {
    const models = keyModels(provider);
    const permitted = allowedTokens(provider, allowed);
    const survives = denies.map((d) =>
      not(
        and(
          certainlyCovers(d, provider) ? TRUE : FALSE,
          conditionFormula(d.conditions, models, "under", d.policyVariables).formula,
        ),
      ),
    );
    for (const info of allows) {
      const how = admits(info, provider);
      if (how === undefined) {
        continue;
      }
      const condition = conditionFormula(info.conditions, models, "over", info.policyVariables);
      const base = and(WELL_FORMED, condition.formula, ...survives);
      const result = solve(and(base, not(permitted)));
      if (result.kind === "unsat") {
        continue;
      }
      const note = describeUnknown(condition.unknown);
      if (how === "route" || provider === UNNAMED) {
        const route = principalRoute(info);
        const who =
          provider === UNNAMED
            ? "tokens from any OIDC provider"
            : `tokens from ${JSON.stringify(provider)}`;
        sink.add(
          finding(
            how === "route" ? route.id : `Principal::Federated:${provider}`,
            route.path,
            `${statementLabel(info)} lets ${who} assume the role with ${ACTION} through ` +
              `${route.text}.${note} Fix: name exactly the allowed OIDC provider in ` +
              `Principal.Federated and pin its aud and sub claims.`,
          ),
        );
        continue;
      }
      if (!allowed.some((c) => c.kind === "oidc" && c.providerArn === provider)) {
        sink.add(
          finding(
            `Principal::Federated:${provider}`,
            `Statement[${info.index}].Principal`,
            `${statementLabel(info)} trusts the identity provider ${JSON.stringify(provider)}, ` +
              `which is not an allowed OIDC provider, for ${ACTION}. Fix: remove it, or trust ` +
              `the allowed provider ARN instead.`,
          ),
        );
        continue;
      }
      const before = sink.size();
      diagnose(info, provider, allowed, base, note, sink);
      if (sink.size() === before) {
        sink.add(
          finding(
            `Principal::Federated:${provider}`,
            `Statement[${info.index}].Condition`,
            `${statementLabel(info)} may admit tokens from ${JSON.stringify(provider)} that match ` +
              `no allowed audience and subject.${note} Fix: pin aud with StringEquals to the ` +
              `allowed audience and sub with StringEquals/StringLike to the allowed subjects.`,
          ),
        );
      }
    }
  }
}

/** Names the aud/sub problems of a statement that trusts an allowed provider by name. */
function diagnose(
  info: StatementInfo,
  provider: string,
  allowed: readonly AllowedCaller[],
  base: Formula,
  note: string,
  sink: FindingSink,
): void {
  const prefix = oidcKeyPrefix(provider);
  const callers = allowed.filter(
    (c): c is Extract<AllowedCaller, { kind: "oidc" }> =>
      c.kind === "oidc" && c.providerArn === provider,
  );
  const audiences = [...new Set(callers.map((c) => c.audience))];
  const subjects = [...new Set(callers.flatMap((c) => c.subjects))];
  const allowedAud = or(...audiences.map((a) => audAtom(literal(a))));
  const path = `Statement[${info.index}].Condition`;
  const label = statementLabel(info);
  const audEntries = info.conditions.filter((e) => isPositiveNarrowing(e, `${prefix}:aud`, false));
  const subEntries = info.conditions.filter((e) => isPositiveNarrowing(e, `${prefix}:sub`, false));
  const audKey = `${prefix}:aud`;
  const subKey = `${prefix}:sub`;

  if (audEntries.length === 0) {
    if (solve(and(base, not(allowedAud))).kind !== "unsat") {
      sink.add(
        finding(
          "OIDC::Audience:Missing",
          path,
          `${label} trusts ${JSON.stringify(provider)} without pinning the audience: there is no ` +
            `StringEquals condition on "${audKey}" (an ...IfExists or ForAllValues: condition does ` +
            `not count), so tokens issued for other audiences pass.${note} Fix: add ` +
            `"StringEquals": {"${audKey}": ${JSON.stringify(audiences[0] ?? "<audience>")}}.`,
        ),
      );
    }
  } else {
    for (const value of valuesOf(audEntries)) {
      const q = and(base, audMatch(value), not(allowedAud));
      if (solve(q).kind !== "unsat") {
        sink.add(
          finding(
            `OIDC::Audience:${value.text}`,
            path,
            `${label} accepts the audience ${JSON.stringify(value.text)} for "${audKey}", which ` +
              `admits tokens for audiences other than the allowed ${JSON.stringify(audiences)}.` +
              `${note} Fix: use StringEquals with exactly the allowed audience.`,
          ),
        );
      }
    }
  }

  const onAllowedAud = and(base, allowedAud);
  const allowedSub = or(...subjects.map((s) => subAtom(pattern(s, { exclude: EXCLUDED }))));
  if (subEntries.length === 0) {
    const result = solve(and(onAllowedAud, not(allowedSub)));
    if (result.kind !== "unsat") {
      sink.add(
        finding(
          "OIDC::Subject:Missing",
          path,
          `${label} trusts ${JSON.stringify(provider)} without restricting the subject: there is ` +
            `no StringEquals/StringLike condition on "${subKey}" (an ...IfExists or ` +
            `ForAllValues: condition does not count), so any workflow or identity of that ` +
            `provider with the right audience can assume the role.${note} Fix: add ` +
            `"StringEquals": {"${subKey}": ${JSON.stringify(subjects.length === 1 ? subjects[0] : subjects)}}.`,
        ),
      );
    }
    return;
  }
  for (const value of valuesOf(subEntries)) {
    const result = solve(and(onAllowedAud, subMatch(value), not(allowedSub)));
    if (result.kind === "unsat") {
      continue;
    }
    const example = result.kind === "sat" ? exampleSubject(result.witness) : undefined;
    sink.add(
      finding(
        `OIDC::Subject:${value.text}`,
        path,
        `${label} accepts the subject ${JSON.stringify(value.text)} for "${subKey}", which also ` +
          `matches subjects that are not allowed` +
          `${example === undefined ? "" : ` (for example ${JSON.stringify(example)})`}; allowed ` +
          `subjects: ${JSON.stringify(subjects)}.${note} Fix: list exactly the allowed subjects, ` +
          `with StringEquals, or with StringLike patterns no wider than the allowed ones.`,
      ),
    );
  }
}

interface ConditionValue {
  readonly text: string;
  readonly entry: ConditionEntry;
}

function valuesOf(entries: readonly ConditionEntry[]): ConditionValue[] {
  return entries.flatMap((entry) => entry.values.map((text) => ({ text, entry })));
}

function audMatch(value: ConditionValue): Formula {
  return value.entry.info === undefined || AUD_MODEL.kind !== "variable"
    ? TRUE
    : AUD_MODEL.match(value.text, value.entry.info, "over");
}

function subMatch(value: ConditionValue): Formula {
  return value.entry.info === undefined || SUB_MODEL.kind !== "variable"
    ? TRUE
    : SUB_MODEL.match(value.text, value.entry.info, "over");
}

function exampleSubject(witness: string): string | undefined {
  const at = witness.indexOf(SEP);
  const sub = at >= 0 ? witness.slice(at + 1) : undefined;
  return sub === undefined || sub === ABSENT ? undefined : sub;
}

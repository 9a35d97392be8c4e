/**
 * Callers this analysis knows only by name: AWS service principals (`sts:AssumeRole`) and SAML
 * providers (`sts:AssumeRoleWithSAML`). None of them can be an allowed caller, so any one that an
 * Allow admits and no certain Deny removes is a finding.
 *
 * Nothing is assumed about their request context: `aws:PrincipalArn` and the other principal
 * keys may be absent or carry values we cannot predict, so conditions never narrow these callers
 * and only an unconditional Deny removes them.
 */
import { finding, principalRoute, type FindingSink } from "./findings";
import {
  coversAction,
  isWildcardPrincipal,
  principalValues,
  statementLabel,
  type AssumeAction,
  type StatementInfo,
} from "./statements";

/** Which callers a pass looks at. */
export interface OpaqueDomain {
  readonly action: AssumeAction;
  readonly principalType: "Service" | "Federated";
  /** Which values of `principalType` belong to this pass. */
  readonly select: (value: string) => boolean;
  /** A noun for messages: "AWS service", "SAML provider". */
  readonly noun: string;
  /** How to fix a named caller of this kind. */
  readonly fix: string;
}

/** Stands for every caller of the kind that the policy does not name. */
const UNNAMED = "\u0000unnamed";

/** Findings for one kind of opaque caller. */
export function analyzeOpaqueCallers(
  statements: readonly StatementInfo[],
  domain: OpaqueDomain,
  sink: FindingSink,
): void {
  const named = new Set<string>();
  for (const info of statements) {
    if (info.principal.kind !== "none") {
      for (const value of principalValues(info.principal.value, domain.principalType)) {
        if (domain.select(value)) {
          named.add(value);
        }
      }
    }
  }
  const callers = [...named, UNNAMED];
  const denies = statements.filter(
    (s) =>
      s.statement.Effect === "Deny" &&
      s.coversAnyResource &&
      s.conditions.length === 0 &&
      coversAction(s.statement, domain.action),
  );
  for (const info of statements) {
    if (info.statement.Effect !== "Allow" || !coversAction(info.statement, domain.action)) {
      continue;
    }
    for (const caller of callers) {
      const how = admits(info, domain, caller);
      if (how === undefined || denies.some((d) => certainlyCovers(d, domain, caller))) {
        continue;
      }
      if (how === "named") {
        sink.add(
          finding(
            `Principal::${domain.principalType}:${caller}`,
            `Statement[${info.index}].Principal`,
            `${statementLabel(info)} lets the ${domain.noun} ${JSON.stringify(caller)} assume the ` +
              `role with ${domain.action}; no ${domain.noun} is an allowed caller. ${domain.fix}`,
          ),
        );
      } else {
        const route = principalRoute(info);
        const who =
          caller === UNNAMED
            ? `any ${domain.noun}`
            : `the ${domain.noun} ${JSON.stringify(caller)}`;
        sink.add(
          finding(
            route.id,
            route.path,
            `${statementLabel(info)} lets ${who} assume the role with ${domain.action} through ` +
              `${route.text}; conditions cannot be relied on to restrict such callers. Fix: ` +
              `replace it with the exact allowed principals (a role ARN, or the allowed OIDC ` +
              `provider with pinned aud and sub).`,
          ),
        );
      }
    }
  }
}

/** How an Allow statement admits `caller`: by name, by a wildcard route, or not at all. */
function admits(
  info: StatementInfo,
  domain: OpaqueDomain,
  caller: string,
): "named" | "route" | undefined {
  const spec = info.principal;
  if (spec.kind === "none") {
    return "route";
  }
  const listed = principalValues(spec.value, domain.principalType).includes(caller);
  if (spec.kind === "notPrincipal") {
    return spec.value === "*" || listed ? undefined : "route";
  }
  if (listed) {
    return "named";
  }
  return isWildcardPrincipal(spec.value) ? "route" : undefined;
}

/** Whether an unconditional Deny's principal element certainly covers `caller`. */
function certainlyCovers(info: StatementInfo, domain: OpaqueDomain, caller: string): boolean {
  const spec = info.principal;
  if (spec.kind !== "principal") {
    return false; // NotPrincipal is not supported in trust policies: never relied on
  }
  return spec.value === "*" || principalValues(spec.value, domain.principalType).includes(caller);
}

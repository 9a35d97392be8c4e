/**
 * The trust analyzer: can a caller outside an allowed set assume a role, under AWS's evaluation
 * rules for its trust policy?
 *
 * An empty result is a proof (for the semantics in docs/trust-analysis.md) that no request to
 * `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML` from a caller
 * outside `allowed` is allowed by the policy. The analysis over-approximates what Allow
 * statements admit and under-approximates what Deny statements remove, so it may report a
 * finding for a policy that is in fact safe, but never the reverse. `sts:TagSession` and
 * `sts:SetSourceIdentity` do not decide who may assume the role and are not analysed.
 *
 * A policy that cannot be read yields `Document::Invalid` findings; nothing is thrown.
 */
import { normalizeDocument } from "../normalize";
import { analyzeAwsCallers } from "./aws-callers";
import { FindingSink } from "./findings";
import { analyzeOpaqueCallers } from "./opaque-callers";
import { isSamlProvider, statementInfos } from "./statements";
import type { AllowedCaller, TrustFinding } from "./types";
import { analyzeWebIdentityCallers } from "./web-identity-callers";

/**
 * Lists every way a caller outside `allowed` could assume a role with trust policy `policy`
 * (JSON text or a parsed object). An empty array means the trust is restrictive.
 */
export function analyzeTrust(
  policy: string | object,
  allowed: readonly AllowedCaller[],
): TrustFinding[] {
  const read = normalizeDocument(policy);
  if (!read.ok) {
    return read.problems.map((p) => ({
      id: "Document::Invalid",
      message:
        `The trust policy cannot be analysed (${p.code}): ${p.message} Until it is valid, ` +
        `assume anyone may assume the role. Fix the document${p.path === "" ? "" : ` at ${p.path}`}.`,
      path: p.path,
    }));
  }
  const statements = statementInfos(read.document);
  const sink = new FindingSink();
  analyzeAwsCallers(statements, allowed, sink);
  analyzeOpaqueCallers(
    statements,
    {
      action: "sts:AssumeRole",
      principalType: "Service",
      select: () => true,
      noun: "AWS service",
      fix: "Fix: remove the Service principal from this trust policy.",
    },
    sink,
  );
  analyzeWebIdentityCallers(statements, allowed, sink);
  analyzeOpaqueCallers(
    statements,
    {
      action: "sts:AssumeRoleWithSAML",
      principalType: "Federated",
      select: isSamlProvider,
      noun: "SAML provider",
      fix: "Fix: remove the SAML provider from this trust policy.",
    },
    sink,
  );
  return sink.list();
}

/** Whether `analyzeTrust` finds nothing: no caller outside `allowed` can assume the role. */
export function isTrustRestrictive(
  policy: string | object,
  allowed: readonly AllowedCaller[],
): boolean {
  return analyzeTrust(policy, allowed).length === 0;
}

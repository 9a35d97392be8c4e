import { judgeRequest, type Judgment, type RequestPrincipal } from "./judge";
import type { PolicyDocument } from "./types";

/**
 * Evaluates one request against one policy document (an identity policy, a bucket policy, a key
 * policy) the way IAM does within a single policy: an explicit Deny wins, then any Allow, else
 * the request is implicitly denied. It answers "what does this document say about this
 * request", which is how tf-bootstrap checks its own documents' security properties; it does
 * not combine several policies or evaluate trust (see `analyzeTrust` for that).
 *
 * Source: "Policy evaluation logic" and "IAM JSON policy elements: Condition operators",
 * AWS IAM User Guide.
 */

export type { RequestPrincipal } from "./judge";

/** A request to evaluate. Context keys are compared case-insensitively. */
export interface EvaluationRequest {
  readonly action: string;
  readonly resource: string;
  readonly principal?: RequestPrincipal;
  /** Request context: `aws:SecureTransport`, `aws:PrincipalArn`, `kms:ViaService`, ... */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The outcome, with the statements that decided it. `indeterminate` means a statement that
 * could apply uses a condition operator this evaluator does not know. */
export type Evaluation =
  | { readonly decision: "explicit-deny"; readonly statements: readonly string[] }
  | { readonly decision: "allow"; readonly statements: readonly string[] }
  | { readonly decision: "implicit-deny" }
  | { readonly decision: "indeterminate"; readonly operator: string };

/** Evaluates `request` against `doc`; every context key it does not name is absent. */
export function evaluatePolicy(doc: PolicyDocument, request: EvaluationRequest): Evaluation {
  const judgment = judgeRequest(doc, { ...request, closed: true });
  if (judgment.deny === "yes") {
    return { decision: "explicit-deny", statements: certainOf(doc, judgment, "Deny") };
  }
  if (judgment.deny === "maybe" || judgment.allow === "maybe") {
    return { decision: "indeterminate", operator: judgment.unsupported ?? "(unknown)" };
  }
  if (judgment.allow === "yes") {
    return { decision: "allow", statements: certainOf(doc, judgment, "Allow") };
  }
  return { decision: "implicit-deny" };
}

/** The certain statements of `judgment` with effect `effect`, by label. */
function certainOf(doc: PolicyDocument, judgment: Judgment, effect: "Allow" | "Deny"): string[] {
  const labels = new Set(
    doc.Statement.map((s, i) => (s.Effect === effect ? (s.Sid ?? `Statement[${i}]`) : "")),
  );
  return judgment.certain.filter((label) => labels.has(label));
}

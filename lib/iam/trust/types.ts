/**
 * Inputs and outputs of the trust analyzer (`analyzeTrust`).
 */

/**
 * A caller that is allowed to assume a role.
 *
 * - `aws`: an IAM role or user, named by its ARN exactly as IAM reports it (with its path), e.g.
 *   `arn:aws:iam::123456789012:role/ci/terraform`. Sessions of an allowed role count as the role.
 * - `oidc`: tokens from the IAM OIDC provider `providerArn` whose audience is exactly `audience`
 *   and whose subject matches one of `subjects` (IAM wildcards `*` and `?` allowed).
 */
export type AllowedCaller =
  | { kind: "aws"; arn: string }
  | { kind: "oidc"; providerArn: string; audience: string; subjects: string[] };

/**
 * One reason why a caller outside the allowed set could assume the role.
 *
 * `id` is stable and names the cause (`Principal::*`, `Principal::Account:123456789012`,
 * `OIDC::Subject:repo:org/repo:*`, `Document::Invalid`, ...) so an exception can name it.
 * `message` says what is wrong, with the offending value, the statement, and how to fix it.
 * `path` points into the document, e.g. `Statement[2].Principal`.
 */
export interface TrustFinding {
  id: string;
  message: string;
  path?: string;
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986) from `GetRole`, `GetRolePolicy`,
 * `GetUserPolicy`, `GetPolicyVersion` and `ListRoles`; S3 and KMS return plain JSON. This reads
 * either form into JSON text.
 */

/** The JSON text of a policy document as an AWS API returned it (URL-encoded or plain). */
export function decodePolicyText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return trimmed;
  try {
    return decodeURIComponent(trimmed);
  } catch {
    return text;
  }
}

/**
 * Why decoded policy text cannot be a policy document, or `undefined` when it can: it must be
 * JSON of an object (whatever its statements say is judged later). A document cut off, an HTML
 * page or a URL-encoding that does not decode is a malformed answer, never an empty policy.
 */
export function policyTextProblem(json: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    const start = json.trim().slice(0, 40);
    return `is not JSON (it starts with ${JSON.stringify(start)})`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return "is JSON but not an object";
  }
  return undefined;
}

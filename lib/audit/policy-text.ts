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

/**
 * `Principal::UniqueId`: a policy whose principal is a unique id (`AROA...` for a role,
 * `AIDA...` for a user) instead of an ARN. IAM shows a principal that way once the role or user
 * it named was deleted: the policy keeps pointing at the deleted identity, and a recreated one
 * with the same name is not admitted. Trust policies of the roles read, bucket policies and key
 * policies are checked.
 */
import { bucketArn } from "../arn";
import { normalizeDocument } from "../iam/normalize";
import type { Principal } from "../iam/types";
import { AUDIT_CHECKS, type AuditFinding } from "./finding";
import type { AccountSnapshot } from "./snapshot";

/** Unique ids of IAM roles and users, as IAM shows a deleted principal. */
export const UNIQUE_ID = /^A(?:ROA|IDA)[A-Z0-9]{12,}$/;

/** The unique ids among the AWS principals of a document (JSON text). */
export function uniqueIdPrincipals(document: string): string[] {
  const read = normalizeDocument(document);
  if (!read.ok) return [];
  const found = new Set<string>();
  const visit = (principal: Principal | undefined): void => {
    if (principal === undefined || principal === "*") return;
    for (const value of principal.AWS ?? []) if (UNIQUE_ID.test(value)) found.add(value);
  };
  for (const statement of read.document.Statement) {
    visit(statement.Principal);
    visit(statement.NotPrincipal);
  }
  return [...found].sort();
}

/** Findings for every document of `snapshot` that names a principal by unique id. */
export function uniqueIdFindings(snapshot: AccountSnapshot, partition: string): AuditFinding[] {
  const documents: { resource: string; what: string; text: string }[] = [
    ...[...snapshot.roles, ...snapshot.extraRoles].map((r) => ({
      resource: `${r.arn} (trust policy)`,
      what: `The trust policy of ${r.arn}`,
      text: r.trustPolicy,
    })),
    ...snapshot.buckets.flatMap((b) =>
      b.policy === undefined
        ? []
        : [
            {
              resource: `${bucketArn(partition, b.name)} (bucket policy)`,
              what: `The bucket policy of ${b.name}`,
              text: b.policy,
            },
          ],
    ),
    ...snapshot.keys.map((k) => ({
      resource: `${k.arn} key policy`,
      what: `The key policy of ${k.arn}`,
      text: k.policy,
    })),
  ];
  const out: AuditFinding[] = [];
  for (const doc of documents) {
    const ids = uniqueIdPrincipals(doc.text);
    if (ids.length === 0) continue;
    out.push({
      check: AUDIT_CHECKS.live,
      id: "Principal::UniqueId",
      account: snapshot.key,
      accountId: snapshot.accountId,
      resource: doc.resource,
      message:
        `${doc.what} names the principal(s) ${ids.join(", ")} by unique id: the role or user it ` +
        `named was deleted (and maybe recreated, which this policy does not admit).`,
      fix:
        "Rewrite the principal from config (`pulumi up --refresh` restores the declared " +
        "document, which names the account root narrowed by aws:PrincipalArn and survives " +
        "recreation), and find out who deleted the principal in the audit trail's logs.",
    });
  }
  return out;
}

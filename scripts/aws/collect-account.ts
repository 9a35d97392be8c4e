/**
 * Reads one account: the declared principals, buckets, keys, trail, table and OIDC provider of
 * its audit target, the undeclared roles that trust CI, the customer managed policies the
 * principals use, and the keys their settings refer to.
 */
import { accountOfArn } from "../../lib/guard/documents";
import type { AccountSnapshot, LiveKey } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import type { AccountSession } from "./account-session";
import { all } from "./errors";
import { readTrail } from "./read-cloudtrail";
import { readTable } from "./read-dynamodb";
import {
  readManagedPolicy,
  readOidcProvider,
  readRole,
  readRolesAdmitting,
  readUser,
} from "./read-iam";
import { readKey } from "./read-kms";
import { readBucket } from "./read-s3";

const defined = <T>(items: readonly (T | undefined)[]): T[] =>
  items.filter((item): item is T => item !== undefined);

/** Whether `ref` (a key id, alias or ARN) may name a key of `accountId`. */
function inAccount(ref: string, accountId: string): boolean {
  return !ref.startsWith("arn:") || accountOfArn(ref) === accountId;
}

/**
 * Reads everything the audit checks in one account. Throws the first failed read's
 * `ReadFailure` once every read has settled (the session records all of them).
 */
export async function collectAccount(
  target: AuditTarget,
  session: AccountSession,
): Promise<AccountSnapshot> {
  const [roles, extraRoles, users, buckets, aliasKeys, trails, tables, oidcProviders] = await all([
    all(target.roles.map((r) => readRole(session, r))).then(defined),
    readRolesAdmitting(session, [...target.roles], target.ciCallers),
    all(target.users.map((u) => readUser(session, u))).then(defined),
    all(target.buckets.map((b) => readBucket(session, b))).then(defined),
    all(target.keyAliases.map((a) => readKey(session, a))).then(defined),
    all(target.trails.map((t) => readTrail(session, t))).then(defined),
    all(target.tables.map((t) => readTable(session, t))).then(defined),
    all(target.oidcProviders.map((arn) => readOidcProvider(session, arn))).then(defined),
  ]);

  // Keys the settings refer to, beyond those found by alias (a bucket re-keyed out of band).
  const keys = new Map<string, LiveKey>();
  for (const key of aliasKeys) {
    const known = keys.get(key.keyId);
    keys.set(key.keyId, known ? { ...known, aliases: [...known.aliases, ...key.aliases] } : key);
  }
  const referenced = new Set<string>([
    ...buckets.flatMap((b) => (b.encryptionRules ?? []).flatMap((r) => r.kmsMasterKeyId ?? [])),
    ...trails.flatMap((t) => t.kmsKeyId ?? []),
    ...tables.flatMap((t) => t.sse?.kmsKeyArn ?? []),
  ]);
  const known = (ref: string) =>
    [...keys.values()].some((k) => k.keyId === ref || k.arn === ref || k.aliases.includes(ref));
  const extra = await all(
    [...referenced]
      .filter((ref) => inAccount(ref, target.accountId) && !known(ref))
      .map((ref) => readKey(session, ref)),
  );
  for (const key of defined(extra)) if (!keys.has(key.keyId)) keys.set(key.keyId, key);

  // Customer managed policies of this account that the declared principals use.
  const policyArns = new Set<string>();
  for (const principal of [...roles, ...users]) {
    for (const arn of principal.attachedPolicyArns) policyArns.add(arn);
  }
  for (const role of roles) if (role.boundaryArn !== undefined) policyArns.add(role.boundaryArn);
  const managedPolicies = defined(
    await all(
      [...policyArns]
        .filter((arn) => accountOfArn(arn) === target.accountId)
        .sort()
        .map((arn) => readManagedPolicy(session, arn)),
    ),
  );

  return {
    key: target.key,
    accountId: target.accountId,
    roles,
    extraRoles,
    users,
    managedPolicies,
    buckets,
    keys: [...keys.values()],
    tables,
    trails,
    oidcProviders,
  };
}

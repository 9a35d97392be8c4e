/**
 * Reads one account: the declared principals, buckets, keys, trail, table and OIDC provider of
 * its audit target, the undeclared roles that trust CI, the customer managed policies the
 * principals use, and the keys their settings refer to.
 */
import { accountOfArn } from "../../lib/guard/documents";
import type { AccountSnapshot, LiveKey } from "../../lib/audit/snapshot";
import type { AuditTarget } from "../../lib/audit/targets";
import type { AccountClients } from "./clients";
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

/** Reads everything the audit checks in one account; throws a `ReadFailure` on a failed read. */
export async function collectAccount(
  target: AuditTarget,
  clients: AccountClients,
): Promise<AccountSnapshot> {
  const [roles, extraRoles, users, buckets, aliasKeys, trails, tables, oidcProviders] =
    await Promise.all([
      Promise.all(target.roles.map((r) => readRole(clients.iam, r))).then(defined),
      readRolesAdmitting(clients.iam, [...target.roles], target.ciCallers),
      Promise.all(target.users.map((u) => readUser(clients.iam, u))).then(defined),
      Promise.all(target.buckets.map((b) => readBucket(clients.s3, b))).then(defined),
      Promise.all(target.keyAliases.map((a) => readKey(clients.kms, a))).then(defined),
      Promise.all(target.trails.map((t) => readTrail(clients.cloudtrail, t))).then(defined),
      Promise.all(target.tables.map((t) => readTable(clients.dynamodb, t))).then(defined),
      Promise.all(target.oidcProviders.map((arn) => readOidcProvider(clients.iam, arn))).then(
        defined,
      ),
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
  const extra = await Promise.all(
    [...referenced]
      .filter((ref) => inAccount(ref, target.accountId) && !known(ref))
      .map((ref) => readKey(clients.kms, ref)),
  );
  for (const key of defined(extra)) if (!keys.has(key.keyId)) keys.set(key.keyId, key);

  // Customer managed policies of this account that the declared principals use.
  const policyArns = new Set<string>();
  for (const principal of [...roles, ...users]) {
    for (const arn of principal.attachedPolicyArns) policyArns.add(arn);
  }
  for (const role of roles) if (role.boundaryArn !== undefined) policyArns.add(role.boundaryArn);
  const managedPolicies = defined(
    await Promise.all(
      [...policyArns]
        .filter((arn) => accountOfArn(arn) === target.accountId)
        .sort()
        .map((arn) => readManagedPolicy(clients.iam, arn)),
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

/**
 * `AccessKey::TooOld`: an active access key of an audited user (the CI identity) older than the
 * allowed age. Long-lived keys leak; the CI system's keys are rotated on a schedule.
 */
import { AUDIT_CHECKS, type AuditFinding } from "./finding";
import type { AccountSnapshot } from "./snapshot";

/** The default maximum age of an active access key, in days. */
export const DEFAULT_MAX_KEY_AGE_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Findings for every active key of `snapshot`'s users created more than `maxDays` before `now`. */
export function accessKeyFindings(
  snapshot: AccountSnapshot,
  now: Date,
  maxDays: number,
): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const user of snapshot.users) {
    for (const key of user.accessKeys) {
      if (key.status !== "Active") continue;
      const created = Date.parse(key.createdAt);
      const ageDays = Number.isNaN(created) ? Infinity : (now.getTime() - created) / DAY_MS;
      if (ageDays <= maxDays) continue;
      out.push({
        check: AUDIT_CHECKS.live,
        id: "AccessKey::TooOld",
        account: snapshot.key,
        accountId: snapshot.accountId,
        resource: `${user.arn} access key ${key.id}`,
        message:
          `The active access key ${key.id} of ${user.arn} was created ${key.createdAt}, ` +
          `${Number.isFinite(ageDays) ? Math.floor(ageDays) : "an unknown number of"} days ago; ` +
          `keys may be at most ${maxDays} days old.`,
        fix:
          "Rotate it: create a second key, store it in the CI system's secret store, check that " +
          "CI works, then deactivate and delete the old key (`aws iam update-access-key " +
          "--status Inactive`, `aws iam delete-access-key`).",
      });
    }
  }
  return out;
}

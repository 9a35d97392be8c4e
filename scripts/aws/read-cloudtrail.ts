/** CloudTrail reads: a trail, whether it is logging, and its event selectors. */
import {
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import type { LiveTrail } from "../../lib/audit/snapshot";
import type { AccountSession } from "./account-session";
import { all } from "./errors";

const list = (values: readonly string[] | undefined) =>
  values !== undefined && values.length > 0 ? [...values] : undefined;

/** The trail named `name`, or `undefined` when there is none. */
export async function readTrail(
  session: AccountSession,
  name: string,
): Promise<LiveTrail | undefined> {
  const got = await session.read(
    "GetTrailCommand",
    `read trail ${name} (cloudtrail:GetTrail)`,
    (c, o) => c.cloudtrail.send(new GetTrailCommand({ Name: name }), o),
    ["TrailNotFoundException"],
  );
  if (got === undefined) return undefined;
  const trail = got.Trail;
  const arn = trail.TrailARN;
  const [status, selectors] = await all([
    session.must(
      "GetTrailStatusCommand",
      `read status of trail ${name} (cloudtrail:GetTrailStatus)`,
      (c, o) => c.cloudtrail.send(new GetTrailStatusCommand({ Name: arn }), o),
    ),
    session.must(
      "GetEventSelectorsCommand",
      `read event selectors of trail ${name} (cloudtrail:GetEventSelectors)`,
      (c, o) => c.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn }), o),
    ),
  ]);
  return {
    name: trail.Name,
    arn,
    ...(trail.S3BucketName !== undefined ? { s3BucketName: trail.S3BucketName } : {}),
    ...(trail.S3KeyPrefix !== undefined ? { s3KeyPrefix: trail.S3KeyPrefix } : {}),
    isMultiRegion: trail.IsMultiRegionTrail,
    logFileValidation: trail.LogFileValidationEnabled,
    includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents,
    ...(trail.KmsKeyId !== undefined ? { kmsKeyId: trail.KmsKeyId } : {}),
    isLogging: status.IsLogging,
    advancedEventSelectors: (selectors.AdvancedEventSelectors ?? []).map((s) => ({
      ...(s.Name !== undefined ? { name: s.Name } : {}),
      fieldSelectors: s.FieldSelectors.map((f) => {
        const equals = list(f.Equals);
        const startsWith = list(f.StartsWith);
        const endsWith = list(f.EndsWith);
        const notEquals = list(f.NotEquals);
        const notStartsWith = list(f.NotStartsWith);
        const notEndsWith = list(f.NotEndsWith);
        return {
          field: f.Field,
          ...(equals ? { equals } : {}),
          ...(startsWith ? { startsWith } : {}),
          ...(endsWith ? { endsWith } : {}),
          ...(notEquals ? { notEquals } : {}),
          ...(notStartsWith ? { notStartsWith } : {}),
          ...(notEndsWith ? { notEndsWith } : {}),
        };
      }),
    })),
    eventSelectors: (selectors.EventSelectors ?? []).map((s) => ({
      ...(s.ReadWriteType !== undefined ? { readWriteType: s.ReadWriteType } : {}),
      ...(s.IncludeManagementEvents !== undefined
        ? { includeManagementEvents: s.IncludeManagementEvents }
        : {}),
      dataResources: (s.DataResources ?? []).map((d) => ({ type: d.Type, values: [...d.Values] })),
    })),
  };
}

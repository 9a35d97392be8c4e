/** CloudTrail reads: a trail, whether it is logging, and its event selectors. */
import {
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  type CloudTrailClient,
} from "@aws-sdk/client-cloudtrail";
import type { LiveTrail } from "../../lib/audit/snapshot";
import { must, read } from "./errors";

const list = (values: readonly string[] | undefined) =>
  values !== undefined && values.length > 0 ? [...values] : undefined;

/** The trail named `name`, or `undefined` when there is none. */
export async function readTrail(
  cloudtrail: CloudTrailClient,
  name: string,
): Promise<LiveTrail | undefined> {
  const got = await read(
    `read trail ${name} (cloudtrail:GetTrail)`,
    () => cloudtrail.send(new GetTrailCommand({ Name: name })),
    ["TrailNotFoundException"],
  );
  const trail = got?.Trail;
  if (trail === undefined) return undefined;
  const arn = trail.TrailARN ?? name;
  const [status, selectors] = await Promise.all([
    must(`read status of trail ${name} (cloudtrail:GetTrailStatus)`, () =>
      cloudtrail.send(new GetTrailStatusCommand({ Name: arn })),
    ),
    must(`read event selectors of trail ${name} (cloudtrail:GetEventSelectors)`, () =>
      cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn })),
    ),
  ]);
  return {
    name: trail.Name ?? name,
    arn,
    ...(trail.S3BucketName !== undefined ? { s3BucketName: trail.S3BucketName } : {}),
    ...(trail.S3KeyPrefix !== undefined ? { s3KeyPrefix: trail.S3KeyPrefix } : {}),
    isMultiRegion: trail.IsMultiRegionTrail === true,
    logFileValidation: trail.LogFileValidationEnabled === true,
    includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
    ...(trail.KmsKeyId !== undefined ? { kmsKeyId: trail.KmsKeyId } : {}),
    isLogging: status.IsLogging === true,
    advancedEventSelectors: (selectors.AdvancedEventSelectors ?? []).map((s) => ({
      ...(s.Name !== undefined ? { name: s.Name } : {}),
      fieldSelectors: (s.FieldSelectors ?? []).map((f) => {
        const equals = list(f.Equals);
        const startsWith = list(f.StartsWith);
        const endsWith = list(f.EndsWith);
        const notEquals = list(f.NotEquals);
        const notStartsWith = list(f.NotStartsWith);
        const notEndsWith = list(f.NotEndsWith);
        return {
          field: f.Field ?? "",
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
      dataResources: (s.DataResources ?? []).map((d) => ({
        type: d.Type ?? "",
        values: [...(d.Values ?? [])],
      })),
    })),
  };
}

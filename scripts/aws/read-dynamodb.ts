/** DynamoDB reads: a lock table's recovery, encryption and deletion protection. */
import { DescribeContinuousBackupsCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { LiveTable } from "../../lib/audit/snapshot";
import type { AccountSession } from "./account-session";

/** The table named `name`, or `undefined` when there is none. */
export async function readTable(
  session: AccountSession,
  name: string,
): Promise<LiveTable | undefined> {
  const described = await session.read(
    "DescribeTableCommand",
    `describe table ${name} (dynamodb:DescribeTable)`,
    (c, o) => c.dynamodb.send(new DescribeTableCommand({ TableName: name }), o),
    ["ResourceNotFoundException"],
  );
  if (described === undefined) return undefined;
  const table = described.Table;
  const backups = await session.must(
    "DescribeContinuousBackupsCommand",
    `read point-in-time recovery of table ${name} (dynamodb:DescribeContinuousBackups)`,
    (c, o) => c.dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name }), o),
  );
  const pitr =
    backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus;
  const sse = table.SSEDescription;
  return {
    name,
    arn: table.TableArn,
    pointInTimeRecovery: pitr === "ENABLED",
    ...(sse !== undefined
      ? {
          sse: {
            enabled: sse.Status === "ENABLED" || sse.Status === "UPDATING",
            ...(sse.KMSMasterKeyArn !== undefined ? { kmsKeyArn: sse.KMSMasterKeyArn } : {}),
          },
        }
      : {}),
    deletionProtection: table.DeletionProtectionEnabled,
  };
}

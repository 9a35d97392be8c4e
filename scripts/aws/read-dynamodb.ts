/** DynamoDB reads: a lock table's recovery, encryption and deletion protection. */
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { LiveTable } from "../../lib/audit/snapshot";
import { must, read } from "./errors";

/** The table named `name`, or `undefined` when there is none. */
export async function readTable(
  dynamodb: DynamoDBClient,
  name: string,
): Promise<LiveTable | undefined> {
  const described = await read(
    `describe table ${name} (dynamodb:DescribeTable)`,
    () => dynamodb.send(new DescribeTableCommand({ TableName: name })),
    ["ResourceNotFoundException"],
  );
  const table = described?.Table;
  if (table === undefined) return undefined;
  const backups = await must(
    `read point-in-time recovery of table ${name} (dynamodb:DescribeContinuousBackups)`,
    () => dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name })),
  );
  const pitr =
    backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  const sse = table.SSEDescription;
  return {
    name,
    arn: table.TableArn ?? "",
    pointInTimeRecovery: pitr === "ENABLED",
    ...(sse !== undefined
      ? {
          sse: {
            enabled: sse.Status === "ENABLED" || sse.Status === "UPDATING",
            ...(sse.KMSMasterKeyArn !== undefined ? { kmsKeyArn: sse.KMSMasterKeyArn } : {}),
          },
        }
      : {}),
    deletionProtection: table.DeletionProtectionEnabled === true,
  };
}

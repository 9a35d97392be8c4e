/**
 * AWS SDK v3 clients for the audit, configured in one place: region, retries, and the
 * test/dev-only endpoint override.
 *
 * Retries: every client uses the SDK's `standard` retry strategy with up to
 * {@link MAX_ATTEMPTS} attempts: exponential backoff with full jitter (a longer base delay for
 * throttling errors), retrying throttling, transient and clock-skew errors, within a retry
 * quota. The audit makes one set of clients per account and IAM throttles per account, so a
 * throttled account backs off alone while the others go on, and `--concurrency` bounds how many
 * accounts call at once. The `adaptive` mode was measured and not chosen: once throttled, its
 * client-side rate limiter slowed the rest of that account's few dozen reads to a crawl (three
 * throttles cost 12.7 s against 4.1 s with `standard`, test/audit/audit-throttling.test.ts).
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";

/** Attempts per request, the first one included. */
export const MAX_ATTEMPTS = 8;

/** The SDK retry mode. */
export const RETRY_MODE = "standard";

/** Temporary credentials of an assumed role. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and how the clients connect. */
export interface AwsSettings {
  /** The stack's region (state, trail, lock table; STS's regional endpoint). */
  readonly region: string;
  /** Test/dev only: every request goes to this URL (an emulator), S3 with path-style URLs. */
  readonly endpoint?: string;
}

/** The configuration shared by every client. */
export function clientConfig(settings: AwsSettings, credentials?: AwsCredentialIdentity) {
  return {
    region: settings.region,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: RETRY_MODE,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  };
}

/** The clients that act in one account. */
export interface AccountClients {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly cloudtrail: CloudTrailClient;
  readonly dynamodb: DynamoDBClient;
}

/**
 * The caller's own STS client, used to assume the audit roles: the SDK's default credential
 * chain, or `credentials` when given (tests).
 */
export function callerSts(settings: AwsSettings, credentials?: AwsCredentialIdentity): STSClient {
  return new STSClient(clientConfig(settings, credentials));
}

/** Clients acting with `credentials` (an assumed audit role's). */
export function accountClients(
  settings: AwsSettings,
  credentials: AwsCredentialIdentity,
): AccountClients {
  const config = clientConfig(settings, credentials);
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    s3: new S3Client({ ...config, forcePathStyle: settings.endpoint !== undefined }),
    kms: new KMSClient(config),
    cloudtrail: new CloudTrailClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}

/** Closes every client's connections. */
export function destroyClients(clients: AccountClients): void {
  for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}

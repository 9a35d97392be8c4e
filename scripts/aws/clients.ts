/**
 * AWS SDK v3 clients for the audit, configured in one place: region, timeouts, retries, and the
 * test/dev-only endpoint override.
 *
 * Timeouts: every client's Node.js request handler (`@smithy/node-http-handler`) gets the
 * audit's `requestTimeoutMs` as its request timeout (thrown as an error, not only logged), its
 * socket idle timeout (an answer that stops arriving) and, at most {@link CONNECT_TIMEOUT_MS},
 * its connection timeout. A request that times out is retried like a network error; the account
 * deadline (`read-accounts.ts`) bounds the whole.
 *
 * Retries: the SDK's own retry strategy, `standard` by default (`adaptive` with
 * `--retry-mode`), with `maxAttempts` attempts: exponential backoff with full jitter (a longer
 * base delay for throttling errors), retrying throttling, transient (timeouts, resets, 5xx) and
 * clock-skew errors, within a retry quota, and malformed answers (`response-shapes.ts`). The
 * audit makes one set of clients per account and IAM throttles per account, so a throttled
 * account backs off alone while the others go on. `adaptive` adds a client-side rate limiter
 * that, once throttled, holds back the rest of that account's reads: `npm run bench:audit`
 * measured a 50-account audit with 12 throttled IAM requests at 24.3 s against 11.6 s with
 * `standard`, hence the default.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { CONNECT_TIMEOUT_MS, DEFAULT_LIMITS, type AuditLimits } from "../../lib/audit/limits";

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
  /** Timeouts and retries; default {@link DEFAULT_LIMITS}. */
  readonly limits?: AuditLimits;
}

/** The configuration shared by every client. */
export function clientConfig(settings: AwsSettings, credentials?: AwsCredentialIdentity) {
  const limits = settings.limits ?? DEFAULT_LIMITS;
  return {
    region: settings.region,
    maxAttempts: limits.maxAttempts,
    retryMode: limits.retryMode,
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: limits.requestTimeoutMs,
    },
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

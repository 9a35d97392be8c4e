/**
 * ARN builders. Every ARN in every IAM document is built here from config values (partition,
 * account id, names), never read from another resource, so documents are known at preview.
 */

/** An IAM role's ARN. `path` is `/` or `/a/b/`. */
export function roleArn(partition: string, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/** An IAM user's ARN. */
export function userArn(partition: string, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:user${path}${name}`;
}

/** A customer managed policy's ARN. `path` is `/` or `/a/b/`. */
export function policyArn(
  partition: string,
  accountId: string,
  path: string,
  name: string,
): string {
  return `arn:${partition}:iam::${accountId}:policy${path}${name}`;
}

/** The ARN of an IAM OIDC identity provider, named by its issuer without the scheme. */
export function oidcProviderArn(partition: string, accountId: string, host: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${host}`;
}

/** The account principal `arn:<partition>:iam::<id>:root`: any identity of that account whose
 * own policies allow the action. */
export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** An S3 bucket's ARN. */
export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** A DynamoDB table's ARN. */
export function tableArn(
  partition: string,
  region: string,
  accountId: string,
  table: string,
): string {
  return `arn:${partition}:dynamodb:${region}:${accountId}:table/${table}`;
}

/** A CloudTrail trail's ARN. */
export function trailArn(
  partition: string,
  region: string,
  accountId: string,
  trail: string,
): string {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trail}`;
}

/** Matches every KMS key of an account in a region; narrowed by alias conditions where used. */
export function kmsKeysArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/*`;
}

/** A KMS alias's ARN. `alias` is given without the `alias/` prefix. */
export function kmsAliasArn(
  partition: string,
  region: string,
  accountId: string,
  alias: string,
): string {
  return `arn:${partition}:kms:${region}:${accountId}:alias/${alias}`;
}

/** The partition a region belongs to: `cn-` → aws-cn, `us-gov-` → aws-us-gov, else aws. */
export function partitionOfRegion(region: string | undefined): "aws" | "aws-cn" | "aws-us-gov" {
  if (region?.startsWith("cn-")) return "aws-cn";
  if (region?.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The DNS suffix of a partition's service endpoints, as in `s3.<region>.amazonaws.com`. */
export function dnsSuffix(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

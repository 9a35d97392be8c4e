import { accountRootArn } from "../arn";
import { allow } from "../iam/documents";
import type { Statement } from "../iam/types";

/**
 * Actions that administer a key without using it. `kms:CreateGrant` is left out on purpose: a
 * grant is a way to use the key.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:Describe*",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:Get*",
  "kms:List*",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** Actions S3 and DynamoDB make on a caller's behalf to encrypt and decrypt with the key. */
export const KEY_USE_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
];

/** Key days before deletion: the longest window KMS allows, to leave time to cancel. */
export const KEY_DELETION_WINDOW_DAYS = 30;

/** The statement that lets the account (its IAM admins) administer, but not use, a key. */
export function accountAdministersKey(partition: string, accountId: string): Statement {
  return allow({
    sid: "AccountAdministersKey",
    principal: { AWS: [accountRootArn(partition, accountId)] },
    actions: KEY_ADMIN_ACTIONS,
    resources: ["*"],
  });
}

import { accountRootArn } from "../arn";
import { allow, deny } from "../iam/documents";
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

/**
 * What a principal who is not a backend administrator may do with a key of the Terraform
 * account at most: use it and read its metadata. Every other KMS action, including any action
 * AWS adds later, is key administration and is denied to them ({@link denyKeyAdministration}).
 * `kms:CreateGrant` is use (a grant passes use on); who may create one is decided by the
 * key's Allow statements.
 */
export const KEY_NON_ADMIN_ACTIONS = [
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:Get*",
  "kms:List*",
  "kms:ReEncrypt*",
];

/**
 * The Deny that keeps key administration with the backend administrators (`administrators`:
 * the account root, the bootstrap role the deployer uses, and the admin principals).
 * {@link accountAdministersKey} lets the account's IAM policies administer the key, as AWS's
 * key policy guidance requires (a key nobody can administer cannot be repaired); this Deny
 * narrows that to the named principals, so a role of the Terraform account that holds `kms:*`
 * cannot rewrite the key policy, schedule the key's deletion or disable it. The account root
 * stays exempt: it is the owner's last resort if the bootstrap role is lost.
 */
export function denyKeyAdministration(administrators: readonly string[]): Statement {
  return deny({
    sid: "DenyKeyAdministrationToOthers",
    principal: "*",
    notActions: KEY_NON_ADMIN_ACTIONS,
    resources: ["*"],
    condition: { ArnNotEquals: { "aws:PrincipalArn": [...administrators] } },
  });
}

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

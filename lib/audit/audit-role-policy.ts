/**
 * The permissions the audit role needs in every account: exactly the reads the audit makes, all
 * read-only. (AWS's managed `SecurityAudit` policy covers them too.) The moto tests give the
 * audit role this policy with IAM enforcement on, so a read the audit makes and this list lacks
 * fails a test.
 */
import { allow, policyDocument } from "../iam/documents";
import type { PolicyDocument } from "../iam/types";

/** Every API permission the audit uses. */
export const AUDIT_READ_ACTIONS: readonly string[] = [
  "cloudtrail:GetEventSelectors",
  "cloudtrail:GetTrail",
  "cloudtrail:GetTrailStatus",
  "dynamodb:DescribeContinuousBackups",
  "dynamodb:DescribeTable",
  "iam:GetLoginProfile",
  "iam:GetOpenIDConnectProvider",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:GetUser",
  "iam:GetUserPolicy",
  "iam:ListAccessKeys",
  "iam:ListAttachedRolePolicies",
  "iam:ListAttachedUserPolicies",
  "iam:ListGroupsForUser",
  "iam:ListRolePolicies",
  "iam:ListRoles",
  "iam:ListSSHPublicKeys",
  "iam:ListSigningCertificates",
  "iam:ListUserPolicies",
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "s3:GetBucketLogging",
  "s3:GetBucketOwnershipControls",
  "s3:GetBucketPolicy",
  "s3:GetBucketPublicAccessBlock",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "sts:GetCallerIdentity",
];

/** The audit role's identity policy: the reads above on every resource, nothing else. */
export function auditRolePolicy(): PolicyDocument {
  return policyDocument(
    allow({ sid: "AuditReadsOnly", actions: [...AUDIT_READ_ACTIONS], resources: ["*"] }),
  );
}

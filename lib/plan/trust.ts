import { accountRootArn } from "../arn";
import { allow, policyDocument } from "../iam/documents";
import type { PolicyDocument } from "../iam/types";

/** The actions a trusted caller needs: assume, and tag the session or set a source identity. */
export const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"];

/**
 * A trust policy that admits exactly one IAM identity, `callerArn`.
 *
 * It names the caller's account root as principal and narrows it with
 * `ArnEquals aws:PrincipalArn` to the caller, rather than naming the caller's ARN as principal.
 * IAM stores an ARN principal as the identity's unique id: if the caller is deleted and
 * recreated the trust silently stops matching, and the caller must exist before the trust is
 * written, which orders creation across accounts. `aws:PrincipalArn` is compared at request
 * time against the ARN, so the trust survives recreation and needs no ordering, while still
 * admitting nobody else: the root principal only delegates to identities of that account, and
 * the condition keeps one of them.
 */
export function trustOnly(
  partition: string,
  callerAccountId: string,
  callerArn: string,
): PolicyDocument {
  return policyDocument(
    allow({
      sid: "TrustOnlyOneCaller",
      principal: { AWS: [accountRootArn(partition, callerAccountId)] },
      actions: ASSUME_ACTIONS,
      condition: { ArnEquals: { "aws:PrincipalArn": [callerArn] } },
    }),
  );
}

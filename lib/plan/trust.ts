import { accountRootArn } from "../arn";
import { allow, policyDocument } from "../iam/documents";
import type { PolicyDocument } from "../iam/types";

/**
 * The only action a trusted caller is allowed: assume the role. `sts:TagSession` and
 * `sts:SetSourceIdentity` are left out on purpose: both are values the caller chooses (session
 * tags that attribute-based access control in a product account may trust, and the source
 * identity CloudTrail shows for the whole role chain), and the caller is CI running code that
 * may come from a pull request. Without them, AssumeRole with tags or a source identity is
 * refused; CloudTrail still names the CI role session (`role-session-name`) and its caller.
 */
export const ASSUME_ACTIONS = ["sts:AssumeRole"];

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

/** The action a workflow's OIDC token is exchanged with. */
export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

/**
 * A trust policy that admits exactly the workflows whose OIDC token, from the provider
 * `providerArn` (issuer `host`), carries the audience `audience` and one of `subjects`.
 *
 * Both claims are pinned: `aud` with StringEquals; `sub` with StringEquals, or StringLike when a
 * subject holds a wildcard the config allows (GitLab merge request pipelines run on any
 * branch). A trust without the `sub` condition would admit every repository on the platform.
 */
export function trustWorkflows(
  providerArn: string,
  host: string,
  audience: string,
  subjects: readonly string[],
): PolicyDocument {
  const wildcard = subjects.some((s) => /[*?]/.test(s));
  return policyDocument(
    allow({
      sid: "TrustOnlyPinnedWorkflows",
      principal: { Federated: [providerArn] },
      actions: [WEB_IDENTITY_ACTION],
      condition: {
        StringEquals: {
          [`${host}:aud`]: [audience],
          ...(wildcard ? {} : { [`${host}:sub`]: [...subjects] }),
        },
        ...(wildcard ? { StringLike: { [`${host}:sub`]: [...subjects] } } : {}),
      },
    }),
  );
}

/**
 * `explicit-provider-pinned`: every AWS resource goes through an explicit AWS provider pinned to
 * exactly one account (`allowedAccountIds`), and every AWS provider is pinned. A resource on a
 * default provider, or on a provider that may act in any account, could land in whatever
 * account the deployer's credentials reach (decision 3 in docs/architecture.md).
 */
import { accountOf, AWS_PROVIDER_TYPE, isAwsResourceType } from "./accounts";
import { describe, type Findings, unknownMessage } from "./finding";
import type { ResourceView } from "./view";

const IDS = {
  "no-provider": "Provider::Missing",
  "default-provider": "Provider::Default",
  "not-aws": "Provider::NotAws",
  "not-pinned": "Provider::NotPinned",
  "several-accounts": "Provider::SeveralAccounts",
  invalid: "Provider::Invalid",
} as const;

/** `explicit-provider-pinned`, for one resource. */
export function checkProviderPinned(resource: ResourceView, out: Findings): void {
  if (resource.type !== AWS_PROVIDER_TYPE && !isAwsResourceType(resource.type)) return;
  const account = accountOf(resource);
  if (account.kind === "account") return;
  if (account.reason === "unknown") {
    const path =
      resource.type === AWS_PROVIDER_TYPE ? "allowedAccountIds" : "provider.allowedAccountIds";
    out.add(
      `Unknown::${path}`,
      unknownMessage(resource, path, "which account the resource lands in"),
      resource,
    );
    return;
  }
  out.add(
    IDS[account.reason],
    `${describe(resource)}: ${account.detail}. Every AWS resource must use the explicit ` +
      `provider of its account, pinned with allowedAccountIds to exactly that account, so it ` +
      `cannot land in another one. Fix: pass { provider } (or a parent's { providers }) with ` +
      `the account's aws.Provider (components/account-provider.ts), and keep ` +
      `pulumi:disable-default-providers: [aws] in the stack config.`,
    resource,
  );
}

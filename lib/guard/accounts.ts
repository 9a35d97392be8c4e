/**
 * Which AWS account a resource lands in, read from the explicit provider it is registered with
 * (`allowedAccountIds`, the provider pinning of decision 3 in docs/architecture.md). A resource
 * whose account cannot be read is `unresolved`, with the reason.
 */
import { partitionOfRegion } from "../arn";
import { readString, readStringList, type Read } from "./read";
import type { ProviderView, ResourceView, ViewProps } from "./view";

/** The AWS provider's type token. */
export const AWS_PROVIDER_TYPE = "pulumi:providers:aws";

const ACCOUNT_ID = /^\d{12}$/;

/** Why a resource's account cannot be told. */
export type UnresolvedReason =
  | "no-provider"
  | "default-provider"
  | "not-aws"
  | "not-pinned"
  | "several-accounts"
  | "unknown"
  | "invalid";

/** The account a resource lands in. */
export type AccountOf =
  | { readonly kind: "account"; readonly id: string; readonly partition: string }
  | { readonly kind: "unresolved"; readonly reason: UnresolvedReason; readonly detail: string };

/** Whether a provider name is a default provider's (`default`, `default_7_48_0`). */
export function isDefaultProviderName(name: string): boolean {
  return name === "default" || name.startsWith("default_");
}

/** Re-exported for the guard's callers; defined once in lib/arn.ts. */
export { partitionOfRegion };

function pinnedAccount(
  ids: Read<readonly string[]>,
  region: Read<string>,
  owner: string,
): AccountOf {
  if (ids.kind === "unknown") {
    return {
      kind: "unresolved",
      reason: "unknown",
      detail: `${owner} has allowedAccountIds that are not known during preview`,
    };
  }
  if (ids.kind === "invalid") {
    return {
      kind: "unresolved",
      reason: "invalid",
      detail: `${owner} has allowedAccountIds that are not a list of account ids`,
    };
  }
  const list = ids.kind === "value" ? ids.value : [];
  if (list.length === 0) {
    return {
      kind: "unresolved",
      reason: "not-pinned",
      detail: `${owner} sets no allowedAccountIds, so it acts in whatever account its credentials reach`,
    };
  }
  const unique = [...new Set(list)];
  if (unique.length > 1 || !ACCOUNT_ID.test(unique[0] ?? "")) {
    return {
      kind: "unresolved",
      reason: unique.length > 1 ? "several-accounts" : "invalid",
      detail: `${owner} allows ${JSON.stringify(list)}; it must allow exactly one 12-digit account id`,
    };
  }
  return {
    kind: "account",
    id: unique[0] ?? "",
    partition: partitionOfRegion(region.kind === "value" ? region.value : undefined),
  };
}

function regionOf(props: ViewProps): string | undefined {
  const region = readString(props, ["region"]);
  return region.kind === "value" ? region.value : undefined;
}

/** The account an AWS provider is pinned to. */
export function providerAccount(provider: ProviderView): AccountOf {
  if (provider.type !== AWS_PROVIDER_TYPE) {
    return {
      kind: "unresolved",
      reason: "not-aws",
      detail: `its provider '${provider.name}' is a ${provider.type}, not an AWS provider`,
    };
  }
  if (isDefaultProviderName(provider.name)) {
    return {
      kind: "unresolved",
      reason: "default-provider",
      detail: `it uses the default AWS provider '${provider.name}', which acts in whatever account the deployer's credentials point at`,
    };
  }
  return pinnedAccount(
    readStringList(provider.props, ["allowedAccountIds"]),
    readString(provider.props, ["region"]),
    `its provider '${provider.name}'`,
  );
}

/**
 * The account a resource lands in: the account its source states, a provider's own pin, or its
 * provider's.
 */
export function accountOf(resource: ResourceView): AccountOf {
  if (resource.accountId !== undefined) {
    return ACCOUNT_ID.test(resource.accountId)
      ? {
          kind: "account",
          id: resource.accountId,
          partition: partitionOfRegion(
            resource.provider ? regionOf(resource.provider.props) : regionOf(resource.props),
          ),
        }
      : {
          kind: "unresolved",
          reason: "invalid",
          detail: `its stated account ${JSON.stringify(resource.accountId)} is not a 12-digit account id`,
        };
  }
  if (resource.type === AWS_PROVIDER_TYPE) {
    return pinnedAccount(
      readStringList(resource.props, ["allowedAccountIds"]),
      readString(resource.props, ["region"]),
      `provider '${resource.name}'`,
    );
  }
  if (resource.provider === undefined) {
    return {
      kind: "unresolved",
      reason: "no-provider",
      detail: "it is registered without a provider",
    };
  }
  return providerAccount(resource.provider);
}

/** Whether a resource type is an AWS resource (as opposed to a component or another cloud's). */
export function isAwsResourceType(type: string): boolean {
  return type.startsWith("aws:");
}

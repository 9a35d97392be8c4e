/** Policies on providers. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy } from "./guard-policy";

/** `explicit-provider-pinned`: every AWS resource uses a provider pinned to one account. */
export function explicitProviderPinned(): ResourceValidationPolicy {
  return resourcePolicy("explicit-provider-pinned");
}

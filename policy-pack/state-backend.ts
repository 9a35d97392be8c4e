/** Policies on Terraform's state backend. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `state-backend-hardened`: state is private, encrypted, versioned and kept. */
export function stateBackendHardened(): StackValidationPolicy {
  return stackPolicy("state-backend-hardened");
}

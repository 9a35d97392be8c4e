/** Policies on the CI identity. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `ci-identity-least-privilege`: the CI identity can do nothing but assume the CI role. */
export function ciIdentityLeastPrivilege(): StackValidationPolicy {
  return stackPolicy("ci-identity-least-privilege");
}

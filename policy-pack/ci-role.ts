/** Policies on the CI Terraform role. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `ci-role-trust-restrictive`: only the CI identity may assume the CI role. */
export function ciRoleTrustRestrictive(): StackValidationPolicy {
  return stackPolicy("ci-role-trust-restrictive");
}

/** `ci-role-assume-scoped`: the CI role may assume exactly the product Terraform roles. */
export function ciRoleAssumeScoped(): StackValidationPolicy {
  return stackPolicy("ci-role-assume-scoped");
}

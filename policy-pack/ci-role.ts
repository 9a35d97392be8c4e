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

/** `ci-role-least-privilege`: each CI role may do only what its path needs. */
export function ciRoleLeastPrivilege(): StackValidationPolicy {
  return stackPolicy("ci-role-least-privilege");
}

/**
 * `ci-apply-role-environment-scoped`: each environment's CI apply role reaches only that
 * environment's Terraform roles and state, and only that environment's identity takes it.
 */
export function ciApplyRoleEnvironmentScoped(): StackValidationPolicy {
  return stackPolicy("ci-apply-role-environment-scoped");
}

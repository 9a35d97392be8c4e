/** Policies on the product accounts' Terraform roles. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `terraform-role-policies-identical`: every Terraform role has the same permissions. */
export function terraformRolePoliciesIdentical(): StackValidationPolicy {
  return stackPolicy("terraform-role-policies-identical");
}

/**
 * `terraform-role-trust-restrictive`: only its path's CI role may assume a Terraform role (the
 * CI plan role a plan role).
 */
export function terraformRoleTrustRestrictive(): StackValidationPolicy {
  return stackPolicy("terraform-role-trust-restrictive");
}

/**
 * `terraform-role-self-protection`: a Terraform role cannot change itself, the plan role, the
 * bootstrap role or its own policies, and with a boundary creates only bounded identities.
 */
export function terraformRoleSelfProtection(): StackValidationPolicy {
  return stackPolicy("terraform-role-self-protection");
}

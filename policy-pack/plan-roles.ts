/** Policies on the product accounts' plan roles (the read-only path). */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `plan-role-read-only`: a plan role grants only List and Read actions and denies secrets. */
export function planRoleReadOnly(): StackValidationPolicy {
  return stackPolicy("plan-role-read-only");
}

/** `plan-roles-identical`: every plan role has the same permissions. */
export function planRolesIdentical(): StackValidationPolicy {
  return stackPolicy("plan-roles-identical");
}

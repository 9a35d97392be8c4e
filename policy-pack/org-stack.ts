/** The policy on the stacks of an organisation split across a core and account groups. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/**
 * `org-stack-consistent`: a core stack holds only the Terraform account, a group stack only its
 * own product accounts, and the core admits every group's accounts and role definition.
 */
export function orgStackConsistent(): StackValidationPolicy {
  return stackPolicy("org-stack-consistent");
}

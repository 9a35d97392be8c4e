/** Policies on the audit trail. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { stackPolicy } from "./guard-policy";

/** `audit-trail-enabled`: a trail records every change and every state read and write. */
export function auditTrailEnabled(): StackValidationPolicy {
  return stackPolicy("audit-trail-enabled");
}

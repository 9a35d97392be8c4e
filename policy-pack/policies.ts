/** The pack's policies, in inventory order. */
import type { Policies } from "@pulumi/policy";
import { auditTrailEnabled } from "./audit-trail";
import { ciIdentityLeastPrivilege } from "./ci-identity";
import {
  ciApplyRoleEnvironmentScoped,
  ciRoleAssumeScoped,
  ciRoleLeastPrivilege,
  ciRoleTrustRestrictive,
} from "./ci-role";
import { orgStackConsistent } from "./org-stack";
import { planRoleReadOnly, planRolesIdentical } from "./plan-roles";
import { explicitProviderPinned } from "./providers";
import { stateBackendHardened } from "./state-backend";
import {
  terraformRolePoliciesIdentical,
  terraformRoleSelfProtection,
  terraformRoleTrustRestrictive,
} from "./terraform-roles";

/** The pack's name, as `pulumi policy publish` and `--policy-pack-config` know it. */
export const PACK_NAME = "tf-bootstrap";

/** Every policy of the pack. */
export function packPolicies(): Policies {
  return [
    terraformRolePoliciesIdentical(),
    terraformRoleTrustRestrictive(),
    terraformRoleSelfProtection(),
    planRoleReadOnly(),
    planRolesIdentical(),
    ciRoleTrustRestrictive(),
    ciRoleAssumeScoped(),
    ciApplyRoleEnvironmentScoped(),
    ciRoleLeastPrivilege(),
    ciIdentityLeastPrivilege(),
    stateBackendHardened(),
    auditTrailEnabled(),
    explicitProviderPinned(),
    orgStackConsistent(),
  ];
}

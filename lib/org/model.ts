/**
 * An AWS Organizations organization as tf-bootstrap reads it: every account with the
 * organizational unit it sits in. Plain data, filled by `scripts/aws/read-organization.ts`.
 */

/** One account of the organization. */
export interface OrgAccount {
  readonly id: string;
  /** The account's name in Organizations. */
  readonly name: string;
  readonly email: string;
  /** `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE`. */
  readonly status: string;
  /**
   * How the account joined: `CREATED` accounts have the `OrganizationAccountAccessRole` Organizations made for the
   * management account; `INVITED` accounts have it only if someone created it.
   */
  readonly joinedMethod: string;
  /** Path of organizational units from the root, e.g. `Root/Workloads/Prod`. */
  readonly ouPath: string;
  /** Id of the account's parent: `ou-…`, or `r-…` for the root. */
  readonly ouId: string;
}

/** The organization. */
export interface OrgSnapshot {
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Every account, in the order of their OU paths, then names. */
  readonly accounts: readonly OrgAccount[];
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TerraformAccountPlan } from "../lib/plan/model";
import { createAccountProvider } from "./account-provider";
import { AuditTrail } from "./audit-trail";
import { CiUser } from "./ci-user";
import { createPlannedRole } from "./planned-role";
import { StateBackend } from "./state-backend";

/** The key of the shared apply user and role in {@link TerraformAccount}'s maps. */
export const SHARED_APPLY = "*";

/** Inputs of {@link TerraformAccount}. */
export interface TerraformAccountArgs {
  readonly plan: TerraformAccountPlan;
  readonly partition: string;
}

/**
 * The Terraform account: its pinned provider, the audit trail, the state backend, and both CI
 * paths: the apply path (CI user or OIDC workflows → CI role) and the read-only plan path
 * (plan user or pull-request workflows → CI plan role). In the OIDC modes it holds the CI
 * platform's identity provider instead of users.
 */
export class TerraformAccount extends pulumi.ComponentResource {
  readonly provider: aws.Provider;
  readonly state: StateBackend;
  readonly audit: AuditTrail;
  /**
   * iam-user mode: the users whose keys run applies, by environment (the shared user under
   * the key of {@link SHARED_APPLY}), and the user whose keys run plans.
   */
  readonly ciApplyUsers: ReadonlyMap<string, CiUser>;
  readonly ciPlanUser?: CiUser;
  /** OIDC modes, when the stack creates it: the CI platform's identity provider. */
  readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
  /** The CI apply roles' ARNs, by environment (the shared role under {@link SHARED_APPLY}). */
  readonly ciApplyRoleArns: ReadonlyMap<string, pulumi.Output<string>>;
  readonly ciPlanRoleArn: pulumi.Output<string>;

  constructor(name: string, args: TerraformAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:terraform:TerraformAccount", name, {}, opts);
    const { plan } = args;
    this.provider = createAccountProvider(plan.provider, this);
    const inAccount = { parent: this, providers: [this.provider] };
    this.audit = new AuditTrail(
      `${name}-audit`,
      { plan: plan.audit, stateBucket: plan.state.bucket, partition: args.partition },
      inAccount,
    );
    this.state = new StateBackend(
      `${name}-state`,
      { plan: plan.state, audit: plan.audit, logBucketPolicy: this.audit.logBucketPolicy },
      inAccount,
    );
    const users = new Map<string, CiUser>();
    for (const apply of plan.ciApply) {
      if (apply.identity.kind !== "iam-user") continue;
      // The shared user keeps its resource name; an environment's user is named by it.
      const key = apply.environment ?? SHARED_APPLY;
      const child = apply.environment === undefined ? `${name}-ci` : `${name}-ci-apply-${key}`;
      users.set(key, new CiUser(child, { plan: apply.identity }, inAccount));
    }
    this.ciApplyUsers = users;
    if (plan.ciPlanIdentity.kind === "iam-user") {
      this.ciPlanUser = new CiUser(`${name}-ci-plan`, { plan: plan.ciPlanIdentity }, inAccount);
    }
    const oidc = plan.oidcProvider;
    if (oidc?.create) {
      // One provider per issuer and account, shared by both paths. No thumbprint: AWS checks
      // GitHub's and GitLab's certificates against its own trusted CAs, and fetches the
      // thumbprint itself for other issuers.
      this.oidcProvider = new aws.iam.OpenIdConnectProvider(
        `${name}-oidc-provider`,
        { url: oidc.url, clientIdLists: [oidc.audience] },
        { parent: this, provider: this.provider },
      );
    }
    const roleOpts = {
      parent: this,
      provider: this.provider,
      ...(this.oidcProvider ? { dependsOn: [this.oidcProvider] } : {}),
    };
    const roles = new Map<string, pulumi.Output<string>>();
    for (const apply of plan.ciApply) {
      const key = apply.environment ?? SHARED_APPLY;
      const child = apply.environment === undefined ? `${name}-ci-role` : `${name}-ci-role-${key}`;
      roles.set(key, createPlannedRole(child, apply.role, roleOpts).role.arn);
    }
    this.ciApplyRoleArns = roles;
    const ciPlanRole = createPlannedRole(`${name}-ci-plan-role`, plan.ciPlanRole, roleOpts);
    this.ciPlanRoleArn = ciPlanRole.role.arn;
    this.registerOutputs({
      ciApplyRoleArns: Object.fromEntries(roles),
      ciPlanRoleArn: this.ciPlanRoleArn,
    });
  }
}

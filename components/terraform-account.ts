import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TerraformAccountPlan } from "../lib/plan/model";
import { createAccountProvider } from "./account-provider";
import { AuditTrail } from "./audit-trail";
import { CiUser } from "./ci-user";
import { createPlannedRole } from "./planned-role";
import { StateBackend } from "./state-backend";

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
  /** iam-user mode: the users whose keys run applies and plans. */
  readonly ciUser?: CiUser;
  readonly ciPlanUser?: CiUser;
  /** OIDC modes, when the stack creates it: the CI platform's identity provider. */
  readonly oidcProvider?: aws.iam.OpenIdConnectProvider;
  readonly ciRoleArn: pulumi.Output<string>;
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
    if (plan.ciIdentity.kind === "iam-user") {
      this.ciUser = new CiUser(`${name}-ci`, { plan: plan.ciIdentity }, inAccount);
    }
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
    const ciRole = createPlannedRole(`${name}-ci-role`, plan.ciRole, roleOpts);
    const ciPlanRole = createPlannedRole(`${name}-ci-plan-role`, plan.ciPlanRole, roleOpts);
    this.ciRoleArn = ciRole.role.arn;
    this.ciPlanRoleArn = ciPlanRole.role.arn;
    this.registerOutputs({ ciRoleArn: this.ciRoleArn, ciPlanRoleArn: this.ciPlanRoleArn });
  }
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TerraformAccountPlan } from "../lib/plan/model";
import { createAccountProvider } from "./account-provider";
import { AuditTrail } from "./audit-trail";
import { CiIdentity } from "./ci-identity";
import { createPlannedRole } from "./planned-role";
import { StateBackend } from "./state-backend";

/** Inputs of {@link TerraformAccount}. */
export interface TerraformAccountArgs {
  readonly plan: TerraformAccountPlan;
  readonly partition: string;
}

/**
 * The Terraform account: its pinned provider, the audit trail, the state backend, the CI
 * identity and the CI Terraform role.
 */
export class TerraformAccount extends pulumi.ComponentResource {
  readonly provider: aws.Provider;
  readonly state: StateBackend;
  readonly ci: CiIdentity;
  readonly audit: AuditTrail;
  readonly ciRoleArn: pulumi.Output<string>;

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
    this.ci = new CiIdentity(`${name}-ci`, { plan: plan.ciIdentity }, inAccount);
    const ciRole = createPlannedRole(`${name}-ci-role`, plan.ciRole, {
      parent: this,
      provider: this.provider,
    });
    this.ciRoleArn = ciRole.role.arn;
    this.registerOutputs({ ciRoleArn: this.ciRoleArn });
  }
}

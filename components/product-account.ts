import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ProductAccountPlan } from "../lib/plan/model";
import { createAccountProvider } from "./account-provider";
import { createPlannedRole } from "./planned-role";

/** Inputs of {@link ProductAccount}. */
export interface ProductAccountArgs {
  readonly plan: ProductAccountPlan;
  /** Keep the roles in AWS when they leave the stack (a core stack handing them over). */
  readonly retain?: boolean;
  /** Adopt (import) the existing roles instead of creating them (a group stack taking over). */
  readonly adopt?: boolean;
}

/**
 * One product account: its pinned provider, its Terraform role (assumable only by the CI apply
 * role) and its read-only plan role (assumable only by the CI plan role), each with the
 * permissions every product account shares. Removing the account from the config removes
 * these and nothing else: state lives in the Terraform account.
 */
export class ProductAccount extends pulumi.ComponentResource {
  readonly provider: aws.Provider;
  readonly roleArn: pulumi.Output<string>;
  readonly planRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ProductAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:product:ProductAccount", name, {}, opts);
    this.provider = createAccountProvider(args.plan.provider, this);
    const children: pulumi.CustomResourceOptions = {
      parent: this,
      provider: this.provider,
      ...(args.retain ? { retainOnDelete: true } : {}),
    };
    const adopt = args.adopt ?? false;
    const role = createPlannedRole(
      `${name}-terraform-role`,
      args.plan.terraformRole,
      children,
      adopt,
    );
    const planRole = createPlannedRole(`${name}-plan-role`, args.plan.planRole, children, adopt);
    this.roleArn = role.role.arn;
    this.planRoleArn = planRole.role.arn;
    this.registerOutputs({ roleArn: this.roleArn, planRoleArn: this.planRoleArn });
  }
}

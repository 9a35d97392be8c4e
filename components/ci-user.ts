import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderDocument } from "../lib/iam/documents";
import { ACCESS_TAG, type CiUserPlan } from "../lib/plan/model";

/** Inputs of {@link CiUser}. */
export interface CiUserArgs {
  readonly plan: CiUserPlan;
}

/**
 * A CI user (iam-user mode): an IAM user with no console login whose only permission is to
 * assume its path's CI role; its inline and managed policies are managed exclusively, so
 * anything attached out of band is removed on the next `up`. An access key is created only
 * when asked for, and returned as a secret.
 */
export class CiUser extends pulumi.ComponentResource {
  readonly userName: pulumi.Output<string>;
  readonly userArn: pulumi.Output<string>;
  /** Set when an access key was asked for. */
  readonly accessKeyId?: pulumi.Output<string>;
  /** Set when an access key was asked for; always a secret. */
  readonly secretAccessKey?: pulumi.Output<string>;

  constructor(name: string, args: CiUserArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tf-bootstrap:terraform:CiIdentity", name, {}, opts);
    const { plan } = args;
    const child = { parent: this };
    const user = new aws.iam.User(
      `${name}-user`,
      {
        name: plan.name,
        path: plan.path,
        forceDestroy: false,
        tags: { [ACCESS_TAG]: plan.access },
      },
      child,
    );
    const after = { ...child, dependsOn: [user] };
    const policies = plan.inlinePolicies.map(
      (p) =>
        new aws.iam.UserPolicy(
          `${name}-${p.name}`,
          { user: plan.name, name: p.name, policy: renderDocument(p.document) },
          after,
        ),
    );
    new aws.iam.UserPoliciesExclusive(
      `${name}-inline-exclusive`,
      { userName: plan.name, policyNames: plan.inlinePolicies.map((p) => p.name) },
      { ...child, dependsOn: [user, ...policies] },
    );
    new aws.iam.UserPolicyAttachmentsExclusive(
      `${name}-managed-exclusive`,
      { userName: plan.name, policyArns: [] },
      after,
    );
    if (plan.createAccessKey) {
      const key = new aws.iam.AccessKey(
        `${name}-access-key`,
        { user: plan.name },
        { ...after, additionalSecretOutputs: ["secret"] },
      );
      this.accessKeyId = key.id;
      this.secretAccessKey = pulumi.secret(key.secret);
    }
    this.userName = user.name;
    this.userArn = user.arn;
    this.registerOutputs({
      userName: this.userName,
      userArn: this.userArn,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
    });
  }
}

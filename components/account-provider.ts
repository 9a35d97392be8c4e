import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ProviderPlan } from "../lib/plan/model";

/**
 * The explicit provider of one account: it assumes the account's bootstrap role and may act in
 * that account only (`allowedAccountIds`), so a resource given the wrong provider fails instead
 * of landing in another account.
 */
export function createAccountProvider(plan: ProviderPlan, parent: pulumi.Resource): aws.Provider {
  return new aws.Provider(
    plan.name,
    {
      region: plan.region as aws.Region,
      allowedAccountIds: [...plan.allowedAccountIds],
      assumeRoles: [{ roleArn: plan.assumeRoleArn, sessionName: plan.sessionName }],
      defaultTags: { tags: { ...plan.defaultTags } },
    },
    { parent },
  );
}

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderDocument } from "../lib/iam/documents";
import type { KmsKeyPlan } from "../lib/plan/model";

/**
 * A KMS key from its plan, with automatic rotation and an alias. Keys are protected and
 * retained: data encrypted under a deleted key cannot be read again.
 */
export function createPlannedKey(
  name: string,
  plan: KmsKeyPlan,
  opts: pulumi.CustomResourceOptions,
): aws.kms.Key {
  const key = new aws.kms.Key(
    name,
    {
      description: plan.description,
      enableKeyRotation: true,
      deletionWindowInDays: plan.deletionWindowInDays,
      policy: renderDocument(plan.policy),
    },
    { ...opts, protect: true, retainOnDelete: true },
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/${plan.alias}`, targetKeyId: key.keyId }, opts);
  return key;
}

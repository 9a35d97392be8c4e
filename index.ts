import * as pulumi from "@pulumi/pulumi";
import { createStack, readStackConfig, type ProgramOutputs } from "./components/stack";
import { ConfigError } from "./lib/errors/config-error";

// Wiring only: validate the stack config (every problem at once, before any resource), build
// the topology, export what Terraform needs.
function build(): ProgramOutputs {
  try {
    return createStack(readStackConfig());
  } catch (error) {
    // A config error is the user's to fix: the engine shows a RunError's message alone, with
    // no stack trace and no "unhandled exception".
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

// Every output any part of an organisation exports; a part that has none leaves it out.
const outputs: Readonly<Record<string, unknown>> = { ...build() };

export const terraformAccountId = outputs.terraformAccountId;
export const workspaces = outputs.workspaces;
export const backend = outputs.backend;
export const ciRoleArn = outputs.ciRoleArn;
export const ciPlanRoleArn = outputs.ciPlanRoleArn;
export const ci = outputs.ci;
export const ciUserName = outputs.ciUserName;
export const ciPlanUserName = outputs.ciPlanUserName;
export const auditTrailArn = outputs.auditTrailArn;
export const ciAccessKeyId = outputs.ciAccessKeyId;
export const ciSecretAccessKey = outputs.ciSecretAccessKey;
export const ciPlanAccessKeyId = outputs.ciPlanAccessKeyId;
export const ciPlanSecretAccessKey = outputs.ciPlanSecretAccessKey;
export const ciApplyAccessKeys = outputs.ciApplyAccessKeys;
export const orgCore = outputs.orgCore;
export const orgGroup = outputs.orgGroup;

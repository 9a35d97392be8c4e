import { createStack, readStackConfig } from "./components/stack";

// Wiring only: validate the stack config (every problem at once, before any resource), build
// the topology, export what Terraform needs.
const outputs = createStack(readStackConfig());

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

import * as pulumi from "@pulumi/pulumi";
import { decodePulumiConfig, loadStackConfig, TopologyConfig } from "../lib/config/parse";
import { ConfigError } from "../lib/errors/config-error";
import { planTopologyChecked } from "../lib/plan/topology";
import { Topology } from "./topology";

/** What the stack exports; the Terraform handoff is generated from these. */
export interface StackOutputs {
  readonly terraformAccountId: string;
  /** Per workspace: the account it maps to and the role Terraform assumes there. */
  readonly workspaces: Record<string, { accountName: string; accountId: string; roleArn: string }>;
  readonly backend: {
    bucket: string;
    region: string;
    key: string;
    workspaceKeyPrefix: string;
    lockMode: string;
    lockTable?: string;
    kmsKeyArn: pulumi.Output<string>;
    kmsKeyAlias: string;
  };
  readonly ciRoleArn: string;
  readonly ciUserName: string;
  readonly auditTrailArn: string;
  readonly ciAccessKeyId?: pulumi.Output<string>;
  readonly ciSecretAccessKey?: pulumi.Output<string>;
}

/**
 * Reads the stack's config from the Pulumi runtime and validates it. Throws a ConfigError that
 * lists every problem before any resource is registered.
 */
export function readStackConfig(): TopologyConfig {
  const flat = pulumi.runtime.allConfig();
  return loadStackConfig(decodePulumiConfig(flat), configSource());
}

/** How config errors name what they are about. */
function configSource(): string {
  return `stack '${pulumi.getStack()}' config`;
}

/** Builds the topology for a validated config and returns the stack outputs. */
export function createStack(config: TopologyConfig): StackOutputs {
  const checked = planTopologyChecked(config);
  if (!checked.ok) throw new ConfigError(checked.problems, configSource());
  const { plan } = checked;
  const topology = new Topology(config.organization, { plan });
  const state = plan.terraform.state;
  const workspaces: StackOutputs["workspaces"] = {};
  for (const product of plan.products) {
    workspaces[product.workspace] = {
      accountName: product.key,
      accountId: product.accountId,
      roleArn: product.terraformRole.arn,
    };
  }
  const ci = topology.terraform.ci;
  return {
    terraformAccountId: plan.terraform.accountId,
    workspaces,
    backend: {
      bucket: state.bucket,
      region: state.region,
      key: state.key,
      workspaceKeyPrefix: state.keyPrefix,
      lockMode: state.lockMode,
      ...(state.lockTable ? { lockTable: state.lockTable.name } : {}),
      kmsKeyArn: topology.terraform.state.kmsKeyArn,
      kmsKeyAlias: `alias/${state.kmsKey.alias}`,
    },
    ciRoleArn: plan.terraform.ciRole.arn,
    ciUserName: plan.terraform.ciIdentity.name,
    auditTrailArn: plan.terraform.audit.trailArn,
    ...(ci.accessKeyId ? { ciAccessKeyId: ci.accessKeyId } : {}),
    ...(ci.secretAccessKey ? { ciSecretAccessKey: ci.secretAccessKey } : {}),
  };
}

import * as pulumi from "@pulumi/pulumi";
import { decodePulumiConfig, loadStackConfig, TopologyConfig } from "../lib/config/parse";
import { ConfigError } from "../lib/errors/config-error";
import { planTopologyChecked } from "../lib/plan/topology";
import { Topology } from "./topology";

/** What the stack exports; the Terraform handoff is generated from these. */
export interface StackOutputs {
  readonly terraformAccountId: string;
  /**
   * Per workspace: the account it maps to, the roles Terraform assumes there (apply and plan)
   * and the CI environment its apply job deploys to.
   */
  readonly workspaces: Record<
    string,
    {
      accountName: string;
      accountId: string;
      roleArn: string;
      planRoleArn: string;
      environment: string;
    }
  >;
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
  /** The CI apply role. */
  readonly ciRoleArn: string;
  /** The CI plan role. */
  readonly ciPlanRoleArn: string;
  /** How CI authenticates, and what the generated pipelines need. */
  readonly ci: {
    mode: string;
    branch: string;
    repository?: string;
    audience?: string;
    oidcProviderArn?: string;
    /** Apply order: stages of workspaces. */
    applyStages: string[][];
    codeOwners: string[];
    /** The Terraform roots: name, directory, workspaces and backend `key` of each. */
    roots: { name: string; directory: string; workspaces: string[]; stateKey: string }[];
    /** The CI apply role of each apply environment. */
    applyRoleArns: Record<string, string>;
    maxParallel: number;
    sharedPaths: string[];
    driftSchedule: string;
    tool: string;
    toolVersion: string;
    toolSha256: string;
    sessionDurationSeconds: number;
  };
  /** iam-user mode: the users whose keys run applies and plans. */
  readonly ciUserName?: string;
  readonly ciPlanUserName?: string;
  readonly auditTrailArn: string;
  readonly ciAccessKeyId?: pulumi.Output<string>;
  readonly ciSecretAccessKey?: pulumi.Output<string>;
  readonly ciPlanAccessKeyId?: pulumi.Output<string>;
  readonly ciPlanSecretAccessKey?: pulumi.Output<string>;
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
      planRoleArn: product.planRole.arn,
      environment: product.environment,
    };
  }
  const tf = plan.terraform;
  const { ciUser, ciPlanUser } = topology.terraform;
  const pipeline = plan.pipeline;
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
    ciRoleArn: tf.ciRole.arn,
    ciPlanRoleArn: tf.ciPlanRole.arn,
    ci: {
      mode: tf.ciMode,
      branch: pipeline.branch,
      ...(pipeline.repository !== undefined ? { repository: pipeline.repository } : {}),
      ...(tf.oidcProvider
        ? { audience: tf.oidcProvider.audience, oidcProviderArn: tf.oidcProvider.arn }
        : {}),
      applyStages: pipeline.applyStages.map((stage) => [...stage]),
      codeOwners: [...pipeline.codeOwners],
      roots: pipeline.roots.map((r) => ({ ...r, workspaces: [...r.workspaces] })),
      applyRoleArns: { ...pipeline.applyRoleArns },
      maxParallel: pipeline.maxParallel,
      sharedPaths: [...pipeline.sharedPaths],
      driftSchedule: pipeline.driftSchedule,
      tool: pipeline.tool,
      toolVersion: pipeline.toolVersion,
      toolSha256: pipeline.toolSha256,
      sessionDurationSeconds: tf.ciRole.maxSessionDuration,
    },
    ...(tf.ciIdentity.kind === "iam-user" ? { ciUserName: tf.ciIdentity.name } : {}),
    ...(tf.ciPlanIdentity.kind === "iam-user" ? { ciPlanUserName: tf.ciPlanIdentity.name } : {}),
    auditTrailArn: tf.audit.trailArn,
    ...(ciUser?.accessKeyId ? { ciAccessKeyId: ciUser.accessKeyId } : {}),
    ...(ciUser?.secretAccessKey ? { ciSecretAccessKey: ciUser.secretAccessKey } : {}),
    ...(ciPlanUser?.accessKeyId ? { ciPlanAccessKeyId: ciPlanUser.accessKeyId } : {}),
    ...(ciPlanUser?.secretAccessKey ? { ciPlanSecretAccessKey: ciPlanUser.secretAccessKey } : {}),
  };
}

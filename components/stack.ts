import * as pulumi from "@pulumi/pulumi";
import { decodePulumiConfig, loadStackConfig, TopologyConfig } from "../lib/config/parse";
import { ConfigError } from "../lib/errors/config-error";
import { planTopologyChecked } from "../lib/plan/topology";
import { SHARED_APPLY } from "./terraform-account";
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
  /** The CI apply role, when apply roles are shared (per environment: `ci.applyRoleArns`). */
  readonly ciRoleArn?: string;
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
    /** `per-environment` or `shared`: how the apply path's identities are laid out. */
    applyRoles: string;
    /** The CI apply role of each apply environment. */
    applyRoleArns: Record<string, string>;
    /** iam-user mode: the CI apply user of each apply environment. */
    applyUserNames?: Record<string, string>;
    maxParallel: number;
    sharedPaths: string[];
    driftSchedule: string;
    tool: string;
    toolVersion: string;
    toolSha256: string;
    sessionDurationSeconds: number;
  };
  /** iam-user mode, shared apply roles: the user whose keys run applies. */
  readonly ciUserName?: string;
  /** iam-user mode: the user whose keys run plans. */
  readonly ciPlanUserName?: string;
  readonly auditTrailArn: string;
  readonly ciAccessKeyId?: pulumi.Output<string>;
  readonly ciSecretAccessKey?: pulumi.Output<string>;
  readonly ciPlanAccessKeyId?: pulumi.Output<string>;
  readonly ciPlanSecretAccessKey?: pulumi.Output<string>;
  /**
   * iam-user mode with per-environment apply users and access keys: each environment's key,
   * for that environment's secrets only (a secret output).
   */
  readonly ciApplyAccessKeys?: pulumi.Output<Record<string, { id: string; secret: string }>>;
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
  const { ciApplyUsers, ciPlanUser } = topology.terraform;
  const ciUser = ciApplyUsers.get(SHARED_APPLY);
  const shared = tf.applyRoles === "shared" ? tf.ciApply[0] : undefined;
  const applyUsers = tf.ciApply.flatMap((a) =>
    a.identity.kind === "iam-user" && a.environment !== undefined
      ? [[a.environment, a.identity.name] as const]
      : [],
  );
  const envKeys = [...ciApplyUsers].filter(
    ([env, user]) => env !== SHARED_APPLY && user.accessKeyId && user.secretAccessKey,
  );
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
    ...(shared ? { ciRoleArn: shared.role.arn } : {}),
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
      applyRoles: tf.applyRoles,
      applyRoleArns: { ...pipeline.applyRoleArns },
      ...(applyUsers.length > 0 ? { applyUserNames: Object.fromEntries(applyUsers) } : {}),
      maxParallel: pipeline.maxParallel,
      sharedPaths: [...pipeline.sharedPaths],
      driftSchedule: pipeline.driftSchedule,
      tool: pipeline.tool,
      toolVersion: pipeline.toolVersion,
      toolSha256: pipeline.toolSha256,
      sessionDurationSeconds: tf.ciPlanRole.maxSessionDuration,
    },
    ...(shared?.identity.kind === "iam-user" ? { ciUserName: shared.identity.name } : {}),
    ...(tf.ciPlanIdentity.kind === "iam-user" ? { ciPlanUserName: tf.ciPlanIdentity.name } : {}),
    auditTrailArn: tf.audit.trailArn,
    ...(ciUser?.accessKeyId ? { ciAccessKeyId: ciUser.accessKeyId } : {}),
    ...(ciUser?.secretAccessKey ? { ciSecretAccessKey: ciUser.secretAccessKey } : {}),
    ...(ciPlanUser?.accessKeyId ? { ciPlanAccessKeyId: ciPlanUser.accessKeyId } : {}),
    ...(ciPlanUser?.secretAccessKey ? { ciPlanSecretAccessKey: ciPlanUser.secretAccessKey } : {}),
    ...(envKeys.length > 0
      ? {
          ciApplyAccessKeys: pulumi.secret(
            pulumi
              .all(
                envKeys.map(([env, user]) =>
                  pulumi
                    .all([user.accessKeyId ?? "", user.secretAccessKey ?? ""])
                    .apply(([id, secret]) => [env, { id, secret }] as const),
                ),
              )
              .apply((pairs) => Object.fromEntries(pairs)),
          ),
        }
      : {}),
  };
}

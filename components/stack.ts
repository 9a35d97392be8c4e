import * as pulumi from "@pulumi/pulumi";
import { decodePulumiConfig, loadStackConfig, TopologyConfig } from "../lib/config/parse";
import { ConfigError } from "../lib/errors/config-error";
import type { TopologyPlan } from "../lib/plan/model";
import { planTopologyChecked } from "../lib/plan/topology";
import {
  coreContract,
  CORE_OUTPUT,
  groupMismatches,
  readCoreContract,
  type CoreContract,
} from "../lib/org-stacks/core-contract";
import { SHARED_APPLY } from "./terraform-account";
import { Topology, WHOLE, type TopologyPart } from "./topology";

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

/** What an account-group stack exports (docs/org-stacks.md). */
export interface GroupStackOutputs {
  readonly terraformAccountId: string;
  /** The group's workspaces, as {@link StackOutputs.workspaces}. */
  readonly workspaces: StackOutputs["workspaces"];
  /**
   * The core stack the group belongs to and the group's accounts; resolves only when the core
   * stack admits every account of the group (otherwise the run fails, naming each mismatch).
   */
  readonly orgGroup: pulumi.Output<{ core: string; accounts: string[] }>;
}

/** What a core stack exports: the whole stack's outputs and the contract for its groups. */
export interface CoreStackOutputs extends StackOutputs {
  readonly [CORE_OUTPUT]: CoreContract;
}

/** What the program exports, by the stack's part in the organisation. */
export type ProgramOutputs = StackOutputs | CoreStackOutputs | GroupStackOutputs;

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

/** The part of the topology the config's `orgStack` setting gives the stack. */
export function topologyPart(config: TopologyConfig): TopologyPart {
  const org = config.orgStack;
  if (org === undefined) return WHOLE;
  return org.part === "core"
    ? {
        terraformAccount: true,
        productAccounts: org.handOver,
        retainProducts: org.handOver,
        adoptProducts: false,
      }
    : {
        terraformAccount: false,
        productAccounts: true,
        retainProducts: false,
        adoptProducts: org.adopt,
      };
}

function workspacesOf(plan: TopologyPlan): StackOutputs["workspaces"] {
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
  return workspaces;
}

/**
 * A StackReference's name as the engine resolves it: a bare stack name is taken to be in this
 * stack's organisation and project.
 */
export function qualifiedStackName(name: string): string {
  const parts = name.split("/");
  if (parts.length === 3) return name;
  if (parts.length === 2) return `${pulumi.getOrganization()}/${name}`;
  return `${pulumi.getOrganization()}/${pulumi.getProject()}/${name}`;
}

/**
 * Builds the topology for a validated config and returns the stack outputs: the whole
 * organisation, or the core or an account group of one split across stacks.
 */
export function createStack(config: TopologyConfig): ProgramOutputs {
  const checked = planTopologyChecked(config);
  if (!checked.ok) throw new ConfigError(checked.problems, configSource());
  const { plan } = checked;
  const part = topologyPart(config);
  const topology = new Topology(config.organization, { plan, part });
  const org = config.orgStack;
  if (org?.part === "group") return groupOutputs(topology, plan, org.core ?? "");
  const outputs = wholeOutputs(topology, plan);
  return org?.part === "core" ? { ...outputs, [CORE_OUTPUT]: coreContract(plan) } : outputs;
}

function groupOutputs(topology: Topology, plan: TopologyPlan, coreName: string): GroupStackOutputs {
  const core = new pulumi.StackReference(
    "org-core",
    { name: qualifiedStackName(coreName) },
    { parent: topology },
  );
  const orgGroup = core.getOutput(CORE_OUTPUT).apply((value: unknown) => {
    const read = readCoreContract({ [CORE_OUTPUT]: value }, coreName);
    const problems = read.ok
      ? groupMismatches(coreContract(plan), read.contract, coreName).map((m) => m.message)
      : [read.problem];
    if (problems.length > 0) {
      throw new pulumi.RunError(
        `This account-group stack does not match its core stack ${coreName} ` +
          `(${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
          problems.map((p) => `  - ${p}`).join("\n"),
      );
    }
    return { core: coreName, accounts: plan.products.map((p) => p.key) };
  });
  return { terraformAccountId: plan.terraform.accountId, workspaces: workspacesOf(plan), orgGroup };
}

function wholeOutputs(topology: Topology, plan: TopologyPlan): StackOutputs {
  if (topology.terraform === undefined)
    throw new Error("bug: a stack without its Terraform account");
  const state = plan.terraform.state;
  const workspaces = workspacesOf(plan);
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

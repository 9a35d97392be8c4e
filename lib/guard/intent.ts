/**
 * What the stack's config says the topology must be, for the checks that cannot be decided by
 * looking at the resources alone: which OIDC subjects each CI path is meant to admit, who
 * administers the state backend, how long state versions and logs are kept.
 *
 * The intent is derived from the stack config with the same parser and planner the program
 * uses, never from the resources the pack judges: a hand edit of a trust, a bucket policy or a
 * lifecycle rule cannot also move what it is judged against. The pack gets the stack config
 * from the Pulumi engine (every analyzer is sent it before the first analysis); the offline
 * synth and the audit read the stack file. A check that needs the intent and has none fails
 * closed (`Intent::Missing`).
 */
import type { TopologyConfig } from "../config/parse";
import { decodePulumiConfig, parseStackConfig } from "../config/parse";
import { backendAdministrators, terraformBootstrapRoleArn } from "../plan/administrators";
import type { Access, CiMode, TopologyPlan } from "../plan/model";
import { planTopology } from "../plan/topology";
import { coreContract, type CoreContract } from "../org-stacks/core-contract";
import type { Findings } from "./finding";

/**
 * One CI apply role the config means the stack to have, and what it is meant to reach: with
 * per-environment apply roles one per environment, else the shared one (every environment).
 */
export interface ApplyRoleIntent {
  /** The environment it serves; absent for the shared role. */
  readonly environment?: string;
  readonly roleArn: string;
  /** iam-user mode: its CI user's ARN. */
  readonly userArn?: string;
  /** OIDC modes: the token subjects its trust admits. */
  readonly subjects: readonly string[];
  /** The Terraform roles it may assume. */
  readonly terraformRoleArns: readonly string[];
  /** The workspaces whose state it may write. */
  readonly workspaces: readonly string[];
}

/** The stack's part in an organisation split across stacks (config `orgStack`). */
export interface OrgStackIntent {
  readonly part: "core" | "group";
  /** group: the core stack's name, as the config gives it. */
  readonly core?: string;
  /** core: the product accounts are still registered here, being handed over to groups. */
  readonly handOver: boolean;
  /**
   * What this stack's config says of its product accounts, in the shape a core stack exports
   * (a core's: every account of the organisation; a group's: its own).
   */
  readonly contract: CoreContract;
}

/** The stack's intent, as far as the guard needs it. */
export interface StackIntent {
  /** Absent: the stack holds the whole organisation. */
  readonly org?: OrgStackIntent;
  /** The CI plan role's ARN. */
  readonly planRoleArn: string;
  readonly terraformAccountId: string;
  readonly partition: string;
  readonly region: string;
  /** The Terraform account's bootstrap role: `pulumi up` changes the backend through it. */
  readonly bootstrapRoleArn: string;
  /** The config's admin principals (exact role and user ARNs of the Terraform account). */
  readonly adminPrincipals: readonly string[];
  /** Who may change the backend's configuration: the account root, the bootstrap role, admins. */
  readonly administrators: readonly string[];
  readonly ciMode: CiMode;
  /** OIDC modes: the token subjects each path's CI roles are meant to admit, exactly. */
  readonly subjects: Readonly<Record<Access, readonly string[]>>;
  /** `per-environment` or `shared` (config `ci.applyRoles`). */
  readonly applyRolesMode: "per-environment" | "shared";
  /** The CI apply roles, sorted by environment. */
  readonly applyRoles: readonly ApplyRoleIntent[];
  /** OIDC modes: the provider the CI roles' tokens come from. */
  readonly oidcProvider?: {
    readonly arn: string;
    readonly host: string;
    readonly audience: string;
  };
  /** iam-user mode: whether the CI users are meant to have access keys. */
  readonly createAccessKey: boolean;
  /** Whether the config accepts `iam` in allowedServices without a permissions boundary. */
  readonly iamWithoutBoundary: boolean;
  readonly state: {
    /** The state bucket's name. */
    readonly bucket: string;
    /** The lock table's ARN, when state is locked in DynamoDB. */
    readonly lockTableArn?: string;
    /** Prefix of every workspace's state objects (`workspace_key_prefix`). */
    readonly keyPrefix: string;
    /** The state object's name (`key`); the default workspace's state sits at the bucket root. */
    readonly key: string;
    /** Every Terraform root's backend `key` (a workspace's state: `<keyPrefix>/<ws>/<key>`). */
    readonly rootKeys: readonly string[];
    readonly noncurrentVersionRetentionDays: number;
  };
  readonly audit: {
    /** Days logs are kept; `undefined`: forever. */
    readonly logRetentionDays?: number;
  };
}

/** The intent of a validated config and its plan. */
export function intentOf(config: TopologyConfig, plan: TopologyPlan): StackIntent {
  const identities = (access: Access) =>
    access === "apply"
      ? plan.terraform.ciApply.map((a) => a.identity)
      : [plan.terraform.ciPlanIdentity];
  const subjects = (access: Access): string[] =>
    identities(access).flatMap((identity) =>
      identity.kind === "oidc" ? [...identity.subjects] : [],
    );
  const roleOf = new Map(plan.products.map((p) => [p.key, p.terraformRole.arn]));
  const applyRoles: ApplyRoleIntent[] = plan.terraform.ciApply.map((a) => ({
    ...(a.environment !== undefined ? { environment: a.environment } : {}),
    roleArn: a.role.arn,
    ...(a.identity.kind === "iam-user" ? { userArn: a.identity.arn } : {}),
    subjects: a.identity.kind === "oidc" ? [...a.identity.subjects] : [],
    terraformRoleArns: a.accounts.map((k) => roleOf.get(k) ?? ""),
    workspaces: [...a.workspaces],
  }));
  return {
    ...(config.orgStack
      ? {
          org: {
            part: config.orgStack.part,
            ...(config.orgStack.core !== undefined ? { core: config.orgStack.core } : {}),
            handOver: config.orgStack.handOver,
            contract: coreContract(plan),
          },
        }
      : {}),
    planRoleArn: plan.terraform.ciPlanRole.arn,
    terraformAccountId: config.terraformAccount.id,
    partition: config.partition,
    region: config.region,
    bootstrapRoleArn: terraformBootstrapRoleArn(config),
    adminPrincipals: [...config.adminPrincipals],
    administrators: backendAdministrators(config),
    ciMode: config.ci.mode,
    subjects: { apply: subjects("apply"), plan: subjects("plan") },
    applyRolesMode: plan.terraform.applyRoles,
    applyRoles,
    ...(plan.terraform.oidcProvider
      ? {
          oidcProvider: {
            arn: plan.terraform.oidcProvider.arn,
            host: plan.terraform.oidcProvider.host,
            audience: plan.terraform.oidcProvider.audience,
          },
        }
      : {}),
    createAccessKey: config.ci.createAccessKey,
    iamWithoutBoundary: config.terraformRole.acknowledgeIamWithoutBoundary,
    state: {
      bucket: plan.terraform.state.bucket,
      ...(plan.terraform.state.lockTable
        ? { lockTableArn: plan.terraform.state.lockTable.arn }
        : {}),
      keyPrefix: plan.terraform.state.keyPrefix,
      key: plan.terraform.state.key,
      rootKeys: [...new Set(config.names.roots.map((r) => r.stateKey))],
      noncurrentVersionRetentionDays: plan.terraform.state.noncurrentVersionExpirationDays,
    },
    audit:
      plan.terraform.audit.logRetentionDays !== undefined
        ? { logRetentionDays: plan.terraform.audit.logRetentionDays }
        : {},
  };
}

/** The intent as a check finds it: known, or why not. */
export type IntentRead =
  | { readonly kind: "known"; readonly intent: StackIntent }
  | { readonly kind: "missing"; readonly reason: string };

/** No intent was given: the engine sent no stack config. */
export const NO_INTENT: IntentRead = {
  kind: "missing",
  reason:
    "the policy pack was given no stack config (the Pulumi engine sends it to every policy pack " +
    "before the first analysis; an engine that does not, or a caller that runs the pack " +
    "without it, leaves the pack without the stack's intent)",
};

/**
 * The intent of a flat stack config (`{ "tf-bootstrap:region": "eu-west-1", ... }`, values as
 * Pulumi hands them to a program). An invalid config gives no intent: the program itself
 * refuses it before registering anything.
 */
export function intentFromFlatConfig(flat: Readonly<Record<string, string>>): IntentRead {
  const parsed = parseStackConfig(decodePulumiConfig(flat));
  if (!parsed.ok) {
    return {
      kind: "missing",
      reason: `the stack config is invalid (${parsed.problems.length} problem(s), first: ${parsed.problems[0]?.path ?? "?"}: ${parsed.problems[0]?.message ?? ""})`,
    };
  }
  return { kind: "known", intent: intentOf(parsed.config, planTopology(parsed.config)) };
}

/**
 * The intent, or `undefined` after reporting `Intent::Missing`: the check cannot tell what the
 * config means the topology to be, and fails closed.
 */
export function requireIntent(
  read: IntentRead,
  out: Findings,
  what: string,
): StackIntent | undefined {
  if (read.kind === "known") return read.intent;
  out.add(
    "Intent::Missing",
    `The policy cannot check ${what}: ${read.reason}. It fails closed. Fix: run the pack ` +
      `through \`pulumi preview --policy-pack policy-pack\` or \`pulumi up --policy-pack ` +
      `policy-pack\` (the Pulumi CLI sends the stack config to every policy pack it runs), or ` +
      `\`npm run synth\`, and keep the stack config valid.`,
  );
  return undefined;
}

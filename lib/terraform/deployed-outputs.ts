import { z } from "zod";
import {
  ACCOUNT_ID,
  CI_ENVIRONMENT,
  CODE_OWNER,
  GIT_BRANCH,
  GITHUB_REPOSITORY,
  GITLAB_PROJECT,
  KEY_PREFIX,
  OIDC_AUDIENCE,
  REGION,
  TABLE_NAME,
  TOOL_VERSION,
  WORKSPACE,
  follows,
  type NameRule,
} from "../config/rules";
import { DEFAULT_ROOT_NAME } from "../config/names";
import {
  CRON_SCHEDULE,
  MAX_PARALLEL_LIMIT,
  REPOSITORY_PATH,
  ROOT_NAME,
  SHA256_HEX,
  SHARED_STATE_KEY,
} from "../config/pipeline-rules";
import { CI_MODES, LOCK_MODES, PIPELINE_TOOLS } from "../config/schema";
import { pinnedToolSha256 } from "../pipeline/pins";
import { GITHUB_ISSUER } from "../plan/oidc";

/**
 * The stack outputs the Terraform handoff is made from, as `pulumi stack output --json` prints
 * them (and as `npm run synth` writes them to `out/<stack>/outputs.json`). Only the outputs the
 * handoff needs are read; the others (and secrets, which that command prints as `[secret]`)
 * are ignored and never copied into a generated file.
 */

/** How Terraform locks state. */
export type LockMode = (typeof LOCK_MODES)[number];

/** One product account as Terraform sees it: a workspace. */
export interface WorkspaceAccount {
  /** The Terraform workspace. */
  readonly workspace: string;
  /** The account's stable key in the stack config. */
  readonly accountName: string;
  readonly accountId: string;
  /** The product Terraform role: what runs with `apply` access assume in the account. */
  readonly roleArn: string;
  /** The product plan role (read-only): what runs with `plan` access assume in the account. */
  readonly planRoleArn: string;
  /** The CI environment the workspace's apply job deploys to. */
  readonly environment: string;
}

/** Where state lives and how it is locked. */
export interface BackendOutputs {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  readonly workspaceKeyPrefix: string;
  readonly lockMode: LockMode;
  /** The DynamoDB lock table; set exactly when `lockMode` is `dynamodb` or `both`. */
  readonly lockTable?: string;
  readonly kmsKeyArn: string;
}

/** One Terraform root of the infrastructure repository. */
export interface RootOutputs {
  /** Stable key: names the root's state object, jobs and plan comment. */
  readonly name: string;
  /** Its directory in the infrastructure repository. */
  readonly directory: string;
  /** The workspaces it is planned and applied in. */
  readonly workspaces: readonly string[];
  /** Its backend `key`: `terraform.tfstate` or `<name>/terraform.tfstate`. */
  readonly stateKey: string;
}

/** How CI authenticates, and what the generated pipelines need. */
export interface CiOutputs {
  readonly mode: (typeof CI_MODES)[number];
  /** The protected branch that applies. */
  readonly branch: string;
  /** The repository whose workflows the CI roles trust; set in the OIDC modes. */
  readonly repository?: string;
  /** The OIDC audience the CI roles require; set exactly in the OIDC modes. */
  readonly audience?: string;
  /** The Terraform account's OIDC provider; set exactly in the OIDC modes. */
  readonly oidcProviderArn?: string;
  /** Apply order: stages of workspaces; every workspace appears exactly once. */
  readonly applyStages: readonly (readonly string[])[];
  readonly codeOwners: readonly string[];
  /**
   * The Terraform roots. Outputs of stacks from before roots name one directory
   * (`terraformDirectory`): that is one root with the backend's `key`.
   */
  readonly roots: readonly RootOutputs[];
  /**
   * The CI apply role of each apply environment. Outputs without it: the CI apply role
   * (`ciRoleArn`) for every environment.
   */
  readonly applyRoleArns: Readonly<Record<string, string>>;
  /** `per-environment` or `shared` (outputs without it: shared, the layout before the choice). */
  readonly applyRoles: "per-environment" | "shared";
  /** How many jobs of one matrix run at once (default 10). */
  readonly maxParallel: number;
  /** Repository paths whose change replans every root (default `modules`). */
  readonly sharedPaths: readonly string[];
  /** Cron (UTC) of the full plan that reports drift. */
  readonly driftSchedule: string;
  readonly tool: (typeof PIPELINE_TOOLS)[number];
  readonly toolVersion: string;
  /** SHA-256 of the release's linux_amd64 archive (outputs without it: the pinned one). */
  readonly toolSha256: string;
  /** How long the jobs' CI role sessions last, in seconds (the CI roles' maximum). */
  readonly sessionDurationSeconds: number;
}

/** The validated outputs the handoff is rendered from. */
export interface DeployedOutputs {
  readonly terraformAccountId: string;
  /** Every product account, sorted by workspace. */
  readonly workspaces: readonly WorkspaceAccount[];
  readonly backend: BackendOutputs;
  /**
   * The shared CI apply role: runs with `apply` access start as a session of it. Absent with
   * per-environment apply roles: a run starts as its environment's (`ci.applyRoleArns`).
   */
  readonly ciRoleArn?: string;
  /** The CI plan role: runs with `plan` access start as a session of it. */
  readonly ciPlanRoleArn: string;
  readonly ci: CiOutputs;
}

/** One thing wrong with the outputs. */
export interface OutputProblem {
  /** Output path, e.g. `backend.kmsKeyArn` or `workspaces.dev.roleArn`. */
  readonly path: string;
  /** The value found there (`undefined` when it is missing). */
  readonly value: unknown;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** Outcome of {@link parseDeployedOutputs}. */
export type OutputsResult =
  | { readonly ok: true; readonly outputs: DeployedOutputs }
  | { readonly ok: false; readonly problems: readonly OutputProblem[] };

const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7E]+\/)?[\w+=,.@-]+$/;
const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;
const OIDC_PROVIDER_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider\/([\x21-\x7E]+)$/;
/**
 * A relative directory's shape; `.` and `..` segments are refused with the templates' own
 * check (TERRAFORM_DIRECTORY, through `pipelineProblems`), which names the templates.
 */
const DIRECTORY_SHAPE = /^(?:\.|[\w.-]+(?:\/[\w.-]+)*)$/;

const text = (what: string) => z.string({ error: `must be ${what} (a string)` });
const ruled = (rule: NameRule, what: string) =>
  text(what).refine((v) => follows(rule, v), { error: `must be ${what}: ${rule.allowed}` });
const roleArn = text("an IAM role ARN").regex(ROLE_ARN, {
  error: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/terraform",
});
const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

const workspaceSchema = z.object(
  {
    accountName: text("the account's name"),
    accountId: ruled(ACCOUNT_ID, "a 12-digit AWS account id"),
    roleArn,
    planRoleArn: roleArn,
    environment: ruled(CI_ENVIRONMENT, "a CI environment name"),
  },
  { error: "must be an object { accountName, accountId, roleArn, planRoleArn, environment }" },
);

const ciSchema = z.object(
  {
    mode: enumOf(CI_MODES),
    branch: ruled(GIT_BRANCH, "the protected branch"),
    repository: text("the repository").optional(),
    audience: ruled(OIDC_AUDIENCE, "an OIDC audience").optional(),
    oidcProviderArn: text("an IAM OIDC provider ARN")
      .regex(OIDC_PROVIDER_ARN, {
        error:
          "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      })
      .optional(),
    applyStages: z
      .array(
        z
          .array(text("a workspace name"), { error: "must be a list of workspace names" })
          .min(1, { error: "is an empty stage: a stage names at least one workspace" }),
        { error: "must be a list of stages, each a list of workspace names" },
      )
      .min(1, { error: "lists no stage: every workspace must be applied in one" }),
    codeOwners: z
      .array(
        text("a code owner").refine((v) => follows(CODE_OWNER, v), {
          error: `must be ${CODE_OWNER.allowed} such as ${CODE_OWNER.example}`,
        }),
        { error: "must be a list of code owners" },
      )
      .min(1, { error: "lists no code owner: infrastructure code needs reviewers" }),
    terraformDirectory: text("the Terraform root's directory")
      .regex(DIRECTORY_SHAPE, {
        error: "must be '.' or a relative directory path such as terraform",
      })
      .optional(),
    roots: z
      .array(
        z.object(
          {
            name: ruled(ROOT_NAME, "a root name"),
            directory: text("the root's directory").regex(DIRECTORY_SHAPE, {
              error: "must be '.' or a relative directory path such as terraform",
            }),
            workspaces: z
              .array(text("a workspace name"), { error: "must be a list of workspace names" })
              .min(1, { error: "lists no workspace" }),
            stateKey: text("the root's state key").refine(
              (k) => k === SHARED_STATE_KEY || /^[a-z0-9-]+\/terraform\.tfstate$/.test(k),
              { error: `must be '${SHARED_STATE_KEY}' or '<root>/${SHARED_STATE_KEY}'` },
            ),
          },
          { error: "must be an object { name, directory, workspaces, stateKey }" },
        ),
        { error: "must be a list of roots" },
      )
      .min(1, { error: "lists no root" })
      .optional(),
    applyRoleArns: z.record(z.string(), roleArn).optional(),
    applyRoles: z
      .enum(["per-environment", "shared"], { error: "must be per-environment or shared" })
      .default("shared"),
    maxParallel: z
      .number({ error: `must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}` })
      .int({ error: `must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}` })
      .min(1, { error: "must be at least 1" })
      .max(MAX_PARALLEL_LIMIT, { error: `must be at most ${MAX_PARALLEL_LIMIT}` })
      .default(10),
    sharedPaths: z
      .array(ruled(REPOSITORY_PATH, "a repository path"), { error: "must be a list of paths" })
      .default(["modules"]),
    driftSchedule: ruled(CRON_SCHEDULE, "a cron schedule").default("23 5 * * 1-5"),
    tool: enumOf(PIPELINE_TOOLS),
    toolVersion: ruled(TOOL_VERSION, "the tool's release"),
    toolSha256: ruled(SHA256_HEX, "a SHA-256").optional(),
    // Absent from the outputs of stacks deployed before it: the CI roles' default maximum.
    sessionDurationSeconds: z
      .number({ error: "must be a whole number of seconds from 900 to 43200" })
      .int({ error: "must be a whole number of seconds from 900 to 43200" })
      .min(900, { error: "must be at least 900 seconds" })
      .max(43200, { error: "must be at most 43200 seconds" })
      .default(3600),
  },
  { error: "must be an object { mode, branch, applyStages, codeOwners, ... }" },
);

const outputsSchema = z.object(
  {
    terraformAccountId: ruled(ACCOUNT_ID, "a 12-digit AWS account id"),
    workspaces: z.record(
      z.string().refine((w) => follows(WORKSPACE, w)),
      workspaceSchema,
      {
        error: (issue) =>
          issue.code === "invalid_type" ? "must be an object keyed by workspace name" : undefined,
      },
    ),
    backend: z.object(
      {
        bucket: text("the state bucket's name").min(3, { error: "must be a bucket name" }),
        region: ruled(REGION, "an AWS region code"),
        key: text("the state object's name").min(1, { error: "must not be empty" }),
        workspaceKeyPrefix: ruled(KEY_PREFIX, "the workspace key prefix"),
        lockMode: enumOf(LOCK_MODES),
        lockTable: ruled(TABLE_NAME, "a DynamoDB table name").optional(),
        kmsKeyArn: text("a KMS key ARN").regex(KMS_KEY_ARN, {
          error:
            "must be the state key's ARN, such as arn:aws:kms:eu-west-1:123456789012:key/<key id>",
        }),
      },
      { error: "must be an object { bucket, region, key, workspaceKeyPrefix, lockMode, ... }" },
    ),
    ciRoleArn: roleArn.optional(),
    ciPlanRoleArn: roleArn,
    ci: ciSchema,
  },
  { error: "must be a JSON object of stack outputs" },
);

/** The outputs a stack deployed before the plan path existed lacks. */
const PLAN_PATH_OUTPUTS = ["ciPlanRoleArn", "ci"];
const PLAN_PATH_WORKSPACE_OUTPUTS = ["planRoleArn", "environment"];

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether `raw` are the outputs of a stack deployed with a tf-bootstrap version from before the
 * plan path: the apply path's outputs are there, and neither `ciPlanRoleArn` nor `ci` is.
 */
function predatesPlanPath(raw: unknown): boolean {
  return (
    isRecord(raw) &&
    raw.ciRoleArn !== undefined &&
    PLAN_PATH_OUTPUTS.every((name) => raw[name] === undefined)
  );
}

/** Whether an issue is one of the outputs a stack from before the plan path cannot have. */
function isPlanPathOutput(path: readonly PropertyKey[]): boolean {
  const [head, , leaf] = path;
  if (path.length === 1) return PLAN_PATH_OUTPUTS.includes(String(head));
  return (
    head === "workspaces" && path.length === 3 && PLAN_PATH_WORKSPACE_OUTPUTS.includes(String(leaf))
  );
}

const BEFORE_PLAN_PATH: OutputProblem = {
  path: "ciPlanRoleArn",
  value: undefined,
  message:
    "is missing, and so are `ci` and every workspace's `planRoleArn` and `environment`: the stack was deployed with a tf-bootstrap version from before the plan path. Run `pulumi up` on the stack with this version first (it adds the CI plan role, the product plan roles and these outputs), then export its outputs again",
};

function schemaProblems(raw: unknown, issues: readonly z.core.$ZodIssue[]): OutputProblem[] {
  const legacy = predatesPlanPath(raw);
  const problems: OutputProblem[] = [];
  for (const issue of issues) {
    const value = valueAt(raw, issue.path);
    if (legacy && value === undefined && isPlanPathOutput(issue.path)) {
      if (!problems.includes(BEFORE_PLAN_PATH)) problems.push(BEFORE_PLAN_PATH);
      continue;
    }
    const message =
      issue.code === "invalid_key"
        ? `is not a workspace name Terraform accepts: ${WORKSPACE.allowed}`
        : issue.message;
    problems.push({
      path: pathOf(issue.path) || "(the outputs)",
      value,
      message:
        value === undefined && issue.path.length > 0
          ? `is missing: the stack must export it (${message})`
          : message,
    });
  }
  return problems;
}

type ParsedOutputs = z.infer<typeof outputsSchema>;

/** The account of a role ARN that passed the schema. */
function roleAccount(arn: string): string | undefined {
  return ROLE_ARN.exec(arn)?.[2];
}

function roleProblems(data: ParsedOutputs, workspaces: readonly WorkspaceAccount[]) {
  const problems: OutputProblem[] = [];
  for (const w of workspaces) {
    for (const field of ["roleArn", "planRoleArn"] as const) {
      const account = roleAccount(w[field]);
      if (account !== w.accountId) {
        problems.push({
          path: `workspaces.${w.workspace}.${field}`,
          value: w[field],
          message: `is a role in account ${account} but the workspace's accountId is ${w.accountId}; they must agree`,
        });
      }
    }
    if (w.planRoleArn === w.roleArn) {
      problems.push({
        path: `workspaces.${w.workspace}.planRoleArn`,
        value: w.planRoleArn,
        message:
          "is the workspace's roleArn: plan runs must get the read-only plan role, never the role that writes",
      });
    }
  }
  if (data.ciRoleArn === undefined && data.ci.applyRoleArns === undefined) {
    problems.push({
      path: "ciRoleArn",
      value: undefined,
      message:
        "is missing, and so is ci.applyRoleArns: the stack must export its CI apply role(s) (must be an IAM role ARN (a string))",
    });
  }
  if (data.ci.applyRoles === "per-environment" && data.ci.applyRoleArns === undefined) {
    problems.push({
      path: "ci.applyRoleArns",
      value: undefined,
      message:
        "is missing: with per-environment apply roles every apply environment needs its own CI apply role",
    });
  }
  for (const field of ["ciRoleArn", "ciPlanRoleArn"] as const) {
    const value = data[field];
    if (value === undefined) continue;
    const account = roleAccount(value);
    if (account !== data.terraformAccountId) {
      problems.push({
        path: field,
        value,
        message: `is a role in account ${account}, not in the Terraform account ${data.terraformAccountId}`,
      });
    }
  }
  if (data.ciPlanRoleArn === data.ciRoleArn) {
    problems.push({
      path: "ciPlanRoleArn",
      value: data.ciPlanRoleArn,
      message:
        "is the CI apply role (ciRoleArn): the plan path must have its own role, which cannot write state",
    });
  }
  return problems;
}

function backendProblems(data: ParsedOutputs): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const key = KMS_KEY_ARN.exec(data.backend.kmsKeyArn);
  if (key?.[2] !== data.backend.region || key[3] !== data.terraformAccountId) {
    problems.push({
      path: "backend.kmsKeyArn",
      value: data.backend.kmsKeyArn,
      message: `must be a key of the Terraform account ${data.terraformAccountId} in the state's region ${data.backend.region}`,
    });
  }
  const usesTable = data.backend.lockMode !== "s3-lockfile";
  if (usesTable && data.backend.lockTable === undefined) {
    problems.push({
      path: "backend.lockTable",
      value: undefined,
      message: `is missing: lock mode '${data.backend.lockMode}' locks with a DynamoDB table and needs its name`,
    });
  }
  if (!usesTable && data.backend.lockTable !== undefined) {
    problems.push({
      path: "backend.lockTable",
      value: data.backend.lockTable,
      message: "is set but lock mode 's3-lockfile' uses no table; the outputs disagree",
    });
  }
  return problems;
}

/** The repository form of each OIDC mode. */
const REPOSITORY_RULES: Readonly<Record<string, NameRule>> = {
  "github-oidc": GITHUB_REPOSITORY,
  "gitlab-oidc": GITLAB_PROJECT,
};

function ciModeProblems(data: ParsedOutputs): OutputProblem[] {
  const { ci } = data;
  const problems: OutputProblem[] = [];
  const rule = REPOSITORY_RULES[ci.mode];
  if (rule === undefined) {
    for (const field of ["audience", "oidcProviderArn"] as const) {
      if (ci[field] === undefined) continue;
      problems.push({
        path: `ci.${field}`,
        value: ci[field],
        message: "is set but mode 'iam-user' uses no OIDC provider; the outputs disagree",
      });
    }
    return problems;
  }
  if (ci.repository === undefined) {
    problems.push({
      path: "ci.repository",
      value: undefined,
      message: `is missing: mode '${ci.mode}' trusts one repository's workflows and needs its name (${rule.allowed})`,
    });
  } else if (!follows(rule, ci.repository)) {
    problems.push({
      path: "ci.repository",
      value: ci.repository,
      message: `must be ${rule.allowed} in mode '${ci.mode}'`,
    });
  }
  if (ci.audience === undefined) {
    problems.push({
      path: "ci.audience",
      value: undefined,
      message: `is missing: mode '${ci.mode}' needs the audience the CI roles require`,
    });
  }
  if (ci.oidcProviderArn === undefined) {
    problems.push({
      path: "ci.oidcProviderArn",
      value: undefined,
      message: `is missing: mode '${ci.mode}' needs the Terraform account's OIDC provider`,
    });
    return problems;
  }
  const provider = OIDC_PROVIDER_ARN.exec(ci.oidcProviderArn);
  const host = provider?.[3];
  if (provider?.[2] !== data.terraformAccountId) {
    problems.push({
      path: "ci.oidcProviderArn",
      value: ci.oidcProviderArn,
      message: `is a provider in account ${provider?.[2]}, not in the Terraform account ${data.terraformAccountId}`,
    });
  } else if (ci.mode === "github-oidc" && `https://${host}` !== GITHUB_ISSUER) {
    problems.push({
      path: "ci.oidcProviderArn",
      value: ci.oidcProviderArn,
      message: `is not the provider of GitHub's issuer ${GITHUB_ISSUER}, which mode 'github-oidc' takes tokens from`,
    });
  }
  return problems;
}

/** The roots of the outputs; outputs from before roots have one, in `terraformDirectory`. */
function rootsOf(data: ParsedOutputs): RootOutputs[] {
  if (data.ci.roots !== undefined) return data.ci.roots;
  return [
    {
      name: DEFAULT_ROOT_NAME,
      directory: data.ci.terraformDirectory ?? "terraform",
      workspaces: data.ci.applyStages.flat(),
      stateKey: data.backend.key,
    },
  ];
}

function pipelineOutputProblems(data: ParsedOutputs): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const known = new Set(Object.keys(data.workspaces));
  if (data.ci.roots !== undefined && data.ci.terraformDirectory !== undefined) {
    problems.push({
      path: "ci.terraformDirectory",
      value: data.ci.terraformDirectory,
      message: "is set together with ci.roots; the outputs disagree",
    });
  }
  const names = new Set<string>();
  (data.ci.roots ?? []).forEach((root, i) => {
    if (names.has(root.name)) {
      problems.push({ path: `ci.roots.${i}.name`, value: root.name, message: "appears twice" });
    }
    names.add(root.name);
    const own = `${root.name}/${SHARED_STATE_KEY}`;
    if (root.stateKey !== SHARED_STATE_KEY && root.stateKey !== own) {
      problems.push({
        path: `ci.roots.${i}.stateKey`,
        value: root.stateKey,
        message: `must be '${SHARED_STATE_KEY}' or '${own}'`,
      });
    }
    root.workspaces.forEach((w, j) => {
      if (known.size > 0 && !known.has(w)) {
        problems.push({
          path: `ci.roots.${i}.workspaces.${j}`,
          value: w,
          message: `is not a workspace of the outputs (${[...known].sort().join(", ")}); the outputs disagree`,
        });
      }
    });
  });
  const environments = new Set(Object.values(data.workspaces).map((w) => w.environment));
  const roles = data.ci.applyRoleArns;
  if (roles !== undefined) {
    for (const environment of [...environments].sort()) {
      if (roles[environment] === undefined) {
        problems.push({
          path: `ci.applyRoleArns.${environment}`,
          value: undefined,
          message: "is missing: every apply environment needs its CI apply role",
        });
      }
    }
    for (const [environment, arn] of Object.entries(roles)) {
      if (roleAccount(arn) !== data.terraformAccountId) {
        problems.push({
          path: `ci.applyRoleArns.${environment}`,
          value: arn,
          message: `is a role in account ${roleAccount(arn)}, not in the Terraform account ${data.terraformAccountId}`,
        });
      }
      // A CI plan role equal to ciRoleArn is reported once, at ciPlanRoleArn.
      if (arn === data.ciPlanRoleArn && data.ciPlanRoleArn !== data.ciRoleArn) {
        problems.push({
          path: `ci.applyRoleArns.${environment}`,
          value: arn,
          message: "is the CI plan role: the apply path must never share the plan path's role",
        });
      }
    }
  }
  if (
    data.ci.toolSha256 === undefined &&
    pinnedToolSha256(data.ci.tool, data.ci.toolVersion) === undefined
  ) {
    problems.push({
      path: "ci.toolSha256",
      value: undefined,
      message: `is missing, and tf-bootstrap has no checksum of ${data.ci.tool} ${data.ci.toolVersion}: the pipelines install only an archive whose SHA-256 they know. Set ci.pipeline.toolSha256 in the stack config and run \`pulumi up\`, or use a release lib/pipeline/pins.ts lists`,
    });
  }
  return problems;
}

function applyStageProblems(data: ParsedOutputs): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const known = new Set(Object.keys(data.workspaces));
  const seen = new Set<string>();
  data.ci.applyStages.forEach((stage, i) =>
    stage.forEach((workspace, j) => {
      const path = `ci.applyStages.${i}.${j}`;
      if (!known.has(workspace)) {
        problems.push({
          path,
          value: workspace,
          message: `is not a workspace of the outputs (${[...known].sort().join(", ")}); the outputs disagree`,
        });
      } else if (seen.has(workspace)) {
        problems.push({
          path,
          value: workspace,
          message: "names a workspace a stage already applies: every workspace is applied once",
        });
      }
      seen.add(workspace);
    }),
  );
  const missing = [...known].filter((w) => !seen.has(w)).sort();
  if (missing.length > 0) {
    problems.push({
      path: "ci.applyStages",
      value: data.ci.applyStages,
      message: `does not apply ${missing.join(", ")}: every workspace must be in exactly one stage`,
    });
  }
  return problems;
}

/**
 * Validates what `pulumi stack output --json` printed (already parsed from JSON) and returns
 * the outputs the handoff needs, or every problem found: missing outputs, values of the wrong
 * shape, and values that disagree with each other (a role ARN in another account than its
 * account id, a key in another region than the bucket, a lock table the lock mode does not use,
 * an apply order that misses a workspace). Outputs of a stack deployed before the plan path
 * existed get one problem that says to run `pulumi up` with this version first.
 */
export function parseDeployedOutputs(raw: unknown): OutputsResult {
  const parsed = outputsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: schemaProblems(raw, parsed.error.issues) };
  const data = parsed.data;
  const workspaces: WorkspaceAccount[] = Object.entries(data.workspaces)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([workspace, account]) => ({ workspace, ...account }));
  const problems: OutputProblem[] = [];
  if (workspaces.length === 0) {
    problems.push({
      path: "workspaces",
      value: data.workspaces,
      message: "lists no workspace: the stack must have at least one product account",
    });
  }
  problems.push(
    ...roleProblems(data, workspaces),
    ...backendProblems(data),
    ...ciModeProblems(data),
    ...(workspaces.length > 0 ? applyStageProblems(data) : []),
    ...pipelineOutputProblems(data),
  );
  if (problems.length > 0) return { ok: false, problems };
  const { lockTable, ...backend } = data.backend;
  const { repository, audience, oidcProviderArn, applyRoleArns, toolSha256, ...rest } = data.ci;
  const sharedRole = data.ciRoleArn ?? "";
  const ci = {
    mode: rest.mode,
    branch: rest.branch,
    applyStages: rest.applyStages,
    codeOwners: rest.codeOwners,
    maxParallel: rest.maxParallel,
    sharedPaths: rest.sharedPaths,
    driftSchedule: rest.driftSchedule,
    tool: rest.tool,
    toolVersion: rest.toolVersion,
    sessionDurationSeconds: rest.sessionDurationSeconds,
  };
  const oidc = ci.mode !== "iam-user";
  const environments = [...new Set(workspaces.map((w) => w.environment))].sort();
  return {
    ok: true,
    outputs: {
      terraformAccountId: data.terraformAccountId,
      workspaces,
      backend: {
        ...backend,
        ...(backend.lockMode !== "s3-lockfile" && lockTable !== undefined ? { lockTable } : {}),
      },
      ...(data.ciRoleArn !== undefined ? { ciRoleArn: data.ciRoleArn } : {}),
      ciPlanRoleArn: data.ciPlanRoleArn,
      ci: {
        ...ci,
        roots: rootsOf(data),
        applyRoleArns:
          applyRoleArns ?? Object.fromEntries(environments.map((e) => [e, sharedRole])),
        applyRoles: rest.applyRoles,
        toolSha256: toolSha256 ?? pinnedToolSha256(ci.tool, ci.toolVersion) ?? "",
        ...(repository !== undefined ? { repository } : {}),
        ...(oidc && audience !== undefined ? { audience } : {}),
        ...(oidc && oidcProviderArn !== undefined ? { oidcProviderArn } : {}),
      },
    },
  };
}

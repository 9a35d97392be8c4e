/**
 * Checks a {@link PipelinePlan} before it is rendered. Every value ends up in YAML, a shell
 * command, a CODEOWNERS line or an OIDC subject, so each is held to the narrow form those
 * allow; a value outside it is reported, never escaped.
 */
import {
  ACCOUNT_ID,
  CI_ENVIRONMENT,
  GIT_BRANCH,
  GITHUB_REPOSITORY,
  GITLAB_PROJECT,
  OIDC_AUDIENCE,
  REGION,
  TERRAFORM_DIRECTORY,
  TOOL_VERSION,
  WORKSPACE,
} from "../config/rules";
import {
  CRON_SCHEDULE,
  MAX_PARALLEL_LIMIT,
  REPOSITORY_PATH,
  ROOT_NAME,
  SHA256_HEX,
  SHARED_STATE_KEY,
} from "../config/pipeline-rules";
import { GITHUB_MATRIX_LIMIT } from "./github-workflow";
import { usesOidc, type PipelinePlan } from "./model";

/** One thing wrong with a pipeline plan. */
export interface PipelineProblem {
  /** Where, e.g. `stages[1][0].workspace`. */
  readonly path: string;
  /** The value found there (`undefined` when missing). */
  readonly value: unknown;
  /** What is wrong, what is allowed. */
  readonly message: string;
}

interface Rule {
  readonly pattern: RegExp;
  readonly allowed: string;
  readonly maxLength?: number;
}

const RULES = {
  stack: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    allowed: "letters, digits, '.', '_', '-'",
  },
  region: REGION,
  branch: GIT_BRANCH,
  github: GITHUB_REPOSITORY,
  gitlab: GITLAB_PROJECT,
  audience: OIDC_AUDIENCE,
  roleArn: {
    pattern: /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    allowed: "an IAM role ARN",
  },
  workspace: WORKSPACE,
  accountId: ACCOUNT_ID,
  environment: CI_ENVIRONMENT,
  // CODEOWNERS also takes email addresses, which the stack config does not offer.
  owner: {
    pattern:
      /^(?:@[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*|[^\s@]+@[^\s@]+\.[^\s@]+)$/,
    allowed: "@user, @org/team, @group/subgroup or an email address",
  },
  directory: TERRAFORM_DIRECTORY,
  toolVersion: TOOL_VERSION,
  root: ROOT_NAME,
  path: REPOSITORY_PATH,
  cron: CRON_SCHEDULE,
  sha256: SHA256_HEX,
} satisfies Record<string, Rule>;

/** Every problem of `plan` (empty when it can be rendered). */
export function validatePipelinePlan(plan: PipelinePlan): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const check = (path: string, value: unknown, rule: Rule) => {
    const fits = (v: string) => v.length <= (rule.maxLength ?? Infinity) && rule.pattern.test(v);
    if (typeof value !== "string" || !fits(value)) {
      problems.push({ path, value, message: `must be ${rule.allowed}` });
    }
  };

  check("stack", plan.stack, RULES.stack);
  if (!["iam-user", "github-oidc", "gitlab-oidc"].includes(plan.mode)) {
    problems.push({
      path: "mode",
      value: plan.mode,
      message: "must be iam-user, github-oidc or gitlab-oidc",
    });
  }
  check("region", plan.region, RULES.region);
  check("branch", plan.branch, RULES.branch);
  if (usesOidc(plan.mode)) {
    check("repository", plan.repository, plan.mode === "github-oidc" ? RULES.github : RULES.gitlab);
    check("audience", plan.audience, RULES.audience);
  }
  check("planRoleArn", plan.planRoleArn, RULES.roleArn);
  const environments = [...new Set(plan.stages.flat().map((w) => w.environment))];
  for (const environment of environments) {
    const arn = plan.applyRoleArns[environment];
    check(`applyRoleArns.${environment}`, arn, RULES.roleArn);
    if (arn !== undefined && arn === plan.planRoleArn) {
      problems.push({
        path: `applyRoleArns.${environment}`,
        value: arn,
        message: "is the plan role; pull request jobs must never hold the apply role's permissions",
      });
    }
  }

  if (plan.stages.length === 0) {
    problems.push({ path: "stages", value: [], message: "must name at least one workspace" });
  }
  const seen = new Set<string>();
  plan.stages.forEach((stage, s) => {
    if (stage.length === 0) {
      problems.push({ path: `stages[${s}]`, value: [], message: "must not be empty" });
    }
    stage.forEach((w, i) => {
      const at = `stages[${s}][${i}]`;
      check(`${at}.workspace`, w.workspace, RULES.workspace);
      check(`${at}.accountId`, w.accountId, RULES.accountId);
      check(`${at}.environment`, w.environment, RULES.environment);
      if (seen.has(w.workspace)) {
        problems.push({
          path: `${at}.workspace`,
          value: w.workspace,
          message: "appears twice; every workspace is applied in exactly one stage",
        });
      }
      seen.add(w.workspace);
    });
  });
  plan.stages.forEach((stage, s) => {
    if (stage.length > GITHUB_MATRIX_LIMIT) {
      problems.push({
        path: `stages[${s}]`,
        value: stage.length,
        message: `holds ${stage.length} workspaces; one stage is one GitHub Actions matrix, at most ${GITHUB_MATRIX_LIMIT}: split it into several stages`,
      });
    }
  });

  if (plan.codeOwners.length === 0) {
    problems.push({ path: "codeOwners", value: [], message: "must name at least one owner" });
  }
  const owners = new Set<string>();
  plan.codeOwners.forEach((owner, i) => {
    check(`codeOwners[${i}]`, owner, RULES.owner);
    if (owners.has(owner.toLowerCase())) {
      problems.push({ path: `codeOwners[${i}]`, value: owner, message: "appears twice" });
    }
    owners.add(owner.toLowerCase());
  });
  const known = new Set(plan.stages.flat().map((w) => w.workspace));
  if (plan.roots.length === 0) {
    problems.push({ path: "roots", value: [], message: "must name at least one Terraform root" });
  }
  const rootNames = new Set<string>();
  plan.roots.forEach((root, i) => {
    check(`roots[${i}].name`, root.name, RULES.root);
    check(`roots[${i}].directory`, root.directory, RULES.directory);
    if (rootNames.has(root.name)) {
      problems.push({ path: `roots[${i}].name`, value: root.name, message: "appears twice" });
    }
    rootNames.add(root.name);
    if (plan.roots.slice(0, i).some((other) => other.stateKey === root.stateKey)) {
      problems.push({
        path: `roots[${i}].stateKey`,
        value: root.stateKey,
        message: "is another root's state key; two roots would share one state",
      });
    }
    const own = `${root.name}/${SHARED_STATE_KEY}`;
    if (root.stateKey !== SHARED_STATE_KEY && root.stateKey !== own) {
      problems.push({
        path: `roots[${i}].stateKey`,
        value: root.stateKey,
        message: `must be '${SHARED_STATE_KEY}' or '${own}'`,
      });
    }
    root.workspaces.forEach((w, j) => {
      if (!known.has(w)) {
        problems.push({
          path: `roots[${i}].workspaces[${j}]`,
          value: w,
          message: "is not a workspace of any stage",
        });
      }
    });
    plan.roots.slice(0, i).forEach((other, j) => {
      const inside = (a: string, b: string) => b === "." || a === b || a.startsWith(`${b}/`);
      if (inside(root.directory, other.directory) || inside(other.directory, root.directory)) {
        problems.push({
          path: `roots[${i}].directory`,
          value: root.directory,
          message: `overlaps the directory of roots[${j}] (${other.directory}); a file would belong to two roots`,
        });
      }
    });
  });
  plan.sharedPaths.forEach((p, i) => check(`sharedPaths[${i}]`, p, RULES.path));
  check("driftSchedule", plan.driftSchedule, RULES.cron);
  check("toolSha256", plan.toolSha256, RULES.sha256);
  if (
    !Number.isInteger(plan.maxParallel) ||
    plan.maxParallel < 1 ||
    plan.maxParallel > MAX_PARALLEL_LIMIT
  ) {
    problems.push({
      path: "maxParallel",
      value: plan.maxParallel,
      message: `must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}`,
    });
  }
  if (plan.tool !== "terraform" && plan.tool !== "tofu") {
    problems.push({ path: "tool", value: plan.tool, message: "must be terraform or tofu" });
  }
  check("toolVersion", plan.toolVersion, RULES.toolVersion);
  const session = plan.sessionDurationSeconds;
  if (!Number.isInteger(session) || session < 900 || session > 43200) {
    problems.push({
      path: "sessionDurationSeconds",
      value: session,
      message: "must be a whole number of seconds from 900 to 43200 (an STS session's range)",
    });
  }
  return problems;
}

/** Error code at the head of {@link PipelinePlanError}'s message. */
export const PIPELINE_ERROR_CODE = "TFB_PIPELINE_INVALID";

/** Thrown by `renderPipeline` for a plan {@link validatePipelinePlan} refuses. */
export class PipelinePlanError extends Error {
  readonly code = PIPELINE_ERROR_CODE;

  constructor(readonly problems: readonly PipelineProblem[]) {
    super(
      [
        `[${PIPELINE_ERROR_CODE}] the pipeline settings have ${problems.length} problem(s); no file was rendered:`,
        ...problems.map(
          (p) => `  - ${p.path} = ${JSON.stringify(p.value) ?? "(missing)"}: ${p.message}`,
        ),
      ].join("\n"),
    );
    this.name = "PipelinePlanError";
  }
}

/**
 * Cross-field rules of the `ci` settings and the plan role, checked on the raw config so they
 * are reported together with the schema's errors: what a mode needs and what it refuses, the
 * repository form of each platform (no wildcards: the repository is pinned in every OIDC
 * subject the CI roles trust), names that would collide, and an apply order that names every
 * workspace exactly once.
 */
import type { ConfigProblem } from "../errors/config-error";
import {
  ACTION_CATALOG_PACKAGE,
  catalogServices,
  catalogVersion,
  isCatalogService,
} from "../iam/action-catalog";
import { applyRoleProblems } from "./apply-role-rules";
import { DEFAULT_TOOL_VERSIONS } from "./names";
import { pipelineConfigProblems } from "./pipeline-rules";
import { suggestService } from "./service-aliases";
import { GITHUB_REPOSITORY, GITLAB_PROJECT, SERVICE_PREFIX, follows, type NameRule } from "./rules";
import { objectAt, type Raw } from "./raw";

const REPOSITORY_RULES: Readonly<Record<string, NameRule>> = {
  "github-oidc": GITHUB_REPOSITORY,
  "gitlab-oidc": GITLAB_PROJECT,
};

/** The workspace of each raw product account, in config order (the name when unset). */
function rawWorkspaces(raw: Raw): string[] {
  const products = Array.isArray(raw.productAccounts) ? (raw.productAccounts as unknown[]) : [];
  return products.flatMap((p) => {
    if (typeof p !== "object" || p === null) return [];
    const account = p as Raw;
    const workspace = account.workspace ?? account.name;
    return typeof workspace === "string" ? [workspace] : [];
  });
}

function repositoryProblems(
  mode: string,
  repository: unknown,
  at: (field: string) => string,
): ConfigProblem[] {
  const rule = REPOSITORY_RULES[mode];
  if (rule === undefined) return [];
  const platform = mode === "github-oidc" ? "GitHub" : "GitLab";
  if (repository === undefined) {
    return [
      {
        path: at("repository"),
        value: undefined,
        message: `is required in ${mode} mode: the CI roles trust only workflows of this ${platform} repository. Set it to ${rule.example}.`,
      },
    ];
  }
  if (typeof repository !== "string") return [];
  if (/[*?]/.test(repository)) {
    return [
      {
        path: at("repository"),
        value: repository,
        message: `must not contain wildcards: a wildcard in the ${mode === "github-oidc" ? "owner or repository" : "group or project"} part would let workflows of other repositories take the CI roles. Name exactly one repository, such as ${rule.example}.`,
      },
    ];
  }
  if (!follows(rule, repository)) {
    return [
      {
        path: at("repository"),
        value: repository,
        message: `must be ${rule.allowed}; for example ${rule.example}`,
      },
    ];
  }
  return [];
}

/**
 * The problems of the `ci` settings and of the plan role's name that involve more than one
 * field. `configPath` renders a path the way every other config problem shows it.
 */
export function ciProblems(
  raw: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ci = objectAt(raw, "ci");
  const at = (...path: PropertyKey[]) => configPath(["ci", ...path]);
  const mode = typeof ci.mode === "string" ? ci.mode : "iam-user";
  const oidc = mode === "github-oidc" || mode === "gitlab-oidc";

  problems.push(...repositoryProblems(mode, ci.repository, (field) => at(field)));
  if (oidc) {
    for (const field of ["userName", "planUserName", "createAccessKey"]) {
      if (ci[field] === undefined) continue;
      problems.push({
        path: at(field),
        value: ci[field],
        message: `applies to iam-user mode only: in ${mode} mode CI has no IAM user and no access key, it takes the CI roles with its OIDC token. Remove the setting.`,
      });
    }
  } else {
    for (const field of ["oidcProvider", "audience"]) {
      if (ci[field] === undefined) continue;
      problems.push({
        path: at(field),
        value: ci[field],
        message: `applies to the OIDC modes only (github-oidc, gitlab-oidc); mode is '${mode}'. Remove the setting or change the mode.`,
      });
    }
  }
  if (mode !== "gitlab-oidc" && ci.gitlabUrl !== undefined) {
    problems.push({
      path: at("gitlabUrl"),
      value: ci.gitlabUrl,
      message: `applies to gitlab-oidc mode only; mode is '${mode}'. Remove the setting or change the mode.`,
    });
  }

  const distinct = (a: string, b: string, defaults: [string, string], what: string) => {
    const first = typeof ci[a] === "string" ? ci[a] : defaults[0];
    const second = typeof ci[b] === "string" ? ci[b] : defaults[1];
    if (first !== second) return;
    problems.push({
      path: at(b),
      value: second,
      message: `is the same as ci.${a}; the plan path needs ${what} of its own, or plans would run with the apply path's permissions. Choose another name.`,
    });
  };
  distinct("roleName", "planRoleName", ["terraform-ci", "terraform-ci-plan"], "a CI role");
  if (!oidc) {
    distinct("userName", "planUserName", ["terraform-ci", "terraform-ci-plan"], "an IAM user");
  }
  const role = objectAt(raw, "terraformRole");
  const planRole = objectAt(raw, "terraformPlanRole");
  const roleName = typeof role.name === "string" ? role.name : "terraform";
  const planRoleName = typeof planRole.name === "string" ? planRole.name : "terraform-plan";
  if (roleName === planRoleName) {
    problems.push({
      path: configPath(["terraformPlanRole", "name"]),
      value: planRoleName,
      message:
        "is the same as terraformRole.name; the read-only plan role and the Terraform role are two roles in every product account. Choose another name.",
    });
  }

  problems.push(...applyRoleProblems(raw, configPath));
  problems.push(...applyOrderProblems(raw, objectAt(ci, "pipeline"), configPath));
  problems.push(...toolVersionProblems(raw, objectAt(ci, "pipeline"), configPath));
  const pipeline = objectAt(ci, "pipeline");
  const tool = pipeline.tool === "tofu" ? "tofu" : "terraform";
  problems.push(...pipelineConfigProblems(raw, pipeline, configPath, DEFAULT_TOOL_VERSIONS[tool]));
  problems.push(...serviceProblems(raw, configPath));
  return problems;
}

/** The most workspaces one apply stage may hold: one GitHub Actions matrix. */
const STAGE_LIMIT = 256;

function applyOrderProblems(
  raw: Raw,
  pipeline: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  const order = pipeline.applyOrder;
  if (!Array.isArray(order)) return [];
  const problems: ConfigProblem[] = [];
  const workspaces = rawWorkspaces(raw);
  const known = new Set(workspaces);
  const seen = new Map<string, string>();
  order.forEach((stage: unknown, i) => {
    if (Array.isArray(stage) && stage.length > STAGE_LIMIT) {
      problems.push({
        path: configPath(["ci", "pipeline", "applyOrder", i]),
        value: `${stage.length} workspaces`,
        message: `holds ${stage.length} workspaces; a stage is applied as one CI matrix, which holds at most ${STAGE_LIMIT}. Split it into several stages.`,
      });
    }
    const entries: [unknown, PropertyKey[]][] = Array.isArray(stage)
      ? stage.map((w: unknown, j) => [w, [i, j]])
      : [[stage, [i]]];
    for (const [workspace, index] of entries) {
      if (typeof workspace !== "string") continue;
      const path = configPath(["ci", "pipeline", "applyOrder", ...index]);
      if (!known.has(workspace)) {
        problems.push({
          path,
          value: workspace,
          message: `is not the workspace of any product account; the workspaces are ${workspaces.join(", ")}. Correct the name or remove it.`,
        });
        continue;
      }
      const first = seen.get(workspace);
      if (first !== undefined) {
        problems.push({
          path,
          value: workspace,
          message: `appears in the apply order twice (first at ${first}); each workspace is applied once. Remove one.`,
        });
        continue;
      }
      seen.set(workspace, path);
    }
  });
  const missing = workspaces.filter((w) => !seen.has(w));
  if (missing.length > 0) {
    problems.push({
      path: configPath(["ci", "pipeline", "applyOrder"]),
      value: order,
      message: `leaves out the workspace(s) ${missing.join(", ")}; every workspace must be applied. Add them to a stage, or remove applyOrder to apply in config order.`,
    });
  }
  return problems;
}

/** Terraform has the S3 lockfile from 1.11 (1.10 only as an experiment); OpenTofu from 1.10. */
function toolVersionProblems(
  raw: Raw,
  pipeline: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  const version = pipeline.toolVersion;
  const rawLock = objectAt(raw, "state").lock;
  const lock = typeof rawLock === "string" ? rawLock : "s3-lockfile";
  if ((pipeline.tool ?? "terraform") !== "terraform" || typeof version !== "string") return [];
  if (lock === "dynamodb" || !/^1\.10\./.test(version)) return [];
  return [
    {
      path: configPath(["ci", "pipeline", "toolVersion"]),
      value: version,
      message: `is a Terraform release without the S3 lockfile, which lock mode '${lock}' uses (Terraform has it from 1.11; OpenTofu from 1.10). Use Terraform 1.11 or later, tool 'tofu', or state.lock 'dynamodb'.`,
    },
  ];
}

/**
 * Services the IAM action catalog does not know: the Terraform role's `<service>:*` would match
 * no action, and the plan role could not be given read access to them.
 */
function serviceProblems(
  raw: Raw,
  configPath: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  const services = objectAt(raw, "terraformRole").allowedServices;
  if (!Array.isArray(services)) return [];
  return services.flatMap((service: unknown, i): ConfigProblem[] => {
    if (typeof service !== "string" || !follows(SERVICE_PREFIX, service)) return [];
    if (isCatalogService(service)) return [];
    const hint = suggestService(service, catalogServices());
    return [
      {
        path: configPath(["terraformRole", "allowedServices", i]),
        value: service,
        message: `is not a service prefix the IAM action catalog (${ACTION_CATALOG_PACKAGE} ${catalogVersion()}) knows${hint ? `; did you mean '${hint}'?` : "."} The Terraform role's '${service}:*' would match no action, and the plan role could not read it. Use the prefix from the Service Authorization Reference, as in 'ec2:RunInstances'.`,
      },
    ];
  });
}

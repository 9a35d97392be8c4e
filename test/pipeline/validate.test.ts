import { strict as assert } from "node:assert";
import {
  PIPELINE_ERROR_CODE,
  PipelinePlanError,
  renderPipeline,
  validatePipelinePlan,
  type PipelinePlan,
} from "../../lib/pipeline";
import {
  APPLY_ROLE,
  PARALLEL,
  pipelinePlan,
  PLAN_ROLE,
  SEQUENTIAL,
  singleRoot,
  twoRoots,
} from "./fixtures";

interface Case {
  readonly name: string;
  readonly input: PipelinePlan;
  /** The paths of the problems, in order. */
  readonly expected: string[];
}

const dev = SEQUENTIAL[0][0];

const CASES: Case[] = [
  { name: "a sequential iam-user plan", input: pipelinePlan("iam-user"), expected: [] },
  {
    name: "a parallel github-oidc plan",
    input: pipelinePlan("github-oidc", PARALLEL),
    expected: [],
  },
  {
    name: "OIDC without a repository",
    input: { ...pipelinePlan("github-oidc"), repository: undefined },
    expected: ["repository"],
  },
  {
    name: "a GitHub repository with a wildcard",
    input: pipelinePlan("github-oidc", SEQUENTIAL, { repository: "acme/*" }),
    expected: ["repository"],
  },
  {
    name: "a GitLab project without a group",
    input: pipelinePlan("gitlab-oidc", SEQUENTIAL, { repository: "infrastructure" }),
    expected: ["repository"],
  },
  {
    name: "a branch wildcard",
    input: pipelinePlan("iam-user", SEQUENTIAL, { branch: "release/*" }),
    expected: ["branch"],
  },
  {
    name: "the apply role used for plans",
    input: pipelinePlan("iam-user", SEQUENTIAL, { planRoleArn: APPLY_ROLE }),
    expected: ["applyRoleArns.dev", "applyRoleArns.staging", "applyRoleArns.production"],
  },
  {
    name: "a role ARN that is not a role",
    input: pipelinePlan("iam-user", SEQUENTIAL, {
      planRoleArn: PLAN_ROLE.replace(":role/", ":user/"),
    }),
    expected: ["planRoleArn"],
  },
  {
    name: "an apply environment without its CI apply role",
    input: pipelinePlan("iam-user", SEQUENTIAL, { applyRoleArns: { dev: APPLY_ROLE } }),
    expected: ["applyRoleArns.staging", "applyRoleArns.production"],
  },
  {
    name: "a workspace applied twice, an empty stage",
    input: pipelinePlan("iam-user", [[dev], [], [dev]], { roots: singleRoot([[dev]]) }),
    expected: ["stages[1]", "stages[2][0].workspace"],
  },
  {
    name: "no stage, no root",
    input: pipelinePlan("iam-user", [], { roots: [] }),
    expected: ["stages", "roots"],
  },
  {
    name: "two roots",
    input: pipelinePlan("github-oidc", PARALLEL, { roots: twoRoots(PARALLEL) }),
    expected: [],
  },
  {
    name: "roots whose names, directories, state keys and workspaces are wrong",
    input: pipelinePlan("github-oidc", SEQUENTIAL, {
      roots: [
        { name: "net", directory: "infra", workspaces: ["dev"], stateKey: "net/terraform.tfstate" },
        { name: "net", directory: "infra/app", workspaces: ["qa"], stateKey: "other.tfstate" },
        {
          name: "Bad--name",
          directory: "../x",
          workspaces: ["dev"],
          stateKey: "terraform.tfstate",
        },
      ],
    }),
    expected: [
      "roots[1].name",
      "roots[1].stateKey",
      "roots[1].workspaces[0]",
      "roots[1].directory",
      "roots[2].name",
      "roots[2].directory",
    ],
  },
  {
    name: "two roots keeping the single root's state key",
    input: pipelinePlan("iam-user", SEQUENTIAL, {
      roots: [
        { ...twoRoots(SEQUENTIAL)[0], stateKey: "terraform.tfstate" },
        { ...twoRoots(SEQUENTIAL)[1], stateKey: "terraform.tfstate" },
      ],
    }),
    expected: ["roots[1].stateKey"],
  },
  {
    name: "an unbounded matrix, a bad schedule, a shared path outside the repository, a bad checksum",
    input: pipelinePlan("iam-user", SEQUENTIAL, {
      maxParallel: 0,
      driftSchedule: "every day",
      sharedPaths: ["../modules"],
      toolSha256: "abc",
    }),
    expected: ["sharedPaths[0]", "driftSchedule", "toolSha256", "maxParallel"],
  },
  {
    name: "a workspace name that would break a job name, a short account id, an environment wildcard",
    input: pipelinePlan("iam-user", [
      [{ workspace: "dev prod", accountId: "12345", environment: "prod*" }],
    ]),
    expected: ["stages[0][0].workspace", "stages[0][0].accountId", "stages[0][0].environment"],
  },
  {
    name: "no owner",
    input: pipelinePlan("iam-user", SEQUENTIAL, { codeOwners: [] }),
    expected: ["codeOwners"],
  },
  {
    name: "a malformed and a repeated owner",
    input: pipelinePlan("iam-user", SEQUENTIAL, {
      codeOwners: ["acme/devops", "@acme/security", "@ACME/security"],
    }),
    expected: ["codeOwners[0]", "codeOwners[2]"],
  },
  {
    name: "a tool release without the S3 lockfile",
    input: pipelinePlan("iam-user", SEQUENTIAL, { toolVersion: "1.9.1" }),
    expected: ["toolVersion"],
  },
];

describe("pipeline plan validation", function () {
  for (const c of CASES) {
    it(c.expected.length === 0 ? `accepts ${c.name}` : `refuses ${c.name}`, function () {
      const problems = validatePipelinePlan(c.input);
      assert.deepEqual(
        problems.map((p) => p.path),
        c.expected,
        JSON.stringify(problems, null, 2),
      );
      for (const p of problems) assert.ok(p.message.length > 0);
    });
  }

  it("renderPipeline refuses an invalid plan, listing every problem", function () {
    const plan = pipelinePlan("github-oidc", SEQUENTIAL, { repository: "acme/*", branch: "*" });
    assert.throws(
      () => renderPipeline(plan),
      (error: unknown) =>
        error instanceof PipelinePlanError &&
        error.code === PIPELINE_ERROR_CODE &&
        error.problems.length === 2 &&
        /branch = "\*"/.test(error.message) &&
        /repository = "acme\/\*"/.test(error.message),
    );
  });
});

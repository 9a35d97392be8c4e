import { strict as assert } from "node:assert";
import {
  formatOutputProblems,
  handoffFromStackOutputs,
  OUTPUTS_ERROR_CODE,
  parseDeployedOutputs,
  type OutputProblem,
} from "../../lib/terraform";

/** What `pulumi stack output --json` prints for the example stack (secrets hidden). */
function happy(): Record<string, any> {
  return {
    terraformAccountId: "111111111111",
    workspaces: {
      staging: {
        accountName: "staging",
        accountId: "333333333333",
        roleArn: "arn:aws:iam::333333333333:role/terraform",
        planRoleArn: "arn:aws:iam::333333333333:role/terraform-plan",
        environment: "staging",
      },
      dev: {
        accountName: "dev",
        accountId: "222222222222",
        roleArn: "arn:aws:iam::222222222222:role/terraform",
        planRoleArn: "arn:aws:iam::222222222222:role/terraform-plan",
        environment: "development",
      },
    },
    backend: {
      bucket: "acme-tfstate-111111111111-eu-west-1",
      region: "eu-west-1",
      key: "terraform.tfstate",
      workspaceKeyPrefix: "terraform",
      lockMode: "s3-lockfile",
      kmsKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      kmsKeyAlias: "alias/terraform-state",
    },
    ciRoleArn: "arn:aws:iam::111111111111:role/terraform-ci",
    ciPlanRoleArn: "arn:aws:iam::111111111111:role/terraform-ci-plan",
    ci: {
      mode: "iam-user",
      branch: "main",
      applyStages: [["dev"], ["staging"]],
      codeOwners: ["@acme/devops", "@acme/security"],
      roots: [
        {
          name: "root",
          directory: "terraform",
          workspaces: ["dev", "staging"],
          stateKey: "terraform.tfstate",
        },
      ],
      applyRoles: "shared",
      applyRoleArns: {
        development: "arn:aws:iam::111111111111:role/terraform-ci",
        staging: "arn:aws:iam::111111111111:role/terraform-ci",
      },
      maxParallel: 10,
      sharedPaths: ["modules"],
      driftSchedule: "23 5 * * 1-5",
      tool: "terraform",
      toolVersion: "1.11.4",
      toolSha256: "1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc",
      sessionDurationSeconds: 7200,
    },
    ciUserName: "terraform-ci",
    ciPlanUserName: "terraform-ci-plan",
    auditTrailArn: "arn:aws:cloudtrail:eu-west-1:111111111111:trail/terraform-audit",
    ciAccessKeyId: "[secret]",
    ciSecretAccessKey: "[secret]",
    ciPlanAccessKeyId: "[secret]",
    ciPlanSecretAccessKey: "[secret]",
  };
}

/** {@link happy} in github-oidc mode. */
function github(): Record<string, any> {
  const o = happy();
  delete o.ciUserName;
  delete o.ciPlanUserName;
  o.ci = {
    ...o.ci,
    mode: "github-oidc",
    repository: "acme/infrastructure",
    audience: "sts.amazonaws.com",
    oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
  };
  return o;
}

/** What a stack deployed before the plan path existed prints: no plan roles, no `ci`. */
function beforePlanPath(): Record<string, any> {
  const o = happy();
  delete o.ciPlanRoleArn;
  delete o.ci;
  delete o.ciPlanUserName;
  for (const w of Object.values<Record<string, unknown>>(o.workspaces)) {
    delete w.planRoleArn;
    delete w.environment;
  }
  return o;
}

function problems(raw: unknown): OutputProblem[] {
  const result = parseDeployedOutputs(raw);
  assert.equal(result.ok, false, "expected problems");
  return result.ok ? [] : [...result.problems];
}

describe("stack outputs for the Terraform handoff", () => {
  it("accepts what `pulumi stack output --json` prints, ignoring other outputs and secrets", () => {
    const result = parseDeployedOutputs(happy());
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(
      result.outputs.workspaces.map((w) => w.workspace),
      ["dev", "staging"],
    );
    assert.equal(result.outputs.backend.lockTable, undefined);
    assert.equal(JSON.stringify(result.outputs).includes("[secret]"), false);
    assert.deepEqual(result.outputs.workspaces[0], {
      workspace: "dev",
      accountName: "dev",
      accountId: "222222222222",
      roleArn: "arn:aws:iam::222222222222:role/terraform",
      planRoleArn: "arn:aws:iam::222222222222:role/terraform-plan",
      environment: "development",
    });
    assert.equal(result.outputs.ciPlanRoleArn, "arn:aws:iam::111111111111:role/terraform-ci-plan");
    assert.deepEqual(result.outputs.ci, happy().ci);
  });

  it("reads the outputs of a stack from before roots: one root in terraformDirectory, the CI apply role everywhere", () => {
    const legacy = happy();
    const { roots, applyRoleArns, maxParallel, sharedPaths, driftSchedule, toolSha256, ...ci } =
      legacy.ci;
    legacy.ci = { ...ci, terraformDirectory: "infra" };
    const result = parseDeployedOutputs(legacy);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.outputs.ci.roots, [{ ...roots[0], directory: "infra" }]);
    assert.deepEqual(result.outputs.ci.applyRoleArns, applyRoleArns);
    assert.deepEqual(
      [
        result.outputs.ci.maxParallel,
        result.outputs.ci.sharedPaths,
        result.outputs.ci.driftSchedule,
      ],
      [maxParallel, sharedPaths, driftSchedule],
    );
    assert.equal(result.outputs.ci.toolSha256, toolSha256);
    legacy.ci.toolVersion = "1.12.0";
    assert.deepEqual(
      problems(legacy).map((p) => p.path),
      ["ci.toolSha256"],
    );
  });

  it("reports roots and per-environment roles the outputs disagree on", () => {
    const o = happy();
    o.ci.roots = [
      { name: "app", directory: "app", workspaces: ["dev", "qa"], stateKey: "terraform.tfstate" },
      { name: "app", directory: "net", workspaces: ["dev"], stateKey: "other/terraform.tfstate" },
    ];
    o.ci.applyRoleArns = {
      development: "arn:aws:iam::222222222222:role/terraform-ci",
      other: "arn:aws:iam::111111111111:role/terraform-ci-plan",
    };
    assert.deepEqual(
      problems(o).map((p) => p.path),
      [
        "ci.roots.0.workspaces.1",
        "ci.roots.1.name",
        "ci.roots.1.stateKey",
        "ci.applyRoleArns.staging",
        "ci.applyRoleArns.development",
        "ci.applyRoleArns.other",
      ],
    );
  });

  it("accepts the outputs of an OIDC mode, keeping the repository, audience and provider", () => {
    const result = parseDeployedOutputs(github());
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.outputs.ci, github().ci);
  });

  it("says to run `pulumi up` with this version first for the outputs of a stack deployed before the plan path, in one problem", () => {
    const found = problems(beforePlanPath());
    assert.deepEqual(
      found.map((p) => p.path),
      ["ciPlanRoleArn"],
    );
    assert.match(found[0]?.message ?? "", /is missing, and so are `ci` and every workspace's/);
    assert.match(found[0]?.message ?? "", /Run `pulumi up` on the stack with this version first/);
    const message = formatOutputProblems(found, "stdin", "acme");
    assert.match(message, /\(1 problem\)/);
  });

  it("lists the other problems of such outputs beside that one", () => {
    const raw = beforePlanPath();
    raw.workspaces.dev.roleArn = "arn:aws:iam::999999999999:role/terraform";
    raw.backend.lockMode = "redis";
    const found = problems(raw);
    assert.deepEqual(found.map((p) => p.path).sort(), ["backend.lockMode", "ciPlanRoleArn"]);
  });

  const cases: {
    name: string;
    change: (o: Record<string, any>) => unknown;
    expected: { path: string; message: RegExp }[];
  }[] = [
    {
      name: "not an object",
      change: () => ["not", "outputs"],
      expected: [{ path: "(the outputs)", message: /must be a JSON object of stack outputs/ }],
    },
    {
      name: "an empty object (a stack that was never deployed)",
      change: () => ({}),
      expected: [
        { path: "terraformAccountId", message: /is missing/ },
        { path: "workspaces", message: /is missing/ },
        { path: "backend", message: /is missing/ },
        // Without ci, whether a shared CI apply role is needed cannot be told.
        { path: "ciPlanRoleArn", message: /is missing: the stack must export it/ },
        { path: "ci", message: /is missing: the stack must export it/ },
      ],
    },
    {
      name: "a missing key ARN",
      change: (o) => {
        delete o.backend.kmsKeyArn;
        return o;
      },
      expected: [{ path: "backend.kmsKeyArn", message: /is missing/ }],
    },
    {
      name: "an account id written as a number",
      change: (o) => {
        o.workspaces.dev.accountId = 222222222222;
        return o;
      },
      expected: [{ path: "workspaces.dev.accountId", message: /12-digit AWS account id/ }],
    },
    {
      name: "an unknown lock mode",
      change: (o) => {
        o.backend.lockMode = "redis";
        return o;
      },
      expected: [{ path: "backend.lockMode", message: /one of s3-lockfile, dynamodb, both/ }],
    },
    {
      name: "a role ARN in another account than the workspace's account id",
      change: (o) => {
        o.workspaces.dev.roleArn = "arn:aws:iam::999999999999:role/terraform";
        return o;
      },
      expected: [{ path: "workspaces.dev.roleArn", message: /account 999999999999.*222222222222/ }],
    },
    {
      name: "a key in another region than the state",
      change: (o) => {
        o.backend.kmsKeyArn = "arn:aws:kms:us-east-1:111111111111:key/abc";
        return o;
      },
      expected: [{ path: "backend.kmsKeyArn", message: /in the state's region eu-west-1/ }],
    },
    {
      name: "a CI role outside the Terraform account",
      change: (o) => {
        o.ciRoleArn = "arn:aws:iam::222222222222:role/terraform-ci";
        return o;
      },
      expected: [{ path: "ciRoleArn", message: /not in the Terraform account 111111111111/ }],
    },
    {
      name: "lock mode dynamodb without a lock table",
      change: (o) => {
        o.backend.lockMode = "dynamodb";
        return o;
      },
      expected: [{ path: "backend.lockTable", message: /lock mode 'dynamodb'.*needs its name/ }],
    },
    {
      name: "a lock table with lock mode s3-lockfile",
      change: (o) => {
        o.backend.lockTable = "terraform-locks";
        return o;
      },
      expected: [{ path: "backend.lockTable", message: /uses no table/ }],
    },
    {
      name: "no workspace",
      change: (o) => {
        o.workspaces = {};
        return o;
      },
      expected: [{ path: "workspaces", message: /at least one product account/ }],
    },
    {
      name: "a workspace name Terraform rejects",
      change: (o) => {
        o.workspaces["dev/x"] = o.workspaces.dev;
        return o;
      },
      expected: [
        { path: "workspaces.dev/x", message: /is not a workspace name Terraform accepts/ },
      ],
    },
    {
      name: "a plan role ARN in another account than the workspace's account id",
      change: (o) => {
        o.workspaces.dev.planRoleArn = "arn:aws:iam::999999999999:role/terraform-plan";
        return o;
      },
      expected: [
        { path: "workspaces.dev.planRoleArn", message: /account 999999999999.*222222222222/ },
      ],
    },
    {
      name: "a plan role that is the workspace's Terraform role",
      change: (o) => {
        o.workspaces.dev.planRoleArn = o.workspaces.dev.roleArn;
        return o;
      },
      expected: [{ path: "workspaces.dev.planRoleArn", message: /never the role that writes/ }],
    },
    {
      name: "a workspace without a plan role (outputs changed by hand)",
      change: (o) => {
        delete o.workspaces.staging.planRoleArn;
        return o;
      },
      expected: [{ path: "workspaces.staging.planRoleArn", message: /is missing/ }],
    },
    {
      name: "an environment name CI platforms reject",
      change: (o) => {
        o.workspaces.dev.environment = "dev env";
        return o;
      },
      expected: [{ path: "workspaces.dev.environment", message: /must be a CI environment name/ }],
    },
    {
      name: "a CI plan role outside the Terraform account",
      change: (o) => {
        o.ciPlanRoleArn = "arn:aws:iam::222222222222:role/terraform-ci-plan";
        return o;
      },
      expected: [{ path: "ciPlanRoleArn", message: /not in the Terraform account 111111111111/ }],
    },
    {
      name: "a CI plan role that is the CI apply role",
      change: (o) => {
        o.ciPlanRoleArn = o.ciRoleArn;
        return o;
      },
      expected: [{ path: "ciPlanRoleArn", message: /is the CI apply role/ }],
    },
    {
      name: "no ci output (outputs changed by hand, the plan role kept)",
      change: (o) => {
        delete o.ci;
        return o;
      },
      expected: [{ path: "ci", message: /is missing: the stack must export it/ }],
    },
    {
      name: "an unknown CI mode",
      change: (o) => {
        o.ci.mode = "jenkins";
        return o;
      },
      expected: [{ path: "ci.mode", message: /one of iam-user, github-oidc, gitlab-oidc/ }],
    },
    {
      name: "an apply stage naming a workspace the outputs do not have",
      change: (o) => {
        o.ci.applyStages = [["dev"], ["staging", "qa"]];
        return o;
      },
      expected: [{ path: "ci.applyStages.1.1", message: /not a workspace of the outputs/ }],
    },
    {
      name: "a workspace in two apply stages",
      change: (o) => {
        o.ci.applyStages = [["dev"], ["staging", "dev"]];
        return o;
      },
      expected: [{ path: "ci.applyStages.1.1", message: /already applies/ }],
    },
    {
      name: "a workspace in no apply stage",
      change: (o) => {
        o.ci.applyStages = [["dev"]];
        return o;
      },
      expected: [{ path: "ci.applyStages", message: /does not apply staging/ }],
    },
    {
      name: "an empty apply stage",
      change: (o) => {
        o.ci.applyStages = [["dev", "staging"], []];
        return o;
      },
      expected: [{ path: "ci.applyStages.1", message: /empty stage/ }],
    },
    {
      name: "no code owner",
      change: (o) => {
        o.ci.codeOwners = [];
        return o;
      },
      expected: [{ path: "ci.codeOwners", message: /needs reviewers/ }],
    },
    {
      name: "a code owner that is not a handle",
      change: (o) => {
        o.ci.codeOwners = ["@acme/devops", "security team"];
        return o;
      },
      expected: [{ path: "ci.codeOwners.1", message: /user or team handle/ }],
    },
    {
      name: "an absolute Terraform directory",
      change: (o) => {
        o.ci.roots[0].directory = "/srv/terraform";
        return o;
      },
      expected: [{ path: "ci.roots.0.directory", message: /relative directory path/ }],
    },
    {
      name: "an unknown tool and a release without the S3 lockfile",
      change: (o) => {
        o.ci.tool = "pulumi";
        o.ci.toolVersion = "1.9.8";
        return o;
      },
      expected: [
        { path: "ci.tool", message: /one of terraform, tofu/ },
        { path: "ci.toolVersion", message: /1\.10\.0 or later/ },
      ],
    },
    {
      name: "an audience and an OIDC provider in iam-user mode",
      change: (o) => {
        o.ci.audience = "sts.amazonaws.com";
        o.ci.oidcProviderArn = github().ci.oidcProviderArn;
        return o;
      },
      expected: [
        { path: "ci.audience", message: /mode 'iam-user' uses no OIDC provider/ },
        { path: "ci.oidcProviderArn", message: /mode 'iam-user' uses no OIDC provider/ },
      ],
    },
    {
      name: "an OIDC mode without its repository, audience and provider",
      change: (o) => {
        o.ci.mode = "gitlab-oidc";
        return o;
      },
      expected: [
        { path: "ci.repository", message: /mode 'gitlab-oidc' trusts one repository/ },
        { path: "ci.audience", message: /is missing: mode 'gitlab-oidc'/ },
        { path: "ci.oidcProviderArn", message: /is missing: mode 'gitlab-oidc'/ },
      ],
    },
    {
      name: "a GitLab project path in github-oidc mode",
      change: () => {
        const o = github();
        o.ci.repository = "acme/platform/infrastructure";
        return o;
      },
      expected: [{ path: "ci.repository", message: /OWNER\/REPO.*mode 'github-oidc'/ }],
    },
    {
      name: "an OIDC provider of another account",
      change: () => {
        const o = github();
        o.ci.oidcProviderArn =
          "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com";
        return o;
      },
      expected: [
        { path: "ci.oidcProviderArn", message: /not in the Terraform account 111111111111/ },
      ],
    },
    {
      name: "another issuer's OIDC provider in github-oidc mode",
      change: () => {
        const o = github();
        o.ci.oidcProviderArn = "arn:aws:iam::111111111111:oidc-provider/gitlab.com";
        return o;
      },
      expected: [{ path: "ci.oidcProviderArn", message: /not the provider of GitHub's issuer/ }],
    },
    {
      name: "the key ARN hidden as a secret",
      change: (o) => {
        o.backend.kmsKeyArn = "[secret]";
        return o;
      },
      expected: [{ path: "backend.kmsKeyArn", message: /must be the state key's ARN/ }],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const found = problems(c.change(happy()));
      assert.deepEqual(
        found.map((p) => p.path),
        c.expected.map((e) => e.path),
        JSON.stringify(found, null, 2),
      );
      c.expected.forEach((e, i) => assert.match(found[i]?.message ?? "", e.message));
    });
  }

  const templateCases: {
    name: string;
    stack?: string;
    change: (o: Record<string, any>) => unknown;
    expected: { path: string; message: RegExp };
  }[] = [
    {
      name: "a Terraform directory that leaves the repository",
      change: (o) => {
        o.ci.roots[0].directory = "../infrastructure";
        return o;
      },
      expected: {
        path: "ci.roots.0.directory",
        message: /no '\.\.'.*\(the CI pipeline templates need it\)/,
      },
    },
    {
      name: "a code owner listed twice",
      change: (o) => {
        o.ci.codeOwners = ["@acme/devops", "@ACME/devops"];
        return o;
      },
      expected: { path: "ci.codeOwners.1", message: /appears twice/ },
    },
    {
      name: "a stack name that cannot appear in a template",
      stack: "acme stack",
      change: (o) => o,
      expected: { path: "(the stack name)", message: /letters, digits/ },
    },
  ];
  for (const c of templateCases) {
    it(`reports what the CI pipeline templates refuse: ${c.name}`, () => {
      const result = handoffFromStackOutputs(c.change(happy()), { stack: c.stack ?? "acme" });
      assert.equal(result.ok, false, "expected problems");
      const found = result.ok ? [] : result.problems;
      assert.deepEqual(
        found.map((p) => p.path),
        [c.expected.path],
        JSON.stringify(found, null, 2),
      );
      assert.match(found[0]?.message ?? "", c.expected.message);
    });
  }

  it("formats every problem with its value and says how to get the outputs", () => {
    const raw = happy();
    delete raw.backend.kmsKeyArn;
    raw.workspaces.dev.accountId = 222222222222;
    const message = formatOutputProblems(problems(raw), "outputs.json", "acme");
    assert.match(message, new RegExp(`^\\[${OUTPUTS_ERROR_CODE}\\] .*outputs\\.json.*2 problems`));
    assert.match(message, /- backend\.kmsKeyArn = \(missing\): is missing/);
    assert.match(message, /- workspaces\.dev\.accountId = 222222222222: /);
    assert.match(message, /pulumi stack output --json --stack acme > outputs\.json/);
    assert.match(message, /npm run export-terraform -- --stack acme --outputs outputs\.json/);
  });
});

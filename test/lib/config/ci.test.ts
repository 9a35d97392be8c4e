import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../../lib/config/parse";
import { assertProblem } from "./problems";

/** A valid config in `mode`; each case changes one thing. */
function valid(mode = "github-oidc"): Record<string, any> {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: [
      { name: "dev", id: "222222222222" },
      { name: "staging", id: "333333333333" },
      { name: "prod", id: "444444444444", environment: "production" },
    ],
    ci: {
      mode,
      ...(mode === "github-oidc" ? { repository: "acme/infrastructure" } : {}),
      ...(mode === "gitlab-oidc" ? { repository: "acme/platform/infrastructure" } : {}),
    },
    terraformRole: { allowedServices: ["ec2", "s3"] },
  };
}

interface Case {
  readonly name: string;
  readonly mode?: string;
  readonly mutate: (c: Record<string, any>) => void;
  readonly path: string;
  readonly message: RegExp;
}

const cases: Case[] = [
  {
    name: "an OIDC mode without a repository",
    mutate: (c) => delete c.ci.repository,
    path: "tf-bootstrap:ci.repository",
    message: /is required in github-oidc mode.*acme\/infrastructure/,
  },
  {
    name: "a wildcard in the GitHub owner",
    mutate: (c) => (c.ci.repository = "acme*/infrastructure"),
    path: "tf-bootstrap:ci.repository",
    message: /must not contain wildcards.*owner or repository part/,
  },
  {
    name: "a wildcard in the GitHub repository",
    mutate: (c) => (c.ci.repository = "acme/*"),
    path: "tf-bootstrap:ci.repository",
    message: /must not contain wildcards/,
  },
  {
    name: "a GitHub repository without an owner",
    mutate: (c) => (c.ci.repository = "infrastructure"),
    path: "tf-bootstrap:ci.repository",
    message: /OWNER\/REPO/,
  },
  {
    name: "a wildcard in the GitLab group",
    mode: "gitlab-oidc",
    mutate: (c) => (c.ci.repository = "acme/?/infrastructure"),
    path: "tf-bootstrap:ci.repository",
    message: /must not contain wildcards.*group or project part/,
  },
  {
    name: "a GitLab project without a group",
    mode: "gitlab-oidc",
    mutate: (c) => (c.ci.repository = "infrastructure"),
    path: "tf-bootstrap:ci.repository",
    message: /group\/project/,
  },
  {
    name: "a CI user name in an OIDC mode",
    mutate: (c) => (c.ci.userName = "terraform-ci"),
    path: "tf-bootstrap:ci.userName",
    message: /applies to iam-user mode only/,
  },
  {
    name: "access keys asked for in an OIDC mode",
    mutate: (c) => (c.ci.createAccessKey = true),
    path: "tf-bootstrap:ci.createAccessKey",
    message: /no IAM user and no access key/,
  },
  {
    name: "an audience in iam-user mode",
    mode: "iam-user",
    mutate: (c) => (c.ci.audience = "sts.amazonaws.com"),
    path: "tf-bootstrap:ci.audience",
    message: /applies to the OIDC modes only/,
  },
  {
    name: "a GitLab URL in github-oidc mode",
    mutate: (c) => (c.ci.gitlabUrl = "https://gitlab.example.com"),
    path: "tf-bootstrap:ci.gitlabUrl",
    message: /applies to gitlab-oidc mode only/,
  },
  {
    name: "a GitLab URL with a path",
    mode: "gitlab-oidc",
    mutate: (c) => (c.ci.gitlabUrl = "https://gitlab.example.com/gitlab/"),
    path: "tf-bootstrap:ci.gitlabUrl",
    message: /without a path or trailing '\/'/,
  },
  {
    name: "a wildcard in the audience",
    mutate: (c) => (c.ci.audience = "sts.*"),
    path: "tf-bootstrap:ci.audience",
    message: /other than '\*' and '\?'/,
  },
  {
    name: "a wildcard in the branch",
    mutate: (c) => (c.ci.branch = "release/*"),
    path: "tf-bootstrap:ci.branch",
    message: /no wildcards/,
  },
  {
    name: "a wildcard in an account's environment",
    mutate: (c) => (c.productAccounts[2].environment = "prod*"),
    path: "tf-bootstrap:productAccounts[2].environment",
    message: /no wildcards/,
  },
  {
    name: "the plan role named like the CI role",
    mutate: (c) => (c.ci.planRoleName = "terraform-ci"),
    path: "tf-bootstrap:ci.planRoleName",
    message: /same as ci\.roleName.*apply path's permissions/,
  },
  {
    name: "the plan user named like the CI user",
    mode: "iam-user",
    mutate: (c) => (c.ci.planUserName = "terraform-ci"),
    path: "tf-bootstrap:ci.planUserName",
    message: /same as ci\.userName/,
  },
  {
    name: "the product plan role named like the Terraform role",
    mutate: (c) => (c.terraformPlanRole = { name: "terraform" }),
    path: "tf-bootstrap:terraformPlanRole.name",
    message: /same as terraformRole\.name/,
  },
  {
    name: "a plan role managed policy that can write",
    mutate: (c) =>
      (c.terraformPlanRole = { managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] }),
    path: "tf-bootstrap:terraformPlanRole.managedPolicyArns[0]",
    message:
      /read-only AWS managed policies ReadOnlyAccess, SecurityAudit, job-function\/ViewOnlyAccess/,
  },
  {
    name: "an unknown workspace in the apply order",
    mutate: (c) => (c.ci.pipeline = { applyOrder: ["dev", "qa", "staging", "prod"] }),
    path: "tf-bootstrap:ci.pipeline.applyOrder[1]",
    message: /not the workspace of any product account; the workspaces are dev, staging, prod/,
  },
  {
    name: "a workspace applied twice",
    mutate: (c) => (c.ci.pipeline = { applyOrder: ["dev", ["staging", "dev"], "prod"] }),
    path: "tf-bootstrap:ci.pipeline.applyOrder[1][1]",
    message: /twice \(first at tf-bootstrap:ci\.pipeline\.applyOrder\[0\]\)/,
  },
  {
    name: "a workspace left out of the apply order",
    mutate: (c) => (c.ci.pipeline = { applyOrder: ["dev", "prod"] }),
    path: "tf-bootstrap:ci.pipeline.applyOrder",
    message: /leaves out the workspace\(s\) staging/,
  },
  {
    name: "an apply stage larger than one CI matrix",
    mutate: (c) => (c.ci.pipeline = { applyOrder: [Array<string>(257).fill("dev")] }),
    path: "tf-bootstrap:ci.pipeline.applyOrder[0]",
    message: /holds 257 workspaces.*at most 256/,
  },
  {
    name: "a GitHub repository with a non-numeric immutable id",
    mutate: (c) => (c.ci.repository = "acme@x/infrastructure"),
    path: "tf-bootstrap:ci.repository",
    message: /OWNER\/REPO/,
  },
  {
    name: "a service the action catalog does not know",
    mutate: (c) => (c.terraformRole.allowedServices = ["ec2", "lamda"]),
    path: "tf-bootstrap:terraformRole.allowedServices[1]",
    message: /not a service prefix the IAM action catalog .* knows; did you mean 'lambda'\?/,
  },
  {
    name: "an environment order that misses an environment",
    mutate: (c) => (c.ci.pipeline = { environmentOrder: ["dev", "staging"] }),
    path: "tf-bootstrap:ci.pipeline.environmentOrder",
    message: /leaves out the environment\(s\) production/,
  },
  {
    name: "an environment order with an unknown environment",
    mutate: (c) => (c.ci.pipeline = { environmentOrder: ["dev", "qa", "staging", "production"] }),
    path: "tf-bootstrap:ci.pipeline.environmentOrder[1]",
    message: /not the environment of any product account/,
  },
  {
    name: "both an environment order and an apply order",
    mutate: (c) =>
      (c.ci.pipeline = {
        environmentOrder: ["dev", "staging", "production"],
        applyOrder: ["dev", "staging", "prod"],
      }),
    path: "tf-bootstrap:ci.pipeline.environmentOrder",
    message: /together with 'applyOrder'/,
  },
  {
    name: "a tool release without a known checksum",
    mutate: (c) => (c.ci.pipeline = { tool: "terraform", toolVersion: "1.12.0" }),
    path: "tf-bootstrap:ci.pipeline.toolSha256",
    message: /is required for terraform 1\.12\.0.*SHA256SUMS/,
  },
  {
    name: "a checksum that is not the pinned release's",
    mutate: (c) => (c.ci.pipeline = { toolSha256: "0".repeat(64) }),
    path: "tf-bootstrap:ci.pipeline.toolSha256",
    message: /is not the SHA-256 of the official terraform 1\.11\.4/,
  },
  {
    name: "an unbounded matrix",
    mutate: (c) => (c.ci.pipeline = { maxParallel: 1000 }),
    path: "tf-bootstrap:ci.pipeline.maxParallel",
    message: /at most 256/,
  },
  {
    name: "a drift schedule that is not cron",
    mutate: (c) => (c.ci.pipeline = { driftSchedule: "daily" }),
    path: "tf-bootstrap:ci.pipeline.driftSchedule",
    message: /five-field cron/,
  },
  {
    name: "a tool version without the S3 lockfile",
    mutate: (c) => (c.ci.pipeline = { toolVersion: "1.9.8" }),
    path: "tf-bootstrap:ci.pipeline.toolVersion",
    message: /1\.10\.0 or later/,
  },
  {
    name: "a code owner that is not a handle",
    mutate: (c) => (c.ci.pipeline = { codeOwners: ["devops"] }),
    path: "tf-bootstrap:ci.pipeline.codeOwners[0]",
    message: /handle such as @acme\/devops/,
  },
  {
    name: "a Terraform 1.10 release with the S3 lockfile",
    mutate: (c) => (c.ci.pipeline = { tool: "terraform", toolVersion: "1.10.5" }),
    path: "tf-bootstrap:ci.pipeline.toolVersion",
    message: /without the S3 lockfile.*Terraform 1\.11 or later, tool 'tofu'/,
  },
  {
    name: "a Terraform directory outside the repository",
    mutate: (c) => (c.ci.pipeline = { terraformDirectory: "../terraform" }),
    path: "tf-bootstrap:ci.pipeline.terraformDirectory",
    message: /inside the repository/,
  },
  {
    name: "an absolute Terraform directory",
    mutate: (c) => (c.ci.pipeline = { terraformDirectory: "/srv/terraform" }),
    path: "tf-bootstrap:ci.pipeline.terraformDirectory",
    message: /relative directory path/,
  },
];

describe("stack config validation: CI modes and the plan path", () => {
  for (const mode of ["iam-user", "github-oidc", "gitlab-oidc"]) {
    it(`accepts a valid ${mode} config and applies the defaults`, () => {
      const result = parseStackConfig(valid(mode));
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      const c = result.config;
      assert.equal(c.ci.mode, mode);
      assert.equal(c.ci.roleName, "terraform-ci");
      assert.equal(c.ci.planRoleName, "terraform-ci-plan");
      assert.equal(c.ci.branch, "main");
      assert.equal(c.ci.audience, "sts.amazonaws.com");
      assert.equal(c.terraformPlanRole.name, "terraform-plan");
      assert.deepEqual(c.terraformPlanRole.managedPolicyArns, []);
      assert.deepEqual(c.names.environments, {
        dev: "dev",
        staging: "staging",
        prod: "production",
      });
      assert.deepEqual(c.names.applyStages, [["dev"], ["staging"], ["prod"]]);
      assert.deepEqual(c.names.codeOwners, ["@acme/devops", "@acme/security"]);
      assert.equal(c.ci.pipeline.tool, "terraform");
      assert.deepEqual(c.names.roots, [
        {
          name: "root",
          directory: "terraform",
          workspaces: ["dev", "staging", "prod"],
          stateKey: "terraform.tfstate",
        },
      ]);
      assert.equal(c.names.toolVersion, "1.11.4");
      assert.match(c.names.toolSha256, /^[0-9a-f]{64}$/);
      assert.equal(c.ci.pipeline.maxParallel, 10);
      assert.deepEqual(c.ci.pipeline.sharedPaths, ["modules"]);
      assert.equal(c.ci.pipeline.driftSchedule, "23 5 * * 1-5");
    });
  }

  it("takes a GitHub repository in the immutable-id form of its OIDC subjects", () => {
    const config = valid();
    config.ci.repository = "acme@123456/infrastructure@456789";
    const result = parseStackConfig(config);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });

  it("takes an apply order with parallel stages", () => {
    const config = valid();
    config.ci.pipeline = { applyOrder: [["dev", "staging"], "prod"] };
    const result = parseStackConfig(config);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.config.names.applyStages, [["dev", "staging"], ["prod"]]);
  });

  it("orders the default stages by environment: dev-like, staging-like, prod-like, whatever the config order", () => {
    const config = valid();
    config.productAccounts = [
      { name: "shop-prod", id: "444444444444", environment: "production" },
      { name: "shop-dev", id: "222222222222", environment: "dev" },
      { name: "shop-stg", id: "333333333333", environment: "staging" },
      { name: "data-prod", id: "555555555555", environment: "production" },
      { name: "sandbox", id: "666666666666" },
    ];
    const result = parseStackConfig(config);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.config.names.applyStages, [
      ["shop-dev"],
      ["sandbox"],
      ["shop-stg"],
      ["shop-prod", "data-prod"],
    ]);
    config.ci.pipeline = { environmentOrder: ["sandbox", "dev", "staging", "production"] };
    const ordered = parseStackConfig(config);
    assert.ok(ordered.ok, JSON.stringify(!ordered.ok && ordered.problems));
    assert.deepEqual(ordered.config.names.applyStages[0], ["sandbox"]);
  });

  it("takes several roots, each with its own state key unless it keeps the single root's", () => {
    const config = valid();
    config.ci.pipeline = {
      roots: [
        { name: "app", directory: "terraform", stateKey: "terraform.tfstate" },
        { name: "network", directory: "network", workspaces: ["staging", "prod"] },
      ],
    };
    const result = parseStackConfig(config);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.deepEqual(result.config.names.roots, [
      {
        name: "app",
        directory: "terraform",
        workspaces: ["dev", "staging", "prod"],
        stateKey: "terraform.tfstate",
      },
      {
        name: "network",
        directory: "network",
        workspaces: ["staging", "prod"],
        stateKey: "network/terraform.tfstate",
      },
    ]);
  });

  it("reports every root problem at once", () => {
    const config = valid();
    config.ci.pipeline = {
      terraformDirectory: "terraform",
      roots: [
        { name: "app", directory: "infra", stateKey: "terraform.tfstate" },
        {
          name: "app",
          directory: "infra/network",
          workspaces: ["qa", "dev", "dev"],
          stateKey: "terraform.tfstate",
        },
        { name: "Net--1", directory: "../x" },
        { name: "terraform", directory: "other" },
        { name: "db", directory: "db", stateKey: "db.tfstate" },
      ],
    };
    const result = parseStackConfig(config);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((p) => p.path).sort(), [
      "tf-bootstrap:ci.pipeline.roots[1].directory",
      "tf-bootstrap:ci.pipeline.roots[1].name",
      "tf-bootstrap:ci.pipeline.roots[1].stateKey",
      "tf-bootstrap:ci.pipeline.roots[1].workspaces[0]",
      "tf-bootstrap:ci.pipeline.roots[1].workspaces[2]",
      "tf-bootstrap:ci.pipeline.roots[2].directory",
      "tf-bootstrap:ci.pipeline.roots[2].name",
      "tf-bootstrap:ci.pipeline.roots[3].name",
      "tf-bootstrap:ci.pipeline.roots[4].stateKey",
      "tf-bootstrap:ci.pipeline.terraformDirectory",
    ]);
    for (const p of result.problems) assert.ok(p.message.length > 20, p.path);
  });

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const config = valid(c.mode);
      c.mutate(config);
      assertProblem(config, c.path, c.message);
    });
  }

  it("reports every CI problem at once, with the schema's", () => {
    const config = valid();
    config.ci.repository = "acme/*";
    config.ci.createAccessKey = true;
    config.ci.planRoleName = "terraform-ci";
    config.ci.pipeline = { applyOrder: ["dev"] };
    config.region = "mars-1";
    const result = parseStackConfig(config);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems.map((p) => p.path).sort(), [
      "tf-bootstrap:ci.createAccessKey",
      "tf-bootstrap:ci.pipeline.applyOrder",
      "tf-bootstrap:ci.planRoleName",
      "tf-bootstrap:ci.repository",
      "tf-bootstrap:region",
    ]);
  });
});

import { strict as assert } from "node:assert";
import { parseStackConfig } from "../../../lib/config/parse";
import { assertProblem } from "./problems";

/**
 * Config values that land in IAM documents, refused for what IAM would make of them: each case
 * changes one setting of a valid config and expects a problem at that setting whose message
 * says why and how to fix it. The companion property test (iam-safety.property.test.ts) holds
 * every accepted value to "grants no more than a plain value".
 */

const TF = "111111111111";

function valid(): Record<string, any> {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: TF },
    productAccounts: [
      { name: "dev", id: "222222222222" },
      { name: "prod", id: "444444444444" },
    ],
    terraformRole: { allowedServices: ["ec2", "s3"] },
    adminPrincipals: [`arn:aws:iam::${TF}:role/PlatformAdmin`],
  };
}

interface Case {
  readonly name: string;
  readonly mutate: (c: Record<string, any>) => void;
  readonly path: string;
  readonly message: RegExp;
}

const P = "tf-bootstrap:";

const refused: Case[] = [
  {
    name: "an admin with a '*' (every role of the account would read state)",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:role/*`]),
    path: `${P}adminPrincipals[0]`,
    message: /wildcard.*exact ARN/,
  },
  {
    name: "an admin with a '?'",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:role/Admin?`]),
    path: `${P}adminPrincipals[0]`,
    message: /wildcard/,
  },
  {
    name: "an admin with a policy variable",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:user/\${aws:username}`]),
    path: `${P}adminPrincipals[0]`,
    message: /policy variable.*exact ARN/,
  },
  {
    name: "an admin in every account",
    mutate: (c) => (c.adminPrincipals = ["arn:aws:iam::*:role/X"]),
    path: `${P}adminPrincipals[0]`,
    message: /wildcard/,
  },
  {
    name: "an admin that is an account root",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:root`]),
    path: `${P}adminPrincipals[0]`,
    message: /account root.*exact ARNs/,
  },
  {
    name: "an admin that is a group",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:group/Admins`]),
    path: `${P}adminPrincipals[0]`,
    message: /not the ARN of an IAM role or user/,
  },
  {
    name: "an admin that is a role session",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:sts::${TF}:assumed-role/Admin/alice`]),
    path: `${P}adminPrincipals[0]`,
    message: /role session.*role's ARN/,
  },
  {
    name: "an admin of another partition",
    mutate: (c) => (c.adminPrincipals = [`arn:aws-cn:iam::${TF}:role/Admin`]),
    path: `${P}adminPrincipals[0]`,
    message: /'aws-cn' partition.*arn:aws:/,
  },
  {
    name: "an admin of another account",
    mutate: (c) => (c.adminPrincipals = ["arn:aws:iam::999999999999:role/Admin"]),
    path: `${P}adminPrincipals[0]`,
    message: /account 999999999999, not of the Terraform account/,
  },
  {
    name: "an admin under a reserved path",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:role/aws-reserved/x/Admin`]),
    path: `${P}adminPrincipals[0]`,
    message: /valid IAM path and name/,
  },
  {
    name: "an admin that is the CI plan role (every pull request would administer state)",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:role/terraform-ci-plan`]),
    path: `${P}adminPrincipals[0]`,
    message: /CI plan role the stack creates \(ci\.planRoleName\).*break-glass/,
  },
  {
    name: "an admin that is the CI apply role, under another case and path",
    mutate: (c) => {
      c.ci = { roleName: "Deployer", path: "/ci/" };
      c.adminPrincipals = [`arn:aws:iam::${TF}:role/other/deployer`];
    },
    path: `${P}adminPrincipals[0]`,
    message: /CI apply role the stack creates \(ci\.roleName\)/,
  },
  {
    name: "an admin that is one environment's CI apply role (per-environment apply roles)",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:role/terraform-ci-prod`]),
    path: `${P}adminPrincipals[0]`,
    message: /CI apply role the stack creates \(ci\.roleName, environment 'prod'\)/,
  },
  {
    name: "an admin that is the CI user of the apply path",
    mutate: (c) => (c.adminPrincipals = [`arn:aws:iam::${TF}:user/terraform-ci`]),
    path: `${P}adminPrincipals[0]`,
    message: /CI apply user the stack creates \(ci\.userName\)/,
  },
  {
    name: "an admin named twice",
    mutate: (c) => void c.adminPrincipals.push(c.adminPrincipals[0]),
    path: `${P}adminPrincipals[1]`,
    message: /repeats adminPrincipals\[0\]/,
  },
  {
    name: "a managed policy of another partition",
    mutate: (c) =>
      (c.terraformRole.managedPolicyArns = ["arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"]),
    path: `${P}terraformRole.managedPolicyArns[0]`,
    message: /'aws-us-gov' partition.*arn:aws:iam::aws:policy\/ReadOnlyAccess/,
  },
  {
    name: "a boundary of another partition",
    mutate: (c) =>
      (c.terraformRole.permissionsBoundary = "arn:aws-cn:iam::aws:policy/PowerUserAccess"),
    path: `${P}terraformRole.permissionsBoundary`,
    message: /'aws-cn' partition/,
  },
  {
    name: "a boundary that is a role ARN",
    mutate: (c) =>
      (c.terraformRole.permissionsBoundary = "arn:aws:iam::222222222222:role/TerraformBoundary"),
    path: `${P}terraformRole.permissionsBoundary`,
    message: /ARN but not of an IAM policy/,
  },
  {
    name: "a boundary that is one account's customer policy ARN",
    mutate: (c) =>
      (c.terraformRole.permissionsBoundary = "arn:aws:iam::222222222222:policy/team/Boundary"),
    path: `${P}terraformRole.permissionsBoundary`,
    message: /every product account; give its name instead: team\/Boundary/,
  },
  {
    name: "a customer managed policy given as an ARN",
    mutate: (c) =>
      (c.terraformRole.customerManagedPolicies = ["arn:aws:iam::222222222222:policy/Extras"]),
    path: `${P}terraformRole.customerManagedPolicies[0]`,
    message: /give its name instead: Extras/,
  },
  {
    name: "an AWS managed policy among the customer managed ones",
    mutate: (c) =>
      (c.terraformRole.customerManagedPolicies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
    path: `${P}terraformRole.customerManagedPolicies[0]`,
    message: /managedPolicyArns/,
  },
  {
    name: "a customer managed policy with a policy variable",
    mutate: (c) => (c.terraformRole.customerManagedPolicies = ["team/${aws:username}"]),
    path: `${P}terraformRole.customerManagedPolicies[0]`,
    message: /no '\*', '\?' or '\$'/,
  },
  {
    name: "a customer managed policy whose path is longer than IAM allows",
    mutate: (c) => (c.terraformRole.customerManagedPolicies = [`${"p/".repeat(256)}X`]),
    path: `${P}terraformRole.customerManagedPolicies[0]`,
    message: /path of 513 characters.*at most 512/,
  },
  {
    name: "a state key prefix with a '*' (the CI roles' object ARNs)",
    mutate: (c) => (c.state = { keyPrefix: "a*" }),
    path: `${P}state.keyPrefix`,
    message: /no '\*'/,
  },
  {
    name: "an IAM path with a '*'",
    mutate: (c) => (c.ci = { path: "/ci*/" }),
    path: `${P}ci.path`,
    message: /other than '\*', '\?' and '\$'/,
  },
  {
    name: "a role name longer than IAM allows",
    mutate: (c) => (c.terraformRole.name = "t".repeat(65)),
    path: `${P}terraformRole.name`,
    message: /1-64 characters/,
  },
  {
    name: "a Terraform role named like the bootstrap role, in another case",
    mutate: (c) => (c.terraformRole.name = "organizationaccountaccessrole"),
    path: `${P}terraformRole.name`,
    message: /name of a bootstrap role/,
  },
  {
    name: "a plan role named like a product account's own bootstrap role",
    mutate: (c) => {
      c.productAccounts[1].bootstrapRoleName = "Deployer";
      c.terraformPlanRole = { name: "deployer" };
    },
    path: `${P}terraformPlanRole.name`,
    message: /name of a bootstrap role/,
  },
  {
    name: "a CI role named like the Terraform account's bootstrap role",
    mutate: (c) => (c.ci = { planRoleName: "OrganizationAccountAccessRole" }),
    path: `${P}ci.planRoleName`,
    message: /bootstrap role \(terraformAccount\.bootstrapRoleName\)/,
  },
  {
    name: "CI roles whose names differ only in case",
    mutate: (c) => (c.ci = { roleName: "tf-ci", planRoleName: "TF-CI" }),
    path: `${P}ci.planRoleName`,
    message: /only in case/,
  },
  {
    name: "the Terraform and plan roles, named alike",
    mutate: (c) => (c.terraformPlanRole = { name: "terraform" }),
    path: `${P}terraformPlanRole.name`,
    message: /same as terraformRole\.name/,
  },
  {
    name: "CI users whose names differ only in case",
    mutate: (c) => (c.ci = { userName: "ci", planUserName: "CI" }),
    path: `${P}ci.planUserName`,
    message: /only in case/,
  },
  {
    name: "a trail name shorter than CloudTrail allows (its ARN is in the trail key's policy)",
    mutate: (c) => (c.audit = { trailName: "tr" }),
    path: `${P}audit.trailName`,
    message: /3-128 letters/,
  },
  {
    name: "two KMS aliases of the same name",
    mutate: (c) => {
      c.state = { kmsAlias: "tf" };
      c.audit = { kmsAlias: "tf" };
    },
    path: `${P}audit.kmsAlias`,
    message: /same as state\.kmsAlias/,
  },
  {
    name: "the log bucket named like the state bucket",
    mutate: (c) => (c.audit = { logBucketName: "acme-tfstate-111111111111-eu-west-1" }),
    path: `${P}audit.logBucketName`,
    message: /same as the state bucket/,
  },
  {
    name: "iam without a boundary and without the acknowledgement",
    mutate: (c) => void c.terraformRole.allowedServices.push("iam"),
    path: `${P}terraformRole.allowedServices`,
    message: /'iam' without a permissionsBoundary.*acknowledgeIamWithoutBoundary: true/,
  },
  {
    name: "AdministratorAccess without a boundary (IAM writes, as 'iam' would)",
    mutate: (c) =>
      (c.terraformRole.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]),
    path: `${P}terraformRole.managedPolicyArns[0]`,
    message: /grants IAM writes.*permissionsBoundary/,
  },
  {
    name: "a boundary that grants every IAM action",
    mutate: (c) => {
      c.terraformRole.allowedServices.push("iam");
      c.terraformRole.permissionsBoundary = "arn:aws:iam::aws:policy/IAMFullAccess";
    },
    path: `${P}terraformRole.permissionsBoundary`,
    message: /bounds nothing/,
  },
  {
    name: "the acknowledgement where nothing needs it",
    mutate: (c) => (c.terraformRole.acknowledgeIamWithoutBoundary = true),
    path: `${P}terraformRole.acknowledgeIamWithoutBoundary`,
    message: /has no effect.*Remove the setting/,
  },
];

describe("config values that reach IAM documents", () => {
  it("accepts the valid base config", () => {
    const result = parseStackConfig(valid());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  });

  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const config = valid();
      c.mutate(config);
      assertProblem(config, c.path, c.message);
    });
  }

  it("accepts what is safe: admins with a path, users, iam with a boundary or acknowledged", () => {
    for (const mutate of [
      (c: Record<string, any>) =>
        (c.adminPrincipals = [
          `arn:aws:iam::${TF}:role/ops/BreakGlass`,
          `arn:aws:iam::${TF}:user/alice`,
        ]),
      (c: Record<string, any>) => {
        c.terraformRole.allowedServices.push("iam");
        c.terraformRole.permissionsBoundary = "team/TerraformBoundary";
      },
      (c: Record<string, any>) => {
        c.terraformRole.allowedServices.push("iam");
        c.terraformRole.acknowledgeIamWithoutBoundary = true;
      },
      (c: Record<string, any>) =>
        // In OIDC mode the stack creates no CI user: a user of that name is a person's.
        Object.assign(c, {
          ci: { mode: "github-oidc", repository: "acme/infrastructure" },
          adminPrincipals: [`arn:aws:iam::${TF}:user/terraform-ci`],
        }),
    ]) {
      const config = valid();
      mutate(config);
      const result = parseStackConfig(config);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    }
  });
});

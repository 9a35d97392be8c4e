import { strict as assert } from "node:assert";
import { decodePulumiConfig, loadStackConfig, parseStackConfig } from "../../../lib/config/parse";
import { ConfigError } from "../../../lib/errors/config-error";
import { assertProblem } from "./problems";

/** A valid config; each case changes one thing. */
function valid(): Record<string, unknown> {
  return {
    organization: "acme",
    region: "eu-west-1",
    terraformAccount: { id: "111111111111" },
    productAccounts: [
      { name: "dev", id: "222222222222" },
      { name: "prod", id: "444444444444" },
    ],
    terraformRole: { allowedServices: ["ec2", "s3"] },
  };
}

type Mutate = (c: Record<string, any>) => void;

interface Case {
  name: string;
  mutate: Mutate;
  /** Expected problem path and a fragment of its message. */
  path: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: "account id given as a number",
    mutate: (c) => (c.productAccounts[0].id = 222222222222),
    path: "tf-bootstrap:productAccounts[0].id",
    message: /12-digit AWS account id written as a quoted string/,
  },
  {
    name: "account id with 11 digits",
    mutate: (c) => (c.terraformAccount.id = "11111111111"),
    path: "tf-bootstrap:terraformAccount.id",
    message: /12-digit/,
  },
  {
    name: "duplicate account name",
    mutate: (c) => (c.productAccounts[1].name = "dev"),
    path: "tf-bootstrap:productAccounts[1].name",
    message: /repeats the name of productAccounts\[0\]/,
  },
  {
    name: "duplicate account id",
    mutate: (c) => (c.productAccounts[1].id = "222222222222"),
    path: "tf-bootstrap:productAccounts[1].id",
    message: /repeats the account id of productAccounts\[0\]/,
  },
  {
    name: "duplicate workspace",
    mutate: (c) => (c.productAccounts[1].workspace = "dev"),
    path: "tf-bootstrap:productAccounts[1].workspace",
    message: /repeats the workspace of productAccounts\[0\]/,
  },
  {
    name: "the Terraform account listed as a product account",
    mutate: (c) => (c.productAccounts[1].id = "111111111111"),
    path: "tf-bootstrap:productAccounts[1].id",
    message: /is the Terraform account's id/,
  },
  {
    name: "empty product account list",
    mutate: (c) => (c.productAccounts = []),
    path: "tf-bootstrap:productAccounts",
    message: /at least one product account/,
  },
  {
    name: "missing product account list",
    mutate: (c) => delete c.productAccounts,
    path: "tf-bootstrap:productAccounts",
    message: /is required/,
  },
  {
    name: "IAM role name with a forbidden character",
    mutate: (c) => (c.terraformRole.name = "terraform role"),
    path: "tf-bootstrap:terraformRole.name",
    message: /1-64 characters/,
  },
  {
    name: "IAM user name over 64 characters",
    mutate: (c) => (c.ci = { userName: "u".repeat(65) }),
    path: "tf-bootstrap:ci.userName",
    message: /1-64 characters/,
  },
  {
    name: "IAM path without slashes",
    mutate: (c) => (c.terraformRole.path = "terraform"),
    path: "tf-bootstrap:terraformRole.path",
    message: /starts and ends with '\/'/,
  },
  {
    name: "bucket name with uppercase letters",
    mutate: (c) => (c.state = { bucketName: "Acme-State" }),
    path: "tf-bootstrap:state.bucketName",
    message: /lowercase letters/,
  },
  {
    name: "bucket name too long",
    mutate: (c) => (c.state = { bucketName: "a".repeat(64) }),
    path: "tf-bootstrap:state.bucketName",
    message: /64 characters long; 3-63 allowed/,
  },
  {
    name: "generated bucket name too long",
    mutate: (c) => (c.state = { bucketPrefix: "a".repeat(45) }),
    path: "tf-bootstrap:state.bucketPrefix",
    message: /generated state bucket name .* 3-63 allowed/,
  },
  {
    name: "bucket name formatted as an IP address",
    mutate: (c) => (c.state = { bucketName: "192.168.1.1" }),
    path: "tf-bootstrap:state.bucketName",
    message: /IP address/,
  },
  {
    name: "unknown lock mode",
    mutate: (c) => (c.state = { lock: "redis" }),
    path: "tf-bootstrap:state.lock",
    message: /must be one of s3-lockfile, dynamodb, both/,
  },
  {
    name: "misspelled setting",
    mutate: (c) => (c.regoin = "eu-west-1"),
    path: "tf-bootstrap:regoin",
    message: /did you mean 'region'/,
  },
  {
    name: "misspelled nested setting",
    mutate: (c) => (c.productAccounts[0].workspce = "dev"),
    path: "tf-bootstrap:productAccounts[0].workspce",
    message: /did you mean 'workspace'/,
  },
  {
    name: "region of another partition",
    mutate: (c) => (c.region = "us-gov-west-1"),
    path: "tf-bootstrap:region",
    message: /belongs to the 'aws-us-gov' partition/,
  },
  {
    name: "Terraform role without permissions",
    mutate: (c) => (c.terraformRole = {}),
    path: "tf-bootstrap:terraformRole",
    message: /grants Terraform no permissions/,
  },
  {
    name: "customer policy given as ARN",
    mutate: (c) => (c.terraformRole.managedPolicyArns = ["arn:aws:iam::222222222222:policy/Mine"]),
    path: "tf-bootstrap:terraformRole.managedPolicyArns[0]",
    message: /customerManagedPolicies/,
  },
  {
    name: "service prefix in uppercase",
    mutate: (c) => (c.terraformRole.allowedServices = ["EC2"]),
    path: "tf-bootstrap:terraformRole.allowedServices[0]",
    message: /IAM service prefix in lowercase/,
  },
  {
    name: "session longer than 12 hours",
    mutate: (c) => (c.terraformRole.maxSessionDurationSeconds = 50000),
    path: "tf-bootstrap:terraformRole.maxSessionDurationSeconds",
    message: /at most 43200/,
  },
  {
    name: "workspace named default",
    mutate: (c) => (c.productAccounts[0].workspace = "default"),
    path: "tf-bootstrap:productAccounts[0].workspace",
    message: /Terraform's unnamed workspace/,
  },
  {
    name: "product account named terraform",
    mutate: (c) => (c.productAccounts[0].name = "terraform"),
    path: "tf-bootstrap:productAccounts[0].name",
    message: /reserved/,
  },
  {
    name: "admin principal that is not an ARN",
    mutate: (c) => (c.adminPrincipals = ["PlatformAdmin"]),
    path: "tf-bootstrap:adminPrincipals[0]",
    message: /IAM ARN/,
  },
];

describe("stack config validation", () => {
  it("accepts a valid config and applies the defaults", () => {
    const result = parseStackConfig(valid());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const c = result.config;
    assert.equal(c.partition, "aws");
    assert.equal(c.terraformAccount.bootstrapRoleName, "OrganizationAccountAccessRole");
    assert.equal(c.state.lock, "s3-lockfile");
    assert.equal(c.state.noncurrentVersionRetentionDays, 90);
    assert.equal(c.ci.maxSessionDurationSeconds, 3600);
    assert.equal(c.ci.createAccessKey, false);
    assert.equal(c.names.stateBucket, "acme-tfstate-111111111111-eu-west-1");
    assert.deepEqual(c.names.workspaces, { dev: "dev", prod: "prod" });
  });

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const config = valid();
      c.mutate(config);
      assertProblem(config, c.path, c.message);
    });
  }

  it("reports every problem at once, each with its path and value", () => {
    const config = valid() as Record<string, any>;
    config.terraformAccount.id = 111;
    config.productAccounts.push({ name: "dev", id: "123" });
    config.state = { lock: "redis", bucketName: "UPPER" };
    config.regoin = "x";
    const result = parseStackConfig(config);
    assert.equal(result.ok, false);
    if (result.ok) return;
    const byPath = new Map(result.problems.map((p) => [p.path, p]));
    for (const path of [
      "tf-bootstrap:terraformAccount.id",
      "tf-bootstrap:productAccounts[2].id",
      "tf-bootstrap:productAccounts[2].name",
      "tf-bootstrap:state.lock",
      "tf-bootstrap:regoin",
    ]) {
      assert.ok(byPath.has(path), `missing ${path} in ${[...byPath.keys()].join(", ")}`);
    }
    assert.equal(byPath.get("tf-bootstrap:terraformAccount.id")!.value, 111);
    assert.equal(byPath.get("tf-bootstrap:state.lock")!.value, "redis");
  });

  it("throws one ConfigError whose message lists every problem with how to fix it", () => {
    const config = valid() as Record<string, any>;
    config.region = "mars-1";
    config.state = { lock: "redis" };
    assert.throws(
      () => loadStackConfig(config, "stack 'example' config"),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, "TFB_CONFIG_INVALID");
        assert.equal(err.problems.length, 2);
        assert.match(
          err.message,
          /stack 'example' config has 2 problems; no resource was registered/,
        );
        assert.match(
          err.message,
          /tf-bootstrap:region = "mars-1": is not an AWS region\. The regions of 'aws' are af-south-1, .*, us-west-2\. Use the region code, as in eu-west-1\./,
        );
        assert.match(err.message, /tf-bootstrap:state\.lock = "redis"/);
        return true;
      },
    );
  });

  it("decodes Pulumi's flat config map: JSON objects, booleans, other namespaces ignored", () => {
    const decoded = decodePulumiConfig({
      "tf-bootstrap:region": "eu-west-1",
      "tf-bootstrap:productAccounts": '[{"name":"dev","id":"222222222222"}]',
      "tf-bootstrap:flag": "true",
      "aws:region": "us-east-1",
      "pulumi:disable-default-providers": '["aws"]',
    });
    assert.deepEqual(decoded, {
      region: "eu-west-1",
      productAccounts: [{ name: "dev", id: "222222222222" }],
      flag: true,
    });
  });
});

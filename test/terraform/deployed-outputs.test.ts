import { strict as assert } from "node:assert";
import {
  formatOutputProblems,
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
      },
      dev: {
        accountName: "dev",
        accountId: "222222222222",
        roleArn: "arn:aws:iam::222222222222:role/terraform",
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
    ciUserName: "terraform-ci",
    auditTrailArn: "arn:aws:cloudtrail:eu-west-1:111111111111:trail/terraform-audit",
    ciAccessKeyId: "[secret]",
    ciSecretAccessKey: "[secret]",
  };
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
        { path: "ciRoleArn", message: /is missing/ },
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

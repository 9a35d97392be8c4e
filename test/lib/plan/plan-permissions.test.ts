import { strict as assert } from "node:assert";
import { CREDENTIAL_READ_DENIES } from "../../../lib/iam/credential-reads";
import fc from "fast-check";
import { expandAction, nonReadOnlyGrants } from "../../../lib/iam/access-level";
import {
  catalogAction,
  catalogServices,
  isReadOnly,
  serviceCatalog,
} from "../../../lib/iam/action-catalog";
import { policyDocument } from "../../../lib/iam/documents";
import { evaluatePolicy } from "../../../lib/iam/evaluate";
import { anyActionMatches } from "../../../lib/iam/matching";
import type { PolicyDocument } from "../../../lib/iam/types";
import { IAM_LIMITS, policySize } from "../../../lib/plan/limits";
import {
  DENY_SECRET_READS_SID,
  KMS_DECRYPT_ACTIONS,
  OTHER_SECRET_READ_ACTIONS,
  PARAMETER_STORE_VALUE_ACTIONS,
  PLAN_READ_SID,
  SECRET_READ_ACTIONS,
  SECRETS_MANAGER_VALUE_ACTIONS,
  denySecretReads,
  secretReadDenies,
  isPlanGrantable,
  planReadStatements,
  readPatternsForService,
  servicesWithoutCatalog,
} from "../../../lib/plan/plan-permissions";

const EXAMPLE_SERVICES = [
  "cloudwatch",
  "dynamodb",
  "ec2",
  "ecs",
  "elasticloadbalancing",
  "lambda",
  "logs",
  "rds",
  "s3",
  "sns",
  "sqs",
];

const TWENTY_FIVE_SERVICES = [
  ...EXAMPLE_SERVICES,
  "acm",
  "apigateway",
  "autoscaling",
  "cloudformation",
  "cloudfront",
  "ecr",
  "elasticache",
  "events",
  "iam",
  "kms",
  "route53",
  "secretsmanager",
  "ssm",
  "states",
];

const planDocument = (services: readonly string[]): PolicyDocument =>
  policyDocument(...planReadStatements(services), ...denySecretReads(services));

describe("plan role read statements", () => {
  it("are proved read-only for the example services", () => {
    const statements = planReadStatements(EXAMPLE_SERVICES);
    assert.equal(statements.length, 1);
    const [statement] = statements;
    assert.equal(statement?.Sid, PLAN_READ_SID);
    assert.equal(statement?.Effect, "Allow");
    assert.deepEqual(statement?.Resource, ["*"]);
    assert.deepEqual(nonReadOnlyGrants(planDocument(EXAMPLE_SERVICES)), []);
  });

  it("use compact patterns where the catalog proves them read-only", () => {
    const actions = planReadStatements(EXAMPLE_SERVICES)[0]?.Action ?? [];
    for (const pattern of ["ec2:Describe*", "ec2:Get*", "s3:Get*", "s3:List*", "rds:Describe*"]) {
      assert.ok(actions.includes(pattern), `${pattern} missing from ${actions.join(" ")}`);
    }
    assert.ok(!actions.some((a) => a.endsWith(":*")), "no service-wide wildcard");
  });

  it("narrow a verb pattern that would match a write, down to a clean one or exact names", () => {
    // In the pinned catalog ec2:Export* matches Write actions (ec2:ExportImage); its two
    // ExportClient* actions are Read, and one more Read action shares no clean prefix.
    const exports = expandAction("ec2:Export*");
    assert.ok(exports.ok && exports.actions.some((a) => !isReadOnly(a)));
    const patterns = readPatternsForService("ec2");
    assert.ok(!patterns.includes("ec2:Export*"));
    assert.ok(patterns.includes("ec2:ExportClient*"));
    assert.ok(patterns.includes("ec2:ExportVerifiedAccessInstanceClientConfiguration"));
  });

  it("name an action exactly when its pattern would stand for it alone", () => {
    // dynamodb:Scan* would match dynamodb:Scan only: the exact name is as short and safer.
    assert.ok(readPatternsForService("dynamodb").includes("dynamodb:Scan"));
    assert.ok(readPatternsForService("dynamodb").includes("dynamodb:Query"));
  });

  it("cover every List and Read action of every catalog service but those with a side-effect verb, and only those", () => {
    for (const service of catalogServices()) {
      const patterns = readPatternsForService(service);
      for (const action of serviceCatalog(service)?.actions ?? []) {
        assert.equal(
          anyActionMatches(patterns, action.action),
          isPlanGrantable(action),
          `${action.action} (${action.levels.join(", ")}) against ${patterns.join(" ")}`,
        );
      }
    }
  });

  it("have no non-read grant for any single catalog service", () => {
    for (const service of catalogServices()) {
      assert.deepEqual(ids(nonReadOnlyGrants(planDocument([service]))), [], service);
    }
  });

  it("have no non-read grant for any set of catalog services", () => {
    const services = catalogServices();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...services), { minLength: 0, maxLength: 25 }),
        (chosen) => {
          assert.deepEqual(ids(nonReadOnlyGrants(planDocument(chosen))), []);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("fit IAM's inline aggregate for the example list and for 25 services", () => {
    const example = policySize(planDocument(EXAMPLE_SERVICES));
    const large = policySize(planDocument(TWENTY_FIVE_SERVICES));
    assert.equal(new Set(TWENTY_FIVE_SERVICES).size, 25);
    assert.ok(example <= IAM_LIMITS.roleInlineAggregate, `${example} characters`);
    assert.ok(large <= IAM_LIMITS.roleInlineAggregate, `${large} characters`);
    // The compact patterns keep the documents far below the quota; a jump here is a regression.
    assert.ok(example < 2500, `${example} characters`);
    assert.ok(large < 4000, `${large} characters`);
  });

  it("are deterministic: order, repeats and case of the service list do not matter", () => {
    const expected = planReadStatements(EXAMPLE_SERVICES);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(EXAMPLE_SERVICES, { minLength: EXAMPLE_SERVICES.length }),
        fc.boolean(),
        (shuffled, upper) => {
          const services = [...shuffled, shuffled[0] ?? "ec2"].map((s) =>
            upper ? s.toUpperCase() : s,
          );
          assert.deepEqual(planReadStatements(services), expected);
        },
      ),
      { numRuns: 25 },
    );
    const actions = expected[0]?.Action ?? [];
    assert.deepEqual(actions, [...actions].sort());
  });

  it("grant nothing for a service the catalog does not know, and report it", () => {
    assert.deepEqual(planReadStatements(["no-such-service"]), []);
    assert.deepEqual(planReadStatements([]), []);
    assert.deepEqual(planReadStatements(["ec2", "no-such-service"]), planReadStatements(["ec2"]));
    assert.deepEqual(servicesWithoutCatalog(["ec2", "No-Such", "no-such", "s3"]), ["no-such"]);
  });
});

describe("plan role secret-read Deny", () => {
  const [statement, ...rest] = denySecretReads("all");

  it("is one Deny statement on every resource", () => {
    assert.equal(rest.length, 0);
    assert.equal(statement?.Sid, DENY_SECRET_READS_SID);
    assert.equal(statement?.Effect, "Deny");
    assert.deepEqual(statement?.Resource, ["*"]);
    assert.deepEqual(statement?.Action, secretReadDenies("all"));
    for (const action of SECRET_READ_ACTIONS) assert.ok(statement?.Action?.includes(action));
  });

  it("adds the credential reads of the services the role reads, or of every service", () => {
    const ec2Only = secretReadDenies(["ec2"]);
    for (const action of SECRET_READ_ACTIONS) assert.ok(ec2Only.includes(action), action);
    assert.ok(!ec2Only.includes("ecr:GetAuthorizationToken"));
    assert.ok(secretReadDenies(["ECR"]).includes("ecr:GetAuthorizationToken"));
    const all = secretReadDenies("all");
    for (const action of CREDENTIAL_READ_DENIES) assert.ok(all.includes(action), action);
    for (const action of [
      "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
      "wafv2:GetDecryptedAPIKey",
      "sts:GetSessionToken",
    ]) {
      assert.ok(all.includes(action), action);
    }
  });

  it("names the actions that return secret values", () => {
    for (const action of [
      "secretsmanager:GetSecretValue",
      "secretsmanager:BatchGetSecretValue",
      "ssm:GetParameter",
      "ssm:GetParameters",
      "ssm:GetParametersByPath",
      "ssm:GetParameterHistory",
      "kms:Decrypt",
      "kms:ReEncryptFrom",
      "acm:ExportCertificate",
    ]) {
      assert.ok(SECRET_READ_ACTIONS.includes(action), action);
    }
    assert.deepEqual(
      [...SECRET_READ_ACTIONS].sort(),
      [
        ...SECRETS_MANAGER_VALUE_ACTIONS,
        ...PARAMETER_STORE_VALUE_ACTIONS,
        ...KMS_DECRYPT_ACTIONS,
        ...OTHER_SECRET_READ_ACTIONS,
      ].sort(),
    );
  });

  it("names only actions the catalog knows, each once, sorted", () => {
    for (const action of SECRET_READ_ACTIONS) {
      assert.equal(catalogAction(action)?.action, action, `${action} is not in the catalog`);
    }
    assert.equal(new Set(SECRET_READ_ACTIONS).size, SECRET_READ_ACTIONS.length);
    assert.deepEqual([...SECRET_READ_ACTIONS], [...SECRET_READ_ACTIONS].sort());
  });

  it("leaves out Read actions that change something, such as receiving queue messages", () => {
    const doc = policyDocument(...planReadStatements(["sqs", "logs", "ec2", "ssm"]));
    const allowed = (action: string) =>
      evaluatePolicy(doc, { action, resource: "*" }).decision === "allow";
    for (const action of [
      "sqs:ReceiveMessage",
      "logs:StartQuery",
      "logs:StopQuery",
      "ssm:PutConfigurePackageResult",
      "ec2:StartDeclarativePoliciesReport",
    ]) {
      assert.equal(
        catalogAction(action) !== undefined && isReadOnly(catalogAction(action)!),
        true,
        `${action} is Read-level`,
      );
      assert.equal(allowed(action), false, action);
    }
    for (const action of [
      "sqs:GetQueueAttributes",
      "logs:DescribeLogGroups",
      "ec2:DescribeInstances",
      "ssm:DescribeParameters",
    ]) {
      assert.equal(allowed(action), true, action);
    }
  });

  it("leaves the reads Terraform needs to refresh resources", () => {
    for (const action of [
      "lambda:GetFunction",
      "ecs:DescribeTaskDefinition",
      "ssm:DescribeParameters",
      "ssm:GetDocument",
      "secretsmanager:DescribeSecret",
      "kms:DescribeKey",
      "ec2:DescribeInstances",
    ]) {
      assert.ok(!anyActionMatches(SECRET_READ_ACTIONS, action), action);
    }
  });

  it("wins over the read statement in the plan role's document", () => {
    const document = planDocument(TWENTY_FIVE_SERVICES);
    const decide = (action: string) =>
      evaluatePolicy(document, { action, resource: "arn:aws:secretsmanager:eu-west-1:1:x" })
        .decision;
    assert.equal(decide("secretsmanager:GetSecretValue"), "explicit-deny");
    assert.equal(decide("ssm:GetParametersByPath"), "explicit-deny");
    assert.equal(decide("kms:Decrypt"), "explicit-deny");
    assert.equal(decide("secretsmanager:DescribeSecret"), "allow");
    assert.equal(decide("ec2:DescribeInstances"), "allow");
    assert.equal(decide("ec2:RunInstances"), "implicit-deny");
  });
});

function ids(findings: readonly { id: string }[]): string[] {
  return findings.map((f) => f.id);
}

/**
 * One CI apply identity per environment, proved on the documents the program registers: a
 * session of dev's CI apply role (and dev's CI apply user, dev's OIDC workflows) is refused
 * prod's Terraform role and prod's state, and allowed dev's. An attacker's request is judged
 * with every context key the caller controls left unknown; the legitimate control request is
 * fully known.
 */
import { strict as assert } from "node:assert";
import { judgeRequest, type PartialRequest } from "../../lib/iam/judge";
import type { PolicyDocument } from "../../lib/iam/types";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  asPrincipal,
  documentOf,
  getValue,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const DEV = "222222222222";
const PROD = "444444444444";
const BUCKET = "acme-tfstate-111111111111-eu-west-1";
const stateOf = (workspace: string) =>
  `arn:aws:s3:::${BUCKET}/terraform/${workspace}/terraform.tfstate`;
const DEV_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-dev`;
const PROD_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-prod`;
const DEV_TERRAFORM = `arn:aws:iam::${DEV}:role/terraform`;
const PROD_TERRAFORM = `arn:aws:iam::${PROD}:role/terraform`;
const TABLE = `arn:aws:dynamodb:eu-west-1:${TF}:table/terraform-locks`;

/** The example stack with per-environment apply roles (new stacks' default). */
function perEnvironment(more: Record<string, unknown> = {}): Record<string, string> {
  const flat = stackConfig();
  const ci = getValue<Record<string, unknown>>(flat, "ci");
  return withValue(flat, "ci", { ...ci, applyRoles: "per-environment", ...more });
}

/** Every identity-policy document of the role named `roleName`: inline and attached. */
function policiesOf(result: SynthResult, roleName: string): PolicyDocument[] {
  const inline = resources(result, T.rolePolicy)
    .filter((r) => r.inputs.role === roleName)
    .map((r) => documentOf(r));
  const attached = resources(result, T.policy)
    .filter((r) => String(r.inputs.name).startsWith(`${roleName}-`))
    .map((r) => documentOf(r));
  assert.ok(inline.length > 0 && attached.length > 0, `${roleName} has its policies`);
  return [...inline, ...attached];
}

function request(arn: string, action: string, res: string, closed: boolean): PartialRequest {
  const base = asPrincipal(arn, TF);
  return { action, resource: res, principal: base.principal, context: base.context, closed };
}

/**
 * How the role's own policies and the bucket policy treat the request, in the Terraform
 * account (either may allow; a Deny in either refuses).
 */
function decide(
  docs: readonly PolicyDocument[],
  r: PartialRequest,
): "allowed" | "refused" | "maybe" {
  const judged = docs.map((d) => judgeRequest(d, r));
  if (judged.some((j) => j.deny === "yes")) return "refused";
  if (judged.every((j) => j.allow === "no")) return "refused";
  if (judged.some((j) => j.allow === "yes") && judged.every((j) => j.deny === "no"))
    return "allowed";
  return "maybe";
}

describe("one CI apply identity per environment", () => {
  let result: SynthResult;
  let dynamo: SynthResult;
  before(async () => {
    result = await synth(perEnvironment());
    const flat = perEnvironment();
    dynamo = await synth(
      withValue(flat, "state", { ...getValue<object>(flat, "state"), lock: "both" }),
    );
  });

  it("registers one CI apply role and one CI apply user per environment, and no shared one", () => {
    const roles = resources(result, T.role).map((r) => r.inputs.name);
    assert.deepEqual(roles.filter((n) => String(n).startsWith("terraform-ci")).sort(), [
      "terraform-ci-dev",
      "terraform-ci-plan",
      "terraform-ci-prod",
      "terraform-ci-staging",
    ]);
    const users = resources(result, T.user)
      .map((r) => String(r.inputs.name))
      .sort();
    assert.deepEqual(users, [
      "terraform-ci-dev",
      "terraform-ci-plan",
      "terraform-ci-prod",
      "terraform-ci-staging",
    ]);
  });

  it("exports each environment's apply role and user, and their access keys only as one secret", async () => {
    const keyed = await synth(perEnvironment({ createAccessKey: true }));
    const ci = keyed.outputs.ci as {
      applyRoleArns: object;
      applyUserNames: object;
      applyRoles: string;
    };
    assert.equal(ci.applyRoles, "per-environment");
    assert.deepEqual(ci.applyRoleArns, {
      dev: DEV_ROLE,
      prod: PROD_ROLE,
      staging: `arn:aws:iam::${TF}:role/terraform-ci-staging`,
    });
    assert.deepEqual(ci.applyUserNames, {
      dev: "terraform-ci-dev",
      prod: "terraform-ci-prod",
      staging: "terraform-ci-staging",
    });
    assert.equal(keyed.outputs.ciRoleArn, undefined, "no shared apply role");
    assert.equal(keyed.outputs.ciAccessKeyId, undefined, "no shared apply key");
    assert.equal(keyed.outputs.ciApplyAccessKeys, "[secret]");
    assert.deepEqual(
      resources(keyed, T.accessKey)
        .map((k) => String(k.inputs.user))
        .sort(),
      ["terraform-ci-dev", "terraform-ci-plan", "terraform-ci-prod", "terraform-ci-staging"],
    );
  });

  describe("a session of dev's CI apply role", () => {
    const cases: { name: string; action: string; target: () => string; bucket?: boolean }[] = [
      {
        name: "assume prod's Terraform role",
        action: "sts:AssumeRole",
        target: () => PROD_TERRAFORM,
      },
      {
        name: "overwrite prod's state",
        action: "s3:PutObject",
        target: () => stateOf("prod"),
        bucket: true,
      },
      {
        name: "read prod's state",
        action: "s3:GetObject",
        target: () => stateOf("prod"),
        bucket: true,
      },
      {
        name: "take prod's lockfile",
        action: "s3:PutObject",
        target: () => `${stateOf("prod")}.tflock`,
        bucket: true,
      },
      {
        name: "delete prod's lockfile",
        action: "s3:DeleteObject",
        target: () => `${stateOf("prod")}.tflock`,
        bucket: true,
      },
      {
        name: "assume staging's Terraform role",
        action: "sts:AssumeRole",
        target: () => `arn:aws:iam::333333333333:role/terraform`,
      },
    ];
    for (const c of cases) {
      it(`is refused: ${c.name}`, () => {
        const docs = policiesOf(result, "terraform-ci-dev");
        const bucket = documentOf(
          resource(result, T.bucketPolicy, "terraform-state-bucket-policy"),
        );
        const all = c.bucket ? [...docs, bucket] : docs;
        assert.equal(decide(all, request(DEV_ROLE, c.action, c.target(), false)), "refused");
      });
    }

    it("is allowed its own job: assume dev's Terraform role, read and write dev's state", () => {
      const docs = policiesOf(result, "terraform-ci-dev");
      const bucket = documentOf(resource(result, T.bucketPolicy, "terraform-state-bucket-policy"));
      assert.equal(
        decide(docs, request(DEV_ROLE, "sts:AssumeRole", DEV_TERRAFORM, true)),
        "allowed",
      );
      for (const action of ["s3:GetObject", "s3:PutObject"]) {
        assert.equal(
          decide([...docs, bucket], request(DEV_ROLE, action, stateOf("dev"), true)),
          "allowed",
          action,
        );
      }
      assert.equal(
        decide(
          [...docs, bucket],
          request(DEV_ROLE, "s3:DeleteObject", `${stateOf("dev")}.tflock`, true),
        ),
        "allowed",
      );
      // What init needs beyond its own workspace: the listing and the default workspace's state.
      assert.equal(
        decide(docs, {
          ...request(DEV_ROLE, "s3:ListBucket", `arn:aws:s3:::${BUCKET}`, true),
          context: { ...asPrincipal(DEV_ROLE, TF).context, "s3:prefix": "terraform/" },
        }),
        "allowed",
      );
      assert.equal(
        decide(
          docs,
          request(DEV_ROLE, "s3:GetObject", `arn:aws:s3:::${BUCKET}/terraform.tfstate`, true),
        ),
        "allowed",
      );
    });

    it("is refused prod's lock item and allowed its own (DynamoDB locking)", () => {
      const docs = policiesOf(dynamo, "terraform-ci-dev");
      const lock = (workspace: string, closed: boolean): PartialRequest => ({
        ...request(DEV_ROLE, "dynamodb:PutItem", TABLE, closed),
        context: {
          ...asPrincipal(DEV_ROLE, TF).context,
          "dynamodb:LeadingKeys": [`${BUCKET}/terraform/${workspace}/terraform.tfstate`],
        },
      });
      assert.equal(decide(docs, lock("prod", false)), "refused");
      assert.equal(decide(docs, lock("dev", true)), "allowed");
    });
  });

  it("prod's Terraform role trusts prod's CI apply role only: dev's is refused", () => {
    const trust = documentOf(resource(result, T.role, "prod-terraform-role"), "assumeRolePolicy");
    assert.equal(
      judgeRequest(trust, request(DEV_ROLE, "sts:AssumeRole", PROD_TERRAFORM, false)).allow,
      "no",
    );
    assert.equal(
      judgeRequest(trust, request(PROD_ROLE, "sts:AssumeRole", PROD_TERRAFORM, true)).allow,
      "yes",
    );
  });

  it("prod's CI apply role trusts prod's CI user only: dev's user is refused", () => {
    const trust = documentOf(
      resource(result, T.role, "terraform-ci-role-prod"),
      "assumeRolePolicy",
    );
    const user = (env: string) => `arn:aws:iam::${TF}:user/terraform-ci-${env}`;
    assert.equal(
      judgeRequest(trust, request(user("dev"), "sts:AssumeRole", PROD_ROLE, false)).allow,
      "no",
    );
    assert.equal(
      judgeRequest(trust, request(user("prod"), "sts:AssumeRole", PROD_ROLE, true)).allow,
      "yes",
    );
    // Each user's only permission names its own environment's role.
    const policy = documentOf(
      resource(result, T.userPolicy, "terraform-ci-apply-dev-assume-ci-role"),
    );
    assert.equal(
      judgeRequest(policy, request(user("dev"), "sts:AssumeRole", PROD_ROLE, false)).allow,
      "no",
    );
    assert.equal(
      judgeRequest(policy, request(user("dev"), "sts:AssumeRole", DEV_ROLE, true)).allow,
      "yes",
    );
  });

  it("github-oidc: prod's CI apply role admits only prod's environment subject", async () => {
    const oidc = await synth(stackConfig("example-oidc"));
    const role = `arn:aws:iam::${TF}:role/terraform-ci-production`;
    const trust = documentOf(
      resource(oidc, T.role, "terraform-ci-role-production"),
      "assumeRolePolicy",
    );
    const provider = `arn:aws:iam::${TF}:oidc-provider/token.actions.githubusercontent.com`;
    const token = (sub: string): PartialRequest => ({
      action: "sts:AssumeRoleWithWebIdentity",
      resource: role,
      principal: { kind: "federated", provider },
      context: {
        "token.actions.githubusercontent.com:sub": sub,
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      },
    });
    assert.equal(
      judgeRequest(trust, token("repo:acme/infrastructure:environment:dev")).allow,
      "no",
    );
    assert.equal(
      judgeRequest(trust, token("repo:acme/infrastructure:ref:refs/heads/main")).allow,
      "no",
    );
    assert.equal(
      judgeRequest(trust, token("repo:acme/infrastructure:environment:production")).allow,
      "yes",
    );
  });
});

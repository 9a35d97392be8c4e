/**
 * The two CI paths in each CI mode, on the inputs the program registers: who may take each CI
 * role (every trust policy analysed against exactly its allowed callers, OIDC subjects
 * included), what the plan path may do (read, lock, never write state or read secrets), and
 * the resources each mode creates.
 */
import { strict as assert } from "node:assert";
import { judgeRequest } from "../../lib/iam/judge";
import { analyzeTrust, type AllowedCaller } from "../../lib/iam";
import { nonReadOnlyGrants } from "../../lib/iam/access-level";
import { evaluatePolicy, type EvaluationRequest } from "../../lib/iam/evaluate";
import type { PolicyDocument } from "../../lib/iam/types";
import { ACCESS_TAG } from "../../lib/plan/model";
import type { SynthResult } from "../../scripts/synth/mock-runtime";
import {
  asPrincipal,
  documentOf,
  jsonInput,
  resource,
  resources,
  stackConfig,
  synth,
  T,
  withValue,
} from "../helpers/stack";

const TF = "111111111111";
const PRODUCTS = ["222222222222", "333333333333", "444444444444"];
const CI_ROLE = `arn:aws:iam::${TF}:role/terraform-ci`;
const CI_PLAN_ROLE = `arn:aws:iam::${TF}:role/terraform-ci-plan`;
const TERRAFORM_ROLES = PRODUCTS.map((id) => `arn:aws:iam::${id}:role/terraform`);
const PLAN_ROLES = PRODUCTS.map((id) => `arn:aws:iam::${id}:role/terraform-plan`);
const STATE = "arn:aws:s3:::acme-tfstate-111111111111-eu-west-1";
const GITHUB = `arn:aws:iam::${TF}:oidc-provider/token.actions.githubusercontent.com`;
const GITLAB = `arn:aws:iam::${TF}:oidc-provider/gitlab.example.com`;
const OIDC_PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

const aws = (arn: string): AllowedCaller => ({ kind: "aws", arn });

const as = (arn: string): Pick<EvaluationRequest, "principal" | "context"> => asPrincipal(arn, TF);

function trustOf(result: SynthResult, name: string): PolicyDocument {
  return documentOf(resource(result, T.role, name), "assumeRolePolicy");
}

/** The documents that give a role its permissions: inline, then the managed ones it creates. */
function permissionsOf(result: SynthResult, role: string): PolicyDocument[] {
  return [
    ...resources(result, T.rolePolicy).filter((p) => p.name.startsWith(`${role}-`)),
    ...resources(result, T.policy).filter((p) => p.name.startsWith(`${role}-`)),
  ].map((p) => documentOf(p));
}

/** The decision of a role's identity policies together (explicit deny beats allow). */
function decide(docs: readonly PolicyDocument[], request: EvaluationRequest): string {
  const decisions = docs.map((d) => evaluatePolicy(d, request).decision);
  if (decisions.includes("explicit-deny")) return "explicit-deny";
  if (decisions.includes("indeterminate")) return "indeterminate";
  return decisions.includes("allow") ? "allow" : "implicit-deny";
}

/** Every subject `trust` admits beyond `allowed`, read from the analyzer's findings. */
function admittedBeyond(trust: PolicyDocument, allowed: readonly AllowedCaller[]): string[] {
  return analyzeTrust(trust, allowed).map((f) => f.id);
}

function gitlabConfig(): Record<string, string> {
  const flat = stackConfig("example-oidc");
  return withValue(flat, "ci", {
    mode: "gitlab-oidc",
    repository: "acme/platform/infrastructure",
    gitlabUrl: "https://gitlab.example.com",
    branch: "main",
  });
}

describe("CI paths", () => {
  describe("iam-user mode (the example stack)", () => {
    let result: SynthResult;
    before(async () => {
      result = await synth();
    });

    it("creates one user per path, each tagged with its path, and no OIDC provider", () => {
      const users = resources(result, T.user);
      assert.deepEqual(users.map((u) => u.inputs.name).sort(), [
        "terraform-ci",
        "terraform-ci-plan",
      ]);
      for (const user of users) {
        const access = user.inputs.name === "terraform-ci" ? "apply" : "plan";
        assert.deepEqual(jsonInput(user, "tags"), { [ACCESS_TAG]: access });
        assert.equal(user.accountId, TF);
      }
      assert.equal(resources(result, OIDC_PROVIDER_TYPE).length, 0);
    });

    it("lets each user assume its own path's CI role only", () => {
      for (const [user, own, other] of [
        ["terraform-ci", CI_ROLE, CI_PLAN_ROLE],
        ["terraform-ci-plan", CI_PLAN_ROLE, CI_ROLE],
      ] as const) {
        const policies = resources(result, T.userPolicy).filter((p) => p.inputs.user === user);
        const docs = policies.map((p) => documentOf(p));
        assert.equal(decide(docs, { action: "sts:AssumeRole", resource: own }), "allow");
        assert.equal(decide(docs, { action: "sts:AssumeRole", resource: other }), "implicit-deny");
        for (const arn of [...TERRAFORM_ROLES, ...PLAN_ROLES]) {
          assert.equal(decide(docs, { action: "sts:AssumeRole", resource: arn }), "implicit-deny");
        }
      }
    });

    it("has every trust admit its own path's caller and nobody else", () => {
      const users = {
        apply: `arn:aws:iam::${TF}:user/terraform-ci`,
        plan: `arn:aws:iam::${TF}:user/terraform-ci-plan`,
      };
      const cases: [role: string, arn: string, caller: string, other: string][] = [
        ["terraform-ci-role", CI_ROLE, users.apply, users.plan],
        ["terraform-ci-plan-role", CI_PLAN_ROLE, users.plan, users.apply],
        ...["dev", "staging", "prod"].flatMap((k, i): [string, string, string, string][] => [
          [`${k}-terraform-role`, TERRAFORM_ROLES[i] ?? "", CI_ROLE, CI_PLAN_ROLE],
          [`${k}-plan-role`, PLAN_ROLES[i] ?? "", CI_PLAN_ROLE, CI_ROLE],
        ]),
      ];
      for (const [name, arn, caller, other] of cases) {
        const trust = trustOf(result, name);
        assert.deepEqual(analyzeTrust(trust, [aws(caller)]), [], name);
        const call = (who: string) =>
          evaluatePolicy(trust, { action: "sts:AssumeRole", resource: arn, ...as(who) }).decision;
        assert.equal(call(caller), "allow", `${name} admits ${caller}`);
        assert.equal(call(other), "implicit-deny", `${name} refuses ${other}`);
      }
    });
  });

  describe("the plan path's permissions", () => {
    let result: SynthResult;
    before(async () => {
      result = await synth();
    });

    it("tags every role with its path", () => {
      for (const role of resources(result, T.role)) {
        const access = /plan/.test(role.inputs.name as string) ? "plan" : "apply";
        assert.deepEqual(jsonInput(role, "tags"), { [ACCESS_TAG]: access }, role.name);
      }
    });

    it("lets the product plan role read the managed services, write nothing, and read no secret", () => {
      const docs = permissionsOf(result, "dev-plan-role");
      for (const doc of docs) assert.deepEqual(nonReadOnlyGrants(doc), []);
      const can = (action: string, res = "*") => decide(docs, { action, resource: res });
      assert.equal(can("ec2:DescribeInstances"), "allow");
      assert.equal(can("s3:GetBucketPolicy", "arn:aws:s3:::any"), "allow");
      assert.equal(can("lambda:GetFunction"), "allow");
      for (const write of [
        "ec2:RunInstances",
        "s3:PutObject",
        "iam:PassRole",
        "lambda:InvokeFunction",
      ]) {
        assert.equal(can(write), "implicit-deny", write);
      }
      for (const secret of [
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParametersByPath",
        "kms:Decrypt",
      ]) {
        assert.equal(can(secret), "explicit-deny", secret);
      }
    });

    it("lets the CI plan role read state and hold the lockfile, but write no state", () => {
      const docs = permissionsOf(result, "terraform-ci-plan-role");
      const state = `${STATE}/terraform/dev/terraform.tfstate`;
      const can = (action: string, res: string) => decide(docs, { action, resource: res });
      assert.equal(can("s3:GetObject", state), "allow");
      assert.equal(can("s3:PutObject", `${state}.tflock`), "allow");
      assert.equal(can("s3:DeleteObject", `${state}.tflock`), "allow");
      assert.equal(can("s3:PutObject", state), "implicit-deny");
      assert.equal(can("s3:DeleteObject", state), "implicit-deny");
      assert.equal(can("s3:GetObject", `${STATE}/terraform.tfstate`), "allow");
      for (const arn of PLAN_ROLES) assert.equal(can("sts:AssumeRole", arn), "allow", arn);
      for (const arn of TERRAFORM_ROLES) {
        assert.equal(can("sts:AssumeRole", arn), "implicit-deny", arn);
      }
    });

    it("has the state bucket refuse every object write of the plan path but the lockfile's", () => {
      const policy = documentOf(resource(result, T.bucketPolicy, "terraform-state-bucket-policy"));
      const state = `${STATE}/terraform/prod/terraform.tfstate`;
      const put = (who: string, res: string) =>
        evaluatePolicy(policy, { action: "s3:PutObject", resource: res, ...as(who) }).decision;
      assert.equal(put(CI_PLAN_ROLE, state), "explicit-deny");
      assert.notEqual(put(CI_PLAN_ROLE, `${state}.tflock`), "explicit-deny");
      assert.notEqual(put(CI_ROLE, state), "explicit-deny");
      assert.equal(put(`arn:aws:iam::${TF}:role/other`, state), "explicit-deny");
    });

    it("lets the plan path hold the DynamoDB lock but never write a state digest", async () => {
      const locked = await synth(
        withValue(stackConfig(), "state", { keyPrefix: "terraform", lock: "both" }),
      );
      const docs = permissionsOf(locked, "terraform-ci-plan-role");
      const table = `arn:aws:dynamodb:eu-west-1:${TF}:table/terraform-locks`;
      const lockId = "acme-tfstate-111111111111-eu-west-1/terraform/dev/terraform.tfstate";
      const put = (key: string) =>
        decide(docs, {
          action: "dynamodb:PutItem",
          resource: table,
          context: { "dynamodb:LeadingKeys": [key] },
        });
      assert.equal(put(lockId), "allow");
      assert.equal(put(`${lockId}-md5`), "explicit-deny");
      const apply = permissionsOf(locked, "terraform-ci-role");
      assert.equal(
        decide(apply, {
          action: "dynamodb:PutItem",
          resource: table,
          context: { "dynamodb:LeadingKeys": [`${lockId}-md5`] },
        }),
        "allow",
      );
    });
  });

  describe("github-oidc mode (the example-oidc stack)", () => {
    let result: SynthResult;
    const repo = "repo:acme/infrastructure";
    const apply: AllowedCaller = {
      kind: "oidc",
      providerArn: GITHUB,
      audience: "sts.amazonaws.com",
      subjects: ["dev", "production", "staging"].map((env) => `${repo}:environment:${env}`),
    };
    const plan: AllowedCaller = {
      ...apply,
      subjects: [`${repo}:pull_request`, `${repo}:ref:refs/heads/main`],
    };
    before(async () => {
      result = await synth(stackConfig("example-oidc"));
    });

    it("creates the GitHub OIDC provider with one audience, and no user and no key", () => {
      const [provider, ...others] = resources(result, OIDC_PROVIDER_TYPE);
      assert.equal(others.length, 0);
      assert.ok(provider);
      assert.equal(provider.accountId, TF);
      assert.equal(provider.inputs.url, "https://token.actions.githubusercontent.com");
      assert.deepEqual(jsonInput(provider, "clientIdLists"), ["sts.amazonaws.com"]);
      assert.equal(resources(result, T.user).length, 0);
      assert.equal(resources(result, T.accessKey).length, 0);
    });

    it("has each environment's CI apply role admit that environment's workflows and nothing else", () => {
      for (const env of ["dev", "production", "staging"]) {
        const trust = trustOf(result, `terraform-ci-role-${env}`);
        const ownSubject = `${repo}:environment:${env}`;
        const own: AllowedCaller = { ...apply, subjects: [ownSubject] };
        assert.deepEqual(analyzeTrust(trust, [own]), []);
        const others = { ...apply, subjects: apply.subjects.filter((s) => s !== ownSubject) };
        assert.notDeepEqual(analyzeTrust(trust, [others]), [], `${env}: only its own subject`);
        const beyond = admittedBeyond(trust, [{ ...apply, subjects: [] }]);
        assert.ok(beyond.length > 0, "the trust admits the environment's workflows");
        assert.notDeepEqual(analyzeTrust(trust, [plan]), []);
      }
    });

    it("has the CI plan role admit pull request workflows and the protected branch's jobs without an environment, nothing else", () => {
      const trust = trustOf(result, "terraform-ci-plan-role");
      assert.deepEqual(analyzeTrust(trust, [plan]), []);
      const prOnly = { ...plan, subjects: [`${repo}:pull_request`] };
      assert.notDeepEqual(analyzeTrust(trust, [prOnly]), [], "previews and drift plans on main");
      const otherBranch = {
        ...plan,
        subjects: [`${repo}:pull_request`, `${repo}:ref:refs/heads/feature`],
      };
      assert.notDeepEqual(analyzeTrust(trust, [otherBranch]), []);
      assert.ok(admittedBeyond(trust, [{ ...plan, subjects: [] }]).length > 0);
      assert.notDeepEqual(analyzeTrust(trust, [apply]), []);
    });

    it("has each product Terraform role trust its environment's CI apply role only", () => {
      const environments = { dev: "dev", staging: "staging", prod: "production" };
      for (const [key, env] of Object.entries(environments)) {
        const own = `${CI_ROLE}-${env}`;
        assert.deepEqual(analyzeTrust(trustOf(result, `${key}-terraform-role`), [aws(own)]), []);
        assert.notDeepEqual(
          analyzeTrust(trustOf(result, `${key}-terraform-role`), [aws(`${CI_ROLE}-staging-x`)]),
          [],
        );
        assert.deepEqual(
          analyzeTrust(trustOf(result, `${key}-plan-role`), [aws(CI_PLAN_ROLE)]),
          [],
        );
      }
    });

    it("uses an existing provider without creating one when told to", async () => {
      const flat = stackConfig("example-oidc");
      const ci = JSON.parse(flat["tf-bootstrap:ci"] ?? "{}") as Record<string, unknown>;
      const existing = await synth(withValue(flat, "ci", { ...ci, oidcProvider: "existing" }));
      assert.equal(resources(existing, OIDC_PROVIDER_TYPE).length, 0);
      assert.deepEqual(
        analyzeTrust(trustOf(existing, "terraform-ci-role-dev"), [
          { ...apply, subjects: [`${repo}:environment:dev`] },
        ]),
        [],
      );
    });
  });

  describe("gitlab-oidc mode", () => {
    let result: SynthResult;
    const project = "project_path:acme/platform/infrastructure:ref_type:branch:ref:";
    // Per-environment apply roles: the subject built from the project's
    // ci_id_token_sub_claim_components (ref_protected and environment after the ref).
    const apply: AllowedCaller = {
      kind: "oidc",
      providerArn: GITLAB,
      audience: "sts.amazonaws.com",
      subjects: [`${project}main:ref_protected:true:environment:dev`],
    };
    const plan: AllowedCaller = { ...apply, subjects: [`${project}*`] };
    before(async () => {
      result = await synth(gitlabConfig());
    });

    it("creates the GitLab instance's OIDC provider", () => {
      const providers = resources(result, OIDC_PROVIDER_TYPE);
      assert.deepEqual(
        providers.map((p) => p.inputs.url),
        ["https://gitlab.example.com"],
      );
    });

    it("pins each CI apply role to the protected branch and its environment, and lets the plan role admit any branch of the project", () => {
      const applyTrust = trustOf(result, "terraform-ci-role-dev");
      const planTrust = trustOf(result, "terraform-ci-plan-role");
      assert.deepEqual(analyzeTrust(applyTrust, [apply]), []);
      assert.deepEqual(analyzeTrust(planTrust, [plan]), []);
      // The apply trust admits main only: a feature branch is outside it.
      assert.notDeepEqual(analyzeTrust(planTrust, [apply]), []);
      assert.deepEqual(analyzeTrust(applyTrust, [plan]), []);
      // A merge request pipeline (a fork's branch named main included) is not protected, and
      // the default subject carries no environment: neither takes the apply role.
      const token = (subject: string) => ({
        action: "sts:AssumeRoleWithWebIdentity",
        resource: `arn:aws:iam::${TF}:role/terraform-ci-dev`,
        principal: { kind: "federated" as const, provider: GITLAB },
        context: {
          "gitlab.example.com:sub": subject,
          "gitlab.example.com:aud": "sts.amazonaws.com",
        },
      });
      for (const subject of [
        `${project}main:ref_protected:false:environment:dev`,
        `${project}main`,
        `${project}main:ref_protected:true:environment:production`,
      ]) {
        assert.equal(judgeRequest(applyTrust, token(subject)).allow, "no", subject);
      }
      assert.equal(judgeRequest(applyTrust, token(apply.subjects[0] ?? "")).allow, "yes");
      const otherProject = { ...plan, subjects: ["project_path:acme/other:ref_type:branch:ref:*"] };
      assert.notDeepEqual(analyzeTrust(planTrust, [otherProject]), []);
    });
  });
});

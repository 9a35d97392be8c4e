import { strict as assert } from "node:assert";
import { ciIdentityLeastPrivilege } from "../../policy-pack/ci-identity";
import { ciRoleTrustRestrictive } from "../../policy-pack/ci-role";
import { packPolicies } from "../../policy-pack/policies";
import { getValue, stackConfig, withValue } from "../helpers/stack";
import {
  changed,
  configuredStack,
  editDocument,
  exampleStack,
  named,
  UNKNOWN,
  validateResources,
  validateStack,
  type EngineResource,
  type Violation,
} from "./helpers/engine";

const TF = "111111111111";
/** The CI apply role of environment dev (apply roles are per environment). */
const APPLY_ROLE = "terraform-ci-role-dev";
const PLAN_ROLE = "terraform-ci-plan-role";
const PROVIDER = "terraform-oidc-provider";
const GITHUB = "token.actions.githubusercontent.com";
const GITLAB = "gitlab.com";
const GITLAB_PROJECT = "acme/platform/infrastructure";
const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

type Conditions = Record<string, Record<string, unknown>>;

/** `[id, resource name]` of each violation, for exact comparisons. */
function found(violations: readonly Violation[], stack: readonly EngineResource[]) {
  const byUrn = new Map(stack.map((r) => [r.urn, r.name]));
  return violations.map((v) => [v.id, v.urn === undefined ? undefined : byUrn.get(v.urn)]);
}

/** Edits the conditions of the first statement of the trust of the role named `name`. */
function withConditions(
  stack: readonly EngineResource[],
  name: string,
  edit: (conditions: Conditions) => void,
): EngineResource[] {
  return changed(stack, name, (r) =>
    editDocument(r, "assumeRolePolicy", (doc) => {
      const statement = doc.Statement[0];
      assert.ok(statement?.Condition, `${name}'s trust has conditions`);
      edit(statement.Condition as Conditions);
    }),
  );
}

/** The trust of `name` with its `host:sub` condition replaced by `subjects` under `operator`. */
function withSubjects(
  stack: readonly EngineResource[],
  name: string,
  host: string,
  operator: "StringEquals" | "StringLike",
  subjects: string[],
): EngineResource[] {
  return withConditions(stack, name, (conditions) => {
    for (const [op, block] of Object.entries(conditions)) {
      delete block[`${host}:sub`];
      if (Object.keys(block).length === 0) delete conditions[op];
    }
    conditions[operator] = { ...conditions[operator], [`${host}:sub`]: subjects };
  });
}

/** The subjects the trust of `name` pins for `host`, whatever the operator. */
function subjectsOf(stack: readonly EngineResource[], name: string, host: string): unknown[] {
  const trust = JSON.parse(String(named(stack, name).props.assumeRolePolicy)) as {
    Statement: { Condition?: Conditions }[];
  };
  return Object.values(trust.Statement[0]?.Condition ?? {}).flatMap((block) => {
    const value = block[`${host}:sub`];
    return value === undefined ? [] : [value].flat();
  });
}

/** `stack` with `statement` appended to the trust of the role named `name`. */
function withTrustStatement(
  stack: readonly EngineResource[],
  name: string,
  statement: Record<string, unknown>,
): EngineResource[] {
  return changed(stack, name, (r) =>
    editDocument(r, "assumeRolePolicy", (doc) => {
      doc.Statement.push(statement);
    }),
  );
}

async function everyPolicy(stack: readonly EngineResource[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of packPolicies()) {
    const violations =
      "validateStack" in p ? await validateStack(p, stack) : await validateResources(p, stack);
    if (violations.length > 0) out[p.name] = violations.map((v) => v.id);
  }
  return out;
}

describe("policy pack: OIDC workflows", () => {
  const trust = ciRoleTrustRestrictive();
  let github: EngineResource[];
  let gitlab: EngineResource[];
  before(async () => {
    github = await exampleStack("example-oidc");
    const flat = stackConfig("example-oidc");
    const ci = getValue<Record<string, unknown>>(flat, "ci");
    gitlab = await configuredStack(
      withValue(flat, "ci", { ...ci, mode: "gitlab-oidc", repository: GITLAB_PROJECT }),
      "example-gitlab",
    );
  });

  describe("GitHub Actions (stack example-oidc)", () => {
    it("passes every policy", async () => {
      assert.deepEqual(await everyPolicy(github), {});
    });

    it("pins environments on the CI apply role, and pull requests and the protected branch on the CI plan role", () => {
      assert.deepEqual(subjectsOf(github, APPLY_ROLE, GITHUB), [
        "repo:acme/infrastructure:environment:dev",
      ]);
      assert.deepEqual(subjectsOf(github, "terraform-ci-role-production", GITHUB), [
        "repo:acme/infrastructure:environment:production",
      ]);
      assert.deepEqual(subjectsOf(github, PLAN_ROLE, GITHUB), [
        "repo:acme/infrastructure:pull_request",
        "repo:acme/infrastructure:ref:refs/heads/main",
      ]);
    });

    const subjects: {
      name: string;
      role: string;
      operator: "StringEquals" | "StringLike";
      subjects: string[];
      id: string;
      text: RegExp;
    }[] = [
      {
        name: "a wildcard owner/repository on the CI apply role",
        role: APPLY_ROLE,
        operator: "StringLike",
        subjects: ["repo:acme/*:environment:production"],
        id: "OIDC::Subject:repo:acme/*:environment:production",
        text: /wildcard in the owner or repository part/,
      },
      {
        name: "a wildcard owner/repository, even under StringEquals",
        role: APPLY_ROLE,
        operator: "StringEquals",
        subjects: ["repo:acme/*:environment:production"],
        id: "OIDC::Subject:repo:acme/*:environment:production",
        text: /wildcard in the owner or repository part/,
      },
      {
        name: "every context of the repository on the CI apply role",
        role: APPLY_ROLE,
        operator: "StringLike",
        subjects: ["repo:acme/infrastructure:*"],
        id: "OIDC::Subject:repo:acme/infrastructure:*",
        text: /wildcard in its context/,
      },
      {
        name: "every context of the repository on the CI plan role",
        role: PLAN_ROLE,
        operator: "StringLike",
        subjects: ["repo:acme/infrastructure:*"],
        id: "OIDC::Subject:repo:acme/infrastructure:*",
        text: /wildcard in its context/,
      },
      {
        name: "pull requests on the CI apply role",
        role: APPLY_ROLE,
        operator: "StringEquals",
        subjects: [
          "repo:acme/infrastructure:environment:dev",
          "repo:acme/infrastructure:pull_request",
        ],
        id: "OIDC::Subject:repo:acme/infrastructure:pull_request",
        text: /admits every pull request job, whose code nobody has approved yet/,
      },
      {
        name: "pull requests of every repository of the owner on the CI plan role",
        role: PLAN_ROLE,
        operator: "StringLike",
        subjects: ["repo:acme/*:pull_request"],
        id: "OIDC::Subject:repo:acme/*:pull_request",
        text: /wildcard in the owner or repository part/,
      },
      {
        name: "a subject that is not a GitHub subject",
        role: APPLY_ROLE,
        operator: "StringEquals",
        subjects: ["acme/infrastructure"],
        id: "OIDC::Subject:acme/infrastructure",
        text: /is not a GitHub subject of the form repo:OWNER\/REPO:CONTEXT/,
      },
    ];
    for (const c of subjects) {
      it(`reports ${c.name}`, async () => {
        const odd = withSubjects(github, c.role, GITHUB, c.operator, c.subjects);
        const violations = await validateStack(trust, odd);
        assert.deepEqual(found(violations, odd), [[c.id, c.role]]);
        assert.match(violations[0]?.message ?? "", c.text);
        assert.match(violations[0]?.message ?? "", /Fix:/);
      });
    }

    it("reports a branch subject on the CI apply role: the config means its environments", async () => {
      const odd = withSubjects(github, APPLY_ROLE, GITHUB, "StringEquals", [
        "repo:acme/infrastructure:ref:refs/heads/main",
      ]);
      const violations = await validateStack(trust, odd);
      assert.ok(
        violations.some(
          (v) => v.id === "OIDC::Subject:repo:acme/infrastructure:ref:refs/heads/main",
        ),
        JSON.stringify(found(violations, odd)),
      );
    });

    it("accepts the protected branch on the CI apply role when the pack is given no config", async () => {
      const odd = withSubjects(github, APPLY_ROLE, GITHUB, "StringEquals", [
        "repo:acme/infrastructure:ref:refs/heads/main",
      ]);
      // Without the intent the subject's shape is all that can be judged, and the policy
      // fails closed on the missing intent itself.
      assert.deepEqual(
        (await validateStack(trust, odd, {}, "none")).map((v) => v.id),
        ["Intent::Missing"],
      );
    });

    const otherRepository: { role: string; subject: string }[] = [
      { role: APPLY_ROLE, subject: "repo:someone/else:environment:production" },
      { role: PLAN_ROLE, subject: "repo:someone/else:pull_request" },
    ];
    for (const c of otherRepository) {
      it(`reports ${c.role === APPLY_ROLE ? "the CI apply role" : "the CI plan role"} admitting workflows of a second repository`, async () => {
        const odd = withConditions(github, c.role, (conditions) => {
          const pinned = conditions.StringEquals?.[`${GITHUB}:sub`] as string[];
          pinned.push(c.subject);
        });
        const violations = await validateStack(trust, odd);
        assert.ok(
          violations.some((v) => v.urn === named(odd, c.role).urn && v.message.includes(c.subject)),
          JSON.stringify(found(violations, odd)),
        );
      });
    }

    it("reports a trust without the aud condition", async () => {
      const odd = withConditions(github, APPLY_ROLE, (conditions) => {
        delete conditions.StringEquals?.[`${GITHUB}:aud`];
      });
      const violations = await validateStack(trust, odd);
      assert.deepEqual(found(violations, odd), [["OIDC::Audience:Missing", APPLY_ROLE]]);
      assert.match(violations[0]?.message ?? "", /without pinning the audience/);
      assert.match(violations[0]?.message ?? "", /\[at Statement\[0\]\.Condition\]/);
    });

    it("reports a trust of the CI plan role without the aud condition", async () => {
      const odd = withConditions(github, PLAN_ROLE, (conditions) => {
        delete conditions.StringEquals?.[`${GITHUB}:aud`];
      });
      assert.deepEqual(found(await validateStack(trust, odd), odd), [
        ["OIDC::Audience:Missing", PLAN_ROLE],
      ]);
    });

    it("reports an aud the stack's OIDC provider does not accept", async () => {
      const odd = withConditions(github, APPLY_ROLE, (conditions) => {
        (conditions.StringEquals ?? {})[`${GITHUB}:aud`] = ["https://github.com/acme"];
      });
      const violations = await validateStack(trust, odd);
      assert.deepEqual(found(violations, odd), [
        ["OIDC::Audience:https://github.com/acme", APPLY_ROLE],
      ]);
      assert.match(
        violations[0]?.message ?? "",
        /other than the allowed \["sts\.amazonaws\.com"\]/,
      );
    });

    it("accepts another audience when the provider and every CI role's trust pin it", async () => {
      let odd = changed(github, PROVIDER, (r) => {
        r.props.clientIdLists = ["https://github.com/acme"];
      });
      const applyRoles = ["dev", "staging", "production"].map((e) => `terraform-ci-role-${e}`);
      for (const role of [...applyRoles, PLAN_ROLE]) {
        odd = withConditions(odd, role, (conditions) => {
          (conditions.StringEquals ?? {})[`${GITHUB}:aud`] = ["https://github.com/acme"];
        });
      }
      assert.deepEqual(await everyPolicy(odd), {});
    });

    it('reports a second statement with Principal "*"', async () => {
      const odd = withTrustStatement(github, APPLY_ROLE, {
        Effect: "Allow",
        Principal: "*",
        Action: WEB_IDENTITY,
      });
      const violations = await validateStack(trust, odd);
      assert.deepEqual(found(violations, odd), [["Principal::*", APPLY_ROLE]]);
      assert.match(violations[0]?.message ?? "", /\[at Statement\[1\]\.Principal\]/);
    });

    it('reports a second statement with Principal {"AWS": "*"}', async () => {
      const odd = withTrustStatement(github, PLAN_ROLE, {
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: WEB_IDENTITY,
      });
      assert.deepEqual(found(await validateStack(trust, odd), odd), [
        ["Principal::AWS:*", PLAN_ROLE],
      ]);
    });

    it("reports a second statement admitting another provider without conditions", async () => {
      const other = `arn:aws:iam::${TF}:oidc-provider/${GITLAB}`;
      const odd = withTrustStatement(github, APPLY_ROLE, {
        Effect: "Allow",
        Principal: { Federated: other },
        Action: WEB_IDENTITY,
      });
      assert.deepEqual(found(await validateStack(trust, odd), odd), [
        [`Principal::Federated:${other}`, APPLY_ROLE],
      ]);
    });

    it("reports a second statement admitting a provider other than the stack's", async () => {
      const other = `arn:aws:iam::${TF}:oidc-provider/${GITLAB}`;
      const odd = withTrustStatement(github, APPLY_ROLE, {
        Effect: "Allow",
        Principal: { Federated: other },
        Action: WEB_IDENTITY,
        Condition: {
          StringEquals: {
            [`${GITLAB}:aud`]: "sts.amazonaws.com",
            [`${GITLAB}:sub`]: "project_path:someone/else:ref_type:branch:ref:main",
          },
        },
      });
      const violations = await validateStack(trust, odd);
      assert.ok(
        violations.some((v) => v.urn === named(odd, APPLY_ROLE).urn && v.message.includes(other)),
        JSON.stringify(found(violations, odd)),
      );
    });

    it("reports an OIDC provider that accepts two audiences", async () => {
      const odd = changed(github, PROVIDER, (r) => {
        r.props.clientIdLists = ["sts.amazonaws.com", "https://github.com/acme"];
      });
      const violations = await validateStack(ciIdentityLeastPrivilege(), odd);
      assert.deepEqual(found(violations, odd), [["OIDC::Audiences", PROVIDER]]);
      assert.match(
        violations[0]?.message ?? "",
        /accepts 2 audiences \(sts\.amazonaws\.com, https:\/\/github\.com\/acme\)/,
      );
    });

    it("fails closed on the provider's audiences unknown at preview", async () => {
      const odd = changed(github, PROVIDER, (r) => {
        r.props.clientIdLists = UNKNOWN.array;
      });
      assert.deepEqual(found(await validateStack(ciIdentityLeastPrivilege(), odd), odd), [
        ["Unknown::clientIdLists", PROVIDER],
      ]);
    });

    it("fails closed on a CI role trust unknown at preview", async () => {
      for (const role of [APPLY_ROLE, PLAN_ROLE]) {
        const odd = changed(github, role, (r) => {
          r.props.assumeRolePolicy = UNKNOWN.string;
        });
        assert.deepEqual(found(await validateStack(trust, odd), odd), [
          ["Unknown::assumeRolePolicy", role],
        ]);
      }
    });

    it("holds a CI plan role whose tag is removed to the apply rules", async () => {
      const odd = changed(github, PLAN_ROLE, (r) => {
        r.props.tags = {};
      });
      const violations = await validateStack(trust, odd);
      assert.ok(
        violations.some(
          (v) =>
            v.id === "OIDC::Subject:repo:acme/infrastructure:pull_request" &&
            v.urn === named(odd, PLAN_ROLE).urn,
        ),
        JSON.stringify(found(violations, odd)),
      );
    });

    it("fails closed on a CI plan role whose tag is unknown at preview", async () => {
      const odd = changed(github, PLAN_ROLE, (r) => {
        r.props.tags = { "tf-bootstrap:access": UNKNOWN.string };
      });
      const ids = (await validateStack(trust, odd)).map((v) => v.id);
      assert.ok(ids.includes("OIDC::Subject:repo:acme/infrastructure:pull_request"), ids.join());
    });
  });

  describe("GitLab CI (gitlab-oidc variant of example-oidc)", () => {
    it("passes every policy", async () => {
      assert.deepEqual(await everyPolicy(gitlab), {});
    });

    it("pins the protected branch and its environment on each CI apply role and every branch on the CI plan role", () => {
      assert.deepEqual(subjectsOf(gitlab, APPLY_ROLE, GITLAB), [
        `project_path:${GITLAB_PROJECT}:ref_type:branch:ref:main:ref_protected:true:environment:dev`,
      ]);
      assert.deepEqual(subjectsOf(gitlab, PLAN_ROLE, GITLAB), [
        `project_path:${GITLAB_PROJECT}:ref_type:branch:ref:*`,
      ]);
    });

    const subjects: {
      name: string;
      role: string;
      operator: "StringEquals" | "StringLike";
      subject: string;
      text: RegExp;
    }[] = [
      {
        name: "every branch on the CI apply role",
        role: APPLY_ROLE,
        operator: "StringLike",
        subject: `project_path:${GITLAB_PROJECT}:ref_type:branch:ref:*`,
        text: /wildcard in its ref; the apply path admits only the protected branch/,
      },
      {
        name: "every project of the group on the CI apply role",
        role: APPLY_ROLE,
        operator: "StringEquals",
        subject: "project_path:acme/*:ref_type:branch:ref:main",
        text: /does not name exactly one project/,
      },
      {
        name: "every project of the group on the CI plan role",
        role: PLAN_ROLE,
        operator: "StringLike",
        subject: "project_path:acme/*:ref_type:branch:ref:*",
        text: /does not name exactly one project/,
      },
      {
        name: "a project path without a group",
        role: PLAN_ROLE,
        operator: "StringLike",
        subject: "project_path:infrastructure:ref_type:branch:ref:*",
        text: /does not name exactly one project/,
      },
      {
        name: "a subject that is not a GitLab subject",
        role: APPLY_ROLE,
        operator: "StringEquals",
        subject: `repo:${GITLAB_PROJECT}:environment:production`,
        text: /is not a GitLab subject of the form project_path:GROUP\/PROJECT/,
      },
    ];
    for (const c of subjects) {
      it(`reports ${c.name}`, async () => {
        const odd = withSubjects(gitlab, c.role, GITLAB, c.operator, [c.subject]);
        const violations = await validateStack(trust, odd);
        assert.deepEqual(found(violations, odd), [[`OIDC::Subject:${c.subject}`, c.role]]);
        assert.match(violations[0]?.message ?? "", c.text);
      });
    }

    it("reports a trust without the aud condition", async () => {
      const odd = withConditions(gitlab, PLAN_ROLE, (conditions) => {
        delete conditions.StringEquals;
      });
      assert.deepEqual(found(await validateStack(trust, odd), odd), [
        ["OIDC::Audience:Missing", PLAN_ROLE],
      ]);
    });
  });
});

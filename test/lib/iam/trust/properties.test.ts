import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
  analyzeTrust,
  type AllowedCaller,
  type PolicyDocument,
  type Statement,
} from "../../../../lib/iam";
import { evaluateRequest } from "./reference-evaluator";
import {
  REQUESTS,
  allowedArb,
  awsPolicyArb,
  oidcAllowedArb,
  oidcPolicyArb,
  isAllowedCaller,
  statementArb,
  trustPolicyArb,
} from "./trust-arbitraries";

const RUNS = { numRuns: 200 };

function withStatement(doc: PolicyDocument, statement: Statement, at: number): PolicyDocument {
  const statements = [...doc.Statement];
  statements.splice(at % (statements.length + 1), 0, statement);
  return { ...doc, Statement: statements };
}

describe("analyzeTrust properties", () => {
  const generators = [
    { name: "mixed", policies: trustPolicyArb, allowed: allowedArb, runs: 200 },
    { name: "web identity", policies: oidcPolicyArb, allowed: oidcAllowedArb, runs: 300 },
    { name: "IAM callers", policies: awsPolicyArb, allowed: allowedArb, runs: 300 },
  ];
  for (const generator of generators) {
    it(`is sound (${generator.name} policies): an outside caller the reference evaluator allows always yields a finding`, () => {
      let permissiveSeen = 0;
      let restrictiveSeen = 0;
      fc.assert(
        fc.property(generator.policies, generator.allowed, (doc, allowed) => {
          const findings = analyzeTrust(doc, allowed);
          const escaping = REQUESTS.find(
            (request) =>
              !isAllowedCaller(request, allowed) && evaluateRequest(doc, request) === "allow",
          );
          if (escaping !== undefined) {
            permissiveSeen += 1;
            assert.ok(
              findings.length > 0,
              `no finding, yet ${JSON.stringify(escaping)} is allowed by ${JSON.stringify(doc)}`,
            );
          }
          if (findings.length === 0) {
            restrictiveSeen += 1;
          }
        }),
        { numRuns: generator.runs },
      );
      assert.ok(permissiveSeen > 20, "the generator must produce permissive policies");
      assert.ok(restrictiveSeen > 10, "the generator must produce restrictive policies");
    });
  }

  it("adding an Allow never turns a permissive trust restrictive", () => {
    fc.assert(
      fc.property(
        trustPolicyArb,
        allowedArb,
        statementArb("Allow"),
        fc.nat(),
        (doc, allowed, extra, at) => {
          fc.pre(analyzeTrust(doc, allowed).length > 0);
          assert.ok(analyzeTrust(withStatement(doc, extra, at), allowed).length > 0);
        },
      ),
      RUNS,
    );
  });

  it("adding a Deny never turns a restrictive trust permissive", () => {
    fc.assert(
      fc.property(
        trustPolicyArb,
        allowedArb,
        statementArb("Deny"),
        fc.nat(),
        (doc, allowed, extra, at) => {
          fc.pre(analyzeTrust(doc, allowed).length === 0);
          assert.deepEqual(analyzeTrust(withStatement(doc, extra, at), allowed), []);
        },
      ),
      { ...RUNS, maxSkipsPerRun: 1000 },
    );
  });

  it("a trust that names only allowed callers is restrictive", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,12}$/);
    const account = fc.stringMatching(/^\d{12}$/);
    const role = fc
      .record({ account, path: fc.constantFrom("", "ci/", "a/b/"), name, user: fc.boolean() })
      .map(
        ({ account: a, path, name: n, user }) =>
          `arn:aws:iam::${a}:${user ? "user" : "role"}/${path}${n}`,
      );
    const subject = fc
      .tuple(
        name,
        name,
        fc.constantFrom("ref:refs/heads/main", "environment:prod", "*", "pull_request"),
      )
      .map(([org, repo, rest]) => `repo:${org}/${repo}:${rest}`);
    const provider = fc.constantFrom(
      "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
      "arn:aws:iam::111111111111:oidc-provider/gitlab.example.com/group",
    );
    const oidc = fc.record({
      providerArn: provider,
      audience: fc.constantFrom("sts.amazonaws.com", "api://x"),
      subjects: fc.uniqueArray(subject, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(role, { minLength: 1, maxLength: 3 }),
        fc.array(oidc, { maxLength: 2 }),
        fc.boolean(),
        fc.constantFrom("sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], "sts:*"),
        (arns, providers, split, action) => {
          const allowed: AllowedCaller[] = [
            ...arns.map((arn): AllowedCaller => ({ kind: "aws", arn })),
            ...providers.map((p): AllowedCaller => ({ kind: "oidc", ...p })),
          ];
          const awsStatements = split
            ? arns.map((arn) => ({ Effect: "Allow", Principal: { AWS: arn }, Action: action }))
            : [{ Effect: "Allow", Principal: { AWS: arns }, Action: action }];
          const oidcStatements = providers.map((p) => {
            const host = p.providerArn.split("oidc-provider/")[1] ?? "";
            return {
              Effect: "Allow",
              Principal: { Federated: p.providerArn },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { [`${host}:aud`]: p.audience },
                StringLike: { [`${host}:sub`]: p.subjects },
              },
            };
          });
          const policy = {
            Version: "2012-10-17",
            Statement: [...oidcStatements, ...awsStatements],
          };
          assert.deepEqual(analyzeTrust(policy, allowed), []);
          assert.deepEqual(analyzeTrust(JSON.stringify(policy), allowed), []);
        },
      ),
      RUNS,
    );
  });

  it("never throws, and reports unreadable documents as Document::Invalid", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json(), fc.string()), allowedArb, (input, allowed) => {
        const findings = analyzeTrust(input as object, allowed);
        assert.ok(Array.isArray(findings));
        for (const f of findings) {
          assert.equal(typeof f.id, "string");
          assert.equal(typeof f.message, "string");
        }
      }),
      RUNS,
    );
    assert.deepEqual(
      analyzeTrust("[]", []).map((f) => f.id),
      ["Document::Invalid"],
    );
  });

  it("gives stable, ordered findings", () => {
    fc.assert(
      fc.property(trustPolicyArb, allowedArb, (doc, allowed) => {
        const first = analyzeTrust(doc, allowed);
        assert.deepEqual(analyzeTrust(JSON.parse(JSON.stringify(doc)) as object, allowed), first);
        const indexes = first.map((f) =>
          Number(/^Statement\[(\d+)\]/.exec(f.path ?? "")?.[1] ?? -1),
        );
        assert.deepEqual(
          indexes,
          [...indexes].sort((a, b) => a - b),
        );
      }),
      { numRuns: 100 },
    );
  });
});

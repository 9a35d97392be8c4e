import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  expandAction,
  nonReadOnlyGrants,
  type ExpandResult,
  type ReadOnlyFinding,
} from "../../../lib/iam/access-level";
import {
  ACCESS_LEVELS,
  catalogAction,
  catalogServices,
  catalogVersion,
  isReadOnly,
  serviceCatalog,
  type CatalogAction,
} from "../../../lib/iam/action-catalog";
import type { PolicyDocument, Statement } from "../../../lib/iam/types";

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const allowing = (...Action: string[]): PolicyDocument =>
  doc({ Effect: "Allow", Action, Resource: ["*"] });

function actionsOf(result: ExpandResult): readonly CatalogAction[] {
  assert.ok(result.ok, `expected actions, got unknown service ${JSON.stringify(result)}`);
  return result.actions;
}

const names = (actions: readonly CatalogAction[]) => actions.map((a) => a.action);
const ids = (findings: readonly ReadOnlyFinding[]) => findings.map((f) => f.id);

describe("IAM action catalog", () => {
  it("classifies every action of every service with known access levels", () => {
    const services = catalogServices();
    assert.ok(services.length > 400, `only ${services.length} services`);
    assert.deepEqual([...services], [...services].sort());
    let count = 0;
    for (const service of services) {
      const catalog = serviceCatalog(service);
      assert.ok(catalog, service);
      for (const action of catalog.actions) {
        assert.ok(action.levels.length > 0, action.action);
        assert.ok(
          action.levels.every((level) => ACCESS_LEVELS.includes(level)),
          action.action,
        );
        count += 1;
      }
    }
    assert.ok(count > 15000, `only ${count} actions`);
  });

  it("names the pinned catalog version", () => {
    assert.match(catalogVersion(), /^\d+\.\d+\.\d+$/);
  });
});

describe("expandAction", () => {
  const levels: { name: string; input: string; expected: string[] }[] = [
    { name: "s3:GetObject is Read", input: "s3:GetObject", expected: ["Read"] },
    { name: "s3:ListBucket is List", input: "s3:ListBucket", expected: ["List"] },
    { name: "ec2:DescribeInstances is List", input: "ec2:DescribeInstances", expected: ["List"] },
    { name: "ec2:RunInstances is Write", input: "ec2:RunInstances", expected: ["Write"] },
    {
      name: "iam:PutRolePolicy is Permissions management (and Write)",
      input: "iam:PutRolePolicy",
      expected: ["Write", "Permissions management"],
    },
    {
      name: "ec2:CreateTags is Tagging (and Write)",
      input: "ec2:CreateTags",
      expected: ["Write", "Tagging"],
    },
    { name: "kms:Decrypt is Write", input: "kms:Decrypt", expected: ["Write"] },
  ];
  for (const c of levels) {
    it(c.name, () => {
      const actions = actionsOf(expandAction(c.input));
      assert.deepEqual(names(actions), [c.input]);
      assert.deepEqual(actions[0]?.levels, c.expected);
    });
  }

  it("matches exact actions case-insensitively and answers in the catalog's spelling", () => {
    assert.deepEqual(names(actionsOf(expandAction("EC2:describeinstances"))), [
      "ec2:DescribeInstances",
    ]);
    assert.deepEqual(actionsOf(expandAction("S3:get*")), actionsOf(expandAction("s3:Get*")));
  });

  it("ec2:Describe* matches only List and Read actions", () => {
    const actions = actionsOf(expandAction("ec2:Describe*"));
    assert.ok(actions.length > 100, `${actions.length} actions`);
    assert.ok(actions.every(isReadOnly), names(actions.filter((a) => !isReadOnly(a))).join());
    assert.ok(names(actions).includes("ec2:DescribeInstances"));
  });

  it("s3:Get* matches only Read actions in the pinned catalog", () => {
    const actions = actionsOf(expandAction("s3:Get*"));
    assert.ok(actions.length > 50, `${actions.length} actions`);
    assert.deepEqual(
      actions.filter((a) => a.levels.join() !== "Read").map((a) => a.action),
      [],
      "the catalog lists every s3:Get* action as Read",
    );
  });

  it("iam:* matches reads and writes", () => {
    const actions = actionsOf(expandAction("iam:*"));
    assert.ok(names(actions).includes("iam:GetRole"));
    assert.ok(names(actions).includes("iam:PutRolePolicy"));
    assert.ok(actions.some(isReadOnly) && !actions.every(isReadOnly));
  });

  it("returns matches sorted and without repeats", () => {
    const list = names(actionsOf(expandAction("ec2:*")));
    assert.deepEqual(list, [...new Set(list)].sort());
  });

  it("? matches exactly one character", () => {
    assert.deepEqual(names(actionsOf(expandAction("s3:GetObjec?"))), ["s3:GetObject"]);
  });

  it("a wildcard in the service part matches service prefixes", () => {
    const services = new Set(actionsOf(expandAction("ec?:DescribeInstances")).map((a) => a.action));
    assert.deepEqual([...services], ["ec2:DescribeInstances"]);
    const any = actionsOf(expandAction("*:GetObject"));
    assert.ok(names(any).includes("s3:GetObject"));
  });

  it("* matches every action of every service", () => {
    const total = catalogServices().reduce(
      (n, s) => n + (serviceCatalog(s)?.actions.length ?? 0),
      0,
    );
    assert.equal(actionsOf(expandAction("*")).length, total);
  });

  it("reports a service the catalog does not know", () => {
    assert.deepEqual(expandAction("foo:GetThing"), { ok: false, unknownService: "foo" });
    assert.deepEqual(expandAction("Foo:*"), { ok: false, unknownService: "foo" });
    assert.deepEqual(expandAction("nosuch*:*"), { ok: false, unknownService: "nosuch*" });
  });

  it("matches nothing for an action its service does not list", () => {
    assert.deepEqual(expandAction("s3:Frobnicate"), { ok: true, actions: [] });
    assert.deepEqual(expandAction("s3:Frob*"), { ok: true, actions: [] });
    assert.deepEqual(expandAction("GetObject"), { ok: true, actions: [] });
  });

  it("agrees with catalogAction on exact actions", () => {
    fc.assert(
      fc.property(fc.constantFrom(...serviceCatalog("ec2")!.actions), (entry) => {
        const upper = entry.action.toUpperCase();
        assert.deepEqual(actionsOf(expandAction(upper)), [entry]);
        assert.equal(catalogAction(upper), entry);
      }),
      { numRuns: 100 },
    );
  });
});

describe("nonReadOnlyGrants", () => {
  it("finds nothing in a document of List and Read actions", () => {
    assert.deepEqual(
      nonReadOnlyGrants(allowing("ec2:Describe*", "s3:GetObject", "s3:ListBucket", "iam:Get*")),
      [],
    );
  });

  it("reports an exact Write action with its level, statement and fix", () => {
    const findings = nonReadOnlyGrants(
      doc(
        { Sid: "Reads", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: ["*"] },
        { Sid: "Launch", Effect: "Allow", Action: ["s3:GetObject", "ec2:RunInstances"] },
      ),
    );
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.ok(finding?.kind === "NonReadAction");
    assert.equal(finding.id, "Action::ec2:RunInstances");
    assert.equal(finding.path, "Statement[1].Action[1]");
    assert.equal(finding.statement, 1);
    assert.equal(finding.sid, "Launch");
    assert.deepEqual(names(finding.grants), ["ec2:RunInstances"]);
    assert.match(finding.message, /Statement\[1\] \(Sid "Launch"\)/);
    assert.match(finding.message, /ec2:RunInstances \(Write\)/);
    assert.match(finding.message, /Fix: remove "ec2:RunInstances"/);
  });

  it("reports Permissions management and Tagging actions", () => {
    const findings = nonReadOnlyGrants(allowing("iam:PutRolePolicy", "ec2:CreateTags"));
    assert.deepEqual(ids(findings), ["Action::iam:PutRolePolicy", "Action::ec2:CreateTags"]);
    assert.match(findings[0]?.message ?? "", /Permissions management/);
    assert.match(findings[1]?.message ?? "", /Tagging/);
  });

  it("gives one id to every spelling of an action", () => {
    const findings = nonReadOnlyGrants(allowing("EC2:runinstances", "ec2:RUNINSTANCES"));
    assert.deepEqual(ids(findings), ["Action::ec2:RunInstances"]);
  });

  it("reports a service wildcard that grants writes, naming a few and the count", () => {
    const [finding, ...rest] = nonReadOnlyGrants(allowing("EC2:*"));
    assert.equal(rest.length, 0);
    assert.ok(finding?.kind === "NonReadAction");
    assert.equal(finding.id, "Action::ec2:*");
    const writes = actionsOf(expandAction("ec2:*")).filter((a) => !isReadOnly(a));
    assert.deepEqual(finding.grants, writes);
    assert.match(finding.message, new RegExp(`grants ${writes.length} of \\d+ matching actions`));
    assert.match(finding.message, new RegExp(`and ${writes.length - 5} more`));
  });

  it("reports * alone", () => {
    const findings = nonReadOnlyGrants(allowing("*"));
    assert.deepEqual(ids(findings), ["Action::*"]);
  });

  it("reports a verb wildcard only where the catalog has a write behind it", () => {
    const writes = actionsOf(expandAction("ec2:Create*"));
    assert.ok(writes.length > 0);
    assert.deepEqual(ids(nonReadOnlyGrants(allowing("ec2:Create*", "ec2:Describe*"))), [
      "Action::ec2:Create*",
    ]);
  });

  it("reports NotAction in an Allow, whatever it lists", () => {
    const findings = nonReadOnlyGrants(
      doc({ Effect: "Allow", NotAction: ["iam:*", "ec2:RunInstances"], Resource: ["*"] }),
    );
    assert.deepEqual(ids(findings), ["NotAction"]);
    assert.equal(findings[0]?.path, "Statement[0].NotAction");
    assert.match(findings[0]?.message ?? "", /every action except/);
  });

  it("ignores Deny statements, including NotAction and *", () => {
    assert.deepEqual(
      nonReadOnlyGrants(
        doc(
          { Effect: "Deny", Action: ["*"], Resource: ["*"] },
          { Effect: "Deny", NotAction: ["s3:GetObject"], Resource: ["*"] },
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] },
        ),
      ),
      [],
    );
  });

  it("ignores conditions: a conditional write is still a write", () => {
    const findings = nonReadOnlyGrants(
      doc({
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: ["*"],
        Condition: { Bool: { "aws:SecureTransport": ["true"] } },
      }),
    );
    assert.deepEqual(ids(findings), ["Action::s3:PutObject"]);
  });

  it("fails closed on an unknown service", () => {
    const findings = nonReadOnlyGrants(allowing("foo:GetThing"));
    assert.deepEqual(ids(findings), ["UnknownService::foo"]);
    assert.ok(findings[0]?.kind === "UnknownService");
    assert.match(findings[0].message, /cannot be proved read-only/);
  });

  it("fails closed on an action the catalog does not list", () => {
    const findings = nonReadOnlyGrants(allowing("s3:Frobnicate", "S3:Frob*"));
    assert.deepEqual(ids(findings), ["UnknownAction::s3:Frobnicate", "UnknownAction::s3:Frob*"]);
    assert.match(findings[0]?.message ?? "", /matches no action/);
  });

  it("reports a pattern repeated in one statement once", () => {
    assert.equal(nonReadOnlyGrants(allowing("ec2:RunInstances", "ec2:RunInstances")).length, 1);
  });

  it("reports exactly the non-read actions of a list of exact actions", () => {
    const pool = ["s3", "ec2", "iam", "lambda"].flatMap((s) => serviceCatalog(s)!.actions);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 12 }),
        (actions) => {
          const findings = nonReadOnlyGrants(allowing(...actions.map((a) => a.action)));
          const expected = actions.filter((a) => !isReadOnly(a)).map((a) => `Action::${a.action}`);
          assert.deepEqual(ids(findings), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("an added Deny statement never adds a finding", () => {
    const pattern = fc.constantFrom("ec2:*", "ec2:Describe*", "s3:GetObject", "*", "foo:Bar");
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), pattern, (allowed, denied) => {
        const base = allowing(...allowed);
        const withDeny = doc(...base.Statement, { Effect: "Deny", Action: [denied] });
        assert.deepEqual(nonReadOnlyGrants(withDeny), nonReadOnlyGrants(base));
      }),
      { numRuns: 50 },
    );
  });
});

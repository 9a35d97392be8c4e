import { strict as assert } from "node:assert";
import {
  catalogAction,
  catalogServices,
  isReadOnly,
  serviceCatalog,
  type CatalogAction,
} from "../../../lib/iam/action-catalog";
import {
  CREDENTIAL_READ_PATTERNS,
  DESCRIPTION_PATTERNS,
  NAME_PATTERNS,
} from "../../../lib/iam/credential-read-patterns";
import {
  CREDENTIAL_READ_DENIES,
  CREDENTIAL_READ_REVIEWS,
  CREDENTIAL_READ_REVIEWS_FILE,
  credentialReadMatches,
  credentialReadTableProblems,
  detectCredentialReads,
  unreviewedCredentialReads,
  type CredentialReadReview,
  type CredentialReadTableProblem,
  type DetectedCredentialRead,
} from "../../../lib/iam/credential-reads";
import { allow, deny, policyDocument } from "../../../lib/iam/documents";
import { evaluatePolicy } from "../../../lib/iam/evaluate";
import { planReadStatements, SECRET_READ_ACTIONS } from "../../../lib/plan/plan-permissions";

const detectedNames = (): string[] => detectCredentialReads().map((d) => d.action);
const codes = (problems: readonly CredentialReadTableProblem[]) =>
  problems.map((p) => `${p.code} ${p.action}`);

/** Reads the brief for this table names: each hands out a credential or a token. */
const KNOWN_CREDENTIAL_READS = [
  "cognito-identity:GetCredentialsForIdentity",
  "cognito-identity:GetOpenIdToken",
  "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
  "codeartifact:GetAuthorizationToken",
  "ecr:GetAuthorizationToken",
  "eks-auth:AssumeRoleForPodIdentity",
  "lakeformation:GetTemporaryGlueTableCredentials",
  "s3:GetDataAccess",
  "ssm:GetAccessToken",
  "sts:GetSessionToken",
  "wafv2:GetDecryptedAPIKey",
];

/** Plain Describe/List/Get metadata reads a plan makes all the time: never flagged. */
const METADATA_CONTROLS = [
  "cloudwatch:DescribeAlarms",
  "dynamodb:DescribeTable",
  "ec2:DescribeInstances",
  "ec2:DescribeSecurityGroups",
  "ecs:DescribeServices",
  "iam:GetRole",
  "iam:ListRoles",
  "kms:DescribeKey",
  "lambda:ListFunctions",
  "rds:DescribeDBInstances",
  "route53:ListHostedZones",
  "s3:GetBucketPolicy",
  "s3:ListBucket",
  "sns:GetTopicAttributes",
  "sqs:GetQueueAttributes",
];

function known(action: string): CatalogAction {
  const entry = catalogAction(action);
  assert.ok(entry, `${action} is not in the IAM action catalog`);
  return entry;
}

describe("credential-read detector", () => {
  it("flags the known credential reads, and the table denies each", () => {
    const detected = detectedNames();
    for (const action of KNOWN_CREDENTIAL_READS) {
      assert.ok(isReadOnly(known(action)), `${action} is List or Read in the catalog`);
      assert.ok(detected.includes(action), `${action} is not flagged`);
      assert.ok(CREDENTIAL_READ_DENIES.includes(action), `${action} is not denied`);
    }
  });

  it("leaves out redshift:GetClusterCredentials: it matches, but the catalog classes it Write", () => {
    const action = known("redshift:GetClusterCredentials");
    assert.deepEqual(action.levels, ["Write"]);
    assert.ok(credentialReadMatches(action).includes("name:Credential"));
    assert.ok(!detectedNames().includes("redshift:GetClusterCredentials"));
  });

  it("does not flag plain Describe/List metadata reads", () => {
    const detected = detectedNames();
    for (const action of METADATA_CONTROLS) {
      assert.ok(isReadOnly(known(action)), `${action} is List or Read`);
      assert.deepEqual(credentialReadMatches(known(action)), [], action);
      assert.ok(!detected.includes(action), action);
    }
  });

  it("flags only List and Read actions, each once, sorted, with the patterns that matched", () => {
    const detected = detectCredentialReads();
    assert.ok(detected.length > 100, `only ${detected.length} detected`);
    for (const d of detected) {
      assert.ok(isReadOnly(known(d.action)), d.action);
      assert.ok(d.matchedBy.length > 0, d.action);
      assert.deepEqual(d.matchedBy, credentialReadMatches(known(d.action)), d.action);
    }
    const names = detected.map((d) => d.action);
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(names, [...names].sort());
  });

  it("misses no List or Read action of the catalog that a pattern matches", () => {
    const detected = new Set(detectedNames());
    let reads = 0;
    for (const service of catalogServices()) {
      for (const action of serviceCatalog(service)?.actions ?? []) {
        if (!isReadOnly(action)) continue;
        reads += 1;
        assert.equal(
          detected.has(action.action),
          credentialReadMatches(action).length > 0,
          action.action,
        );
      }
    }
    assert.ok(reads > 5000, `only ${reads} reads in the catalog`);
  });

  it("uses only the patterns it is given", () => {
    const onlyBearer = NAME_PATTERNS.filter((p) => p.id === "name:Bearer");
    const detected = detectCredentialReads(onlyBearer);
    assert.ok(detected.length > 0);
    for (const d of detected) {
      assert.deepEqual(d.matchedBy, ["name:Bearer"], d.action);
      assert.match(d.action, /Bearer/);
    }
  });
});

describe("credential-read patterns", () => {
  it("each has a unique id, its target, and a reason", () => {
    const ids = CREDENTIAL_READ_PATTERNS.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of NAME_PATTERNS) assert.equal(p.target, "name", p.id);
    for (const p of DESCRIPTION_PATTERNS) assert.equal(p.target, "description", p.id);
    for (const p of CREDENTIAL_READ_PATTERNS) assert.ok(p.why.trim().length > 10, p.id);
  });

  const synthetic = (name: string, description = "Grants permission to view a thing") => ({
    action: `example:${name}`,
    levels: ["Read" as const],
    description,
    resourceTypes: [],
  });

  const cases: { name: string; input: CatalogAction; expected: string[] }[] = [
    { name: "a JWT", input: synthetic("GetJwtForUser"), expected: ["name:Jwt"] },
    { name: "a session cookie", input: synthetic("GetSessionCookie"), expected: ["name:Cookie"] },
    { name: "a one-time password", input: synthetic("GetOtpSeed"), expected: ["name:Otp"] },
    {
      name: "a Kerberos ticket",
      input: synthetic("GetKerberosTicket"),
      expected: ["name:Kerberos"],
    },
    { name: "a passphrase", input: synthetic("GetKeyPassphrase"), expected: ["name:Passphrase"] },
    { name: "a private key", input: synthetic("GetPrivateKey"), expected: ["name:PrivateKey"] },
    { name: "a plaintext", input: synthetic("GetPlaintext"), expected: ["name:Plaintext"] },
    { name: "a signing key", input: synthetic("GetSigningKey"), expected: ["name:SigningKey"] },
    {
      name: "an unlock code",
      input: synthetic("GetDeviceUnlockCode"),
      expected: ["name:Code"],
    },
    {
      name: "a one-time code in the description",
      input: synthetic("GetLoginHelp", "Grants permission to get a one-time passcode"),
      expected: ["description:oneTime"],
    },
    {
      name: "temporary keys in the description",
      input: synthetic("GetAccess", "Grants permission to retrieve temporary keys for a bucket"),
      expected: ["description:temporary"],
    },
    {
      name: "not a pagination token",
      input: synthetic("GetThings", "Provide the pagination token from the previous response"),
      expected: [],
    },
    { name: "not 'Security' as a URI", input: synthetic("GetSecurityProfile"), expected: [] },
    { name: "not 'Otpa...' as an OTP", input: synthetic("GetOtpaReport"), expected: [] },
    { name: "not 'User' as Use*", input: synthetic("GetUser"), expected: [] },
  ];
  for (const c of cases) {
    it(`match ${c.name}`, () => {
      assert.deepEqual(credentialReadMatches(c.input), c.expected);
    });
  }
});

describe("reviewed credential-read table", () => {
  it("has a verdict for every action the detector flags in the pinned catalog", () => {
    const unreviewed = credentialReadTableProblems().filter((p) => p.code === "Unreviewed");
    assert.equal(
      unreviewed.length,
      0,
      `${unreviewed.length} flagged actions have no verdict:\n` +
        unreviewed.map((p) => `- ${p.message}`).join("\n"),
    );
    assert.deepEqual(unreviewedCredentialReads(), []);
  });

  it("fits the catalog: no stale, misspelled, non-read, duplicate or unexplained entry", () => {
    const problems = credentialReadTableProblems();
    assert.equal(problems.length, 0, problems.map((p) => `- ${p.message}`).join("\n"));
  });

  it("gives every entry a reason, and every Terraform name a resource type", () => {
    for (const entry of CREDENTIAL_READ_REVIEWS) {
      assert.ok(entry.reason.trim().length > 10, entry.action);
      for (const t of entry.terraform ?? []) {
        assert.match(t, /^(data\.)?aws_[a-z0-9_]+$/, `${entry.action}: ${t}`);
      }
    }
  });
});

describe("credential-read table checks", () => {
  const detected = detectCredentialReads();
  const table = CREDENTIAL_READ_REVIEWS;
  const sorted = (entries: CredentialReadReview[]): CredentialReadReview[] =>
    entries.sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
  const entry = (action: string): CredentialReadReview => {
    const found = table.find((r) => r.action === action);
    assert.ok(found, action);
    return found;
  };

  it("report an action a catalog upgrade brings, with what to do", () => {
    const newcomer: DetectedCredentialRead = {
      action: "sts:GetShinyNewToken",
      levels: ["Read"],
      description: "Grants permission to get a shiny new token",
      matchedBy: ["name:Token", "description:token"],
    };
    const problems = credentialReadTableProblems(table, [...detected, newcomer]);
    assert.deepEqual(codes(problems), ["Unreviewed sts:GetShinyNewToken"]);
    const [problem] = problems;
    assert.match(problem?.message ?? "", /sts:GetShinyNewToken \(Read\) is flagged by name:Token/);
    assert.match(problem?.message ?? "", /deny\("sts:GetShinyNewToken", reason\)/);
    assert.ok(problem?.message.includes(CREDENTIAL_READ_REVIEWS_FILE));
  });

  it("report a flagged action whose entry was dropped", () => {
    const without = table.filter((r) => r.action !== "sts:GetSessionToken");
    assert.deepEqual(codes(credentialReadTableProblems(without, detected)), [
      "Unreviewed sts:GetSessionToken",
    ]);
    assert.deepEqual(
      unreviewedCredentialReads(without, detected).map((d) => d.action),
      ["sts:GetSessionToken"],
    );
  });

  const broken: { name: string; input: CredentialReadReview[]; expected: string[] }[] = [
    {
      name: "an action the catalog no longer lists",
      input: sorted([...table, { action: "sts:NoSuchAction", verdict: "deny", reason: "gone" }]),
      expected: ["NotInCatalog sts:NoSuchAction"],
    },
    {
      name: "an action that is no longer List or Read",
      input: sorted([...table, { action: "sts:TagSession", verdict: "deny", reason: "a write" }]),
      expected: ["NotReadOnly sts:TagSession"],
    },
    {
      name: "an entry without a reason",
      input: table.map((r) => (r.action === "sts:GetSessionToken" ? { ...r, reason: "  " } : r)),
      expected: ["NoReason sts:GetSessionToken"],
    },
    {
      name: "an action spelled with other capitals",
      input: table.map((r) =>
        r.action === "sts:GetSessionToken" ? { ...r, action: "sts:GetSessiontoken" } : r,
      ),
      expected: ["Misspelled sts:GetSessiontoken"],
    },
    {
      name: "an action reviewed twice",
      input: [...table, entry("wafv2:ListAPIKeys")],
      expected: ["Duplicate wafv2:ListAPIKeys", "Unsorted wafv2:ListAPIKeys"],
    },
    {
      name: "an entry out of order",
      input: [
        entry("sts:GetSessionToken"),
        ...table.filter((r) => r.action !== "sts:GetSessionToken"),
      ],
      expected: ["Unsorted acm:ExportCertificate"],
    },
    {
      name: "a verdict that is neither deny nor allow",
      input: table.map((r) =>
        r.action === "sts:GetSessionToken"
          ? ({ ...r, verdict: "maybe" } as unknown as CredentialReadReview)
          : r,
      ),
      expected: ["BadVerdict sts:GetSessionToken"],
    },
  ];
  for (const c of broken) {
    it(`report ${c.name}`, () => {
      const problems = credentialReadTableProblems(c.input, detected);
      assert.deepEqual(codes(problems), c.expected);
      for (const p of problems) {
        assert.match(p.path, /^CREDENTIAL_READ_REVIEWS\[\d+\]$/);
        assert.match(p.message, /Fix:|allowed:/);
      }
    });
  }
});

describe("CREDENTIAL_READ_DENIES", () => {
  const denied = new Set(CREDENTIAL_READ_DENIES);

  it("holds every deny verdict and every SECRET_READ_ACTIONS entry, sorted, each once", () => {
    for (const r of CREDENTIAL_READ_REVIEWS) {
      assert.equal(denied.has(r.action), r.verdict === "deny", r.action);
    }
    for (const action of SECRET_READ_ACTIONS) assert.ok(denied.has(action), action);
    assert.equal(denied.size, CREDENTIAL_READ_DENIES.length);
    assert.deepEqual([...CREDENTIAL_READ_DENIES], [...CREDENTIAL_READ_DENIES].sort());
  });

  it("names exact catalog actions, no wildcards", () => {
    for (const action of CREDENTIAL_READ_DENIES) {
      assert.equal(known(action).action, action);
      assert.doesNotMatch(action, /[*?]/);
    }
  });

  // A read-only managed policy in the plan role's managedPolicyArns can allow any read; "*" is
  // the widest such Allow. The Deny must take every credential read away from it, and nothing
  // else: every other List or Read action stays allowed (a plan that cannot refresh fails).
  it("denies each credential read under an Allow of everything, and no other read", () => {
    const doc = policyDocument(
      allow({ sid: "ReadEverything", actions: ["*"], resources: ["*"] }),
      deny({ sid: "DenyCredentialReads", actions: CREDENTIAL_READ_DENIES, resources: ["*"] }),
    );
    let reads = 0;
    for (const service of catalogServices()) {
      for (const action of serviceCatalog(service)?.actions ?? []) {
        if (!isReadOnly(action) && !denied.has(action.action)) continue;
        reads += 1;
        const decision = evaluatePolicy(doc, { action: action.action, resource: "*" }).decision;
        assert.equal(
          decision,
          denied.has(action.action) ? "explicit-deny" : "allow",
          action.action,
        );
      }
    }
    assert.ok(reads > 5000);
  });

  it("takes from the plan role's read statement the credentials it would otherwise grant", () => {
    const services = ["sts", "ecr", "cognito-identity", "s3", "ssm", "lakeformation", "sqs"];
    const reads = planReadStatements(services);
    const without = policyDocument(...reads);
    const withDeny = policyDocument(
      ...reads,
      deny({ sid: "DenyCredentialReads", actions: CREDENTIAL_READ_DENIES, resources: ["*"] }),
    );
    const decide = (doc: typeof without, action: string) =>
      evaluatePolicy(doc, { action, resource: "*" }).decision;
    // Attacks: granted by the read patterns alone, denied with the Deny.
    for (const action of [
      "sts:GetSessionToken",
      "ecr:GetAuthorizationToken",
      "cognito-identity:GetOpenIdToken",
      "s3:GetDataAccess",
      "ssm:GetAccessToken",
      "lakeformation:GetTemporaryGlueTableCredentials",
    ]) {
      assert.equal(decide(without, action), "allow", `${action} is granted by the read patterns`);
      assert.equal(decide(withDeny, action), "explicit-deny", action);
    }
    // Controls: the reads Terraform refreshes with stay allowed.
    for (const action of [
      "sts:GetCallerIdentity",
      "ecr:DescribeRepositories",
      "s3:GetBucketPolicy",
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "ssm:DescribeParameters",
    ]) {
      assert.equal(decide(withDeny, action), "allow", action);
    }
  });
});

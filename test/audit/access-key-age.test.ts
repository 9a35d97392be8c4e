import { strict as assert } from "node:assert";
import { accessKeyFindings } from "../../lib/audit/access-key-age";
import { emptySnapshot, type LiveAccessKey } from "../../lib/audit/snapshot";

const NOW = new Date("2030-06-01T00:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

const cases: { name: string; keys: LiveAccessKey[]; maxDays: number; expected: string[] }[] = [
  {
    name: "a fresh key",
    keys: [{ id: "K1", status: "Active", createdAt: daysAgo(1) }],
    maxDays: 90,
    expected: [],
  },
  {
    name: "exactly the allowed age",
    keys: [{ id: "K1", status: "Active", createdAt: daysAgo(90) }],
    maxDays: 90,
    expected: [],
  },
  {
    name: "one day too old",
    keys: [{ id: "K1", status: "Active", createdAt: daysAgo(91) }],
    maxDays: 90,
    expected: ["K1"],
  },
  {
    name: "an old inactive key",
    keys: [{ id: "K1", status: "Inactive", createdAt: daysAgo(400) }],
    maxDays: 90,
    expected: [],
  },
  {
    name: "max age 0 flags any active key",
    keys: [
      { id: "K1", status: "Active", createdAt: daysAgo(0.01) },
      { id: "K2", status: "Inactive", createdAt: daysAgo(1) },
    ],
    maxDays: 0,
    expected: ["K1"],
  },
  {
    name: "an unreadable creation date",
    keys: [{ id: "K1", status: "Active", createdAt: "" }],
    maxDays: 90,
    expected: ["K1"],
  },
];

describe("accessKeyFindings", function () {
  for (const c of cases) {
    it(c.name, function () {
      const snapshot = {
        ...emptySnapshot("terraform", "111111111111"),
        users: [
          {
            name: "ci",
            path: "/",
            arn: "arn:aws:iam::111111111111:user/ci",
            inlinePolicies: [],
            attachedPolicyArns: [],
            groups: [],
            hasLoginProfile: false,
            accessKeys: c.keys,
            sshPublicKeyIds: [],
            signingCertificateIds: [],
          },
        ],
      };
      const findings = accessKeyFindings(snapshot, NOW, c.maxDays);
      assert.deepEqual(
        findings.map((f) => f.resource.split(" ").pop()),
        c.expected,
      );
      for (const f of findings) assert.equal(f.id, "AccessKey::TooOld");
    });
  }
});

import { strict as assert } from "node:assert";
import { mockState } from "../../scripts/synth/mock-ids";
import type { StateResource, SynthRecord } from "./engine-stack";
import { compareRegistrations } from "./registered-inputs";

/**
 * The comparison the engine suite makes between `pulumi stack export` and the synth's
 * resources.json, on a small stack built here: it must hold equal what is equal (even where
 * the stand-in drew ids the synth derives) and report every difference.
 */

const OPTS = { region: "eu-west-1", partition: "aws", awsVersion: "7.48.0" };
const STACK = "urn:pulumi:s::tf-bootstrap::";
const PROVIDER_URN = `${STACK}tf-bootstrap:index:Topology$pulumi:providers:aws::aws-terraform`;
const PROVIDER_REF = `${PROVIDER_URN}::0d7a5c3e-2b9e-4c55-9a43-3c1f4f0e2a11`;
const KEY_ID = "9b1c2d3e-4f50-4a61-8b72-c3d4e5f60718"; // what the stand-in drew
const MOCK_KEY_ID = mockState(
  "aws:kms/key:Key",
  "state-key",
  {},
  {
    accountId: "111111111111",
    region: "eu-west-1",
    partition: "aws",
  },
).id;

function synth(): SynthRecord[] {
  const base = { protect: false, retainOnDelete: false, dependsOn: [] as string[] };
  return [
    { ...base, type: "tf-bootstrap:index:Topology", name: "acme", custom: false, inputs: {} },
    {
      ...base,
      type: "pulumi:providers:aws",
      name: "aws-terraform",
      custom: true,
      parent: "acme",
      accountId: "111111111111",
      inputs: { region: "eu-west-1", allowedAccountIds: '["111111111111"]' },
    },
    {
      ...base,
      type: "aws:kms/key:Key",
      name: "state-key",
      custom: true,
      parent: "acme",
      provider: "aws-terraform",
      accountId: "111111111111",
      inputs: { enableKeyRotation: true },
      protect: true,
      retainOnDelete: true,
    },
    {
      ...base,
      type: "aws:kms/alias:Alias",
      name: "state-key-alias",
      custom: true,
      parent: "acme",
      provider: "aws-terraform",
      accountId: "111111111111",
      inputs: { name: "alias/state", targetKeyId: MOCK_KEY_ID },
      dependsOn: ["state-key"],
    },
  ];
}

function state(): StateResource[] {
  const parent = `${STACK}tf-bootstrap:index:Topology::acme`;
  const keyUrn = `${STACK}tf-bootstrap:index:Topology$aws:kms/key:Key::state-key`;
  return [
    {
      urn: `${STACK}pulumi:pulumi:Stack::tf-bootstrap-s`,
      type: "pulumi:pulumi:Stack",
      custom: false,
    },
    { urn: parent, type: "tf-bootstrap:index:Topology", custom: false, inputs: {} },
    {
      urn: PROVIDER_URN,
      type: "pulumi:providers:aws",
      custom: true,
      id: "0d7a5c3e-2b9e-4c55-9a43-3c1f4f0e2a11",
      parent,
      inputs: {
        __internal: {},
        region: "eu-west-1",
        allowedAccountIds: '["111111111111"]',
        version: "7.48.0",
      },
    },
    {
      urn: keyUrn,
      type: "aws:kms/key:Key",
      custom: true,
      id: KEY_ID,
      parent,
      provider: PROVIDER_REF,
      protect: true,
      retainOnDelete: true,
      inputs: { enableKeyRotation: true },
      outputs: {
        enableKeyRotation: true,
        keyId: KEY_ID,
        arn: `arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}`,
      },
    },
    {
      urn: `${STACK}tf-bootstrap:index:Topology$aws:kms/alias:Alias::state-key-alias`,
      type: "aws:kms/alias:Alias",
      custom: true,
      id: "alias/state",
      parent,
      provider: PROVIDER_REF,
      dependencies: [keyUrn],
      inputs: { name: "alias/state", targetKeyId: KEY_ID },
    },
  ];
}

type Change = (s: StateResource[], r: SynthRecord[]) => void;
/** The first of `list` of `type`, to change in place (the fixtures are built fresh per case). */
function find(list: readonly { type: string }[], type: string): Record<string, any> {
  const found = list.find((x) => x.type === type);
  if (!found) throw new Error(`no ${type}`);
  return found;
}

const cases: { name: string; change: Change; expected: RegExp[] }[] = [
  {
    name: "equal registrations, a drawn key id referenced by the alias",
    change: () => {},
    expected: [],
  },
  {
    name: "an input that differs",
    change: (s) => (find(s, "aws:kms/key:Key").inputs.enableKeyRotation = false),
    expected: [/aws:kms\/key:Key::state-key: input enableKeyRotation: engine false, synth true/],
  },
  {
    name: "an alias pointing at another key",
    change: (s) =>
      (find(s, "aws:kms/alias:Alias").inputs.targetKeyId = "0000aaaa-0000-4000-8000-000000000000"),
    expected: [/state-key-alias: input targetKeyId/],
  },
  {
    name: "a resource only the synth has, and one only the engine has",
    change: (s, r) => {
      r.push({ ...(find(r, "aws:kms/alias:Alias") as SynthRecord), name: "other-alias" });
      s.push({
        ...(find(s, "aws:kms/key:Key") as StateResource),
        urn: `${STACK}aws:kms/key:Key::extra-key`,
      });
    },
    expected: [
      /aws:kms\/alias:Alias::other-alias: in resources.json, not registered by the engine/,
      /aws:kms\/key:Key::extra-key: registered by the engine, not in resources.json/,
    ],
  },
  {
    name: "protect and retainOnDelete lost",
    change: (s) => {
      const key = find(s, "aws:kms/key:Key");
      key.protect = false;
      key.retainOnDelete = false;
    },
    expected: [
      /state-key: protect false, synth true/,
      /state-key: retainOnDelete false, synth true/,
    ],
  },
  {
    name: "another provider and another parent",
    change: (s) => {
      const alias = find(s, "aws:kms/alias:Alias");
      alias.provider = `${STACK}pulumi:providers:aws::default_7_48_0::1`;
      alias.parent = `${STACK}pulumi:pulumi:Stack::tf-bootstrap-s`;
    },
    expected: [
      /state-key-alias: parent undefined, synth acme/,
      /state-key-alias: provider default_7_48_0, synth aws-terraform/,
    ],
  },
  {
    name: "an explicit dependency the engine did not record",
    change: (s) => (find(s, "aws:kms/alias:Alias").dependencies = []),
    expected: [/state-key-alias: depends on state-key in the program, not in the engine's state/],
  },
  {
    name: "a provider registered at another plugin version",
    change: (s) => (find(s, "pulumi:providers:aws").inputs.version = "6.0.0"),
    expected: [/aws-terraform: provider version 6\.0\.0, expected 7\.48\.0/],
  },
];

describe("engine suite: registered inputs against resources.json", function () {
  for (const c of cases) {
    it(c.name, function () {
      const s = state();
      const r = synth();
      c.change(s, r);
      const problems = compareRegistrations(s, r, OPTS);
      assert.equal(problems.length, c.expected.length, problems.join("\n"));
      for (const pattern of c.expected) {
        assert.ok(
          problems.some((p) => pattern.test(p)),
          `${String(pattern)} not in:\n${problems.join("\n")}`,
        );
      }
    });
  }
});

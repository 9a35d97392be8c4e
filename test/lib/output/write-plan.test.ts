import { strict as assert } from "node:assert";
import {
  emptyManifest,
  planWrite,
  type DiskEntry,
  type Manifest,
} from "../../../lib/output/write-plan";

/** A disk of files by path (sha256 as content) and directories. */
function disk(files: Record<string, string>, dirs: string[] = []): (p: string) => DiskEntry {
  return (p) =>
    p in files
      ? { kind: "file", sha256: files[p] ?? "" }
      : dirs.includes(p)
        ? { kind: "directory" }
        : { kind: "missing" };
}

function manifest(files: Record<string, string[]>, writer = "synth"): Manifest {
  return {
    ...emptyManifest(),
    files: Object.fromEntries(Object.entries(files).map(([p, h]) => [p, { sha256: h, writer }])),
  };
}

describe("write plan: never lose a user's file", () => {
  it("writes into an empty place and lists every file and new directory", () => {
    const plan = planWrite({
      writer: "synth",
      wanted: [
        { path: "iam/dev/role.json", sha256: "n1" },
        { path: "report.md", sha256: "n2" },
      ],
      manifest: undefined,
      disk: disk({}),
    });
    assert.ok(plan.ok);
    assert.deepEqual(plan.write, ["iam/dev/role.json", "report.md"]);
    assert.deepEqual(Object.keys(plan.final.files).sort(), ["iam/dev/role.json", "report.md"]);
    assert.deepEqual([...plan.final.directories].sort(), ["iam", "iam/dev"]);
  });

  it("replaces its own unchanged files, keeps both contents listed while writing, removes what it no longer generates", () => {
    const plan = planWrite({
      writer: "synth",
      wanted: [{ path: "a.json", sha256: "new" }],
      manifest: manifest({ "a.json": ["old"], "iam/qa/r.json": ["q"] }),
      disk: disk({ "a.json": "old", "iam/qa/r.json": "q" }),
    });
    assert.ok(plan.ok);
    assert.deepEqual(plan.write, ["a.json"]);
    assert.deepEqual(plan.remove, ["iam/qa/r.json"]);
    assert.deepEqual(plan.interim.files["a.json"]?.sha256, ["old", "new"]);
    assert.deepEqual(Object.keys(plan.final.files), ["a.json"]);
  });

  const refusals: { name: string; input: Parameters<typeof planWrite>[0]; reason: RegExp }[] = [
    {
      name: "a file it did not write",
      input: {
        writer: "synth",
        wanted: [{ path: "main.tf", sha256: "n" }],
        manifest: undefined,
        disk: disk({ "main.tf": "user" }),
      },
      reason: /was not written by tf-bootstrap/,
    },
    {
      name: "its own file changed since",
      input: {
        writer: "synth",
        wanted: [{ path: "a.tf", sha256: "n" }],
        manifest: manifest({ "a.tf": ["o"] }),
        disk: disk({ "a.tf": "edited" }),
      },
      reason: /was changed after tf-bootstrap wrote it/,
    },
    {
      name: "removing its own file changed since",
      input: {
        writer: "synth",
        wanted: [],
        manifest: manifest({ "iam/qa/r.json": ["q"] }),
        disk: disk({ "iam/qa/r.json": "edited" }),
      },
      reason: /no longer generates, but it was changed since/,
    },
    {
      name: "a directory where a file goes",
      input: {
        writer: "synth",
        wanted: [{ path: "a.tf", sha256: "n" }],
        manifest: undefined,
        disk: disk({}, ["a.tf"]),
      },
      reason: /is a directory where tf-bootstrap writes a file/,
    },
    {
      name: "a file where a directory goes",
      input: {
        writer: "synth",
        wanted: [{ path: "iam/x.json", sha256: "n" }],
        manifest: undefined,
        disk: disk({ iam: "f" }),
      },
      reason: /is a file where tf-bootstrap needs a directory/,
    },
    {
      name: "a manifest it cannot read",
      input: { writer: "synth", wanted: [], manifest: "unreadable", disk: disk({}) },
      reason: /is not a manifest tf-bootstrap can read/,
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}, planning nothing`, () => {
      const plan = planWrite(r.input);
      assert.equal(plan.ok, false);
      if (!plan.ok)
        assert.match(
          plan.refusals.map((x) => `${x.path} ${x.reason}; ${x.fix}`).join("\n"),
          r.reason,
        );
    });
  }

  it("adopts a file already as it would write it, and leaves another command's files alone", () => {
    const plan = planWrite({
      writer: "synth",
      wanted: [{ path: "terraform/providers.tf", sha256: "same" }],
      manifest: manifest({ "terraform/extra.tf": ["e"] }, "export-terraform"),
      disk: disk({ "terraform/providers.tf": "same", "terraform/extra.tf": "e" }),
    });
    assert.ok(plan.ok);
    assert.deepEqual(plan.unchanged, ["terraform/providers.tf"]);
    assert.deepEqual(plan.remove, []);
    assert.deepEqual(Object.keys(plan.final.files).sort(), [
      "terraform/extra.tf",
      "terraform/providers.tf",
    ]);
  });
});

/**
 * Integrity: every `uses:` of every generated workflow is a full commit SHA from the pins table
 * with its release in a comment, every GitLab job image is pinned by digest, and the tool
 * release of every default is pinned by SHA-256.
 */
import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { DEFAULT_TOOL_VERSIONS } from "../../lib/config/names";
import {
  GITHUB_ACTION_PINS,
  GITLAB_IMAGE,
  PIPELINE_FILES,
  pinnedToolSha256,
  renderPipeline,
  TOOL_RELEASE_SHA256,
} from "../../lib/pipeline";
import { MODES, PARALLEL, pipelinePlan, SEQUENTIAL, twoRoots } from "./fixtures";

const PINNED_USES = /^\s*(?:- )?uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/;

/** Every `uses:` line of a workflow that is not pinned to a pin of the table, with why. */
function unpinnedUses(workflow: string): string[] {
  const pins = Object.values(GITHUB_ACTION_PINS);
  return workflow
    .split("\n")
    .filter((line) => /^\s*(?:- )?uses:/.test(line))
    .flatMap((line) => {
      const match = PINNED_USES.exec(line);
      if (!match) return [`${line.trim()}: not owner/name@<40-hex sha> # vX.Y.Z`];
      const [, repository, sha, version] = match;
      const pin = pins.find((p) => p.repository === repository);
      if (pin === undefined) return [`${line.trim()}: not in the pins table`];
      if (pin.sha !== sha || pin.version !== version) {
        return [`${line.trim()}: the table pins ${pin.sha} # ${pin.version}`];
      }
      return [];
    });
}

const workflows = MODES.filter((m) => m !== "gitlab-oidc").flatMap((mode) =>
  [
    pipelinePlan(mode, SEQUENTIAL),
    pipelinePlan(mode, PARALLEL, { tool: "tofu", roots: twoRoots(PARALLEL) }),
  ].map((plan) => ({
    name: `${mode}, ${plan.tool}, ${plan.roots.length} root(s)`,
    text: renderPipeline(plan).find((f) => f.path === PIPELINE_FILES.githubWorkflow)!.text,
  })),
);

describe("pinned actions, images and releases", function () {
  it("the checker refuses a tag, a short SHA, an unknown action and a SHA with the wrong version", function () {
    const checkout = GITHUB_ACTION_PINS.checkout;
    const found = unpinnedUses(
      [
        "      - uses: actions/checkout@v4",
        `        uses: actions/checkout@${checkout.sha.slice(0, 12)} # ${checkout.version}`,
        `        uses: someone/action@${"a".repeat(40)} # v1.0.0`,
        `        uses: actions/checkout@${checkout.sha} # v1.0.0`,
        `        uses: actions/checkout@${checkout.sha}`,
        `        uses: ${checkout.repository}@${checkout.sha} # ${checkout.version}`,
      ].join("\n"),
    );
    assert.equal(found.length, 5, found.join("\n"));
  });

  for (const w of workflows) {
    it(`every uses: of the workflow is pinned by the table (${w.name})`, function () {
      assert.deepEqual(unpinnedUses(w.text), []);
      const used = w.text.split("\n").filter((l) => /^\s*(?:- )?uses:/.test(l));
      assert.ok(used.length >= 5);
      const jobs = (parse(w.text) as { jobs: Record<string, { steps: object[] }> }).jobs;
      const steps = Object.values(jobs).flatMap((j) => j.steps);
      const uses = steps.filter((s) => "uses" in s).length;
      assert.equal(uses, used.length, "every uses: is on a line of its own");
    });
  }

  it("every GitLab job runs in an image pinned by digest", function () {
    for (const mode of MODES.filter((m) => m !== "github-oidc")) {
      const text = renderPipeline(pipelinePlan(mode, PARALLEL, { roots: twoRoots(PARALLEL) })).find(
        (f) => f.path === PIPELINE_FILES.gitlabCi,
      )!.text;
      const images = text.split("\n").filter((l) => /^\s*image:/.test(l));
      assert.ok(images.length >= 2);
      for (const line of images) {
        assert.match(line, /image: [\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, line);
      }
    }
    assert.match(GITLAB_IMAGE.digest, /^sha256:[0-9a-f]{64}$/);
  });

  it("the table's values have the shapes that make them immutable", function () {
    for (const pin of Object.values(GITHUB_ACTION_PINS)) {
      assert.match(pin.sha, /^[0-9a-f]{40}$/, pin.repository);
      assert.match(pin.version, /^v\d+\.\d+\.\d+$/, pin.repository);
    }
    for (const releases of Object.values(TOOL_RELEASE_SHA256)) {
      for (const [version, sha] of Object.entries(releases)) {
        assert.match(version, /^\d+\.\d+\.\d+$/);
        assert.match(sha, /^[0-9a-f]{64}$/);
      }
    }
  });

  it("the default release of each tool has a pinned checksum", function () {
    for (const [tool, version] of Object.entries(DEFAULT_TOOL_VERSIONS)) {
      assert.ok(pinnedToolSha256(tool as "terraform" | "tofu", version), `${tool} ${version}`);
    }
  });
});

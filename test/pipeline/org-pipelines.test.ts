import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { GITHUB_ACTION_PINS, GITLAB_IMAGE, imageRef } from "../../lib/pipeline/pins";
import { SETUP_TIMEOUT_MS } from "../harness/tools";
import { ROOT } from "../helpers/stack";
import {
  actionlint,
  checkJsonschema,
  ensureLinters,
  gitlabJobScripts,
  shellcheck,
  zizmor,
  type Linters,
} from "./linters";

/** The organisation's own pipelines: the platform admins' repository runs `npm run org`. */
const DIR = path.join(ROOT, "examples", "org-pipelines");
const GITHUB = "github-actions.yml";
const GITLAB = "gitlab-ci.yml";

interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface GithubJob {
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  permissions?: Record<string, string>;
  steps: GithubStep[];
}
interface GithubWorkflow {
  on: Record<string, { branches?: string[] }>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": string };
  env?: Record<string, string>;
  jobs: Record<string, GithubJob>;
}
interface GitlabJob {
  extends?: string;
  stage?: string;
  rules?: { if: string }[];
  environment?: { name: string; deployment_tier?: string };
  resource_group?: string;
  variables?: Record<string, string>;
  image?: string;
  id_tokens?: Record<string, { aud: string }>;
  before_script?: string[];
  script?: string[];
}

const read = (file: string) => readFileSync(path.join(DIR, file), "utf8");

/** Every command a job runs, as one text. */
function githubRuns(job: GithubJob): string {
  return job.steps.map((s) => s.run ?? "").join("\n");
}

describe("the organisation's pipelines (examples/org-pipelines)", function () {
  let tools: Linters;
  let scratch: string;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureLinters();
    scratch = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-org-pipelines-"));
  });
  after(function () {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  describe("GitHub Actions", function () {
    const workflow = parse(read(GITHUB)) as GithubWorkflow;
    const preview = workflow.jobs.preview;
    const up = workflow.jobs.up;

    it("passes actionlint (shellcheck on every run: script), the workflow schema and zizmor, nothing suppressed", async function () {
      this.timeout(120_000);
      const lint = await actionlint(tools, DIR, [GITHUB]);
      assert.equal(lint.code, 0, `actionlint findings:\n${lint.output}`);
      const schema = await checkJsonschema(tools, "vendor.github-workflows", DIR, [GITHUB]);
      assert.equal(schema.code, 0, `check-jsonschema:\n${schema.output}`);
      const audit = await zizmor(tools, DIR, [GITHUB]);
      assert.equal(audit.code, 0, `zizmor findings:\n${audit.output}`);
      assert.doesNotMatch(
        audit.output,
        /suppressed/,
        `zizmor suppressed a finding:\n${audit.output}`,
      );
      assert.ok(!read(GITHUB).includes("zizmor: ignore"));
    });

    it("previews on pull requests only, and updates only on a push to main in the protected environment", function () {
      assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "push"]);
      assert.deepEqual(workflow.on.pull_request.branches, ["main"]);
      assert.deepEqual(workflow.on.push.branches, ["main"]);
      assert.deepEqual(Object.keys(workflow.jobs).sort(), ["preview", "up"]);
      assert.ok(preview && up);

      assert.equal(preview.if, "github.event_name == 'pull_request'");
      assert.match(githubRuns(preview), /^npm run org -- preview$/m);
      assert.doesNotMatch(githubRuns(preview), /org -- up/);
      assert.notEqual(preview.environment, "organisation");

      assert.equal(up.if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
      assert.equal(up.environment, "organisation");
      assert.match(githubRuns(up), /^npm run org -- up$/m);
      for (const job of [preview, up]) {
        assert.doesNotMatch(githubRuns(job), /--skip-preview|--yes|pulumi (up|destroy)/);
      }
    });

    it("never runs two updates at once, and cancels only superseded pull-request previews", function () {
      assert.deepEqual(up.concurrency, { group: "organisation-up", "cancel-in-progress": false });
      assert.equal(
        workflow.concurrency["cancel-in-progress"],
        "${{ github.event_name == 'pull_request' }}",
      );
      assert.match(workflow.concurrency.group, /\$\{\{ github\.event_name \}\}/);
    });

    it("grants nothing by default, each job only contents: read and its OIDC token", function () {
      assert.deepEqual(workflow.permissions, {});
      for (const job of [preview, up]) {
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
      }
    });

    it("pins every action by full commit SHA with its tag, the shared ones as the generated workflows do", function () {
      const shared = new Map<string, string>(
        Object.values(GITHUB_ACTION_PINS).map((p) => [p.repository, p.sha]),
      );
      const lines = read(GITHUB)
        .split("\n")
        .filter((l) => /^\s+uses:/.test(l));
      assert.ok(lines.length >= 8);
      for (const line of lines) {
        const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$/.exec(line);
        assert.ok(m, `not pinned by SHA with its tag: ${line.trim()}`);
        const pinned = shared.get(m[1] ?? "");
        if (pinned !== undefined)
          assert.equal(m[2], pinned, `${m[1]} differs from lib/pipeline/pins.ts`);
      }
    });

    it("takes the cloud role by OIDC, keeps credentials off the checkout and secrets out of the scripts", function () {
      for (const job of [preview, up]) {
        const checkout = job.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
        assert.equal(checkout?.with?.["persist-credentials"], false);
        const node = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        assert.equal(node?.with?.["package-manager-cache"], false, "a cache a deploy restores");
        const aws = job.steps.find((s) =>
          s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.equal(aws?.with?.["role-to-assume"], "${{ vars.ORG_ROLE_ARN }}");
        assert.equal(aws?.with?.audience, "sts.amazonaws.com");
        for (const step of job.steps) {
          assert.doesNotMatch(step.run ?? "", /\$\{\{|secrets\.|set -x|echo .*PASSPHRASE/);
          for (const [name, value] of Object.entries(step.env ?? {})) {
            if (value.includes("secrets."))
              assert.ok(
                step.run?.startsWith("npm run org --"),
                `${name} reaches a step not running Pulumi`,
              );
          }
        }
      }
      assert.doesNotMatch(read(GITHUB), /aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
    });
  });

  describe("GitLab CI", function () {
    const ci = parse(read(GITLAB)) as Record<string, GitlabJob> & {
      workflow: { rules: { if: string }[] };
    };
    const preview = ci.preview;
    const up = ci.up;

    it("validates against the GitLab CI schema, and every job's script passes shellcheck (sh)", async function () {
      this.timeout(120_000);
      const schema = await checkJsonschema(tools, "vendor.gitlab-ci", DIR, [GITLAB]);
      assert.equal(schema.code, 0, `check-jsonschema:\n${schema.output}`);
      const scripts = gitlabJobScripts(read(GITLAB), path.join(scratch, "gitlab-scripts"));
      assert.equal(scripts.length, 3);
      const sc = await shellcheck(tools, scratch, scripts, "sh");
      assert.equal(sc.code, 0, `shellcheck findings:\n${sc.output}`);
    });

    it("previews on merge requests only, and updates only on a push to the protected default branch, in the protected environment", function () {
      assert.ok(preview && up);
      assert.deepEqual(
        preview.rules?.map((r) => r.if),
        ['$CI_PIPELINE_SOURCE == "merge_request_event"'],
      );
      assert.deepEqual(preview.script, ["npm run org -- preview"]);
      assert.deepEqual(
        up.rules?.map((r) => r.if),
        [
          '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_REF_PROTECTED == "true"',
        ],
      );
      assert.deepEqual(up.script, ["npm run org -- up"]);
      assert.equal(up.environment?.name, "organisation");
      assert.equal(preview.environment, undefined);
      const scripts = Object.values(ci)
        .flatMap((job) => [
          ...((job as GitlabJob).before_script ?? []),
          ...((job as GitlabJob).script ?? []),
        ])
        .join("\n");
      assert.doesNotMatch(scripts, /--skip-preview|--yes|pulumi (up|destroy)/);
    });

    it("holds one resource group so two updates never overlap", function () {
      assert.equal(up.resource_group, "organisation-up");
    });

    it("runs in the pinned image, checks the Pulumi release's SHA-256, and takes each role by OIDC", function () {
      const base = ci[".pulumi"];
      assert.equal(base?.image, imageRef(GITLAB_IMAGE));
      assert.equal(preview.extends, ".pulumi");
      assert.equal(up.extends, ".pulumi");
      assert.deepEqual(base?.id_tokens, { ORG_ID_TOKEN: { aud: "sts.amazonaws.com" } });
      const before = base?.before_script ?? [];
      const download = before.findIndex(
        (l) => l.includes("/tmp/pulumi.tar.gz") && l.startsWith("curl"),
      );
      const check = before.findIndex((l) => l.includes("sha256sum -c"));
      const unpack = before.findIndex((l) => l.startsWith("tar "));
      assert.ok(download >= 0 && download < check && check < unpack, before.join("\n"));
      assert.ok(before.some((l) => l.includes('[ -z "$PULUMI_SHA256" ]') && l.includes("exit 1")));
      assert.equal(preview.variables?.ROLE_ARN, "$ORG_PREVIEW_ROLE_ARN");
      assert.equal(up.variables?.ROLE_ARN, "$ORG_DEPLOY_ROLE_ARN");
      assert.doesNotMatch(read(GITLAB), /AWS_SECRET_ACCESS_KEY|set -x/);
    });
  });
});

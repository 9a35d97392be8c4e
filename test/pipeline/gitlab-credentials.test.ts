/**
 * The credential lines of the generated GitLab jobs, run as a job runs them, then OpenTofu's
 * s3 backend against moto: the state requests must be made as the CI role the job names,
 * taken the way the mode says (AssumeRole from the CI user's keys, or
 * AssumeRoleWithWebIdentity with the job's ID token), never with the CI user's own keys.
 *
 * Test-only settings (moto's endpoints, path-style S3, skipped validations) are given to the
 * backend here; the jobs' lines are used exactly as rendered.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PIPELINE_FILES, renderPipeline, type CiMode } from "../../lib/pipeline";
import { useMoto, type RecordedRequest } from "../harness/moto";
import { describeRun, runTofu, tofuSandbox, type TofuSandbox } from "../harness/tofu";
import { APPLY_ROLE, pipelinePlan, PLAN_ROLE, SEQUENTIAL } from "./fixtures";

const BUCKET = "pipeline-credentials-probe";
const PLAN_KEY = { id: "AKIAPLANUSEREXAMPLE1", secret: "plan-user-secret" };
const APPLY_KEY = { id: "AKIAAPPLYUSEREXAMPLE", secret: "apply-user-secret" };
/** A syntactically valid JWT; moto does not check the signature. */
const ID_TOKEN = [
  Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url"),
  Buffer.from(
    JSON.stringify({
      sub: "project_path:acme/platform/infrastructure:ref_type:branch:ref:main",
      aud: "sts.amazonaws.com",
      iss: "https://gitlab.example.com",
    }),
  ).toString("base64url"),
  "c2lnbmF0dXJl",
].join(".");

interface Job {
  readonly variables: Record<string, string>;
  readonly script: string[];
}

/** The rendered GitLab job `name` of `mode`. */
function gitlabJob(mode: CiMode, name: string): Job {
  const files = renderPipeline(pipelinePlan(mode, SEQUENTIAL, { tool: "tofu" }));
  const ci = parse(files.find((f) => f.path === PIPELINE_FILES.gitlabCi)!.text);
  const job = ci[name];
  assert.ok(job, `no job ${name}`);
  // One matrix job: the first entry's values (an apply job's ROLE_ARN is one of them).
  const entry = (job.parallel?.matrix?.[0] ?? {}) as Record<string, unknown>;
  const scalars = Object.fromEntries(
    Object.entries(entry).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
  const found: Job = { variables: { ...job.variables, ...scalars }, script: job.script };
  return found;
}

/** The script lines that set up credentials: after the untouched-workspace exit, before `cd`. */
function credentialLines(job: Job): string[] {
  const first = job.script.findIndex(
    (line) => line.includes("export AWS_") || line.startsWith("unset AWS_"),
  );
  const cd = job.script.findIndex((line) => line.startsWith("cd "));
  assert.ok(first > 0 && cd > first, `no credential lines before cd in ${job.script.join("\n")}`);
  return job.script.slice(first, cd);
}

/** Runs `lines` in bash the way a GitLab job would and returns the AWS_* variables they leave. */
function runLines(
  lines: readonly string[],
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const script = ["set -eu", ...lines, "env -0"].join("\n");
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      const result: Record<string, string> = {};
      for (const entry of stdout.split("\0")) {
        const at = entry.indexOf("=");
        const name = entry.slice(0, at);
        if (name.startsWith("AWS_")) result[name] = entry.slice(at + 1);
      }
      resolve(result);
    });
  });
}

/** The access key id an AWS request was signed with. */
function signedWith(request: RecordedRequest): string | undefined {
  const auth = Object.entries(request.headers).find(([k]) => k.toLowerCase() === "authorization");
  return /Credential=([A-Z0-9]+)\//.exec(auth?.[1] ?? "")?.[1];
}

function stsCalls(requests: readonly RecordedRequest[]): URLSearchParams[] {
  return requests
    .filter((r) => r.method === "POST" && /Action=AssumeRole/.test(r.body))
    .map((r) => new URLSearchParams(r.body));
}

describe("GitLab jobs' credentials, through OpenTofu's s3 backend (moto)", function () {
  this.timeout(600_000);
  const moto = useMoto();
  let sandbox: TofuSandbox;

  before(async function () {
    const created = await fetch(`${moto().endpoint}/${BUCKET}`, { method: "PUT" });
    assert.equal(created.status, 200, await created.text());
  });

  beforeEach(function () {
    sandbox = tofuSandbox("pipeline-credentials");
    writeFileSync(path.join(sandbox.root, "main.tf"), 'terraform {\n  backend "s3" {}\n}\n');
    writeFileSync(
      path.join(sandbox.root, "test.s3.tfbackend"),
      [
        `bucket = "${BUCKET}"`,
        'key = "probe/terraform.tfstate"',
        'region = "us-east-1"',
        "use_path_style = true",
        "skip_credentials_validation = true",
        "skip_requesting_account_id = true",
        "skip_metadata_api_check = true",
        "skip_region_validation = true",
        `endpoints = { s3 = "${moto().endpoint}", sts = "${moto().endpoint}" }`,
        "",
      ].join("\n"),
    );
  });
  afterEach(function () {
    sandbox.cleanup();
  });

  /** The job's environment: the job's variables, GitLab's, the CI/CD variables given. */
  function jobEnv(job: Job, extra: Record<string, string>): Record<string, string> {
    const tmp = path.join(sandbox.dir, "job-tmp");
    mkdirSync(tmp, { recursive: true });
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: sandbox.env.HOME,
      TMPDIR: tmp,
      CI_PROJECT_ID: "42",
      CI_JOB_ID: "7",
      ...job.variables,
      ...extra,
    };
  }

  /** `tofu init` with the AWS variables the job's lines left, recording moto's requests. */
  async function initWith(aws: Record<string, string>): Promise<RecordedRequest[]> {
    const args = ["init", "-input=false", "-no-color", "-backend-config=test.s3.tfbackend"];
    await moto().startRecording();
    const result = await runTofu(args, {
      cwd: sandbox.root,
      env: { ...sandbox.env, ...aws, AWS_ENDPOINT_URL_STS: moto().endpoint },
    });
    const requests = await moto().stopRecording();
    assert.equal(result.code, 0, describeRun(args, result));
    return requests;
  }

  function assertStateAsSession(requests: readonly RecordedRequest[], userKey?: string): void {
    const s3 = requests.filter((r) => r.url.includes(`/${BUCKET}`));
    assert.ok(s3.length > 0, "the backend made no S3 request");
    for (const r of s3) {
      const key = signedWith(r);
      assert.match(key ?? "", /^ASIA/, `${r.method} ${r.url} was not signed by a role session`);
      assert.notEqual(key, userKey);
    }
  }

  it("iam-user plan job: the plan user's keys assume the CI plan role", async function () {
    const job = gitlabJob("iam-user", "plan:root");
    const aws = await runLines(
      credentialLines(job),
      jobEnv(job, {
        TF_PLAN_AWS_ACCESS_KEY_ID: PLAN_KEY.id,
        TF_PLAN_AWS_SECRET_ACCESS_KEY: PLAN_KEY.secret,
        // A runner's own keys must not leak into the job's identity.
        AWS_ACCESS_KEY_ID: "AKIARUNNEREXAMPLE000",
        AWS_SECRET_ACCESS_KEY: "runner-secret",
      }),
    );
    assert.equal(aws.AWS_ACCESS_KEY_ID, undefined, "the keys are not in the environment");
    assert.equal(aws.AWS_PROFILE, "ci");
    const requests = await initWith(aws);
    const calls = stsCalls(requests);
    assert.deepEqual(
      calls.map((c) => [c.get("Action"), c.get("RoleArn"), c.get("RoleSessionName")]),
      [["AssumeRole", PLAN_ROLE, "gitlab-42-7"]],
    );
    const assume = requests.find((r) => /Action=AssumeRole/.test(r.body))!;
    assert.equal(signedWith(assume), PLAN_KEY.id, "AssumeRole is signed with the plan user's key");
    assertStateAsSession(requests, PLAN_KEY.id);
  });

  it("iam-user apply job: the apply user's keys assume the CI apply role", async function () {
    const job = gitlabJob("iam-user", "apply:1:root");
    const aws = await runLines(
      credentialLines(job),
      jobEnv(job, {
        TF_APPLY_AWS_ACCESS_KEY_ID: APPLY_KEY.id,
        TF_APPLY_AWS_SECRET_ACCESS_KEY: APPLY_KEY.secret,
      }),
    );
    const requests = await initWith(aws);
    assert.deepEqual(
      stsCalls(requests).map((c) => [c.get("Action"), c.get("RoleArn")]),
      [["AssumeRole", APPLY_ROLE]],
    );
    const assume = requests.find((r) => /Action=AssumeRole/.test(r.body))!;
    assert.equal(signedWith(assume), APPLY_KEY.id);
    assertStateAsSession(requests, APPLY_KEY.id);
  });

  for (const [name, role] of [
    ["plan:root", PLAN_ROLE],
    ["apply:1:root", APPLY_ROLE],
  ] as const) {
    it(`gitlab-oidc ${name} job: the ID token is exchanged for its CI role`, async function () {
      const job = gitlabJob("gitlab-oidc", name);
      const aws = await runLines(credentialLines(job), jobEnv(job, { AWS_ID_TOKEN: ID_TOKEN }));
      assert.equal(aws.AWS_ROLE_ARN, role);
      const requests = await initWith(aws);
      const calls = stsCalls(requests);
      assert.deepEqual(
        calls.map((c) => [c.get("Action"), c.get("RoleArn"), c.get("RoleSessionName")]),
        [["AssumeRoleWithWebIdentity", role, "gitlab-42-7"]],
      );
      assert.equal(calls[0].get("WebIdentityToken"), ID_TOKEN);
      assertStateAsSession(requests);
    });
  }

  it("a profile taking its keys from the environment is ignored when the keys are in the environment", async function () {
    // Why the iam-user jobs write the keys to a credentials file instead of exporting them:
    // with AWS_ACCESS_KEY_ID set, the backend signs with the user's keys and never assumes
    // the role that AWS_PROFILE's `credential_source = Environment` profile names.
    const config = path.join(sandbox.dir, "env-profile-config");
    writeFileSync(
      config,
      `[profile ci]\nrole_arn = ${PLAN_ROLE}\ncredential_source = Environment\n`,
    );
    const requests = await initWith({
      AWS_CONFIG_FILE: config,
      AWS_PROFILE: "ci",
      AWS_ACCESS_KEY_ID: PLAN_KEY.id,
      AWS_SECRET_ACCESS_KEY: PLAN_KEY.secret,
    });
    assert.deepEqual(stsCalls(requests), []);
    const s3 = requests.filter((r) => r.url.includes(`/${BUCKET}`));
    assert.ok(s3.length > 0 && s3.every((r) => signedWith(r) === PLAN_KEY.id));
  });
});

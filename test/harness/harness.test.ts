import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { MOTO_DEFAULT_ACCOUNT, startMoto, useMoto } from "./moto";
import { describeRun, runTofu, tofuSandbox, type TofuSandbox } from "./tofu";
import { ensureTools, pinnedVersions, SETUP_TIMEOUT_MS, type Tools } from "./tools";

/**
 * sts:GetCallerIdentity as a plain query request. moto routes a request by the service in its
 * SigV4 credential scope and checks no signature while IAM enforcement is off, so a
 * placeholder Authorization header is enough.
 */
async function callerAccount(endpoint: string, headers: Record<string, string> = {}) {
  const scope = "AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request";
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`,
      ...headers,
    },
    body: "Action=GetCallerIdentity&Version=2011-06-15",
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return /<Account>(\d{12})<\/Account>/.exec(text)?.[1];
}

describe("test harness", function () {
  let tools: Tools;
  before(async function () {
    this.timeout(SETUP_TIMEOUT_MS);
    tools = await ensureTools();
  });

  it("pins moto 5.x and OpenTofu 1.10 or newer in .ci/setup-tools", function () {
    const { moto, tofu } = pinnedVersions();
    assert.match(moto, /^5\.\d+\.\d+$/);
    const [major, minor] = tofu.split(".").map(Number);
    assert.ok(major === 1 && (minor ?? 0) >= 10, `OpenTofu ${tofu} is older than 1.10`);
  });

  describe("moto", function () {
    const moto = useMoto();

    it("listens on 127.0.0.1 and answers sts:GetCallerIdentity in the default account", async function () {
      assert.match(moto().endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await callerAccount(moto().endpoint), MOTO_DEFAULT_ACCOUNT);
    });

    it("selects another account with the x-moto-account-id header", async function () {
      const account = await callerAccount(moto().endpoint, { "x-moto-account-id": "111111111111" });
      assert.equal(account, "111111111111");
    });

    it("resets state", async function () {
      const create = await fetch(`${moto().endpoint}/harness-reset-probe`, { method: "PUT" });
      assert.equal(create.status, 200, await create.text());
      const before = await fetch(`${moto().endpoint}/harness-reset-probe`, { method: "HEAD" });
      assert.equal(before.status, 200);
      await moto().reset();
      const after = await fetch(`${moto().endpoint}/harness-reset-probe`, { method: "HEAD" });
      assert.equal(after.status, 404);
    });

    it("stops: the port refuses connections afterwards", async function () {
      this.timeout(60_000);
      const own = await startMoto();
      await own.stop();
      await assert.rejects(fetch(`${own.endpoint}/moto-api/`), "moto still answers after stop()");
      await own.stop(); // idempotent
    });
  });

  describe("tofu", function () {
    let sandbox: TofuSandbox;
    beforeEach(function () {
      sandbox = tofuSandbox("harness");
    });
    afterEach(function () {
      sandbox.cleanup();
    });

    it("is the pinned OpenTofu release", async function () {
      const result = await runTofu(["version", "-json"], { cwd: sandbox.root, env: sandbox.env });
      assert.equal(result.code, 0, describeRun(["version"], result));
      const version = JSON.parse(result.stdout) as { terraform_version: string };
      assert.equal(version.terraform_version, tools.tofuVersion);
    });

    it("refuses to download providers, from any registry host", async function () {
      this.timeout(60_000);
      writeFileSync(
        path.join(sandbox.root, "main.tf"),
        [
          "terraform {",
          "  required_providers {",
          '    null = { source = "hashicorp/null" }',
          '    aws  = { source = "registry.terraform.io/hashicorp/aws" }',
          "  }",
          "}",
        ].join("\n"),
      );
      const args = ["init", "-no-color"];
      const result = await runTofu(args, { cwd: sandbox.root, env: sandbox.env });
      assert.equal(result.code, 1, describeRun(args, result));
      // Excluded by the CLI config, not a failed download: no host was contacted.
      for (const provider of [
        "registry.opentofu.org/hashicorp/null",
        "registry.terraform.io/hashicorp/aws",
      ]) {
        assert.match(
          result.stderr.replace(/\s+/g, " "),
          new RegExp(`provider ${provider} was not found in any of the search locations`),
        );
      }
      assert.doesNotMatch(result.stderr, /could not connect|discovery document/);
    });

    it("refuses to run without an explicit CLI config and data dir", async function () {
      await assert.rejects(
        runTofu(["version"], { cwd: sandbox.root, env: {} }),
        /TF_CLI_CONFIG_FILE/,
      );
    });
  });
});

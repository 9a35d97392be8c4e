import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { engineAvailability, resolveProviderSource } from "./engines";
import { MOTO_DEFAULT_ACCOUNT, startMoto, useMoto } from "./moto";
import { describeRun, runTofu, tofuSandbox, writeCliConfig, type TofuSandbox } from "./tofu";
import {
  ensureTools,
  inCi,
  locateProviderMirror,
  locateTerraform,
  pinnedVersions,
  providerPlatform,
  SETUP_TIMEOUT_MS,
  type Tools,
} from "./tools";

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

  describe("engines and the provider mirror", function () {
    let dir: string;
    beforeEach(function () {
      dir = mkdtempSync(path.join(tmpdir(), "tf-bootstrap-locators-"));
    });
    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    const file = (relative: string, executable: boolean): string => {
      const p = path.join(dir, relative);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, "#!/bin/sh\n");
      chmodSync(p, executable ? 0o755 : 0o644);
      return p;
    };
    /** A mirror with hashicorp/aws `versions` for this platform (fake, executable packages). */
    const mirror = (name: string, versions: readonly string[]): string => {
      for (const v of versions) {
        file(
          `${name}/registry.terraform.io/hashicorp/aws/${v}/${providerPlatform()}/terraform-provider-aws_v${v}_x5`,
          true,
        );
      }
      const root = path.join(dir, name);
      mkdirSync(root, { recursive: true });
      return root;
    };

    it("Terraform: the file $TF_BOOTSTRAP_TERRAFORM names, else `terraform` on PATH; a named file that is not executable is refused, not replaced", function () {
      const onPath = file("bin/terraform", true);
      const named = file("named/terraform", true);
      const plain = file("plain/terraform", false);
      const bin = path.dirname(onPath);
      assert.deepEqual(locateTerraform({ PATH: `/nonexistent:${bin}` }), {
        found: true,
        value: onPath,
        source: "PATH",
      });
      assert.deepEqual(locateTerraform({ PATH: bin, TF_BOOTSTRAP_TERRAFORM: named }), {
        found: true,
        value: named,
        source: "$TF_BOOTSTRAP_TERRAFORM",
      });
      const refused = locateTerraform({ PATH: bin, TF_BOOTSTRAP_TERRAFORM: plain });
      assert.equal(refused.found, false);
      assert.match(refused.found ? "" : refused.reason, /is not an executable file/);
      const none = locateTerraform({ PATH: path.join(dir, "empty") });
      assert.match(none.found ? "" : none.reason, /no terraform on PATH/);
    });

    it("the provider mirror: $TF_BOOTSTRAP_PROVIDER_MIRROR when set (newest version first), else the image's; a directory without hashicorp/aws for this platform is refused, naming the layout", function () {
      const named = mirror("named", ["5.9.0", "5.100.0", "5.10.1"]);
      const found = locateProviderMirror({ TF_BOOTSTRAP_PROVIDER_MIRROR: named });
      assert.ok(found.found);
      assert.equal(found.source, "$TF_BOOTSTRAP_PROVIDER_MIRROR");
      assert.deepEqual(
        found.value.aws.map((p) => p.version),
        ["5.100.0", "5.10.1", "5.9.0"],
      );
      const empty = mirror("empty", []);
      const refused = locateProviderMirror({ TF_BOOTSTRAP_PROVIDER_MIRROR: empty });
      assert.equal(refused.found, false);
      assert.match(
        refused.found ? "" : refused.reason,
        new RegExp(
          `holds no registry\\.terraform\\.io/hashicorp/aws/<version>/${providerPlatform()}/`,
        ),
      );
    });

    it("without a mirror, init downloads the provider; in CI a missing mirror fails with what to do", function () {
      const empty = mirror("empty", []);
      const outside = resolveProviderSource({ TF_BOOTSTRAP_PROVIDER_MIRROR: empty });
      assert.equal(outside.kind, "download");
      assert.throws(
        () => resolveProviderSource({ TF_BOOTSTRAP_PROVIDER_MIRROR: empty, CI: "true" }),
        /provider mirror is required in CI but was not found: .*set TF_BOOTSTRAP_PROVIDER_MIRROR/,
      );
      const named = mirror("named", ["5.100.0"]);
      const source = resolveProviderSource({ TF_BOOTSTRAP_PROVIDER_MIRROR: named, CI: "true" });
      assert.equal(source.kind, "mirror");
    });

    it("a machine without Terraform: outside CI its suites are reported pending, with the reason; in CI they are registered, and fail", function () {
      const env = { PATH: path.join(dir, "empty") };
      const outside = engineAvailability("terraform", env);
      assert.equal(outside.register, false);
      assert.match(
        outside.register ? "" : outside.reason,
        /Terraform was not found .*TF_BOOTSTRAP_TERRAFORM/,
      );
      assert.deepEqual(engineAvailability("terraform", { ...env, CI: "true" }), { register: true });
      assert.deepEqual(engineAvailability("tofu", env), { register: true });
      assert.equal(inCi({ CI: "false" }), false);
      assert.equal(inCi({ CI: "1" }), true);
    });

    it("the CLI config: a mirror and no download, or downloads allowed", function () {
      const offline = writeCliConfig(path.join(dir, "offline.tfrc"), { filesystemMirror: "/m" });
      const text = (f: string) => readFileSync(f, "utf8");
      assert.match(text(offline), /filesystem_mirror \{\n {4}path {4}= "\/m"/);
      assert.match(text(offline), /direct \{\n {4}exclude = \["\*\/\*\/\*"\]/);
      const online = writeCliConfig(path.join(dir, "online.tfrc"), { allowDownload: true });
      assert.match(text(online), /direct \{\}/);
      assert.doesNotMatch(text(online), /exclude/);
    });
  });
});

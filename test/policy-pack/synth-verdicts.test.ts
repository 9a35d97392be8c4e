import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { hasMandatoryViolation, renderVerdicts, verdictSummary } from "../../lib/guard";
import { policyVerdicts } from "../../scripts/synth/artifacts";
import { synthesize, type SynthResult } from "../../scripts/synth/mock-runtime";
import { ROOT, stackConfig } from "../helpers/stack";

const run = promisify(execFile);

/** Pins the Terraform account to a product account, against the stack config's. */
const WRONG_PIN = { "state-backend-hardened": { terraformAccountId: "222222222222" } };

describe("policy pack: verdicts in the offline synth", function () {
  this.timeout(60000);
  let result: SynthResult;
  before(async () => {
    result = await synthesize(stackConfig("example"), { stack: "example" });
  });

  it("passes the example stack", () => {
    const report = policyVerdicts("example", result);
    assert.equal(hasMandatoryViolation(report), false);
    assert.match(
      verdictSummary(report),
      /14 run, 14 pass, 0 mandatory and 0 advisory violations; verdict: ok/,
    );
  });

  it("applies a policy pack config: levels and exceptions", () => {
    const blocked = policyVerdicts("example", result, WRONG_PIN);
    assert.equal(hasMandatoryViolation(blocked), true);
    assert.match(
      renderVerdicts(blocked),
      /\| state-backend-hardened \| mandatory \| FAIL \| 1 \| 0 \|/,
    );
    const advisory = policyVerdicts("example", result, {
      "state-backend-hardened": {
        ...WRONG_PIN["state-backend-hardened"],
        enforcementLevel: "advisory",
      },
    });
    assert.equal(hasMandatoryViolation(advisory), false);
    const accepted = policyVerdicts("example", result, {
      "state-backend-hardened": {
        ...WRONG_PIN["state-backend-hardened"],
        exceptions: [{ id: "Topology::TerraformAccountMismatch", reason: "test" }],
      },
    });
    assert.equal(hasMandatoryViolation(accepted), false);
    assert.match(
      renderVerdicts(accepted),
      /### Accepted by exceptions[\s\S]*Topology::TerraformAccountMismatch`: test/,
    );
    const disabled = policyVerdicts("example", result, { all: "disabled" });
    assert.ok(disabled.verdicts.every((v) => v.level === "disabled"));
  });

  it("exits 1 on a mandatory violation, after writing the report", async () => {
    const out = mkdtempSync(join(tmpdir(), "tfb-verdicts-"));
    try {
      const config = join(out, "policy-config.json");
      writeFileSync(config, JSON.stringify(WRONG_PIN));
      const error = await run(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          "scripts/synth.ts",
          "--out",
          join(out, "synth"),
          "--policy-pack-config",
          config,
        ],
        { cwd: ROOT },
      ).then(
        () => undefined,
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      assert.ok(error, "synth must fail");
      assert.equal(error.code, 1);
      assert.match(error.stdout, /verdict: BLOCKED/);
      assert.match(error.stderr, /mandatory policy would block/);
      const report = readFileSync(join(out, "synth", "report.md"), "utf8");
      assert.match(report, /`Topology::TerraformAccountMismatch`/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

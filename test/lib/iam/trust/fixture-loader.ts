/**
 * Loads the trust-policy fixture corpus: one JSON file per case in `fixtures/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { AllowedCaller } from "../../../../lib/iam";

/** One fixture: a trust policy, the allowed callers, and the verdict AWS's rules give. */
export interface TrustFixture {
  readonly file: string;
  readonly name: string;
  /** The AWS rule the verdict follows from, citing the documentation page. */
  readonly reason: string;
  readonly policy: string | object;
  readonly allowed: AllowedCaller[];
  readonly expected: "restrictive" | "permissive";
  /** When present, exactly the finding ids the analyzer must report. */
  readonly findings?: string[];
}

const FIXTURE_DIR = path.join(__dirname, "fixtures");

function fail(file: string, what: string): never {
  throw new Error(`fixture ${file}: ${what}`);
}

/** Reads and checks every fixture file, sorted by file name. */
export function loadTrustFixtures(): TrustFixture[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, file), "utf8")) as Record<
        string,
        unknown
      >;
      const { name, reason, policy, allowed, expected, findings } = raw;
      if (typeof name !== "string" || name === "") fail(file, "name must be a non-empty string");
      if (typeof reason !== "string" || !reason.includes("https://docs.aws.amazon.com/")) {
        fail(file, "reason must cite an AWS documentation page");
      }
      if (typeof policy !== "string" && (typeof policy !== "object" || policy === null)) {
        fail(file, "policy must be JSON text or an object");
      }
      if (!Array.isArray(allowed)) fail(file, "allowed must be an array");
      if (expected !== "restrictive" && expected !== "permissive") {
        fail(file, 'expected must be "restrictive" or "permissive"');
      }
      if (findings !== undefined) {
        if (!Array.isArray(findings) || findings.some((f) => typeof f !== "string")) {
          fail(file, "findings must be an array of ids");
        }
        if ((findings.length === 0) !== (expected === "restrictive")) {
          fail(file, "findings must be empty exactly when the verdict is restrictive");
        }
      }
      return {
        file,
        name,
        reason,
        policy,
        allowed: allowed as AllowedCaller[],
        expected,
        ...(findings === undefined ? {} : { findings: findings as string[] }),
      };
    });
}

import { strict as assert } from "node:assert";
import {
  DEFAULT_CONCURRENCY,
  ENDPOINT_ENV,
  parseAuditArgs,
  type ParsedArgs,
} from "../../lib/audit/cli-args";
import { DEFAULT_LIMITS } from "../../lib/audit/limits";

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Record<string, string>;
  readonly expected: ParsedArgs | RegExp;
}

const base = {
  stack: "acme",
  json: false,
  concurrency: DEFAULT_CONCURRENCY,
  maxKeyAgeDays: 90,
  limits: DEFAULT_LIMITS,
};

const cases: Case[] = [
  { name: "only the stack", argv: ["--stack", "acme"], expected: { kind: "args", args: base } },
  {
    name: "every flag",
    argv: [
      "--stack=acme",
      "--json",
      "--concurrency",
      "3",
      "--audit-role",
      "Auditor",
      "--max-key-age-days",
      "0",
      "--policy-pack-config",
      "pack.json",
      "--stacks-dir",
      "dir",
      "--endpoint",
      "http://127.0.0.1:5000",
      "--now",
      "2030-01-01T00:00:00Z",
      "--request-timeout",
      "2.5",
      "--account-timeout=60",
      "--max-attempts",
      "3",
      "--retry-mode",
      "adaptive",
    ],
    expected: {
      kind: "args",
      args: {
        stack: "acme",
        json: true,
        concurrency: 3,
        auditRole: "Auditor",
        maxKeyAgeDays: 0,
        policyPackConfig: "pack.json",
        stacksDir: "dir",
        endpoint: "http://127.0.0.1:5000",
        now: new Date("2030-01-01T00:00:00Z"),
        limits: {
          requestTimeoutMs: 2_500,
          accountTimeoutMs: 60_000,
          maxAttempts: 3,
          retryMode: "adaptive",
        },
      },
    },
  },
  {
    name: "the endpoint from the environment",
    argv: ["--stack", "acme"],
    env: { [ENDPOINT_ENV]: "http://127.0.0.1:1" },
    expected: { kind: "args", args: { ...base, endpoint: "http://127.0.0.1:1" } },
  },
  {
    name: "the flag wins over the environment",
    argv: ["--stack", "acme", "--endpoint", "http://127.0.0.1:2"],
    env: { [ENDPOINT_ENV]: "http://127.0.0.1:1" },
    expected: { kind: "args", args: { ...base, endpoint: "http://127.0.0.1:2" } },
  },
  { name: "help", argv: ["--stack", "acme", "-h"], expected: { kind: "help" } },
  { name: "no stack", argv: ["--json"], expected: /--stack NAME is required/ },
  { name: "a flag without its value", argv: ["--stack"], expected: /--stack needs a value/ },
  {
    name: "a flag followed by a flag",
    argv: ["--stack", "--json"],
    expected: /--stack needs a value/,
  },
  {
    name: "an unknown flag",
    argv: ["--stack", "a", "--region", "x"],
    expected: /unexpected argument '--region'/,
  },
  {
    name: "concurrency 0",
    argv: ["--stack", "a", "--concurrency", "0"],
    expected: /--concurrency must be a whole number of at least 1; got '0'/,
  },
  {
    name: "concurrency not a number",
    argv: ["--stack", "a", "--concurrency", "x"],
    expected: /--concurrency must be/,
  },
  {
    name: "negative key age",
    argv: ["--stack", "a", "--max-key-age-days", "-1"],
    expected: /--max-key-age-days must be/,
  },
  {
    name: "a bad time",
    argv: ["--stack", "a", "--now", "yesterday"],
    expected: /--now must be an ISO 8601 time/,
  },
  {
    name: "an endpoint that is not a URL",
    argv: ["--stack", "a", "--endpoint", "localhost"],
    expected: /--endpoint must be an http\(s\) URL/,
  },
  {
    name: "a request timeout of 0",
    argv: ["--stack", "a", "--request-timeout", "0"],
    expected: /--request-timeout must be a number of seconds from 0.1 to 600; got '0'/,
  },
  {
    name: "an account timeout with a unit",
    argv: ["--stack", "a", "--account-timeout", "5m"],
    expected: /--account-timeout must be a number of seconds from 1 to 86400; got '5m'/,
  },
  {
    name: "too many attempts",
    argv: ["--stack", "a", "--max-attempts", "100"],
    expected: /--max-attempts must be a whole number from 1 to 20; got '100'/,
  },
  {
    name: "an unknown retry mode",
    argv: ["--stack", "a", "--retry-mode", "legacy"],
    expected: /--retry-mode must be one of standard, adaptive; got 'legacy'/,
  },
  {
    name: "every problem at once, one a line",
    argv: [
      "--concurrency",
      "0",
      "--region",
      "x",
      "--request-timeout",
      "-1",
      "--retry-mode",
      "fast",
    ],
    expected:
      /^unexpected argument '--region'\nunexpected argument 'x'\n--stack NAME is required\n--concurrency must be .*\n--request-timeout must be .*\n--retry-mode must be .*$/,
  },
];

describe("parseAuditArgs", function () {
  for (const c of cases) {
    it(c.name, function () {
      const parsed = parseAuditArgs(c.argv, c.env ?? {});
      if (c.expected instanceof RegExp) {
        assert.equal(parsed.kind, "error");
        assert.match(parsed.kind === "error" ? parsed.message : "", c.expected);
      } else {
        assert.deepEqual(parsed, c.expected);
      }
    });
  }
});

import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import type { FailureClass } from "../../lib/audit/failure-class";
import type { AuditLimits } from "../../lib/audit/limits";
import { renderJson, renderText } from "../../lib/audit/render-text";
import type { AccountReport, AuditReport } from "../../lib/audit/report";
import { useMoto } from "../harness/moto";
import { audit, deploy, findingKeys } from "./fixtures/deployed-stack";
import { RESPONSE_SHAPES } from "../../scripts/aws/response-shapes";
import { startFaultProxy, type FaultProxy, type FaultRule } from "./fixtures/fault-proxy";
import { DEPLOYER } from "./fixtures/moto-clients";
import { runAuditCli, STACK_FRAME, type CliRun } from "./fixtures/run-cli";
import { productAccountId, TF_ACCOUNT, writeTestStack, type TestStack } from "./fixtures/stacks";
import { inAccount, tamper } from "./fixtures/tamper";

/*
 * The audit against moto, with a fault-injection proxy between them. For every fault the
 * invariant holds: the audit never exits 0 and never reports an account clean when it did not
 * read it, never prints a stack trace, finishes within its deadline, and still reports the other
 * accounts. A transient fault is retried (or the session assumed again) and the audit completes
 * clean.
 *
 * Every fault runs through `auditStack`, the code below the command line, with the report
 * rendered as the command line prints it (text and JSON); the command line itself runs for every
 * failure class at once, a refused endpoint, and SIGINT and SIGTERM, where its exit code, its
 * output and its time are checked.
 */

const P0 = productAccountId(0);
const P1 = productAccountId(1);
const P2 = productAccountId(2);
const KEYS: Readonly<Record<string, string>> = {
  [TF_ACCOUNT]: "terraform",
  [P0]: "p00",
  [P1]: "p01",
  [P2]: "p02",
};

/** Limits of every run: short, so a fault costs seconds; a case may override them. */
const LIMITS: AuditLimits = {
  requestTimeoutMs: 5_000,
  accountTimeoutMs: 60_000,
  maxAttempts: 3,
  retryMode: "standard",
};
/** The same as command-line flags. */
const LIMIT_FLAGS = ["--request-timeout", "5", "--account-timeout", "60", "--max-attempts", "3"];
/** What a run may take beyond its account deadline: building and printing the report. */
const SLACK_MS = 10_000;
/** p01 holds this many more roles than moto's page of 100: its role list has two pages. */
const SERVICE_ROLES = 100;

interface FaultCase {
  readonly name: string;
  readonly rules: readonly FaultRule[];
  /**
   * What the audit must report: the faulted accounts (by id, or every account) not audited with
   * this class, one failure's stage matching `stage`. Absent: the audit recovers and every
   * account is audited clean.
   */
  readonly expected?: {
    readonly accounts: readonly string[] | "every";
    readonly class: FailureClass;
    readonly stage: RegExp;
    readonly message?: RegExp;
  };
  /** Limits that replace those of {@link LIMITS}. */
  readonly limits?: Partial<AuditLimits>;
  readonly check?: (report: AuditReport, proxy: FaultProxy) => void;
}

const notAudited = (accounts: readonly string[] | "every", cls: FailureClass, stage: RegExp) => ({
  accounts,
  class: cls,
  stage,
});

/** Requests of `operation` the proxy saw in `account`. */
const seen = (proxy: FaultProxy, operation: string, account?: string) =>
  proxy.requests.filter(
    (r) => r.operation === operation && (account === undefined || r.account === account),
  ).length;

const cases: FaultCase[] = [
  // Malformed successful answers: a read failure of that resource, never an empty result.
  {
    name: "iam:ListRoles answers HTTP 200 with an empty body",
    rules: [{ operation: "ListRoles", account: P1, fault: { kind: "empty-body" } }],
    expected: notAudited([P1], "malformed-response", /^list roles \(iam:ListRoles\)$/),
    check: (report) => {
      const p01 = account(report, "p01");
      assert.match(
        p01.failure?.message ?? "",
        /is empty \(HTTP 2xx with no body\) \(after 3 attempts\)/,
      );
    },
  },
  {
    name: "iam:ListRoles answers HTTP 200 with an HTML page",
    rules: [{ operation: "ListRoles", account: P1, fault: { kind: "html" } }],
    expected: notAudited([P1], "malformed-response", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:ListRoles answers with its XML cut in half",
    rules: [{ operation: "ListRoles", account: P0, fault: { kind: "truncate" } }],
    expected: notAudited([P0], "malformed-response", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:ListRoles answers without its Roles list",
    rules: [{ operation: "ListRoles", account: P2, fault: { kind: "drop-field", field: "Roles" } }],
    expected: notAudited([P2], "malformed-response", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:ListRoles says IsTruncated without a Marker",
    rules: [{ operation: "ListRoles", account: P0, fault: { kind: "truncated-without-marker" } }],
    expected: notAudited([P0], "malformed-response", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:ListRoles answers its second page with an empty body",
    rules: [{ operation: "ListRoles", account: P1, nextPage: true, fault: { kind: "empty-body" } }],
    expected: notAudited([P1], "malformed-response", /^list roles \(iam:ListRoles\), page 2$/),
  },
  {
    name: "iam:ListRoles hands out the same Marker on every page",
    rules: [{ operation: "ListRoles", account: P2, fault: { kind: "repeat-marker" } }],
    expected: notAudited([P2], "malformed-response", /^list roles \(iam:ListRoles\)$/),
    check: (report) =>
      assert.match(account(report, "p02").failure?.message ?? "", /repeats the Marker/),
  },
  {
    name: "iam:ListAttachedRolePolicies answers HTTP 200 with an empty body",
    rules: [
      {
        operation: "ListAttachedRolePolicies",
        account: P1,
        matches: /RoleName=terraform(?:&|$)/,
        fault: { kind: "empty-body" },
      },
    ],
    expected: notAudited(
      [P1],
      "malformed-response",
      /^list managed policies of role terraform \(iam:ListAttachedRolePolicies\)$/,
    ),
  },
  {
    name: "iam:GetRole answers HTTP 200 with an empty body (not 'the role is missing')",
    rules: [
      {
        operation: "GetRole",
        account: P2,
        matches: /RoleName=terraform(?:&|$)/,
        fault: { kind: "empty-body" },
      },
    ],
    expected: notAudited([P2], "malformed-response", /^read role terraform \(iam:GetRole\)$/),
  },
  {
    name: "cloudtrail:GetTrailStatus answers HTTP 200 with an empty body (not 'logging off')",
    rules: [{ operation: "GetTrailStatus", fault: { kind: "empty-body" } }],
    expected: notAudited(
      [TF_ACCOUNT],
      "malformed-response",
      /^read status of trail terraform-audit \(cloudtrail:GetTrailStatus\)$/,
    ),
  },
  {
    name: "cloudtrail:GetTrailStatus answers without IsLogging",
    rules: [{ operation: "GetTrailStatus", fault: { kind: "drop-field", field: "IsLogging" } }],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /cloudtrail:GetTrailStatus/),
  },
  {
    name: "cloudtrail:GetEventSelectors answers with its JSON cut in half",
    rules: [{ operation: "GetEventSelectors", fault: { kind: "truncate" } }],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /cloudtrail:GetEventSelectors/),
  },
  {
    name: "kms:GetKeyPolicy answers HTTP 200 with an HTML page",
    rules: [{ operation: "GetKeyPolicy", fault: { kind: "html" } }],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /kms:GetKeyPolicy/),
  },
  {
    name: "kms:GetKeyRotationStatus answers without KeyRotationEnabled",
    rules: [
      {
        operation: "GetKeyRotationStatus",
        fault: { kind: "drop-field", field: "KeyRotationEnabled" },
      },
    ],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /kms:GetKeyRotationStatus/),
  },
  {
    name: "s3:GetBucketVersioning answers HTTP 200 with an empty body (not 'never enabled')",
    rules: [{ operation: "GetBucketVersioning", fault: { kind: "empty-body" } }],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /s3:GetBucketVersioning/),
  },
  {
    name: "s3:GetBucketPolicy answers HTTP 200 with an HTML page",
    rules: [{ operation: "GetBucketPolicy", fault: { kind: "html" } }],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /s3:GetBucketPolicy/),
  },
  {
    name: "dynamodb:DescribeContinuousBackups answers without the recovery description",
    rules: [
      {
        operation: "DescribeContinuousBackups",
        fault: {
          kind: "drop-field",
          field: "ContinuousBackupsDescription.PointInTimeRecoveryDescription",
        },
      },
    ],
    expected: notAudited([TF_ACCOUNT], "malformed-response", /dynamodb:DescribeContinuousBackups/),
  },
  {
    name: "sts:AssumeRole answers HTTP 200 with an empty body",
    rules: [{ operation: "AssumeRole", account: P1, fault: { kind: "empty-body" } }],
    expected: notAudited([P1], "malformed-response", /^assume arn:aws:iam::200000000001:role\//),
  },
  {
    name: "sts:GetCallerIdentity answers without the account",
    rules: [
      {
        operation: "GetCallerIdentity",
        account: P2,
        fault: { kind: "drop-field", field: "Account" },
      },
    ],
    expected: notAudited([P2], "malformed-response", /^verify the account/),
  },
  // Connections.
  {
    name: "every iam:GetUser connection is reset",
    rules: [{ operation: "GetUser", fault: { kind: "reset" } }],
    expected: notAudited([TF_ACCOUNT], "network", /iam:GetUser/),
  },
  {
    name: "iam:ListRoles is cut off mid-body",
    rules: [{ operation: "ListRoles", account: P0, fault: { kind: "cut-off" } }],
    expected: notAudited([P0], "network", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:GetRole answers later than the request timeout, every time",
    rules: [{ operation: "GetRole", account: P1, fault: { kind: "delay", ms: 7_000 } }],
    limits: { maxAttempts: 2 },
    expected: notAudited([P1], "timeout", /iam:GetRole/),
  },
  {
    name: "iam:ListRoles never answers",
    rules: [{ operation: "ListRoles", account: P2, fault: { kind: "hang" } }],
    limits: { maxAttempts: 2 },
    expected: notAudited([P2], "timeout", /^list roles \(iam:ListRoles\)$/),
  },
  {
    name: "iam:ListRoles never answers, and the account deadline comes first",
    rules: [{ operation: "ListRoles", account: P2, fault: { kind: "hang" } }],
    limits: { requestTimeoutMs: 600_000, accountTimeoutMs: 20_000 },
    expected: {
      accounts: [P2],
      class: "timeout",
      stage: /^finish the account within its deadline \(--account-timeout 20 s\)$/,
      message: /still waiting for 1 read: list roles \(iam:ListRoles\)/,
    },
  },
  // Throttling, server errors, access, credentials.
  {
    name: "iam:ListRoles is throttled on every attempt",
    rules: [{ operation: "ListRoles", account: P0, fault: { kind: "throttle" } }],
    expected: notAudited([P0], "throttling", /^list roles \(iam:ListRoles\)$/),
    check: (_report, proxy) => assert.equal(seen(proxy, "ListRoles", P0), 3),
  },
  {
    name: "s3:GetBucketVersioning is throttled (503 SlowDown) on every attempt",
    rules: [{ operation: "GetBucketVersioning", fault: { kind: "throttle" } }],
    expected: notAudited([TF_ACCOUNT], "throttling", /s3:GetBucketVersioning/),
  },
  {
    name: "kms:DescribeKey is throttled (ThrottlingException) on every attempt",
    rules: [{ operation: "DescribeKey", fault: { kind: "throttle" } }],
    expected: notAudited([TF_ACCOUNT], "throttling", /kms:DescribeKey/),
  },
  {
    name: "iam:GetRole answers HTTP 500 on every attempt",
    rules: [{ operation: "GetRole", account: P1, fault: { kind: "server-error" } }],
    expected: notAudited([P1], "server", /iam:GetRole/),
  },
  {
    name: "cloudtrail:GetTrail answers HTTP 503 on every attempt",
    rules: [{ operation: "GetTrail", fault: { kind: "server-error", status: 503 } }],
    expected: notAudited([TF_ACCOUNT], "server", /cloudtrail:GetTrail/),
  },
  {
    name: "iam:ListRoles and iam:GetRole are denied (both reported, not retried)",
    rules: [
      { operation: "ListRoles", account: P1, fault: { kind: "access-denied" } },
      {
        operation: "GetRole",
        account: P1,
        matches: /RoleName=terraform-plan(?:&|$)/,
        fault: { kind: "access-denied" },
      },
    ],
    expected: notAudited([P1], "access", /^list roles \(iam:ListRoles\)$/),
    check: (report, proxy) => {
      assert.deepEqual(proxy.hits, [
        { matched: 1, injected: 1 },
        { matched: 1, injected: 1 },
      ]);
      assert.deepEqual((account(report, "p01").failures ?? []).map((f) => f.stage).sort(), [
        "list roles (iam:ListRoles)",
        "read role terraform-plan (iam:GetRole)",
      ]);
    },
  },
  {
    name: "kms:GetKeyPolicy is denied (AccessDeniedException)",
    rules: [{ operation: "GetKeyPolicy", fault: { kind: "access-denied" } }],
    expected: notAudited([TF_ACCOUNT], "access", /kms:GetKeyPolicy/),
  },
  {
    name: "the audit role session keeps expiring: assumed again once, then reported",
    rules: [{ service: "iam", account: P1, fault: { kind: "expired-token" } }],
    expected: notAudited([P1], "credentials", /\(iam:/),
    check: (_report, proxy) => assert.equal(seen(proxy, "AssumeRole", P1), 2),
  },
  {
    name: "the caller's own credentials have expired (sts:AssumeRole)",
    rules: [{ operation: "AssumeRole", account: P0, fault: { kind: "expired-token" } }],
    expected: notAudited([P0], "credentials", /^assume arn:aws:iam::200000000000:role\//),
    check: (_report, proxy) => assert.equal(seen(proxy, "AssumeRole", P0), 1),
  },
  // Transient faults: retried by the SDK's standard strategy (or the session renewed), then clean.
  {
    name: "recovers: iam:ListRoles answers an empty body once",
    rules: [{ operation: "ListRoles", account: P1, fault: { kind: "empty-body" }, times: 1 }],
  },
  {
    name: "recovers: iam:GetRole of the CI role is throttled twice",
    rules: [
      {
        operation: "GetRole",
        matches: /RoleName=terraform-ci(?:&|$)/,
        fault: { kind: "throttle" },
        times: 2,
      },
    ],
    check: (_report, proxy) => assert.deepEqual(proxy.hits, [{ matched: 3, injected: 2 }]),
  },
  {
    name: "recovers: a connection reset once",
    rules: [{ operation: "GetUser", fault: { kind: "reset" }, times: 1 }],
  },
  {
    name: "recovers: an answer later than the request timeout once",
    rules: [{ operation: "ListRoles", account: P0, fault: { kind: "delay", ms: 7_000 }, times: 1 }],
  },
  {
    name: "recovers: HTTP 500 once",
    rules: [{ operation: "GetTrailStatus", fault: { kind: "server-error" }, times: 1 }],
  },
  {
    name: "recovers: the audit role session expires once (assumed again)",
    rules: [{ operation: "GetRole", account: P1, fault: { kind: "expired-token" }, times: 1 }],
    check: (_report, proxy) => assert.equal(seen(proxy, "AssumeRole", P1), 2),
  },
];

function account(report: AuditReport, key: string): AccountReport {
  const found = report.accounts.find((a) => a.key === key);
  assert.ok(found, `no account ${key} in the report`);
  return found;
}

const describeRun = (run: CliRun) =>
  `exit ${run.code} (${run.signal ?? "no signal"})\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

/** A loopback port nobody listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error(`no port: ${String(address)}`)),
      );
    });
  });
}

/**
 * The invariant on a report: never exit 0 nor an account reported clean that was not read, the
 * other accounts still audited; without `expected`, every account audited clean and exit 0.
 */
function assertReport(expected: FaultCase["expected"], report: AuditReport, context: string): void {
  if (expected === undefined) {
    assert.equal(report.exitCode, 0, context);
    assert.deepEqual(
      report.accounts.map((a) => `${a.key}:${a.status}`),
      ["terraform:audited", "p00:audited", "p01:audited", "p02:audited"],
      context,
    );
    assert.deepEqual(findingKeys(report), [], context);
    return;
  }
  assert.equal(report.exitCode, 2, context);
  const faulted = expected.accounts === "every" ? Object.keys(KEYS) : expected.accounts;
  for (const a of report.accounts) {
    if (!faulted.includes(a.accountId)) {
      assert.equal(a.status, "audited", `${a.key}\n${context}`);
      assert.deepEqual(a.findings, [], `${a.key}\n${context}`);
      continue;
    }
    assert.equal(a.status, "not-audited", `${a.key}\n${context}`);
    assert.deepEqual(a.findings, [], context);
    assert.equal(a.failure?.class, expected.class, `${a.key}\n${context}`);
    assert.ok(
      (a.failures ?? []).some((f) => expected.stage.test(f.stage)),
      `${a.key}: no failure at ${String(expected.stage)}\n${context}`,
    );
    if (expected.message !== undefined) {
      assert.match(a.failure?.message ?? "", expected.message, context);
    }
  }
}

/** The invariant on a command line run: its exit code, no stack trace, within `deadlineMs`. */
function assertRun(run: CliRun, report: AuditReport, startedAt: number, deadlineMs: number): void {
  const context = describeRun(run);
  assert.equal(run.signal, null, context);
  assert.equal(run.code, report.exitCode, context);
  assert.doesNotMatch(run.stdout, STACK_FRAME, context);
  assert.doesNotMatch(run.stderr, STACK_FRAME, context);
  const elapsed = run.exitedAt - startedAt;
  const bound = deadlineMs + SLACK_MS;
  assert.ok(elapsed < bound, `took ${elapsed} ms, more than ${bound} ms\n${context}`);
  if (report.exitCode !== 0) assert.doesNotMatch(run.stderr, /; clean$/m, context);
}

describe("audit under injected faults (moto behind a fault-injection proxy)", function () {
  this.timeout(180_000);
  const moto = useMoto();
  let stack: TestStack;

  before(function () {
    stack = writeTestStack("faults", { products: 3, lock: "both", createAccessKey: true });
  });
  after(function () {
    stack.cleanup();
  });

  /** The command line through `endpoint`, with the suite's limits, as JSON unless `text`. */
  const cli = async (
    endpoint: string,
    flags: readonly string[] = [],
    options: Parameters<typeof runAuditCli>[2] & { text?: boolean } = {},
  ) => {
    const argv = [
      ...["--stack", stack.name, "--stacks-dir", stack.dir, "--endpoint", endpoint],
      ...(options.text === true ? [] : ["--json"]),
      ...["--concurrency", "4", ...LIMIT_FLAGS, ...flags],
    ];
    const startedAt = Date.now();
    const result = await runAuditCli(argv, DEPLOYER, options);
    let report: AuditReport | undefined;
    if (options.text !== true) {
      try {
        report = JSON.parse(result.stdout) as AuditReport;
      } catch {
        assert.fail(`the audit printed no JSON report\n${describeRun(result)}`);
      }
    }
    return { result, report, startedAt };
  };

  describe("the deployed topology", function () {
    before(async function () {
      await deploy(moto(), stack);
      await inAccount(moto().endpoint, P1, tamper.serviceRoles("service", SERVICE_ROLES));
    });

    it("is clean through the proxy from the command line; p01's role list has two pages", async function () {
      const proxy = await startFaultProxy(moto().endpoint);
      try {
        const { result, report, startedAt } = await cli(proxy.endpoint);
        assert.ok(report);
        assertRun(result, report, startedAt, LIMITS.accountTimeoutMs);
        assertReport(undefined, report, describeRun(result));
        assert.match(result.stderr, /4 of 4 accounts audited, 0 findings; clean$/m);
        const pages = proxy.requests.filter((r) => r.operation === "ListRoles" && r.account === P1);
        assert.deepEqual(
          pages.map((r) => r.nextPage),
          [false, true],
        );
        // Every operation the audit called has a declared answer shape (or the middleware
        // would have failed the read).
        const operations = new Set(proxy.requests.map((r) => `${r.operation}Command`));
        assert.deepEqual(
          [...operations].filter((o) => !(o in RESPONSE_SHAPES)),
          [],
        );
      } finally {
        await proxy.close();
      }
    });

    for (const c of cases) {
      it(c.expected ? `reports: ${c.name}` : c.name, async function () {
        const proxy = await startFaultProxy(moto().endpoint, { rules: c.rules });
        try {
          const limits = { ...LIMITS, ...c.limits };
          const started = Date.now();
          const report = await audit(moto(), stack, {
            endpoint: proxy.endpoint,
            concurrency: 4,
            limits,
          });
          const elapsed = Date.now() - started;
          const text = renderText(report);
          const context = `${text}\n${renderJson(report)}`;
          assert.ok(
            proxy.hits.some((h) => h.injected > 0),
            `the fault was never injected\n${context}`,
          );
          assertReport(c.expected, report, context);
          assert.doesNotMatch(text, STACK_FRAME, context);
          assert.ok(
            elapsed < limits.accountTimeoutMs + SLACK_MS,
            `took ${elapsed} ms, beyond the account deadline\n${context}`,
          );
          if (c.expected !== undefined) {
            for (const id of c.expected.accounts === "every"
              ? Object.keys(KEYS)
              : c.expected.accounts) {
              assert.doesNotMatch(text, new RegExp(`^== ${KEYS[id]} \\(${id}\\): clean$`, "m"));
            }
          }
          c.check?.(report, proxy);
        } finally {
          await proxy.close();
        }
      });
    }

    it("from the command line: every failure class with its own hint, exit 2", async function () {
      const proxy = await startFaultProxy(moto().endpoint, {
        rules: [
          { operation: "GetKeyPolicy", fault: { kind: "access-denied" } },
          { operation: "ListRoles", account: P0, fault: { kind: "throttle" } },
          { operation: "ListRoles", account: P1, fault: { kind: "html" } },
          { operation: "ListRoles", account: P2, fault: { kind: "hang" } },
        ],
      });
      try {
        const { result, startedAt } = await cli(proxy.endpoint, ["--max-attempts", "2"], {
          text: true,
        });
        const context = describeRun(result);
        assert.equal(result.code, 2, context);
        assert.doesNotMatch(result.stdout + result.stderr, STACK_FRAME, context);
        assert.ok(result.exitedAt - startedAt < LIMITS.accountTimeoutMs + SLACK_MS, context);
        assert.match(
          result.stdout,
          /^audit of stack 'faults': 0 of 4 accounts audited, 0 findings; INCOMPLETE: not audited: terraform \(111111111111, access denied\), p00 \(200000000000, throttled\), p01 \(200000000001, malformed response\), p02 \(200000000002, timed out\)$/m,
          context,
        );
        /** An account's part of the text report: its title line and the lines under it. */
        const section = (key: string) => {
          const part = result.stdout.split(/\n(?=== )/).find((p) => p.startsWith(`== ${key} (`));
          return part === undefined ? undefined : /^== [^\n]*: ([^\n]*)\n([\s\S]*)$/.exec(part);
        };
        const expected: [string, RegExp, RegExp][] = [
          ["terraform", /NOT AUDITED \(access denied\)/, /fix: The audit role was refused a read/],
          ["p00", /NOT AUDITED \(throttled\)/, /fix: AWS kept throttling .*--concurrency/],
          ["p01", /NOT AUDITED \(malformed response\)/, /fix: An answer was not the AWS API's/],
          ["p02", /NOT AUDITED \(timed out\)/, /fix: No answer came within the time limits/],
        ];
        for (const [key, title, hint] of expected) {
          const found = section(key);
          assert.ok(found, `${key}\n${context}`);
          assert.match(found[1] ?? "", title, context);
          assert.match(found[2] ?? "", hint, context);
          if (key !== "terraform") {
            assert.doesNotMatch(found[2] ?? "", /audit role exists/, context);
          }
        }
      } finally {
        await proxy.close();
      }
    });

    it("from the command line: the rest of the classes, one account each, exit 2", async function () {
      const proxy = await startFaultProxy(moto().endpoint, {
        rules: [
          { operation: "GetTrail", fault: { kind: "server-error" } },
          { service: "iam", account: P0, fault: { kind: "expired-token" } },
          { operation: "GetUser", fault: { kind: "reset" } },
          { operation: "AssumeRole", account: P2, fault: { kind: "empty-body" } },
        ],
      });
      try {
        const { result, report, startedAt } = await cli(proxy.endpoint, ["--max-attempts", "2"]);
        assert.ok(report);
        assertRun(result, report, startedAt, LIMITS.accountTimeoutMs);
        const classes = report.accounts.map((a) => {
          const seen = [...new Set((a.failures ?? []).map((f) => f.class))].sort();
          return `${a.key}:${seen.join("+") || a.status}`;
        });
        assert.deepEqual(
          classes,
          ["terraform:network+server", "p00:credentials", "p01:audited", "p02:malformed-response"],
          describeRun(result),
        );
      } finally {
        await proxy.close();
      }
    });

    it("from the command line: every connection refused, every account reported", async function () {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const { result, report, startedAt } = await cli(endpoint);
      assert.ok(report);
      assertRun(result, report, startedAt, LIMITS.accountTimeoutMs);
      assertReport(notAudited("every", "network", /^assume /), report, describeRun(result));
      assert.match(account(report, "terraform").failure?.message ?? "", /ECONNREFUSED/);
    });

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it(`from the command line: prints the partial report and exits 2 on ${signal}`, async function () {
        const proxy = await startFaultProxy(moto().endpoint, {
          rules: [{ operation: "ListRoles", account: P2, fault: { kind: "hang" } }],
        });
        try {
          const { result, report } = await cli(
            proxy.endpoint,
            ["--request-timeout", "600", "--account-timeout", "3600"],
            {
              interrupt: {
                when: /(?=[\s\S]*terraform \(\d+\): read in)(?=[\s\S]*p00 \(\d+\): read in)(?=[\s\S]*p01 \(\d+\): read in)/,
                signal,
              },
            },
          );
          assert.ok(report);
          const context = describeRun(result);
          assert.ok(result.interruptedAt !== undefined, context);
          assertRun(result, report, result.interruptedAt, 0);
          assert.equal(result.code, 2, context);
          assert.equal(report.interrupted, signal);
          assert.deepEqual(
            report.accounts.map((a) => `${a.key}:${a.status}:${a.failure?.class ?? "-"}`),
            [
              "terraform:audited:-",
              "p00:audited:-",
              "p01:audited:-",
              "p02:not-audited:interrupted",
            ],
            context,
          );
          assert.deepEqual(findingKeys(report), [], context);
          assert.match(
            account(report, "p02").failure?.message ?? "",
            /list roles \(iam:ListRoles\)/,
          );
          assert.match(result.stderr, new RegExp(`INCOMPLETE \\(interrupted by ${signal}\\)`));
        } finally {
          await proxy.close();
        }
      });
    }
  });

  describe("a topology changed out of band: a fault never hides a finding as clean", function () {
    before(async function () {
      await deploy(moto(), stack);
      await inAccount(moto().endpoint, P1, tamper.attachCustomerPolicy("terraform", P1));
      await inAccount(
        moto().endpoint,
        P2,
        tamper.roleTrustingCi(
          "deploy-shortcut",
          TF_ACCOUNT,
          `arn:aws:iam::${TF_ACCOUNT}:role/terraform-ci`,
        ),
      );
    });

    const auditThrough = async (rules: readonly FaultRule[]) => {
      const proxy = await startFaultProxy(moto().endpoint, { rules });
      try {
        return await audit(moto(), stack, {
          endpoint: proxy.endpoint,
          concurrency: 4,
          limits: LIMITS,
        });
      } finally {
        await proxy.close();
      }
    };

    it("reports both changes when nothing fails", async function () {
      const report = await auditThrough([]);
      assert.equal(report.exitCode, 1, renderText(report));
      const keys = findingKeys(report);
      assert.ok(
        keys.includes("p01:declared-state-drift/Drift::ManagedPolicyAttached"),
        keys.join("\n"),
      );
      assert.ok(keys.includes("p02:live-state/Role::TrustsCi"), keys.join("\n"));
    });

    const hidden: { name: string; rule: FaultRule; faulted: string; kept: string }[] = [
      {
        name: "an empty iam:ListAttachedRolePolicies hides no policy attached out of band",
        rule: {
          operation: "ListAttachedRolePolicies",
          account: P1,
          matches: /RoleName=terraform(?:&|$)/,
          fault: { kind: "empty-body" },
        },
        faulted: "p01",
        kept: "p02:live-state/Role::TrustsCi",
      },
      {
        name: "an HTML iam:ListRoles hides no role trusting the CI role",
        rule: { operation: "ListRoles", account: P2, fault: { kind: "html" } },
        faulted: "p02",
        kept: "p01:declared-state-drift/Drift::ManagedPolicyAttached",
      },
    ];
    for (const h of hidden) {
      it(h.name, async function () {
        const report = await auditThrough([h.rule]);
        const context = renderText(report);
        assert.equal(report.exitCode, 2, context);
        assert.equal(account(report, h.faulted).status, "not-audited", context);
        assert.equal(account(report, h.faulted).failure?.class, "malformed-response", context);
        assert.ok(findingKeys(report).includes(h.kept), context);
        assert.ok(!findingKeys(report).some((k) => k.startsWith(`${h.faulted}:`)), context);
      });
    }
  });
});

import { strict as assert } from "node:assert";
import {
  classifyError,
  FAILURE_CLASSES,
  FAILURE_HINTS,
  FAILURE_LABELS,
  type ErrorFacts,
  type FailureClass,
} from "../../lib/audit/failure-class";
import { readFailure } from "../../scripts/aws/errors";
import { MalformedResponseError } from "../../scripts/aws/response-shapes";

interface Case {
  readonly name: string;
  readonly facts: ErrorFacts;
  readonly expected: FailureClass;
}

const cases: Case[] = [
  {
    name: "IAM's AccessDenied",
    facts: { name: "AccessDenied", httpStatus: 403 },
    expected: "access",
  },
  {
    name: "a JSON service's AccessDeniedException",
    facts: { name: "AccessDeniedException", httpStatus: 400 },
    expected: "access",
  },
  { name: "any other 403", facts: { name: "Forbidden403", httpStatus: 403 }, expected: "access" },
  {
    name: "an expired session token, though IAM answers it with 403",
    facts: { name: "ExpiredToken", httpStatus: 403 },
    expected: "credentials",
  },
  {
    name: "an unknown access key",
    facts: { name: "InvalidClientTokenId", httpStatus: 403 },
    expected: "credentials",
  },
  {
    name: "no credentials in the default chain",
    facts: { name: "CredentialsProviderError" },
    expected: "credentials",
  },
  {
    name: "IAM's Throttling",
    facts: { name: "Throttling", httpStatus: 400 },
    expected: "throttling",
  },
  { name: "S3's SlowDown", facts: { name: "SlowDown", httpStatus: 503 }, expected: "throttling" },
  { name: "HTTP 429", facts: { name: "HTTP429", httpStatus: 429 }, expected: "throttling" },
  {
    name: "the request timeout (ETIMEDOUT)",
    facts: { name: "TimeoutError", errno: "ETIMEDOUT" },
    expected: "timeout",
  },
  { name: "the socket idle timeout", facts: { name: "TimeoutError" }, expected: "timeout" },
  {
    name: "a reset connection, which the SDK names TimeoutError",
    facts: { name: "TimeoutError", errno: "ECONNRESET" },
    expected: "network",
  },
  {
    name: "a refused connection",
    facts: { name: "ECONNREFUSED", errno: "ECONNREFUSED" },
    expected: "network",
  },
  {
    name: "a name that does not resolve",
    facts: { name: "Error", errno: "ENOTFOUND" },
    expected: "network",
  },
  { name: "HTTP 500", facts: { name: "InternalFailure", httpStatus: 500 }, expected: "server" },
  { name: "an unnamed 502", facts: { name: "HTTP502", httpStatus: 502 }, expected: "server" },
  {
    name: "a malformed answer",
    facts: { name: "MalformedResponse", httpStatus: 200 },
    expected: "malformed-response",
  },
  {
    name: "a validation error",
    facts: { name: "ValidationError", httpStatus: 400 },
    expected: "error",
  },
];

describe("classifyError", function () {
  for (const c of cases) {
    it(`${c.name}: ${c.expected}`, function () {
      assert.equal(classifyError(c.facts), c.expected);
    });
  }

  it("gives every class a label and a hint of its own; only access sends the user to the role", function () {
    for (const cls of FAILURE_CLASSES) {
      assert.ok(FAILURE_LABELS[cls] !== "", cls);
      assert.ok(FAILURE_HINTS[cls] !== "", cls);
    }
    assert.equal(new Set(Object.values(FAILURE_HINTS)).size, FAILURE_CLASSES.length);
    const toTheRole = FAILURE_CLASSES.filter((cls) => /audit role exists/.test(FAILURE_HINTS[cls]));
    assert.deepEqual(toTheRole, ["access"]);
  });
});

describe("readFailure: SDK errors as read failures", function () {
  const sdkError = (name: string, fields: Record<string, unknown>) =>
    Object.assign(new Error(`${name} happened\nsecond line`), { name, ...fields });

  const table: {
    name: string;
    error: unknown;
    code: string;
    cls: FailureClass;
    message: RegExp;
  }[] = [
    {
      name: "a throttled request after the SDK's retries",
      error: sdkError("Throttling", { $metadata: { httpStatusCode: 400, attempts: 8 } }),
      code: "Throttling",
      cls: "throttling",
      message: /^Throttling happened \(after 8 attempts\)$/,
    },
    {
      name: "Node's ECONNRESET, as the SDK hands it on",
      error: sdkError("TimeoutError", { code: "ECONNRESET", $metadata: { attempts: 3 } }),
      code: "TimeoutError",
      cls: "network",
      message: /\(ECONNRESET\) \(after 3 attempts\)$/,
    },
    {
      name: "the request handler's timeout",
      error: Object.assign(
        new Error(
          "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.",
        ),
        { name: "TimeoutError", code: "ETIMEDOUT", $metadata: { attempts: 3 } },
      ),
      code: "TimeoutError",
      cls: "timeout",
      message:
        /^\[ERROR\] a request has exceeded the configured 2000 ms requestTimeout\. \(ETIMEDOUT\) \(after 3 attempts\)$/,
    },
    {
      name: "a refused connection without a name",
      error: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      code: "ECONNREFUSED",
      cls: "network",
      message: /^connect ECONNREFUSED 127\.0\.0\.1:1$/,
    },
    {
      name: "a malformed answer",
      error: new MalformedResponseError("iam:ListRoles", "is empty (HTTP 2xx with no body)", 200),
      code: "MalformedResponse",
      cls: "malformed-response",
      message: /^the iam:ListRoles answer is empty/,
    },
  ];
  for (const t of table) {
    it(t.name, function () {
      const failure = readFailure("stage", t.error).toFailure();
      assert.equal(failure.code, t.code);
      assert.equal(failure.class, t.cls);
      assert.match(failure.message, t.message);
      assert.doesNotMatch(failure.message, /\n/);
    });
  }
});

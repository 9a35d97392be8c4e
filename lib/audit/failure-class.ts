/**
 * Why a read could not be made, in the terms of what the user can do about it: each failure of
 * the audit belongs to one class, and the class decides the hint the report prints. Pure: the
 * SDK layer reduces an error to {@link ErrorFacts} and this module classifies them.
 */

/** The failure classes of the audit (docs/audit.md, "Failure classes"). */
export const FAILURE_CLASSES = [
  "access",
  "credentials",
  "throttling",
  "timeout",
  "network",
  "server",
  "malformed-response",
  "wrong-account",
  "interrupted",
  "error",
] as const;

/** One of {@link FAILURE_CLASSES}. */
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** What the audit knows about a failed request, as plain data. */
export interface ErrorFacts {
  /** The AWS error code or the error's name (`AccessDenied`, `TimeoutError`, `MalformedResponse`). */
  readonly name: string;
  /** A Node.js system error code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`), if any. */
  readonly errno?: string;
  /** The HTTP status of the answer, if there was one. */
  readonly httpStatus?: number;
}

/** Codes AWS uses for a caller's credentials that are expired, unknown or badly signed. */
export const CREDENTIAL_ERROR_CODES: readonly string[] = [
  "ExpiredToken",
  "ExpiredTokenException",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "InvalidToken",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "RequestExpired",
  "RequestTimeTooSkewed",
  "CredentialsProviderError",
];

/** Codes of an expired session: the audit assumes the audit role again, once per account. */
export const EXPIRED_SESSION_CODES: readonly string[] = [
  "ExpiredToken",
  "ExpiredTokenException",
  "TokenRefreshRequired",
];

const ACCESS_CODES = [
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "AllAccessDisabled",
  "Forbidden",
];

const THROTTLING_CODES = [
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "BandwidthLimitExceeded",
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "PriorRequestNotComplete",
];

const TIMEOUT_CODES = ["TimeoutError", "RequestTimeout", "RequestTimeoutException"];

const NETWORK_ERRNOS = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EPROTO",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
];

const SERVER_CODES = [
  "InternalFailure",
  "InternalError",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "ServiceFailure",
  "KMSInternalException",
  "InternalServerException",
];

/** The name the SDK layer gives a response that is not the API's answer. */
export const MALFORMED_RESPONSE = "MalformedResponse";

/**
 * The class of a failed request. Order matters: an expired token comes with HTTP 403 and is a
 * credentials problem, not an access one; Node's `ECONNRESET` reaches the SDK as a
 * `TimeoutError` and is a network problem; the request timeout's `ETIMEDOUT` is a timeout.
 */
export function classifyError(facts: ErrorFacts): FailureClass {
  const { name, errno, httpStatus } = facts;
  if (name === MALFORMED_RESPONSE) return "malformed-response";
  if (CREDENTIAL_ERROR_CODES.includes(name)) return "credentials";
  if (ACCESS_CODES.includes(name)) return "access";
  if (THROTTLING_CODES.includes(name) || httpStatus === 429) return "throttling";
  if (errno === "ETIMEDOUT") return "timeout";
  if (errno !== undefined && NETWORK_ERRNOS.includes(errno)) return "network";
  if (TIMEOUT_CODES.includes(name)) return "timeout";
  if (SERVER_CODES.includes(name)) return "server";
  if (httpStatus === 403) return "access";
  if (httpStatus !== undefined && httpStatus >= 500) return "server";
  return "error";
}

/** A short label of each class for summaries: `access denied`, `timed out`... */
export const FAILURE_LABELS: Readonly<Record<FailureClass, string>> = {
  access: "access denied",
  credentials: "credentials rejected",
  throttling: "throttled",
  timeout: "timed out",
  network: "network error",
  server: "AWS server error",
  "malformed-response": "malformed response",
  "wrong-account": "wrong account",
  interrupted: "interrupted",
  error: "AWS error",
};

/** What to do about each class of failure: the report's `fix` line for an account not audited. */
export const FAILURE_HINTS: Readonly<Record<FailureClass, string>> = {
  access:
    "The audit role was refused a read, or could not be assumed: make sure the audit role exists " +
    "in the account, trusts the identity running the audit, and allows every read listed in " +
    "docs/audit.md (`auditRolePolicy()`); then run the audit again.",
  credentials:
    "AWS rejected the credentials as expired, unknown or badly signed: refresh the credentials " +
    "of the identity running the audit (`aws sso login`, AWS_PROFILE, the AWS_* variables), " +
    "check the machine's clock, then run the audit again. (An audit role session that expires " +
    "is assumed again once per account before this is reported.)",
  throttling:
    "AWS kept throttling the audit's requests after every retry the SDK makes (--max-attempts): " +
    "something else is using the account's API rate. Run the audit again later, with a lower " +
    "--concurrency, or with more attempts (--max-attempts, --retry-mode adaptive).",
  timeout:
    "No answer came within the time limits (--request-timeout per request attempt, " +
    "--account-timeout per account): check the network path to AWS (proxy, firewall, VPC " +
    "endpoints) or raise the limits, then run the audit again.",
  network:
    "The connection to AWS failed (refused, reset or a name that does not resolve): check DNS " +
    "and the network path to AWS (a proxy or firewall on the way), then run the audit again.",
  server:
    "AWS answered with server errors on every retry: check the AWS Health Dashboard for the " +
    "service in this region, then run the audit again.",
  "malformed-response":
    "An answer was not the AWS API's (empty, an HTML page, cut off, or without the fields the " +
    "audit reads), so nothing was concluded from it: something between the audit and AWS " +
    "answered instead (a proxy, a gateway, a firewall's block page, or the emulator --endpoint " +
    "names). Check the network path to AWS, then run the audit again.",
  "wrong-account":
    "The audit role's credentials act in another account: check the account id in the stack " +
    "config and the audit role (--audit-role, or the account's bootstrap role).",
  interrupted: "The audit was interrupted before this account was read: run it again.",
  error:
    "AWS refused a request the audit makes, for the reason in the message: fix what it names, " +
    "then run the audit again.",
};

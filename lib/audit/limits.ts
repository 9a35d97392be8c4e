/**
 * The audit's time and retry limits: what bounds each request, each account and the retries the
 * AWS SDK makes, with their defaults in one place.
 */

/** The AWS SDK's retry modes (`standard`: backoff with jitter; `adaptive`: plus client-side rate limiting). */
export const RETRY_MODES = ["standard", "adaptive"] as const;

/** One of {@link RETRY_MODES}. */
export type RetryMode = (typeof RETRY_MODES)[number];

/** Limits of one audit. */
export interface AuditLimits {
  /**
   * Longest time one request attempt may take, in milliseconds: connecting, waiting for the
   * answer, and any pause while it arrives. A request that exceeds it is retried like a network
   * error.
   */
  readonly requestTimeoutMs: number;
  /**
   * Longest time one account may take, in milliseconds, from assuming the audit role to its last
   * read. An account that exceeds it is reported not audited (timed out); the others go on.
   */
  readonly accountTimeoutMs: number;
  /** Attempts per request, the first one included (throttling, transient and server errors). */
  readonly maxAttempts: number;
  readonly retryMode: RetryMode;
}

/** The limits when no flag says otherwise. */
export const DEFAULT_LIMITS: AuditLimits = {
  requestTimeoutMs: 20_000,
  accountTimeoutMs: 300_000,
  maxAttempts: 8,
  retryMode: "standard",
};

/** The longest time a connection may take to open; a shorter request timeout bounds it too. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** Upper bounds of the flags, in seconds or attempts, so a typo does not disable a limit. */
export const LIMIT_BOUNDS = {
  requestTimeoutSeconds: { min: 0.1, max: 600 },
  accountTimeoutSeconds: { min: 1, max: 86_400 },
  maxAttempts: { min: 1, max: 20 },
} as const;

// The one retry loop shared by every Amplitude request: exponential backoff with full jitter,
// Retry-After when the server sends one, a bounded number of tries.
import type { TapFailure } from '../errors.js';
import { RetriesExhaustedError } from './errors.js';

export interface BackoffPolicy {
  maxTries: number;
  baseMs: number;
  maxMs: number;
}

/** What one attempt produced: a value, or a failure, retried when its consequence is 'retry'. */
export type AttemptResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: TapFailure; retryAfterMs?: number };

/** Full jitter: uniform in [0, min(maxMs, baseMs · 2^(retry−1))) for the n-th retry (n ≥ 1). */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Parses a Retry-After header (delta-seconds or HTTP-date) into milliseconds from `nowMs`. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryContext {
  policy: BackoffPolicy;
  /** Sleeps between tries; must reject when the run is aborted. */
  sleep: (ms: number) => Promise<void>;
  /** Names the request in RetriesExhaustedError; must hold no credential. */
  endpoint: string;
  request: string;
  onRetry?: (info: { attempt: number; error: TapFailure; delayMs: number }) => void;
  random?: () => number;
}

/**
 * Runs `attempt(1)`, `attempt(2)`, … until one succeeds, one fails for good (its error is thrown),
 * or `maxTries` retryable failures have happened (RetriesExhaustedError). Errors thrown by
 * `attempt` itself (aborts, local I/O) end the loop unchanged.
 */
export async function runWithRetries<T>(attempt: (n: number) => Promise<AttemptResult<T>>, ctx: RetryContext): Promise<T> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result.ok) return result.value;
    if (result.error.consequence !== 'retry') throw result.error;
    if (n >= ctx.policy.maxTries) throw new RetriesExhaustedError(ctx.endpoint, ctx.request, n, result.error);
    const delayMs =
      result.retryAfterMs !== undefined
        ? Math.min(result.retryAfterMs, ctx.policy.maxMs)
        : backoffDelayMs(n, ctx.policy, ctx.random);
    ctx.onRetry?.({ attempt: n, error: result.error, delayMs });
    await ctx.sleep(delayMs);
  }
}

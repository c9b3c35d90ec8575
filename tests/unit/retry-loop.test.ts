// The shared retry loop (runWithRetries) driven directly: sleeps are recorded, never waited.
import { describe, expect, it } from '@jest/globals';
import { Retryable, StreamFailure, type TapFailure } from '../../src/errors.js';
import { RetriesExhaustedError } from '../../src/amplitude/errors.js';
import { backoffDelayMs, parseRetryAfterMs, runWithRetries, type AttemptResult } from '../../src/amplitude/retry.js';

const policy = { maxTries: 4, baseMs: 100, maxMs: 1000 };

/** Runs the loop over scripted attempt results; records each attempt number, retry and sleep. */
async function script(results: AttemptResult<string>[], random: () => number = () => 0.5) {
  const attempts: number[] = [];
  const retries: { attempt: number; message: string; delayMs: number }[] = [];
  const sleeps: number[] = [];
  const outcome = await runWithRetries<string>(
    async (n) => {
      attempts.push(n);
      return results[n - 1]!;
    },
    {
      policy,
      sleep: async (ms) => void sleeps.push(ms),
      endpoint: 'users',
      request: 'GET /api/2/users?m=active',
      onRetry: ({ attempt, error, delayMs }) => retries.push({ attempt, message: error.message, delayMs }),
      random,
    },
  ).then(
    (value) => ({ value }),
    (error: unknown) => ({ error: error as Error }),
  );
  return { outcome, attempts, retries, sleeps };
}

const busy = (n: number): AttemptResult<string> => ({ ok: false, error: new Retryable(`users: busy ${n}`) });

describe('runWithRetries', () => {
  it('backs off with the n-th jittered delay after the n-th failure, then returns the value', async () => {
    const { outcome, attempts, retries, sleeps } = await script([busy(1), busy(2), busy(3), { ok: true, value: 'done' }]);
    expect(outcome).toEqual({ value: 'done' });
    expect(attempts).toEqual([1, 2, 3, 4]);
    // random 0.5 of min(1000, 100·2^(n−1)): 50, 100, 200.
    expect(sleeps).toEqual([50, 100, 200]);
    expect(retries).toEqual([
      { attempt: 1, message: 'users: busy 1', delayMs: 50 },
      { attempt: 2, message: 'users: busy 2', delayMs: 100 },
      { attempt: 3, message: 'users: busy 3', delayMs: 200 },
    ]);
  });

  it('gives up after exactly maxTries retryable failures, without a last sleep', async () => {
    const { outcome, attempts, sleeps } = await script([busy(1), busy(2), busy(3), busy(4), { ok: true, value: 'too late' }]);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(sleeps).toHaveLength(3);
    const err = (outcome as { error: Error }).error;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.message).toBe('users: gave up on GET /api/2/users?m=active after 4 tries; last error: busy 4');
  });

  it('sleeps what Retry-After asked, up to maxMs, and backs off when it is absent', async () => {
    const { sleeps, retries } = await script([
      { ok: false, error: new Retryable('users: 429'), retryAfterMs: 0 },
      { ok: false, error: new Retryable('users: 429'), retryAfterMs: 700 },
      { ok: false, error: new Retryable('users: 503'), retryAfterMs: 5000 },
      { ok: true, value: 'done' },
    ], () => 0.99);
    expect(sleeps).toEqual([0, 700, 1000]);
    expect(retries.map((r) => r.delayMs)).toEqual([0, 700, 1000]);
    const backoff = await script([busy(1), { ok: true, value: 'done' }], () => 0.99);
    expect(backoff.sleeps).toEqual([99]);
  });

  it('throws a failure that is not retryable at once', async () => {
    const fatal = new StreamFailure('users: HTTP 400');
    const { outcome, attempts, sleeps } = await script([busy(1), { ok: false, error: fatal as TapFailure }]);
    expect((outcome as { error: Error }).error).toBe(fatal);
    expect(attempts).toEqual([1, 2]);
    expect(sleeps).toHaveLength(1);
  });
});

describe('backoffDelayMs', () => {
  it('caps the ceiling at maxMs and uses Math.random by default', () => {
    expect(backoffDelayMs(2, policy, () => 0.999)).toBe(199);
    expect(backoffDelayMs(5, policy, () => 0.999)).toBe(999);
    for (let i = 0; i < 20; i++) {
      const d = backoffDelayMs(3, policy);
      expect(Number.isInteger(d) && d >= 0 && d < 400).toBe(true);
    }
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);

  it('reads fractional and padded delta-seconds', () => {
    expect(parseRetryAfterMs('1.5', now)).toBe(1500);
    expect(parseRetryAfterMs('1.25', now)).toBe(1250);
    expect(parseRetryAfterMs(' 2 ', now)).toBe(2000);
    expect(parseRetryAfterMs('0', now)).toBe(0);
  });

  it('rejects what is neither delta-seconds nor a date', () => {
    for (const text of ['120abc', 'abc120', '1e3', '12a', '', 'soon']) expect(parseRetryAfterMs(text, now)).toBeUndefined();
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
  });
});

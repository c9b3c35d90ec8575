// RequestLimiter details beyond tests/unit/limiter.test.ts: the constructor's check, the system
// clock, and requests without cost passing a queue of requests waiting for budget.
import { describe, expect, it } from '@jest/globals';
import { AbortError } from '../../src/amplitude/errors.js';
import { RequestLimiter, systemClock, type Clock } from '../../src/amplitude/limiter.js';
import { BadInput } from '../../src/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

const MIN = 60 * 1000;


function problemsOf(make: () => unknown): string[] {
  try {
    make();
  } catch (err) {
    return (err as BadInput).problems;
  }
  return [];
}

describe('RequestLimiter construction', () => {
  it('names a max_concurrency that is not a positive integer', () => {
    expect(problemsOf(() => new RequestLimiter({ maxConcurrency: 1.5, costBudget: null }))).toEqual([
      'max_concurrency must be a positive integer, got 1.5',
    ]);
    expect(problemsOf(() => new RequestLimiter({ maxConcurrency: -2, costBudget: null }))).toEqual([
      'max_concurrency must be a positive integer, got -2',
    ]);
    expect(() => new RequestLimiter({ maxConcurrency: 0, costBudget: null })).toThrow(BadInput);
    expect(problemsOf(() => new RequestLimiter({ maxConcurrency: 1, costBudget: null }))).toEqual([]);
  });
});

describe('RequestLimiter budget queue', () => {
  it('starts a request without cost at once, even while costlier ones wait for budget', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: { per5Min: 100, perHour: 1000 }, clock });
    const started = await Promise.all([100, 50, 0].map((cost) => limiter.run(cost, async () => clock.now())));
    expect(started).toEqual([0, 5 * MIN, 0]);
  });

  it('paces by the wall clock when no clock is given', async () => {
    const waits: number[] = [];
    const limiter = new RequestLimiter({ maxConcurrency: 1, costBudget: { per5Min: 10, perHour: 100 }, onBudgetWait: (ms) => waits.push(ms) });
    await expect(limiter.run(10, async () => 'first')).resolves.toBe('first');
    // A second 10 must wait for the first to leave the window, five minutes on; abort ends the wait.
    const mine = new AbortController();
    const second = limiter.run(10, async () => 'second', mine.signal);
    setImmediate(() => mine.abort());
    await expect(second).rejects.toBeInstanceOf(AbortError);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(4 * MIN);
    expect(waits[0]).toBeLessThanOrEqual(5 * MIN);
  });
});

describe('RequestLimiter budget waits', () => {
  it('sleeps once, until enough charges have left, when one leaving is not enough', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: { per5Min: 100, perHour: 1000 }, clock });
    await limiter.run(50, async () => undefined); // t = 0
    clock.t = 1 * MIN;
    await limiter.run(50, async () => undefined); // t = 1 min
    clock.t = 2 * MIN;
    // 100 needs both charges gone: the one from 1 min leaves at 6 min.
    expect(await limiter.run(100, async () => clock.now())).toBe(6 * MIN);
    expect(clock.sleeps).toEqual([4 * MIN]);
  });

  it('does not start a request whose own signal has aborted, even with budget to spare', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: { per5Min: 100, perHour: 1000 }, clock });
    let ran = false;
    const run = limiter.run(10, async () => void (ran = true), AbortSignal.abort());
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(ran).toBe(false);
  });

  it('does not wait for budget once the run has aborted, whatever signal the request brings', async () => {
    const controller = new AbortController();
    const clock = new FakeClock();
    const waits: number[] = [];
    const limiter = new RequestLimiter({
      maxConcurrency: 5,
      costBudget: { per5Min: 100, perHour: 1000 },
      clock,
      signal: controller.signal,
      onBudgetWait: (ms) => waits.push(ms),
    });
    await limiter.run(100, async () => undefined);
    controller.abort();
    await expect(limiter.run(10, async () => 'never', new AbortController().signal)).rejects.toBeInstanceOf(AbortError);
    expect(waits).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not wait again, nor say so, for requests queued behind a wait that an abort ended', async () => {
    const controller = new AbortController();
    const waits: number[] = [];
    // Sleeps end only by abort, and at once when the signal has already aborted.
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          if (signal?.aborted === true) reject(new AbortError());
          signal?.addEventListener('abort', () => reject(new AbortError()), { once: true });
        }),
    };
    const limiter = new RequestLimiter({
      maxConcurrency: 5,
      costBudget: { per5Min: 100, perHour: 1000 },
      clock,
      signal: controller.signal,
      onBudgetWait: (ms) => waits.push(ms),
    });
    await limiter.run(100, async () => undefined);
    const waiting = limiter.run(10, async () => 'never');
    const behind = limiter.run(10, async () => 'never');
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toEqual([5 * MIN]);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await expect(behind).rejects.toBeInstanceOf(AbortError);
    expect(waits).toEqual([5 * MIN]);
  });
});

describe('systemClock', () => {
  it('tells the wall-clock time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('sleeps, with or without a signal, and ends the sleep with an AbortError on abort', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
    await expect(systemClock.sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const err = await systemClock.sleep(60_000, AbortSignal.abort()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).message).toBe('Amplitude request aborted');
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toBeInstanceOf(AbortError);
  });
});

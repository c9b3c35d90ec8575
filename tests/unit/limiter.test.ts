import { describe, expect, it } from '@jest/globals';
import { AbortError } from '../../src/amplitude/errors.js';
import { BadInput } from '../../src/errors.js';
import { RequestLimiter, type Clock } from '../../src/amplitude/limiter.js';
import { FakeClock } from '../helpers/fake-clock.js';

const MIN = 60 * 1000;


/** A clock whose sleeps only end by abort, for testing abort while waiting for budget. */
const stuckClock: Clock = {
  now: () => 0,
  sleep: (_ms, signal) =>
    new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new AbortError()), { once: true })),
};

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Queues one request per cost, in order, and returns when each started on the fake clock. */
async function startTimes(limiter: RequestLimiter, clock: FakeClock, costs: number[]): Promise<number[]> {
  return Promise.all(costs.map((cost) => limiter.run(cost, async () => clock.now())));
}

describe('RequestLimiter concurrency', () => {
  it('never runs more than maxConcurrency tasks and starts waiters first come, first served', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 2, costBudget: null });
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(0, async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    gates[4]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
  });

  it('releases the slot when a task fails', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 1, costBudget: null });
    await expect(limiter.run(0, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(0, async () => 'next')).resolves.toBe('next');
  });

  it('rejects with maxConcurrency below 1', () => {
    expect(() => new RequestLimiter({ maxConcurrency: 0, costBudget: null })).toThrow(BadInput);
  });

  it('rejects queued and new requests with an AbortError on abort', async () => {
    const controller = new AbortController();
    const limiter = new RequestLimiter({ maxConcurrency: 1, costBudget: null, signal: controller.signal });
    const gate = deferred();
    const running = limiter.run(0, () => gate.promise);
    const queued = limiter.run(0, async () => 'never');
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await expect(limiter.run(0, async () => 'never')).rejects.toMatchObject({ name: 'AbortError' });
    gate.resolve();
    await running;
  });
});

describe('RequestLimiter cost budget', () => {
  const budget = { per5Min: 100, perHour: 1000 };

  it('starts requests at once while the 5-minute window has room', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    expect(await startTimes(limiter, clock, [40, 30, 30])).toEqual([0, 0, 0]);
    expect(clock.sleeps).toEqual([]);
  });

  it('waits until enough cost leaves the 5-minute window', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    await limiter.run(60, async () => undefined); // t = 0
    clock.t = 1 * MIN;
    await limiter.run(30, async () => undefined); // t = 1 min; window holds 90
    // 20 more needs the 60 from t = 0 to leave: at 5 min.
    expect(await startTimes(limiter, clock, [20])).toEqual([5 * MIN]);
    expect(clock.sleeps).toEqual([4 * MIN]);
  });

  it('tells about each wait for budget, with its length and the waiting cost', async () => {
    const clock = new FakeClock();
    const waits: [number, number][] = [];
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock, onBudgetWait: (ms, cost) => waits.push([ms, cost]) });
    await limiter.run(90, async () => undefined); // t = 0
    expect(waits).toEqual([]);
    expect(await startTimes(limiter, clock, [20])).toEqual([5 * MIN]);
    expect(waits).toEqual([[5 * MIN, 20]]);
  });

  it('keeps budget waiters in order, even when a later, cheaper one would fit', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    expect(await startTimes(limiter, clock, [80, 50, 1])).toEqual([0, 5 * MIN, 5 * MIN]);
  });

  it('enforces the hourly budget too', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: { per5Min: 100, perHour: 150 }, clock });
    await limiter.run(100, async () => undefined); // t = 0
    clock.t = 5 * MIN;
    await limiter.run(50, async () => undefined); // t = 5 min; 5-min window holds 50, hour holds 150
    // 10 fits the 5-minute window but not the hour: it waits for the charge from t = 0 to expire.
    expect(await startTimes(limiter, clock, [10])).toEqual([60 * MIN]);
  });

  it('lets a request costlier than the whole budget run once the window is empty', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    clock.t = 2 * MIN;
    expect(await startTimes(limiter, clock, [10, 250, 5])).toEqual([2 * MIN, 7 * MIN, 12 * MIN]);
  });

  it('does not charge or delay requests without cost', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    expect(await startTimes(limiter, clock, [100, 0, 0])).toEqual([0, 0, 0]);
    expect(clock.sleeps).toEqual([]);
  });

  it('counts a charge from when its request starts, not when it was reserved', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 1, costBudget: budget, clock });
    const gate = deferred();
    const first = limiter.run(0, () => gate.promise); // holds the only slot
    const second = limiter.run(90, async () => clock.now()); // budget reserved at 0, slot still busy
    await flush();
    clock.t = 3 * MIN;
    gate.resolve();
    await first;
    expect(await second).toBe(3 * MIN);
    // The 90 started at 3 min, so another 20 must wait until 8 min, not 5 min.
    expect(await limiter.run(20, async () => clock.now())).toBe(8 * MIN);
  });

  it('ends a wait for budget with an AbortError on abort', async () => {
    const controller = new AbortController();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock: stuckClock, signal: controller.signal });
    await limiter.run(100, async () => undefined);
    const waiting = limiter.run(10, async () => 'never');
    const behind = limiter.run(10, async () => 'never');
    await flush();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(behind).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ends one request’s wait for budget when its own signal aborts; the requests behind it keep their turn', async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock: { now: () => clock.now(), sleep: stuckClock.sleep } });
    await limiter.run(100, async () => undefined);
    const mine = new AbortController();
    const waiting = limiter.run(10, async () => 'never', mine.signal);
    await flush();
    mine.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    // The run itself goes on: a request that fits still runs.
    const free = new RequestLimiter({ maxConcurrency: 5, costBudget: budget, clock });
    await expect(free.run(10, async () => 'ran', new AbortController().signal)).resolves.toBe('ran');
  });
});

// The download-ahead scheduler on its own, with fetches the test settles by hand: results come out
// in plan order whatever order the fetches finish in, never more than maxInFlight run at once,
// split windows are replaced in place, the disk bound holds for windows ahead (the head always
// proceeds), and stopping early releases everything.
import { describe, expect, it } from '@jest/globals';
import { fetchInOrder, TempDiskFull, type FetchJob, type Fetched, type PrefetchOptions } from '../../src/streams/window-prefetch.js';

interface Pending {
  job: FetchJob<string>;
  resolve: (f: Fetched<string, string>) => void;
  reject: (e: unknown) => void;
}

/** A fetch whose calls wait until the test settles them; tracks how many run at once. */
function manualFetch() {
  const pending: Pending[] = [];
  let running = 0;
  let peak = 0;
  const fetch = (job: FetchJob<string>): Promise<Fetched<string, string>> => {
    running++;
    peak = Math.max(peak, running);
    return new Promise<Fetched<string, string>>((resolve, reject) => pending.push({ job, resolve, reject })).finally(() => running--);
  };
  const take = (window: string): Pending => {
    const i = pending.findIndex((p) => p.job.window === window);
    if (i < 0) throw new Error(`no fetch of ${window} is waiting (waiting: ${pending.map((p) => p.job.window).join(', ')})`);
    return pending.splice(i, 1)[0] as Pending;
  };
  return { fetch, pending, take, peak: () => peak, waiting: () => pending.map((p) => p.job.window) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function options(fetch: PrefetchOptions<string, string>['fetch'], extra: Partial<PrefetchOptions<string, string>> = {}): PrefetchOptions<string, string> & { released: string[] } {
  const released: string[] = [];
  return {
    maxInFlight: 3,
    maxAhead: 10,
    diskLimitBytes: Number.POSITIVE_INFINITY,
    sizeOf: () => 1,
    fetch,
    release: async (r) => {
      released.push(r);
    },
    released,
    ...extra,
  };
}

describe('fetchInOrder', () => {
  it('hands results over in plan order while fetches finish out of order, at most maxInFlight at once', async () => {
    const f = manualFetch();
    const opts = options(f.fetch);
    const windows = ['w1', 'w2', 'w3', 'w4', 'w5'];
    const out: string[] = [];
    const consumer = (async () => {
      for await (const h of fetchInOrder(windows, opts)) out.push(`${h.index}/${h.total}:${h.result}`);
    })();
    await tick();
    // Three start at once; the later ones wait for a free slot.
    expect(f.waiting()).toEqual(['w1', 'w2', 'w3']);
    f.take('w3').resolve({ result: 'r3', bytes: 0 });
    await tick();
    expect(out).toEqual([]); // w3 is done, but w1 comes first
    expect(f.waiting()).toEqual(['w1', 'w2', 'w4']);
    f.take('w2').resolve({ result: 'r2', bytes: 0 });
    f.take('w4').resolve({ result: 'r4', bytes: 0 });
    await tick();
    expect(out).toEqual([]);
    f.take('w1').resolve({ result: 'r1', bytes: 0 });
    await tick();
    expect(out).toEqual(['1/5:r1', '2/5:r2', '3/5:r3', '4/5:r4']);
    f.take('w5').resolve({ result: 'r5', bytes: 0 });
    await consumer;
    expect(out).toEqual(['1/5:r1', '2/5:r2', '3/5:r3', '4/5:r4', '5/5:r5']);
    expect(f.peak()).toBe(3);
    expect(opts.released).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('replaces a split window by its parts, in place, and counts them in the total', async () => {
    const f = manualFetch();
    const out: string[] = [];
    const consumer = (async () => {
      for await (const h of fetchInOrder(['a', 'b', 'c'], options(f.fetch))) out.push(`${h.window} ${h.index}/${h.total}`);
    })();
    await tick();
    f.take('c').resolve({ result: 'c', bytes: 0 });
    f.take('b').resolve({ split: ['b1', 'b2'] });
    await tick();
    f.take('b2').resolve({ result: 'b2', bytes: 0 });
    f.take('a').resolve({ result: 'a', bytes: 0 });
    await tick();
    f.take('b1').resolve({ result: 'b1', bytes: 0 });
    await consumer;
    expect(out).toEqual(['a 1/4', 'b1 2/4', 'b2 3/4', 'c 4/4']);
  });

  it('throws the first window’s failure in order: windows before it are handed over first', async () => {
    const f = manualFetch();
    const out: string[] = [];
    const opts = options(f.fetch);
    const consumer = (async () => {
      for await (const h of fetchInOrder(['a', 'b', 'c'], opts)) out.push(h.result);
    })();
    await tick();
    f.take('b').reject(new Error('b failed'));
    f.take('c').resolve({ result: 'c', bytes: 0 });
    await tick();
    expect(out).toEqual([]);
    f.take('a').resolve({ result: 'a', bytes: 0 });
    await expect(consumer).rejects.toThrow('b failed');
    expect(out).toEqual(['a']);
    // c was fetched but never handed over: released all the same.
    expect(opts.released.sort()).toEqual(['a', 'c']);
  });

  it('keeps windows ahead within the disk limit: one that grows past it stops and is fetched again as the head', async () => {
    const LIMIT = 100;
    const SIZE = 60;
    const held = new Map<string, number>();
    const peaks: number[] = [];
    const waits: string[] = [];
    const attempts: string[] = [];
    // Each fetch writes SIZE bytes in two steps, reporting them as a download does.
    const fetch = async (job: FetchJob<string>): Promise<Fetched<string, string>> => {
      attempts.push(job.window);
      // A stopped download's file is removed at once.
      job.signal.addEventListener('abort', () => held.delete(job.window));
      try {
        for (const bytes of [SIZE / 2, SIZE]) {
          await tick();
          if (job.signal.aborted) throw new Error('aborted');
          job.onBytes(bytes);
          held.set(job.window, bytes);
          peaks.push([...held.values()].reduce((a, b) => a + b, 0));
        }
      } catch (err) {
        held.delete(job.window);
        throw err;
      }
      return { result: job.window, bytes: SIZE };
    };
    const out: string[] = [];
    const opts = options(fetch, {
      diskLimitBytes: LIMIT,
      onDiskWait: (w) => waits.push(w),
      release: async (w) => {
        held.delete(w);
      },
    });
    for await (const h of fetchInOrder(['a', 'b', 'c', 'd'], opts)) {
      await tick();
      await tick();
      out.push(h.result);
    }
    expect(out).toEqual(['a', 'b', 'c', 'd']);
    // The archives on disk never went over the limit (the head alone may: here it is smaller).
    expect(Math.max(...peaks)).toBeLessThanOrEqual(LIMIT);
    expect(waits.length).toBeGreaterThan(0);
    // A window that had to stop was fetched again later; none more than twice.
    for (const w of ['a', 'b', 'c', 'd']) expect(attempts.filter((x) => x === w).length).toBeLessThanOrEqual(2);
    expect(attempts.filter((x) => x === 'a')).toEqual(['a']);
  });

  it('lets the head through alone when it is larger than the whole limit', async () => {
    const sizes: Record<string, number> = { big: 500, small: 10 };
    const fetch = async (job: FetchJob<string>): Promise<Fetched<string, string>> => {
      await tick();
      job.onBytes(sizes[job.window] as number);
      return { result: job.window, bytes: sizes[job.window] as number };
    };
    const out: string[] = [];
    for await (const h of fetchInOrder(['big', 'small'], options(fetch, { diskLimitBytes: 100 }))) out.push(h.result);
    expect(out).toEqual(['big', 'small']);
  });

  it('does not start a window ahead whose estimate (bytes per hour seen so far) does not fit', async () => {
    const f = manualFetch();
    const opts = options(f.fetch, { diskLimitBytes: 100, sizeOf: () => 1 });
    const it = fetchInOrder(['a', 'b', 'c', 'd'], opts);
    const first = it.next();
    await tick();
    // Nothing is known yet: three start.
    expect(f.waiting()).toEqual(['a', 'b', 'c']);
    f.take('a').resolve({ result: 'a', bytes: 80 });
    await first;
    // a (80 bytes) is being read: d, estimated at 80 more, would go over 100 and waits.
    await tick();
    expect(f.waiting()).toEqual(['b', 'c']);
    f.take('b').resolve({ result: 'b', bytes: 5 });
    f.take('c').resolve({ result: 'c', bytes: 5 });
    await tick();
    expect(f.waiting()).toEqual([]);
    expect((await it.next()).value?.result).toBe('b'); // a is released now
    await tick();
    expect(f.waiting()).toEqual(['d']);
    f.take('d').resolve({ result: 'd', bytes: 5 });
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.result);
    expect(rest).toEqual(['c', 'd']);
  });

  it('stopping early aborts the fetches in flight and releases what was fetched', async () => {
    const f = manualFetch();
    const opts = options(f.fetch);
    const it = fetchInOrder(['a', 'b', 'c', 'd'], opts);
    const first = it.next();
    await tick();
    f.take('a').resolve({ result: 'a', bytes: 0 });
    f.take('c').resolve({ result: 'c', bytes: 0 });
    await first;
    const jobs = [...f.pending];
    for (const p of jobs) p.job.signal.addEventListener('abort', () => p.reject(new TempDiskFull()));
    await it.return(undefined);
    expect(jobs.map((p) => p.job.signal.aborted)).toEqual([true, true]);
    expect(opts.released.sort()).toEqual(['a', 'c']);
  });

  it('with probeFirst, starts windows ahead only once one window was fetched (a failing head fails alone)', async () => {
    const f = manualFetch();
    const out: string[] = [];
    const consumer = (async () => {
      for await (const h of fetchInOrder(['a', 'b', 'c', 'd'], options(f.fetch, { probeFirst: true }))) out.push(h.result);
    })();
    await tick();
    expect(f.waiting()).toEqual(['a']);
    f.take('a').resolve({ result: 'a', bytes: 0 });
    await tick();
    expect(f.waiting()).toEqual(['b', 'c', 'd']);
    for (const w of ['d', 'c', 'b']) f.take(w).resolve({ result: w, bytes: 0 });
    await consumer;
    expect(out).toEqual(['a', 'b', 'c', 'd']);

    const g = manualFetch();
    const failing = (async () => {
      for await (const h of fetchInOrder(['a', 'b', 'c'], options(g.fetch, { probeFirst: true }))) out.push(h.result);
    })();
    await tick();
    g.take('a').reject(new Error('a failed'));
    await expect(failing).rejects.toThrow('a failed');
    expect(g.waiting()).toEqual([]);
    expect(g.peak()).toBe(1);
  });
});

// ReadAhead (src/amplitude/read-ahead.ts): the source is read before it is asked, up to the limit
// only; items come out in order; the source's error comes out only after the items before it;
// close stops reading and lets the source clean up.
import { describe, expect, it } from '@jest/globals';
import { ReadAhead } from '../../src/amplitude/read-ahead.js';
import { tick } from '../helpers/promises.js';

/** A source of `count` numbers that records how far it was read and whether it was closed; fails after `failAfter` items. */
function source(count: number, failAfter = Infinity) {
  const seen = { read: 0, cleaned: false };
  async function* numbers(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAfter) throw new Error(`broken at ${i}`);
        seen.read++;
        yield i;
      }
    } finally {
      seen.cleaned = true;
    }
  }
  return { seen, iterator: numbers() };
}

async function drain(ahead: ReadAhead<number>): Promise<number[]> {
  const got: number[] = [];
  for (let item = await ahead.next(); item.done !== true; item = await ahead.next()) got.push(item.value);
  return got;
}

describe('ReadAhead', () => {
  it('reads up to its limit before anything is asked, and no further', async () => {
    const { seen, iterator } = source(10);
    const ahead = new ReadAhead(iterator, 3);
    for (let i = 0; i < 10; i++) await tick();
    expect(seen.read).toBe(3);
    expect(await ahead.next()).toEqual({ value: 0, done: false });
    for (let i = 0; i < 10; i++) await tick();
    expect(seen.read).toBe(4);
    expect(await drain(ahead)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await ahead.next()).toEqual({ value: undefined, done: true });
  });

  it('gives the items before an error, then the error', async () => {
    const { iterator } = source(10, 4);
    const ahead = new ReadAhead(iterator, 8);
    for (let i = 0; i < 10; i++) await tick();
    const got: number[] = [];
    await expect(
      (async () => {
        for (let item = await ahead.next(); item.done !== true; item = await ahead.next()) got.push(item.value);
      })(),
    ).rejects.toThrow('broken at 4');
    expect(got).toEqual([0, 1, 2, 3]);
  });

  it('stops reading when closed, and the source cleans up', async () => {
    const { seen, iterator } = source(100);
    const ahead = new ReadAhead(iterator, 2);
    expect(await ahead.next()).toEqual({ value: 0, done: false });
    await ahead.close();
    expect(seen.cleaned).toBe(true);
    const readWhenClosed = seen.read;
    for (let i = 0; i < 10; i++) await tick();
    expect(seen.read).toBe(readWhenClosed);
    expect(await ahead.next()).toEqual({ value: undefined, done: true });
  });

  it('asks the source for one item at a time, never while an answer is pending', async () => {
    // The first three answers come at once, the fourth never: it stays pending.
    let calls = 0;
    const iterator: AsyncIterator<number> = {
      next: () => (++calls <= 3 ? Promise.resolve({ value: calls, done: false }) : new Promise<IteratorResult<number>>(() => undefined)),
    };
    const ahead = new ReadAhead(iterator, 3);
    for (let i = 0; i < 10; i++) await tick();
    expect(await ahead.next()).toEqual({ value: 1, done: false });
    expect(await ahead.next()).toEqual({ value: 2, done: false });
    for (let i = 0; i < 10; i++) await tick();
    expect(calls).toBe(4);
  });

  it('asks nothing more of a source that failed, so the error is not passed over', async () => {
    let calls = 0;
    const iterator: AsyncIterator<number> = {
      next: () => {
        calls++;
        if (calls === 2) return Promise.reject(new Error('broken'));
        return Promise.resolve({ value: calls, done: false });
      },
    };
    const ahead = new ReadAhead(iterator, 4);
    for (let i = 0; i < 10; i++) await tick();
    expect(await ahead.next()).toEqual({ value: 1, done: false });
    await expect(ahead.next()).rejects.toThrow('broken');
    expect(calls).toBe(2);
  });

  it('closes a source that has no return method', async () => {
    const iterator: AsyncIterator<number> = { next: () => Promise.resolve({ value: undefined, done: true }) };
    const ahead = new ReadAhead(iterator, 2);
    await expect(ahead.close()).resolves.toBeUndefined();
  });
});

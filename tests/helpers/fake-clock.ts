// A clock for the limiter's tests (src/amplitude/limiter.ts `Clock`).
import type { Clock } from '../../src/amplitude/limiter.js';

/**
 * Time only moves when the limiter sleeps; every sleep is recorded. The jump happens on a later
 * turn of the event loop, so work already under way runs first, as it would in real time.
 */
export class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) =>
      setImmediate(() => {
        this.t += ms;
        resolve();
      }),
    );
  }
}

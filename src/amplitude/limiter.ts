// Client-side pacing for one Amplitude project: at most N requests in flight (Amplitude allows 5
// concurrent requests per project across all REST endpoints) and a weighted sliding-window cost
// budget for dashboard queries (1 000 per 5 minutes, 108 000 per hour; amplitude-api.md §4).
import { setTimeout as delay } from 'node:timers/promises';
import { BadInput } from '../errors.js';
import { AbortError } from './errors.js';

/** Time source; injectable so tests can pace without real waiting. `sleep` rejects on abort. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, signal === undefined ? undefined : { signal });
    } catch (err) {
      if (signal?.aborted === true) throw new AbortError();
      throw err;
    }
  },
};

export interface CostBudget {
  per5Min: number;
  perHour: number;
}

export interface LimiterOptions {
  maxConcurrency: number;
  costBudget: CostBudget | null;
  clock?: Clock;
  signal?: AbortSignal;
  /** Told when a request must wait for the cost budget (a long backfill would otherwise go silent). */
  onBudgetWait?: (waitMs: number, cost: number) => void;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

interface Charge {
  at: number;
  cost: number;
}

interface SlotWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * How long until the charges inside `windowMs` leave room for `cost` under `limit`. A cost larger
 * than the whole limit fits once the window is empty, so it cannot wait forever.
 */
function waitForWindowMs(charges: readonly Charge[], cost: number, limit: number, windowMs: number, now: number): number {
  const inWindow = charges.filter((c) => c.at > now - windowMs).sort((a, b) => a.at - b.at);
  const allowed = Math.max(0, limit - cost);
  let used = inWindow.reduce((sum, c) => sum + c.cost, 0);
  if (used <= allowed) return 0;
  // Oldest charges leave the window first; wait for the one whose departure makes room.
  for (const charge of inWindow) {
    used -= charge.cost;
    if (used <= allowed) return charge.at + windowMs - now;
  }
  return 0;
}

export class RequestLimiter {
  private readonly maxConcurrency: number;
  private readonly budget: CostBudget | null;
  private readonly clock: Clock;
  private readonly signal: AbortSignal | undefined;
  private readonly onBudgetWait: ((waitMs: number, cost: number) => void) | undefined;
  private active = 0;
  private readonly slotWaiters: SlotWaiter[] = [];
  private charges: Charge[] = [];
  /** Tail of the FIFO queue of requests waiting for budget; only its head ever sleeps. */
  private budgetTail: Promise<unknown> = Promise.resolve();

  constructor(opts: LimiterOptions) {
    if (!Number.isInteger(opts.maxConcurrency) || opts.maxConcurrency < 1) {
      throw new BadInput([`max_concurrency must be a positive integer, got ${opts.maxConcurrency}`]);
    }
    this.maxConcurrency = opts.maxConcurrency;
    this.budget = opts.costBudget;
    this.clock = opts.clock ?? systemClock;
    this.signal = opts.signal;
    this.onBudgetWait = opts.onBudgetWait;
    this.signal?.addEventListener('abort', () => this.rejectSlotWaiters(), { once: true });
  }

  /**
   * Runs `task` once budget for `cost` is available and a slot is free; the slot is held until
   * the task settles. Both queues are first come, first served.
   */
  async run<T>(cost: number, task: () => Promise<T>, signal: AbortSignal | undefined = this.signal): Promise<T> {
    // `signal` (the run's, or one request's that includes it) also ends a wait for the budget.
    const charge = cost > 0 && this.budget !== null ? await this.reserveBudget(cost, this.budget, signal) : undefined;
    await this.acquireSlot();
    // A charge counts from when the request really starts, which may be later than its reservation.
    if (charge !== undefined) charge.at = this.clock.now();
    try {
      return await task();
    } finally {
      this.releaseSlot();
    }
  }

  private reserveBudget(cost: number, budget: CostBudget, signal: AbortSignal | undefined): Promise<Charge> {
    const turn = this.budgetTail.then(() => this.waitForBudget(cost, budget, signal));
    this.budgetTail = turn.catch(() => undefined);
    return turn;
  }

  private async waitForBudget(cost: number, budget: CostBudget, signal: AbortSignal | undefined): Promise<Charge> {
    for (;;) {
      if (this.signal?.aborted === true || signal?.aborted === true) throw new AbortError();
      const now = this.clock.now();
      this.charges = this.charges.filter((c) => c.at > now - HOUR_MS);
      const waitMs = Math.max(
        waitForWindowMs(this.charges, cost, budget.per5Min, FIVE_MINUTES_MS, now),
        waitForWindowMs(this.charges, cost, budget.perHour, HOUR_MS, now),
      );
      if (waitMs <= 0) {
        const charge = { at: now, cost };
        this.charges.push(charge);
        return charge;
      }
      this.onBudgetWait?.(waitMs, cost);
      await this.clock.sleep(waitMs, signal);
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.signal?.aborted === true) return Promise.reject(new AbortError());
    if (this.active < this.maxConcurrency && this.slotWaiters.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.slotWaiters.push({ resolve, reject }));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next !== undefined) next.resolve();
    else this.active--;
  }

  private rejectSlotWaiters(): void {
    for (const waiter of this.slotWaiters.splice(0)) waiter.reject(new AbortError());
  }
}

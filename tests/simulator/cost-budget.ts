// Amplitude's Dashboard REST cost budget (amplitude-api.md §4): weighted sliding windows of
// 5 minutes and 1 hour on the simulator's clock; a request that would overflow either answers 429.
import { errorReply, type Reply } from './replies.js';

const FIVE_MIN_MS = 5 * 60_000;
const HOUR_MS = 60 * 60_000;

export class CostBudget {
  private spent: { at: number; cost: number }[] = [];

  constructor(private readonly limits: { per5Min: number; perHour: number } | undefined) {}

  /** Charges the cost and returns null, or returns the 429 reply without charging. */
  charge(cost: number, nowMs: number): Reply | null {
    if (!this.limits) return null;
    this.spent = this.spent.filter((s) => s.at > nowMs - HOUR_MS);
    const hour = this.spent.reduce((sum, s) => sum + s.cost, 0);
    const fiveMin = this.spent.filter((s) => s.at > nowMs - FIVE_MIN_MS).reduce((sum, s) => sum + s.cost, 0);
    if (fiveMin + cost > this.limits.per5Min || hour + cost > this.limits.perHour) {
      const which =
        fiveMin + cost > this.limits.per5Min ? `${this.limits.per5Min} per 5 minutes` : `${this.limits.perHour} per hour`;
      return errorReply(429, 'too_many_requests', 'Too Many Requests', `Exceeded rate limit with query of cost ${cost} (limit ${which})`);
    }
    this.spent.push({ at: nowMs, cost });
    return null;
  }
}

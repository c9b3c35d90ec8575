// Daily average session length from the Dashboard API (GET /api/2/sessions/average): one record
// per date with `length` in seconds.
import { sessionLengthByDay } from '../amplitude/dashboard.js';
import { describeRejection, readRejection } from '../amplitude/envelope.js';
import { StreamFailure } from '../errors.js';
import { checkDayBookmark, compactDate, daysIn, syncByDay, type DayWindow } from './dashboard-days.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition } from './types.js';

/** Session queries cost 4 per day: 15 days = 60 units of the 1,000-per-5-minutes budget (Airbyte's slice too). */
export const SESSION_LENGTH_WINDOW_DAYS = 15;
const SESSION_QUERY_COST_PER_DAY = 4;

async function fetchWindow(ctx: StreamContext, window: DayWindow, signal: AbortSignal): Promise<Record<string, unknown>[]> {
  const { status, body } = await ctx.client.getJson('/api/2/sessions/average', {
    endpoint: 'sessions/average',
    signal,
    query: { start: compactDate(window.first), end: compactDate(window.last) },
    cost: daysIn(window) * SESSION_QUERY_COST_PER_DAY,
    passStatuses: [400],
  });
  if (status === 400) {
    throw new StreamFailure(
      `Amplitude rejected /api/2/sessions/average for ${window.first}..${window.last} (HTTP 400: ${describeRejection(readRejection(body))}).`,
    );
  }
  const { rows, warnings } = sessionLengthByDay(body);
  for (const w of warnings) ctx.log.warn(w);
  return rows.map((r) => ({ date: r.date, length: r.length }));
}

export const averageSessionLengthStream: StreamDefinition = {
  name: 'average_session_length',
  schema: loadSchema('average_session_length'),
  keyProperties: ['date'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'date',
  checkBookmark: checkDayBookmark,
  sync(ctx) {
    return syncByDay(ctx, { windowDays: SESSION_LENGTH_WINDOW_DAYS, costPerDay: SESSION_QUERY_COST_PER_DAY, fetch: (w, signal) => fetchWindow(ctx, w, signal) });
  },
};

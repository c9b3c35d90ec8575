// Daily active users from the Dashboard API (GET /api/2/users): one record per date with the
// count per series label under `statistics`, the shape Airbyte's source emits.
import { activeUsersByDay } from '../amplitude/dashboard.js';
import { describeRejection, readRejection, rejectsUserProperty } from '../amplitude/envelope.js';
import { StreamFailure } from '../errors.js';
import { checkDayBookmark, compactDate, daysIn, syncByDay, type DayWindow } from './dashboard-days.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition } from './types.js';

/** 31 days cost about 31 units (124 grouped by country) of the 1,000-per-5-minutes budget. */
export const ACTIVE_USERS_WINDOW_DAYS = 31;
/** Amplitude's cost model counts a group-by as 4 segments. */
const GROUP_BY_COST_FACTOR = 4;

/** The one-line error for a 400 from /api/2/users (dashboard 400s are never split or retried). */
export function activeUsersRejection(body: unknown, groupByCountry: boolean, window: DayWindow): StreamFailure {
  const rejection = readRejection(body);
  const said = describeRejection(rejection);
  if (groupByCountry && rejectsUserProperty(rejection, 'country')) {
    return new StreamFailure(
      `Amplitude rejected the grouping by country (HTTP 400: ${said}): this project has no country user property. Set active_users_group_by_country to false.`,
    );
  }
  return new StreamFailure(`Amplitude rejected /api/2/users for ${window.first}..${window.last} (HTTP 400: ${said}).`);
}

async function fetchWindow(ctx: StreamContext, window: DayWindow, signal: AbortSignal): Promise<Record<string, unknown>[]> {
  const groupByCountry = ctx.config.active_users_group_by_country;
  const query: Record<string, string> = { start: compactDate(window.first), end: compactDate(window.last), m: 'active', i: '1' };
  if (groupByCountry) query.g = 'country';
  const { status, body } = await ctx.client.getJson('/api/2/users', {
    endpoint: 'users',
    signal,
    query,
    cost: daysIn(window) * (groupByCountry ? GROUP_BY_COST_FACTOR : 1),
    passStatuses: [400],
  });
  if (status === 400) throw activeUsersRejection(body, groupByCountry, window);
  const { rows, warnings } = activeUsersByDay(body);
  for (const w of warnings) ctx.log.warn(w);
  return rows.map((r) => ({ date: r.date, statistics: r.statistics }));
}

export const activeUsersStream: StreamDefinition = {
  name: 'active_users',
  schema: loadSchema('active_users'),
  keyProperties: ['date'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'date',
  checkBookmark: checkDayBookmark,
  sync(ctx) {
    const costPerDay = ctx.config.active_users_group_by_country ? GROUP_BY_COST_FACTOR : 1;
    return syncByDay(ctx, { windowDays: ACTIVE_USERS_WINDOW_DAYS, costPerDay, fetch: (w, signal) => fetchWindow(ctx, w, signal) });
  },
};

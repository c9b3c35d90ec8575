// What active_users and average_session_length share: daily windows from the bookmark (or
// start_date) to end_date or today, a bookmark after each window, and recent days read again.
//
// Dates: Amplitude answers with calendar days of the project's time zone, and the tap passes them
// through as dates. The tap cannot know that zone, so window bounds are UTC calendar days of
// start_date, end_date and now; re-reading recent days covers the up-to-a-day difference.
import { DateTime } from 'luxon';
import type { Bookmark } from '../singer/state.js';
import { DEFAULT_COST_BUDGET } from '../amplitude/client.js';
import type { Config } from '../config.js';
import { duration, plural } from '../format.js';
import type { StreamContext, StreamItem } from './types.js';
import { fetchInOrder } from './window-prefetch.js';

/**
 * Days before the last complete day that every sync reads again: Amplitude revises recent days
 * (late uploads from offline clients, today partial, a project zone up to a day from UTC).
 */
export const RE_READ_DAYS = 3;

/** `{"date": "YYYY-MM-DD"}`: the first day the next sync requests. `YYYY-MM-DDTHH:MM:SS` (Airbyte's cursor) is read too. */
const BOOKMARK_DATE = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}:\d{2})?$/;

export interface DayWindow {
  first: string;
  last: string;
}

const day = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const iso = (dt: DateTime): string => dt.toISODate() as string;
const addDays = (date: string, n: number): string => iso(day(date).plus({ days: n }));
const todayOf = (now: Date): string => iso(DateTime.fromJSDate(now, { zone: 'utc' }));

function bookmarkDate(bookmark: Bookmark): string | null {
  const m = typeof bookmark.date === 'string' ? BOOKMARK_DATE.exec(bookmark.date) : null;
  return m?.[1] !== undefined && day(m[1]).isValid ? m[1] : null;
}

/** checkBookmark for both streams: a usable date, not after today (UTC). */
export function checkDayBookmark(bookmark: Bookmark, _config: Config, now: Date): string | undefined {
  const date = bookmarkDate(bookmark);
  if (date === null) return `expected {"date": "YYYY-MM-DD"}, got ${JSON.stringify(bookmark)}`;
  const today = todayOf(now);
  if (date > today) return `date ${date} is in the future (today is ${today} UTC); remove this bookmark or fix the date`;
  return undefined;
}

/** Consecutive windows of at most `size` days covering first..last (inclusive). */
export function dayWindows(first: string, last: string, size: number): DayWindow[] {
  const out: DayWindow[] = [];
  for (let start = first; start <= last; start = addDays(start, size)) {
    const end = addDays(start, size - 1);
    out.push({ first: start, last: end < last ? end : last });
  }
  return out;
}

/**
 * Where the next sync starts after `window` is read: the day after it, but no later than
 * RE_READ_DAYS before the last complete day (yesterday), and never before this sync's first day.
 */
export function restartDate(window: DayWindow, syncFirst: string, today: string): string {
  const reRead = addDays(today, -1 - RE_READ_DAYS);
  const next = addDays(window.last, 1);
  const restart = next < reRead ? next : reRead;
  return restart > syncFirst ? restart : syncFirst;
}

/** The days one sync covers: bookmark (else start_date) to the day before end_date, or today. */
export function syncDays(ctx: Pick<StreamContext, 'config' | 'bookmark' | 'now'>): { first: string; last: string; today: string } | undefined {
  const today = todayOf(ctx.now());
  const fromBookmark = ctx.bookmark ? bookmarkDate(ctx.bookmark) : null;
  const start = ctx.config.start_date;
  const first = fromBookmark ?? (start ? iso(start.toUTC()) : undefined);
  if (first === undefined) return undefined;
  // end_date is exclusive: the last day is the one holding the instant just before it.
  const end = ctx.config.end_date;
  const beforeEnd = end ? iso(end.toUTC().minus({ milliseconds: 1 })) : today;
  return { first, last: beforeEnd < today ? beforeEnd : today, today };
}

export interface DailyStreamSpec {
  windowDays: number;
  /** Units of Amplitude's dashboard cost budget one day of this query costs. */
  costPerDay: number;
  /** Reads one window; returns the rows as records. `signal` stops it once the stream has ended (a window before it failed). */
  fetch(window: DayWindow, signal: AbortSignal): Promise<Record<string, unknown>[]>;
}

/** Windows in order, each window's records followed by its bookmark. */
export async function* syncByDay(ctx: StreamContext, spec: DailyStreamSpec): AsyncGenerator<StreamItem> {
  const days = syncDays(ctx);
  if (days === undefined) {
    ctx.log.warn('no bookmark and no start_date; nothing to sync');
    return;
  }
  if (days.first > days.last) {
    ctx.log.info(`nothing to sync: starts ${days.first}, after the last day to read (${days.last})`);
    return;
  }
  const windows = dayWindows(days.first, days.last, spec.windowDays);
  if (windows.length > 1) ctx.log.info(`${budgetEstimate(daysIn({ first: days.first, last: days.last }) * spec.costPerDay, DEFAULT_COST_BUDGET.per5Min)}`);
  // Later windows are requested while earlier ones are written (the client keeps the requests
  // within max_concurrency and the cost budget); records still come out window by window.
  const ahead = ctx.config.max_concurrency;
  const fetched = fetchInOrder<DayWindow, Record<string, unknown>[]>(windows, {
    maxInFlight: ahead,
    maxAhead: ahead,
    diskLimitBytes: Number.POSITIVE_INFINITY,
    sizeOf: () => 1,
    probeFirst: true,
    fetch: async ({ window, signal }) => ({ result: await spec.fetch(window, signal), bytes: 0 }),
    release: async () => undefined,
  });
  for await (const { window, result: records, index, total } of fetched) {
    ctx.log.info(`${window.first}..${window.last}: ${plural(records.length, 'day')}`);
    for (const record of records) yield { record };
    yield { bookmark: { date: restartDate(window, days.first, days.today) }, progress: { position: window.last, index, total } };
  }
}

/**
 * A backfill's cost against the budget of `per5Min` units per 5 minutes and the waiting that follows:
 * the first `per5Min` units go at once, each further `per5Min` about 5 minutes later (the hourly
 * budget, 108,000, is never the tighter one). Other streams' queries in the same run come on top.
 */
export function budgetEstimate(cost: number, per5Min: number): string {
  const waitMs = Math.max(0, Math.ceil(cost / per5Min) - 1) * 5 * 60_000;
  const wait = waitMs === 0 ? 'no waiting expected' : `expect about ${duration(waitMs)} of waiting for it`;
  return `this backfill costs about ${plural(cost, 'unit')} of Amplitude's dashboard budget (${per5Min.toLocaleString('en-US')} per 5 minutes): ${wait}`;
}

/** Days in a window, both ends included (what a dashboard query is charged for). */
export const daysIn = (window: DayWindow): number => day(window.last).diff(day(window.first), 'days').days + 1;

/** `YYYYMMDD`, the form the dashboard endpoints take for start and end. */
export const compactDate = (date: string): string => date.replaceAll('-', '');

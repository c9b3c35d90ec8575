// Daily series from /api/2/users and /api/2/sessions/average (amplitude-api.md §6, §7):
// {"data": {"xValues": [dates], "series": [[values per date] per group], ...}} → one row per date.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { DashboardBodyError, isNumber, type Parsed } from './body.js';

const seriesBody = z.object({
  data: z.object({
    xValues: z.array(z.unknown()),
    series: z.array(z.unknown()).optional(),
    seriesLabels: z.array(z.unknown()).optional(),
    seriesMeta: z.array(z.unknown()).optional(),
  }),
});

const X_VALUE = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/**
 * `YYYY-MM-DD` from an xValue (`/users` sends `2026-09-20`, `/sessions/average` `2026-09-17T00:00:00`).
 * The string is cut, never given to Date: it is a calendar day in the project's time zone.
 */
export function calendarDate(xValue: unknown): string | null {
  const m = typeof xValue === 'string' ? X_VALUE.exec(xValue) : null;
  const day = m?.[1];
  return day !== undefined && DateTime.fromISO(day, { zone: 'utc' }).isValid ? day : null;
}

interface DailySeries {
  dates: string[];
  series: { label: string; values: unknown[] }[];
  warnings: string[];
}

/** One label per series: `seriesLabels` (live bodies), else a string in `seriesMeta` (docs), else the index. */
function seriesLabel(labels: unknown[] | undefined, meta: unknown[] | undefined, k: number): string {
  for (const candidate of [labels?.[k], meta?.[k]]) {
    if (typeof candidate === 'string' || typeof candidate === 'number') return String(candidate);
    if (Array.isArray(candidate)) return JSON.stringify(candidate);
  }
  return String(k);
}

function readDailySeries(body: unknown, endpoint: string): DailySeries {
  const parsed = seriesBody.safeParse(body);
  if (!parsed.success) throw new DashboardBodyError(`${endpoint}: the response has no data.xValues list; cannot read it`);
  const { xValues, series = [], seriesLabels, seriesMeta } = parsed.data.data;
  const dates = xValues.map((x, i) => {
    const date = calendarDate(x);
    if (date === null) throw new DashboardBodyError(`${endpoint}: data.xValues[${i}] is ${JSON.stringify(x)}, not a date`);
    return date;
  });
  const warnings: string[] = [];
  if (series.length === 0 && dates.length > 0) {
    warnings.push(`${endpoint}: Amplitude returned ${dates.length} dates but no series (no values for ${dateSpan(dates)})`);
  }
  const out = series.map((values, k) => {
    const label = seriesLabel(seriesLabels, seriesMeta, k);
    const list = Array.isArray(values) ? values : [];
    if (list.length !== dates.length) {
      warnings.push(
        `${endpoint}: series ${JSON.stringify(label)} has ${list.length} values for ${dates.length} dates (${dateSpan(dates)}); ` +
          (list.length < dates.length ? 'the dates without a value get none' : 'the extra values are ignored'),
      );
    }
    return { label, values: list };
  });
  return { dates, series: out, warnings };
}

function dateSpan(dates: string[]): string {
  return dates.length === 0 ? 'no dates' : `${dates[0]}..${dates[dates.length - 1]}`;
}

export interface ActiveUsersDay {
  date: string;
  /** Series label → count; a series without a number for this date has no entry. */
  statistics: Record<string, number>;
}

/** `/api/2/users` → one row per date (series transposed); never indexes past a short series. */
export function activeUsersByDay(body: unknown): Parsed<ActiveUsersDay> {
  const { dates, series, warnings } = readDailySeries(body, 'users');
  const rows = dates.map((date, i) => {
    const statistics: Record<string, number> = {};
    for (const s of series) {
      const value = s.values[i];
      if (isNumber(value)) statistics[s.label] = value;
    }
    return { date, statistics };
  });
  return { rows, warnings };
}

export interface SessionLengthDay {
  date: string;
  /** Average session length in seconds; null when Amplitude gave no number for the date. */
  length: number | null;
}

/** `/api/2/sessions/average` → one row per date from the single series; top-level diagnostics ignored. */
export function sessionLengthByDay(body: unknown): Parsed<SessionLengthDay> {
  const { dates, series, warnings } = readDailySeries(body, 'sessions/average');
  if (series.length > 1) warnings.push(`sessions/average: ${series.length} series returned; only the first is read`);
  const rows = dates.map((date, i) => {
    const value = series[0]?.values[i];
    return { date, length: isNumber(value) ? value : null };
  });
  return { rows, warnings };
}

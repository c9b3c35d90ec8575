// Dashboard REST, annotation, cohort and event-type bodies (amplitude-api.md §3, §6–§10) → plain
// rows. Amplitude formats only; what a row becomes in the tap's output is decided by the streams.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isObject } from '../json.js';
import { AmplitudeBodyError } from './errors.js';

/** A 200 body that is not in the shape the endpoint documents (not retried: it would come back the same). */
export class DashboardBodyError extends AmplitudeBodyError {
  override name = 'DashboardBodyError';
}

/** Rows parsed from one body, plus what was odd about it (for a log line, never silent). */
export interface Parsed<T> {
  rows: T[];
  warnings: string[];
}

type Json = Record<string, unknown>;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// ---------------------------------------------------------------------------------------------
// Daily series: {"data": {"xValues": [dates], "series": [[values per date] per group], ...}}

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
  const values = series[0]?.values ?? [];
  const rows = dates.map((date, i) => {
    const value = values[i];
    return { date, length: isNumber(value) ? value : null };
  });
  return { rows, warnings };
}

// ---------------------------------------------------------------------------------------------
// Lists: annotations {"data": [...]}, cohorts {"cohorts": [...]}, event types {"data": [...]}

function listUnder(body: unknown, key: string, endpoint: string): unknown[] {
  const list = isObject(body) ? body[key] : undefined;
  if (!Array.isArray(list)) throw new DashboardBodyError(`${endpoint}: the response has no "${key}" list; cannot read it`);
  return list;
}

/** RFC 3339 with Z, or null (RFC 3339 has 4-digit years only). */
function rfc3339(dt: DateTime): string | null {
  return dt.isValid && dt.year >= 0 && dt.year <= 9999 ? dt.toUTC().toISO({ suppressMilliseconds: true }) : null;
}

/** An annotation time (`2026-06-16T00:00:00+00:00`, or a plain date) → `…Z`; zone-less means UTC. */
export function utcTimestamp(text: string): string | null {
  const v = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00` : text;
  return rfc3339(DateTime.fromISO(v, { zone: 'utc', setZone: true }));
}

/** Epoch seconds (cohort times) → `…Z`. */
export function epochSecondsToUtc(seconds: number): string | null {
  return rfc3339(DateTime.fromSeconds(seconds, { zone: 'utc' }));
}

export interface Annotation extends Json {
  id: number;
  start: string | null;
  end: string | null;
  date: string | null;
  label: string | null;
  details: string | null;
  category: Json | null;
  category_id: number | null;
  category_name: string | null;
  chart_id: string | null;
}

const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function annotationItems(body: unknown, endpoint: string, warnings: string[]): Json[] {
  return listUnder(body, 'data', endpoint).filter((item, i) => {
    const ok = isObject(item) && Number.isInteger(item.id);
    if (!ok) warnings.push(`${endpoint}: data[${i}] has no integer id; skipped`);
    return ok;
  }) as Json[];
}

function timestampField(item: Json, field: string, endpoint: string, warnings: string[]): string | null {
  const raw = item[field];
  if (raw === null || raw === undefined) return null;
  const value = typeof raw === 'string' ? utcTimestamp(raw) : null;
  if (value === null) warnings.push(`${endpoint}: annotation ${String(item.id)} has ${field} ${JSON.stringify(raw)}, not a timestamp; emitted as null`);
  return value;
}

/** `/api/3/annotations`: the category object's name is under `category` live, `name` in the docs. */
export function annotationsFromV3(body: unknown): Parsed<Annotation> {
  const warnings: string[] = [];
  const rows = annotationItems(body, 'annotations', warnings).map((item) => {
    const start = timestampField(item, 'start', 'annotations', warnings);
    const category = isObject(item.category) ? item.category : null;
    const categoryName = category ? (textOrNull(category.category) ?? textOrNull(category.name)) : textOrNull(item.category);
    const chartId = item.chart_id;
    return {
      ...item,
      id: item.id as number,
      start,
      end: timestampField(item, 'end', 'annotations', warnings),
      // v2's field: the UTC calendar day of start, so v2 and v3 rows carry the same columns.
      date: start === null ? null : start.slice(0, 10),
      label: textOrNull(item.label),
      details: textOrNull(item.details),
      category,
      category_id: category && Number.isInteger(category.id) ? (category.id as number) : null,
      category_name: categoryName,
      chart_id: typeof chartId === 'number' ? String(chartId) : textOrNull(chartId),
    };
  });
  return { rows, warnings };
}

/** `/api/2/annotations` (legacy): `date` is kept and also becomes `start` at 00:00 UTC. */
export function annotationsFromV2(body: unknown): Parsed<Annotation> {
  const warnings: string[] = [];
  const rows = annotationItems(body, 'annotations (v2)', warnings).map((item) => {
    const date = calendarDate(item.date);
    if (date === null && item.date !== null && item.date !== undefined) {
      warnings.push(`annotations (v2): annotation ${String(item.id)} has date ${JSON.stringify(item.date)}, not a date; emitted as null`);
    }
    return {
      ...item,
      id: item.id as number,
      start: date === null ? null : `${date}T00:00:00Z`,
      end: null,
      date,
      label: textOrNull(item.label),
      details: textOrNull(item.details),
      category: null,
      category_id: null,
      category_name: null,
      chart_id: null,
    };
  });
  return { rows, warnings };
}

/** Cohort times that Amplitude sends as epoch seconds. */
const COHORT_EPOCH_FIELDS = ['lastMod', 'createdAt', 'lastComputed'] as const;

export interface Cohort extends Json {
  id: string;
}

/** `/api/3/cohorts`: every field kept; ids as strings; epoch-second times as RFC 3339. */
export function cohortsFrom(body: unknown): Parsed<Cohort> {
  const warnings: string[] = [];
  const rows: Cohort[] = [];
  listUnder(body, 'cohorts', 'cohorts').forEach((item, i) => {
    const id = isObject(item) ? item.id : undefined;
    if (!isObject(item) || (typeof id !== 'string' && !isNumber(id))) {
      warnings.push(`cohorts: cohorts[${i}] has no id; skipped`);
      return;
    }
    const row: Cohort = { ...item, id: String(id) };
    for (const field of COHORT_EPOCH_FIELDS) {
      const raw = item[field];
      if (raw === null || raw === undefined) continue;
      const value = isNumber(raw) ? epochSecondsToUtc(raw) : null;
      if (value === null) warnings.push(`cohorts: cohort ${String(id)} has ${field} ${JSON.stringify(raw)}, not epoch seconds; emitted as null`);
      row[field] = value;
    }
    rows.push(row);
  });
  return { rows, warnings };
}

export interface EventType extends Json {
  value: string;
}

/** `/api/2/events/list`: visible event types with this week's totals, fields as sent. */
export function eventTypesFrom(body: unknown): Parsed<EventType> {
  const warnings: string[] = [];
  const rows: EventType[] = [];
  listUnder(body, 'data', 'events/list').forEach((item, i) => {
    if (isObject(item) && typeof item.value === 'string') rows.push(item as EventType);
    else warnings.push(`events/list: data[${i}] has no event name ("value"); skipped`);
  });
  return { rows, warnings };
}

// Chart annotations from /api/3/annotations and the legacy /api/2/annotations (amplitude-api.md §8):
// both become the same row, times as RFC 3339 in UTC.
import { DateTime } from 'luxon';
import { isObject } from '../../json.js';
import { listUnder, rfc3339, textOrNull, type Json, type Parsed } from './body.js';
import { calendarDate } from './daily-series.js';

/** An annotation time (`2026-06-16T00:00:00+00:00`, or a plain date: its midnight) → `…Z`; zone-less means UTC. */
export function utcTimestamp(text: string): string | null {
  return rfc3339(DateTime.fromISO(text, { zone: 'utc' }));
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

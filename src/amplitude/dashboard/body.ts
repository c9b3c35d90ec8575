// What every dashboard body reader shares (amplitude-api.md §3): the error for a body not in the
// documented shape, the rows-plus-warnings result, and the small value readers.
import { DateTime } from 'luxon';
import { isObject } from '../../json.js';
import { AmplitudeBodyError } from '../errors.js';

/** A 200 body that is not in the shape the endpoint documents (not retried: it would come back the same). */
export class DashboardBodyError extends AmplitudeBodyError {
  override name = 'DashboardBodyError';
}

/** Rows parsed from one body, plus what was odd about it (for a log line, never silent). */
export interface Parsed<T> {
  rows: T[];
  warnings: string[];
}

export type Json = Record<string, unknown>;

/** A finite number (Number.isFinite never converts, so no typeof check is needed). */
export const isNumber = (v: unknown): v is number => Number.isFinite(v);

/** The list under `key` (annotations and event types: "data", cohorts: "cohorts"), else the body is not usable. */
export function listUnder(body: unknown, key: string, endpoint: string): unknown[] {
  const list = isObject(body) ? body[key] : undefined;
  if (!Array.isArray(list)) throw new DashboardBodyError(`${endpoint}: the response has no "${key}" list; cannot read it`);
  return list;
}

/** RFC 3339 with Z, or null: RFC 3339 has 4-digit years only, counted in UTC (an invalid date's year is NaN). */
export function rfc3339(dt: DateTime): string | null {
  const utc = dt.toUTC();
  return utc.year >= 0 && utc.year <= 9999 ? utc.toISO({ suppressMilliseconds: true }) : null;
}

export const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

// Behavioral cohorts from /api/3/cohorts (amplitude-api.md §9): every field kept, ids as strings,
// epoch-second times as RFC 3339.
import { DateTime } from 'luxon';
import { isObject } from '../../json.js';
import { isNumber, listUnder, rfc3339, type Json, type Parsed } from './body.js';

/** Epoch seconds (cohort times) → `…Z`. */
export function epochSecondsToUtc(seconds: number): string | null {
  return rfc3339(DateTime.fromSeconds(seconds));
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

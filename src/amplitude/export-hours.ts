// Upload-hour arithmetic for the Export API: hours are UTC, `start` and `end` both inclusive,
// sent as YYYYMMDDTHH; an hour is exportable only `lag` hours after it ends.
import { DateTime } from 'luxon';

/** An inclusive range of upload hours; `start` and `end` are hour starts in UTC. */
export interface HourWindow {
  start: DateTime;
  end: DateTime;
}

export function floorHour(dt: DateTime): DateTime {
  return dt.toUTC().startOf('hour');
}

/** The Export API's hour parameter, e.g. 20260616T05. */
export function hourParam(dt: DateTime): string {
  return dt.toUTC().toFormat("yyyyMMdd'T'HH");
}

export function hoursIn(w: HourWindow): number {
  return Math.round(w.end.diff(w.start, 'hours').hours) + 1;
}

/** The instant just after the window: where the next window, and the bookmark, begin. */
export function afterWindow(w: HourWindow): DateTime {
  return w.end.plus({ hours: 1 });
}

/**
 * The newest hour whose uploads are complete at `now`: hour H is exportable once now >= H + 1h + lag
 * (data received 20:00–21:00 is exportable from about 23:00 with a 2-hour lag).
 */
export function lastExportableHour(now: DateTime, lagHours: number): DateTime {
  return floorHour(now.minus({ hours: lagHours })).minus({ hours: 1 });
}

/** The last hour before an exclusive end instant. */
export function lastHourBefore(end: DateTime): DateTime {
  return floorHour(end.minus({ milliseconds: 1 }));
}

/** Consecutive windows of `size` hours from `first` to `last` (both inclusive). */
export function planWindows(first: DateTime, last: DateTime, size: number): HourWindow[] {
  const windows: HourWindow[] = [];
  for (let start = floorHour(first); start <= last; start = start.plus({ hours: size })) {
    const end = DateTime.min(start.plus({ hours: size - 1 }), last);
    windows.push({ start, end });
  }
  return windows;
}

/** Halves a window (the Export API answers 400 over 4 GB and 504 on a timeout); null for one hour. */
export function splitWindow(w: HourWindow): [HourWindow, HourWindow] | null {
  const hours = hoursIn(w);
  if (hours <= 1) return null;
  const firstEnd = w.start.plus({ hours: Math.floor(hours / 2) - 1 });
  return [
    { start: w.start, end: firstEnd },
    { start: firstEnd.plus({ hours: 1 }), end: w.end },
  ];
}

const AIRBYTE_HOUR = /^(\d{4})(\d{2})(\d{2})T(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A bookmark value as the hour to resume from: the tap's own (an hour boundary, RFC 3339), an
 * Airbyte-style YYYYMMDDTHH, or any timestamp (resumed at its hour's start, so nothing is skipped).
 * Zone-less values are UTC, like Amplitude's own timestamps.
 */
export function parseBookmarkHour(value: unknown): DateTime | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const ab = AIRBYTE_HOUR.exec(v);
  const iso = ab ? `${ab[1]}-${ab[2]}-${ab[3]}T${ab[4]}:00:00Z` : TIMESTAMP.test(v) ? v.replace(' ', 'T') : null;
  if (iso === null) return null;
  const dt = DateTime.fromISO(iso, { zone: 'utc', setZone: true });
  return dt.isValid ? floorHour(dt) : null;
}

/** The tap's bookmark format: the hour boundary as RFC 3339 UTC, e.g. 2026-06-16T12:00:00Z. */
export function bookmarkValue(dt: DateTime): string {
  return dt.toUTC().toFormat("yyyy-MM-dd'T'HH':00:00Z'");
}

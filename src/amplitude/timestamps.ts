// Export API timestamps (amplitude-api.md §5.6) → RFC 3339 UTC, by rewriting the string.
// Date/luxon are deliberately not used: Date keeps only milliseconds and reads zone-less strings
// as local time (quirk 19); the export's values are UTC with microseconds.

/** The timestamp fields of an export event (amplitude-api.md §5.5). */
export const EXPORT_TIMESTAMP_FIELDS: readonly string[] = Object.freeze([
  'client_event_time',
  'client_upload_time',
  'event_time',
  'processed_time',
  'server_received_time',
  'server_upload_time',
  'user_creation_time',
]);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DIGIT_0 = 0x30;
const MAX_LENGTH = 35; // 19 + `.` and 9 digits + `+00:00`

/** The number written by the two ASCII digits at `at`, or -1. */
function twoDigits(bytes: Uint8Array, at: number): number {
  const tens = (bytes[at] as number) - DIGIT_0;
  const ones = (bytes[at + 1] as number) - DIGIT_0;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * Where the time of the export timestamp in `bytes[start, end)` ends (its fraction included, its
 * UTC mark not), or -1 when those bytes are no export timestamp. The grammar: `YYYY-MM-DD`, a space
 * or `T`, `HH:MM:SS`, optionally `.` and 1 to 9 digits, optionally `Z` or `+00:00`; months, days,
 * hours, minutes and seconds in range and the day existing in its month, so that every rewritten
 * value is a valid RFC 3339 date-time. Read on bytes so that the events stream's byte scanner
 * (event-bytes.ts) needs no string; toRfc3339Utc reads strings through it.
 */
export function exportTimestampTimeEnd(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 19 || end - start > MAX_LENGTH) return -1;
  const century = twoDigits(bytes, start);
  const yearOfCentury = twoDigits(bytes, start + 2);
  const month = twoDigits(bytes, start + 5);
  const day = twoDigits(bytes, start + 8);
  const hour = twoDigits(bytes, start + 11);
  const minute = twoDigits(bytes, start + 14);
  const second = twoDigits(bytes, start + 17);
  if (century < 0 || yearOfCentury < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  const separator = bytes[start + 10];
  if (bytes[start + 4] !== 0x2d || bytes[start + 7] !== 0x2d || (separator !== 0x20 && separator !== 0x54)) return -1;
  if (bytes[start + 13] !== 0x3a || bytes[start + 16] !== 0x3a) return -1;
  if (day > 28 && day > daysInMonth(century * 100 + yearOfCentury, month)) return -1;
  let at = start + 19;
  if (bytes[at] === 0x2e && at < end) {
    const fraction = ++at;
    while (at < end && at - fraction < 10 && (bytes[at] as number) >= DIGIT_0 && (bytes[at] as number) <= DIGIT_0 + 9) at++;
    if (at === fraction || at - fraction > 9) return -1;
  }
  const timeEnd = at;
  if (at < end && bytes[at] === 0x5a) at++; // Z
  else if (end - at === 6 && bytes[at] === 0x2b && twoDigits(bytes, at + 1) === 0 && bytes[at + 3] === 0x3a && twoDigits(bytes, at + 4) === 0) at += 6; // +00:00
  return at === end ? timeEnd : -1;
}

/**
 * The RFC 3339 UTC form (`YYYY-MM-DDTHH:MM:SS[.fraction as given]Z`) of an export timestamp,
 * or null when `text` is not in the accepted grammar or names a day that does not exist.
 */
export function toRfc3339Utc(text: string): string | null {
  if (text.length < 19 || text.length > MAX_LENGTH) return null;
  // The grammar is ASCII; a wider character would be cut to a byte by the latin1 copy.
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7f) return null;
  const timeEnd = exportTimestampTimeEnd(Buffer.from(text, 'latin1'), 0, text.length);
  return timeEnd < 0 ? null : `${text.slice(0, 10)}T${text.slice(11, timeEnd)}Z`;
}

/**
 * Normalises one export timestamp value for a Singer `date-time` column:
 * - an accepted timestamp string → its RFC 3339 UTC form (fraction kept digit for digit);
 * - `""` → null: a date-time column cannot hold "" (REC-4, amplitude-api.md §5.6). The issue's
 *   "null and \"\" pass through" is read as "no crash and no invented value";
 * - null and every non-string → returned unchanged;
 * - any other string → returned unchanged. Neither null (silent data loss) nor an exception (one odd
 *   value failing a whole export) is safer: an unexpected format stays visible to the target's
 *   date-time validation, and a value already carrying another offset remains valid RFC 3339.
 */
export function normalizeTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === '') return null;
  return toRfc3339Utc(value) ?? value;
}

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

// `YYYY-MM-DD HH:MM:SS[.f{1,9}]` with a space or `T`, optionally already marked UTC.
// Ranges are checked so that every output is a valid RFC 3339 date-time.
const EXPORT_TIMESTAMP =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[ T](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|\+00:00)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The RFC 3339 UTC form (`YYYY-MM-DDTHH:MM:SS[.fraction as given]Z`) of an export timestamp,
 * or null when `text` is not in the accepted grammar or names a day that does not exist.
 */
export function toRfc3339Utc(text: string): string | null {
  if (!EXPORT_TIMESTAMP.test(text)) return null;
  const day = Number(text.slice(8, 10));
  if (day > 28 && day > daysInMonth(Number(text.slice(0, 4)), Number(text.slice(5, 7)))) return null;
  const zoneLength = text.endsWith('Z') ? 1 : text.endsWith('+00:00') ? 6 : 0;
  return `${text.slice(0, 10)}T${text.slice(11, text.length - zoneLength)}Z`;
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

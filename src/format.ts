// Words and times in log lines: counts with the right noun ("1 record", "2 records") and one time
// format everywhere (RFC 3339 UTC, e.g. 2026-11-05T02:00:00Z), whatever form an API takes.
import { DateTime } from 'luxon';

/** `1 record`, `2 records`, `0 records`; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** An instant as RFC 3339 UTC without fractions: 2026-11-05T02:00:00Z. */
export function rfc3339(dt: DateTime | Date): string {
  const d = dt instanceof Date ? DateTime.fromJSDate(dt) : dt;
  return d.toUTC().toISO({ suppressMilliseconds: true, includeOffset: false }) + 'Z';
}

/** A half-open span of time, `from` included and `to` not: 2026-11-05T02:00:00Z..2026-11-06T02:00:00Z. */
export function span(from: DateTime | Date, to: DateTime | Date): string {
  return `${rfc3339(from)}..${rfc3339(to)}`;
}

/** A wait as words: `45 s`, `12 min`, `3 h 10 min`. */
export function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** URLs with their userinfo (`https://user:pass@host`) masked: a proxy password must never be printed. */
export function hideUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+@/gi, '$1***@');
}

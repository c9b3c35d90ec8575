// Upload-hour arithmetic of the Export API (amplitude-api.md §5.1–5.2) on inputs the events-stream
// tests do not use: instants in other zones (one with a half-hour offset), instants inside an hour,
// exact hour boundaries, and the edges of the lag. Every expected hour is worked out by hand.
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import {
  afterWindow,
  bookmarkValue,
  floorHour,
  hourParam,
  hoursIn,
  lastExportableHour,
  lastHourBefore,
  parseBookmarkHour,
  planWindows,
} from '../../src/amplitude/export-hours.js';

const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const iso = (dt: DateTime | null): string | null => dt?.toISO() ?? null;

describe('hours are UTC hours, whatever zone the instant is in', () => {
  // 12:45 in Kolkata (UTC+05:30) is 07:15 UTC: its UTC hour is 07:00, not the local 12:00 (06:30 UTC).
  const kolkata = DateTime.fromISO('2026-06-16T12:45:00', { zone: 'Asia/Kolkata' });
  // 01:30 in New York (UTC-04:00 in June) is 05:30 UTC.
  const newYork = DateTime.fromISO('2026-06-16T01:30:00', { zone: 'America/New_York' });

  it('floorHour gives the start of the UTC hour, as a UTC DateTime', () => {
    expect(iso(floorHour(kolkata))).toBe('2026-06-16T07:00:00.000Z');
    expect(iso(floorHour(utc('2026-06-16T23:59:59.999')))).toBe('2026-06-16T23:00:00.000Z');
  });

  it('hourParam writes the UTC hour as YYYYMMDDTHH with two hour digits', () => {
    expect(hourParam(newYork)).toBe('20260616T05');
    expect(hourParam(DateTime.fromISO('2026-06-15T20:00:00', { zone: 'America/New_York' }))).toBe('20260616T00');
  });

  it('bookmarkValue writes the UTC hour as RFC 3339', () => {
    expect(bookmarkValue(newYork.startOf('hour'))).toBe('2026-06-16T05:00:00Z');
    expect(bookmarkValue(utc('2026-12-31T23:00'))).toBe('2026-12-31T23:00:00Z');
  });
});

describe('window sizes and bounds', () => {
  it('hoursIn counts both ends', () => {
    expect(hoursIn({ start: utc('2026-06-16T05:00'), end: utc('2026-06-16T12:00') })).toBe(8);
    expect(hoursIn({ start: utc('2026-06-16T05:00'), end: utc('2026-06-16T05:00') })).toBe(1);
    expect(hoursIn({ start: utc('2026-06-16T00:00'), end: utc('2026-06-17T23:00') })).toBe(48);
  });

  it('afterWindow is the hour after the last one', () => {
    expect(iso(afterWindow({ start: utc('2026-06-16T05:00'), end: utc('2026-06-16T23:00') }))).toBe('2026-06-17T00:00:00.000Z');
  });

  it('lastHourBefore an exclusive end: the hour before a boundary, the current hour inside one', () => {
    expect(iso(lastHourBefore(utc('2026-06-16T10:00')))).toBe('2026-06-16T09:00:00.000Z');
    expect(iso(lastHourBefore(utc('2026-06-16T10:00:00.001')))).toBe('2026-06-16T10:00:00.000Z');
    expect(iso(lastHourBefore(utc('2026-06-16T10:30')))).toBe('2026-06-16T10:00:00.000Z');
  });

  it('planWindows starts at the hour holding `first`', () => {
    const windows = planWindows(utc('2026-06-16T05:30'), utc('2026-06-16T09:00'), 3);
    expect(windows.map((w) => `${hourParam(w.start)}..${hourParam(w.end)}`)).toEqual(['20260616T05..20260616T07', '20260616T08..20260616T09']);
  });
});

describe('lastExportableHour: hour H once now >= H + 1 h + lag', () => {
  it.each([
    // 06:00 + 1 h + 2 h = 09:00 <= 09:20; 07:00 would need 10:00.
    ['2026-06-16T09:20', 2, '2026-06-16T06:00:00.000Z'],
    // exactly on the boundary: 06:00 becomes exportable at 09:00 sharp.
    ['2026-06-16T09:00', 2, '2026-06-16T06:00:00.000Z'],
    ['2026-06-16T08:59:59.999', 2, '2026-06-16T05:00:00.000Z'],
    // no lag: the hour just ended.
    ['2026-06-16T09:20', 0, '2026-06-16T08:00:00.000Z'],
    // across midnight.
    ['2026-06-17T01:10', 3, '2026-06-16T21:00:00.000Z'],
  ])('at %s with a %i-hour lag: %s', (now, lag, expected) => {
    expect(iso(lastExportableHour(utc(now), lag))).toBe(expected);
  });

  it('reads a local `now` in UTC', () => {
    // 05:20 in New York is 09:20 UTC.
    const now = DateTime.fromISO('2026-06-16T05:20:00', { zone: 'America/New_York' });
    expect(iso(lastExportableHour(now, 2))).toBe('2026-06-16T06:00:00.000Z');
  });
});

describe('parseBookmarkHour on more forms', () => {
  it.each([
    ['surrounding spaces', '  20260616T12  ', '2026-06-16T12:00:00.000Z'],
    ['a zone-less RFC 3339 time (UTC, not local)', '2026-06-16T12:34:56', '2026-06-16T12:00:00.000Z'],
    ['a space-separated time with an offset', '2026-06-16 14:30:00+02:00', '2026-06-16T12:00:00.000Z'],
    ['a negative offset across midnight', '2026-06-15T21:15:00-05:00', '2026-06-16T02:00:00.000Z'],
  ])('%s', (_label, value, expected) => {
    const hour = parseBookmarkHour(value);
    expect(iso(hour)).toBe(expected);
    expect(hour?.zoneName).toBe('UTC');
  });

  it.each([null, undefined, { hour: '20260616T12' }, '2026-06-16T25:00:00Z'])('rejects %p', (value) => {
    expect(parseBookmarkHour(value)).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { normalizeTimestamp, toRfc3339Utc } from '../../src/amplitude/timestamps.js';

// Calendar edges of the export timestamp grammar (tests/unit/timestamps.test.ts has the formats).
describe('days of the month', () => {
  it.each(['2026-04-31 00:00:00', '2026-09-31 12:00:00', '2026-11-31 23:59:59'])('rejects the 31st of a 30-day month: %s', (text) => {
    expect(toRfc3339Utc(text)).toBeNull();
    expect(normalizeTimestamp(text)).toBe(text);
  });

  it.each([
    ['2026-04-30 00:00:00', '2026-04-30T00:00:00Z'],
    ['2026-09-30 12:00:00', '2026-09-30T12:00:00Z'],
    ['2026-11-30 23:59:59', '2026-11-30T23:59:59Z'],
    ['2026-05-31 00:00:00', '2026-05-31T00:00:00Z'],
    ['2026-10-31 00:00:00', '2026-10-31T00:00:00Z'],
    ['2026-02-28 00:00:00', '2026-02-28T00:00:00Z'],
  ])('accepts the last day of its month: %s', (text, expected) => {
    expect(toRfc3339Utc(text)).toBe(expected);
  });
});

describe('values that are not strings', () => {
  it('returns an array holding a timestamp as it is, without reading it as text', () => {
    const value = ['2026-06-16 11:57:13'];
    expect(normalizeTimestamp(value)).toBe(value);
    expect(value).toEqual(['2026-06-16 11:57:13']);
  });
});

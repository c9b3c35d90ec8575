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

// The grammar as a regular expression and a calendar check, written here as the oracle for the
// byte-level reader (exportTimestampTimeEnd): every one-character change, deletion and insertion
// of a few well-formed timestamps must be judged alike.
const GRAMMAR = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[ T](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|\+00:00)?$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function oracle(text: string): string | null {
  if (!GRAMMAR.test(text)) return null;
  const [year, month, day] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] as number))) return null;
  const zone = text.endsWith('Z') ? 1 : text.endsWith('+00:00') ? 6 : 0;
  return `${text.slice(0, 10)}T${text.slice(11, text.length - zone)}Z`;
}

describe('the byte-level reader against the grammar', () => {
  const templates = ['2026-06-16 11:57:13', '2024-02-29T23:59:59.5', '2026-12-31 20:09:19.123456789', '2000-10-30 01:40:50Z', '2026-06-16 11:57:13.1+00:00', '2026-06-16T11:57:13.123456789+00:00'];
  // İ and ĳ (U+0130, U+0133) end in the bytes of '0' and '3': a reader that cut characters to bytes would take them for digits.
  const replacements = ['/', ':', '0', '1', '2', '3', '5', '6', '9', 'a', ' ', '-', '.', 'T', 'Z', '+', 'é', 'İ', 'ĳ'];
  const variants = new Set<string>();
  for (const t of templates) {
    variants.add(t);
    for (let i = 0; i <= t.length; i++) {
      variants.add(t.slice(0, i) + t.slice(i + 1));
      variants.add(`${t.slice(0, i)}0${t.slice(i)}`);
      for (const r of replacements) variants.add(t.slice(0, i) + r + t.slice(i + 1));
    }
  }

  it('judges every variant as the grammar does', () => {
    const differing = [...variants].filter((v) => toRfc3339Utc(v) !== oracle(v));
    expect(differing).toEqual([]);
    // Both answers occur often enough to matter.
    const accepted = [...variants].filter((v) => oracle(v) !== null).length;
    expect(accepted).toBeGreaterThan(100);
    expect(variants.size - accepted).toBeGreaterThan(1000);
  });

  it('takes the longest form, 35 characters, and nothing longer', () => {
    expect(toRfc3339Utc('2026-06-16T11:57:13.123456789+00:00')).toBe('2026-06-16T11:57:13.123456789Z');
    expect(toRfc3339Utc('2026-06-16T11:57:13.1234567891+00:00')).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { EXPORT_TIMESTAMP_FIELDS, normalizeTimestamp, toRfc3339Utc } from '../../src/amplitude/timestamps.js';
import { fixture } from '../helpers/paths.js';

// Expectations are literal strings: the module must give them under any TZ (the suite runs under
// TZ=America/New_York, where `new Date('2026-06-16 11:57:13')` would read 15:57Z).
const ACCEPTED: Array<[string, string]> = [
  ['2026-06-16 11:57:13.345000', '2026-06-16T11:57:13.345000Z'],
  ['2026-06-16 11:57:13', '2026-06-16T11:57:13Z'],
  ['2026-06-16 11:57:13.345', '2026-06-16T11:57:13.345Z'],
  ['2026-06-16 11:57:13.3', '2026-06-16T11:57:13.3Z'],
  ['2026-06-16 11:57:13.123456789', '2026-06-16T11:57:13.123456789Z'],
  ['2015-08-10T12:00:00.000000', '2015-08-10T12:00:00.000000Z'],
  ['2026-06-16T11:57:13', '2026-06-16T11:57:13Z'],
  ['2026-06-16T11:57:13.000001', '2026-06-16T11:57:13.000001Z'],
  ['2026-06-16 11:57:13.000001', '2026-06-16T11:57:13.000001Z'],
  ['2026-06-16 11:57:13.999999', '2026-06-16T11:57:13.999999Z'],
  ['2026-06-16T11:57:13.345000Z', '2026-06-16T11:57:13.345000Z'],
  ['2026-06-16 11:57:13Z', '2026-06-16T11:57:13Z'],
  ['2026-06-16 11:57:13.345000+00:00', '2026-06-16T11:57:13.345000Z'],
  ['2026-01-01 00:00:00.000000', '2026-01-01T00:00:00.000000Z'],
  ['2026-12-31 23:59:59.999999', '2026-12-31T23:59:59.999999Z'],
  ['2024-02-29 12:00:00', '2024-02-29T12:00:00Z'],
  ['2000-02-29 12:00:00', '2000-02-29T12:00:00Z'],
];

const UNRECOGNISED = [
  'yesterday',
  '2026-06-16',
  '2026-06-16 11:57',
  '2026-06-16 11:57:13.',
  '2026-06-16 11:57:13.1234567890',
  '2026-06-16  11:57:13',
  ' 2026-06-16 11:57:13',
  '2026-06-16 11:57:13 ',
  '2026-06-16t11:57:13',
  '2026/06/16 11:57:13',
  '2026-13-01 00:00:00',
  '2026-00-10 00:00:00',
  '2026-06-00 00:00:00',
  '2026-06-31 00:00:00',
  '2026-02-29 00:00:00',
  '2100-02-29 00:00:00',
  '2026-06-16 24:00:00',
  '2026-06-16 11:60:00',
  '2026-06-16 11:57:60',
  '2026-06-16T11:57:13+02:00',
  '2026-06-16T11:57:13-00:00',
  '1750075033',
];

describe('normalizeTimestamp', () => {
  it.each(ACCEPTED)('%s → %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
    expect(toRfc3339Utc(input)).toBe(expected);
  });

  it('produces values a JSON Schema date-time validator accepts', () => {
    const ajv = new Ajv();
    addFormats.default(ajv);
    const validate = ajv.compile({ type: 'string', format: 'date-time' });
    for (const [input] of ACCEPTED) expect([input, validate(normalizeTimestamp(input))]).toEqual([input, true]);
  });

  it('turns "" into null, for a date-time column cannot hold ""', () => {
    expect(normalizeTimestamp('')).toBeNull();
  });

  it('leaves null and non-strings untouched', () => {
    const object = { a: 1 };
    expect(normalizeTimestamp(null)).toBeNull();
    expect(normalizeTimestamp(undefined)).toBeUndefined();
    expect(normalizeTimestamp(1750075033)).toBe(1750075033);
    expect(normalizeTimestamp(true)).toBe(true);
    expect(normalizeTimestamp(object)).toBe(object);
  });

  it.each(UNRECOGNISED)('returns the unrecognised string %j unchanged', (input) => {
    expect(normalizeTimestamp(input)).toBe(input);
    expect(toRfc3339Utc(input)).toBeNull();
  });
});

describe('EXPORT_TIMESTAMP_FIELDS', () => {
  it('lists the `_time` keys of a real export event', () => {
    const event = JSON.parse(readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n')[0]!) as object;
    const timeKeys = Object.keys(event).filter((key) => key.endsWith('_time'));
    expect([...EXPORT_TIMESTAMP_FIELDS].sort()).toEqual(timeKeys.sort());
    expect(EXPORT_TIMESTAMP_FIELDS).toEqual([
      'client_event_time',
      'client_upload_time',
      'event_time',
      'processed_time',
      'server_received_time',
      'server_upload_time',
      'user_creation_time',
    ]);
  });
});

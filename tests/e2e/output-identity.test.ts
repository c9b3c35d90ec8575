// The events stream's record text, byte for byte, so that speed work cannot change a single record.
// The canonical form is JSON.stringify of the parsed event (spacing, escapes and number spelling
// normalised, like any JSON writer), except that integers a double cannot hold keep their source
// digits. 1) The built CLI against the simulator: every RECORD's text equals what an independent
// reference computes from the simulator's ground-truth lines. 2) Lines the simulator never writes
// (spacing, escapes, number spellings, duplicate keys) against hand-written expected text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { transformEventLine } from '../../src/amplitude/event-line.js';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { requireBuild } from './support/e2e.js';
import { EXPORT_TIMESTAMPS } from '../helpers/expected.js';

const START = '20260302T00';
const END = '20260302T11';
const TIMESTAMP_KEYS = new Set(EXPORT_TIMESTAMPS);
const RECORD_PREFIX = '{"type":"RECORD","stream":"events","record":';
const EXPORT_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;
// An integer of 16+ digits as a JSON value (after `:`, `,` or `[`, before `,`, `]` or `}`).
const LONG_INTEGER = /([:,[])(-?\d{16,})(?=[,\]}])/g;
const PROTECTED = /"\\u0000(-?\d+)"/g;

/** The expected record for one served line, computed without the tap's code. */
function expectedRecord(line: string, dropped: ReadonlySet<string>): string {
  // Long integers ride through parse/stringify as marked strings, so their digits stay exact.
  const event = JSON.parse(line.replace(LONG_INTEGER, '$1"\\u0000$2"')) as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (dropped.has(key)) continue;
    record[key] = TIMESTAMP_KEYS.has(key) && typeof value === 'string' ? rfc3339(value) : value;
  }
  // Written in ASCII, as singer-python writes: each non-ASCII UTF-16 unit as \uXXXX.
  return JSON.stringify(record)
    .replace(PROTECTED, '$1')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function rfc3339(value: string): string | null {
  if (value === '') return null;
  const m = EXPORT_TIME.exec(value);
  return m ? `${m[1]}T${m[2]}Z` : value;
}

type Catalog = { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };

/** The discovered catalog with only `events` selected, minus the `dropped` fields. */
function eventsCatalog(discovered: Catalog, dropped: ReadonlySet<string>): Catalog {
  return {
    streams: discovered.streams.map((s) => ({
      ...s,
      metadata: s.metadata.map((m) => {
        if (m.breadcrumb.length === 0) return { ...m, metadata: { ...m.metadata, selected: s.tap_stream_id === 'events' } };
        if (s.tap_stream_id === 'events' && dropped.has(m.breadcrumb[1] as string)) return { ...m, metadata: { ...m.metadata, selected: false } };
        return m;
      }),
    })),
  };
}

/** The exact record text of every events RECORD line (the bytes between `"record":` and `,"time_extracted"`). */
function recordTexts(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(RECORD_PREFIX))
    .map((line) => line.slice(RECORD_PREFIX.length, line.lastIndexOf(',"time_extracted":')));
}

function firstDifference(got: string[], want: string[]): { index: number; got?: string; want?: string } | null {
  const index = got.findIndex((text, i) => text !== want[i]);
  if (index === -1 && got.length === want.length) return null;
  const at = index === -1 ? Math.min(got.length, want.length) : index;
  return { index: at, got: got[at], want: want[at] };
}

describe('events records through the built CLI', () => {
  let sim: Simulator;
  let discovered: Catalog;
  let truth: string[];

  beforeAll(async () => {
    requireBuild();
    sim = await createSimulator({
      seed: 11,
      dataStart: '2026-03-02T00:00:00Z',
      dataEnd: '2026-03-02T12:00:00Z',
      eventsPerHour: 400,
      // Several members per hour: chunks the built tap frames on its worker threads, put back in order.
      maxMembersPerHour: 3,
      now: () => new Date('2026-03-20T00:00:00Z'),
    });
    truth = sim.truth.rawEventLines(START, END);
    const result = await runCli(['--config', writeJson(tempDir(), 'config.json', { start_date: '2026-01-01' }), '--discover']);
    expect(result.code).toBe(0);
    discovered = JSON.parse(result.stdout) as Catalog;
  });
  afterAll(async () => {
    await sim?.stop();
  });

  async function sync(dropped: ReadonlySet<string>): Promise<string[]> {
    const dir = tempDir();
    const config = {
      api_key: sim.options.apiKey,
      secret_key: sim.options.secretKey,
      api_url: sim.url,
      start_date: '2026-03-02T00:00:00Z',
      end_date: '2026-03-02T12:00:00Z',
      events_window_hours: 5,
    };
    const result = await runCli(
      ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', eventsCatalog(discovered, dropped))],
      { timeoutMs: 25_000 },
    );
    expect(result.code).toBe(0);
    return recordTexts(result.stdout);
  }

  it('serves data that exercises the exact paths: long integers, escaped quotes, non-ASCII text', () => {
    expect(truth.length).toBeGreaterThan(3000);
    expect(truth.filter((line) => /"external_ref":\d{16}/.test(line)).length).toBeGreaterThan(10);
    expect(truth.some((line) => line.includes('\\"'))).toBe(true);
    expect(truth.some((line) => /[^\x00-\x7f]/.test(line))).toBe(true);
  });

  it('writes every field of every event exactly as the reference does', async () => {
    const records = await sync(new Set());
    const expected = truth.map((line) => expectedRecord(line, new Set()));
    expect(firstDifference(records, expected)).toBeNull();
  });

  it('writes exactly the reference text under a field selection that drops a timestamp and a property bag', async () => {
    const dropped = new Set(['$insert_key', 'city', 'event_properties', 'user_creation_time', 'version_name']);
    const records = await sync(dropped);
    const expected = truth.map((line) => expectedRecord(line, dropped));
    expect(firstDifference(records, expected)).toBeNull();
  });
});

describe('events record text for lines the simulator does not write', () => {
  const ts = '"event_time":"2026-06-16 11:57:13.345000"';
  const tsOut = '"event_time":"2026-06-16T11:57:13.345000Z"';
  it.each([
    ['spacing outside strings', `{ "a" : [ 1 , 2 ] ,\t${ts} }`, `{"a":[1,2],${tsOut}}`],
    ['escapes JSON.stringify writes differently', `{"s":"\\u00e9\\/\\u0041","t":"tab\\there","q":"\\"\\\\",${ts}}`, `{"s":"é/A","t":"tab\\there","q":"\\"\\\\",${tsOut}}`],
    ['control characters and surrogates', `{"c":"\\u001f\\u0008","pair":"\\ud83d\\ude00","lone":"\\udc00",${ts}}`, `{"c":"\\u001f\\b","pair":"😀","lone":"\\udc00",${tsOut}}`],
    ['number spellings', `{"n":[1.0,1E2,-0,0.10,1e-7,0.000001,2.50e1,123456789012345.6],${ts}}`, `{"n":[1,100,0,0.1,1e-7,0.000001,25,123456789012345.6],${tsOut}}`],
    ['duplicate keys, nested and at the top', `{"p":{"x":1,"y":2,"x":3},"p2":1,${ts},"p2":2}`, `{"p":{"x":3,"y":2},"p2":2,${tsOut}}`],
    ['a timestamp-named key inside a bag', `{"event_properties":{"event_time":"2026-06-16 11:57:13"},${ts}}`, `{"event_properties":{"event_time":"2026-06-16 11:57:13"},${tsOut}}`],
    [
      'every timestamp form',
      '{"client_event_time":"2026-06-16T11:57:13.123456789","client_upload_time":"2026-06-16 11:57:13+00:00","event_time":"2026-02-30 10:00:00","processed_time":"","server_received_time":1718539033,"server_upload_time":"2026-06-16 11:57:13Z","user_creation_time":null}',
      '{"client_event_time":"2026-06-16T11:57:13.123456789Z","client_upload_time":"2026-06-16T11:57:13Z","event_time":"2026-02-30 10:00:00","processed_time":null,"server_received_time":1718539033,"server_upload_time":"2026-06-16T11:57:13Z","user_creation_time":null}',
    ],
  ])('%s', (_label, line, expected) => {
    expect(transformEventLine(line).recordJson).toBe(expected);
  });

  it('applies a selection to those lines with the same text', () => {
    const line = `{ "drop" : 1.0 , "keep" : { "b" : 1E2 }, ${ts} , "client_event_time" : "" }`;
    expect(transformEventLine(line, new Set(['keep', 'event_time'])).recordJson).toBe(`{"keep":{"b":100},${tsOut}}`);
  });

  it('gives each line its own selection when shapes and selections alternate', () => {
    const a = `{"x":1,${ts}}`;
    const b = `{${ts},"x":1,"y":2}`;
    const onlyX = new Set(['x']);
    expect([
      transformEventLine(a, onlyX).recordJson,
      transformEventLine(b, onlyX).recordJson,
      transformEventLine(a).recordJson,
      transformEventLine(b, new Set(['y', 'event_time'])).recordJson,
    ]).toEqual(['{"x":1}', '{"x":1}', `{"x":1,${tsOut}}`, `{${tsOut},"y":2}`]);
  });
});

import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { fixture } from '../helpers/paths.js';
import { EVENT_KEYS, EventSource, MAX_LINE_BYTES } from './events.js';
import { resolveOptions } from './options.js';
import { createTruth } from './truth.js';
import { Exporter } from './export.js';

const fixtureEvents = fs
  .readFileSync(fixture('export-hour.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>);

const options = resolveOptions({
  seed: 7,
  dataStart: '2026-06-10T00:00:00Z',
  dataEnd: '2026-06-20T12:30:00Z',
  now: () => new Date('2026-06-20T12:30:00Z'),
});
const truth = createTruth(options, new Exporter(options));
const events = truth.events('20260610T00', '20260619T23');
const lines = truth.rawEventLines('20260610T00', '20260619T23');

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
// Copied from the fixture's values: 'YYYY-MM-DD HH:MM:SS.ffffff'.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const TS_KEYS = ['client_event_time', 'client_upload_time', 'event_time', 'processed_time', 'server_received_time', 'server_upload_time', 'user_creation_time'];

describe('generated events', () => {
  it('have exactly the 55 keys of the real export, in its order', () => {
    const realKeys = Object.keys(fixtureEvents[0] as object);
    expect(realKeys).toHaveLength(55);
    expect([...EVENT_KEYS]).toEqual(realKeys);
    expect(events.length).toBeGreaterThan(1000);
    expect(events.filter((e) => Object.keys(e).join() !== realKeys.join())).toEqual([]);
  });

  it('use the JSON types the fixture has where the fixture has a value', () => {
    const realTypes = new Map<string, string>();
    for (const e of fixtureEvents) for (const [k, v] of Object.entries(e)) if (v !== null) realTypes.set(k, jsonType(v));
    expect(realTypes.get('amplitude_id')).toBe('number');
    const mismatches: string[] = [];
    for (const e of events) {
      for (const [k, type] of realTypes) if (e[k] !== null && jsonType(e[k]) !== type) mismatches.push(`${k}: ${jsonType(e[k])}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('type the other keys as documented (§5.5)', () => {
    const allowed: Record<string, string[]> = {
      $schema: ['number', 'null'],
      is_attribution_event: ['boolean', 'null'],
      paying: ['boolean', 'null'],
      location_lat: ['number', 'null'],
      location_lng: ['number', 'null'],
      sample_rate: ['number', 'null'],
      global_user_properties: ['object', 'null'],
    };
    const mismatches: string[] = [];
    for (const e of events) {
      for (const k of EVENT_KEYS) {
        const expected = allowed[k] ?? (fixtureEvents.every((f) => f[k] === null) ? ['string', 'null'] : undefined);
        if (expected && !expected.includes(jsonType(e[k]))) mismatches.push(`${k}: ${jsonType(e[k])}`);
      }
      const id = e.amplitude_id as number;
      if (!Number.isSafeInteger(id) || id < 1.5e12 || id > 1.7e12) mismatches.push(`amplitude_id ${id}`);
      if (e.app !== 829528 || e.data_type !== 'event' || !Number.isInteger(e.event_id)) mismatches.push(`app/data_type/event_id`);
    }
    expect(mismatches).toEqual([]);
  });

  it('write timestamps in the fixture format, consistently ordered within the upload hour', () => {
    for (const f of fixtureEvents) for (const k of TS_KEYS) if (f[k] !== null) expect(f[k]).toMatch(TIMESTAMP);
    const bad: string[] = [];
    for (const e of events) {
      for (const k of TS_KEYS) if (e[k] !== null && e[k] !== '' && !TIMESTAMP.test(e[k] as string)) bad.push(`${k}: ${String(e[k])}`);
      const upload = e.server_upload_time as string;
      if (!((e.event_time as string) <= upload && (e.server_received_time as string) <= upload && (e.processed_time as string) > upload)) {
        bad.push(`order ${String(e.uuid)}`);
      }
    }
    expect(bad).toEqual([]);
    const hour = truth.events('20260612T07', '20260612T07');
    expect(hour.length).toBeGreaterThan(0);
    for (const e of hour) expect((e.server_upload_time as string).slice(0, 13)).toBe('2026-06-12 07');
  });

  it('carry the quirks of live data', () => {
    const values = (k: string): unknown[] => events.map((e) => e[k]);
    expect(values('user_creation_time')).toContain(null);
    expect(values('user_creation_time')).toContain('');
    expect(values('source_id')).toContain('');
    expect(values('session_id')).toContain(-1);
    expect(values('session_id').some((s) => typeof s === 'number' && s > 1.7e12)).toBe(true);
    expect(values('sample_rate').some((s) => typeof s === 'number')).toBe(true);
    expect(values('location_lat').some((s) => typeof s === 'number')).toBe(true);
    const bagKeys = events.flatMap((e) => [...Object.keys(e.event_properties as object), ...Object.keys(e.user_properties as object)]);
    expect(bagKeys).toContain('ad_metrics.cost');
    expect(bagKeys).toEqual(expect.arrayContaining(['City', 'city', 'Position', 'position']));
    expect(events.some((e) => Object.keys(e.plan as object).join() === 'branch,source,version')).toBe(true);
    expect(events.some((e) => Object.keys(e.data as object).includes('vacuum_source_id'))).toBe(true);
    // The CRC-fixing token of forged members (crc-forge.ts) sits in $insert_key, a string|null field.
    expect(values('$insert_key').filter((k) => typeof k === 'string' && /^[`a-o]{12}$/.test(k)).length).toBeGreaterThan(3);
    expect(new Set(events.map((e) => e.uuid)).size).toBe(events.length);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(events.filter((e) => !uuid.test(e.uuid as string))).toEqual([]);
  });

  it('write some integers beyond 2^53 literally; rawEventLines keep their digits', () => {
    const big = lines.flatMap((l) => [...l.matchAll(/"external_ref":(\d+)/g)].map((m) => m[1] as string));
    expect(big.length).toBeGreaterThan(0);
    for (const digits of big) {
      expect(BigInt(digits) > 2n ** 53n).toBe(true);
      // A double cannot hold it: JSON.parse changes the digits.
      expect(String(JSON.parse(digits))).not.toBe(digits);
    }
  });

  it('are compact JSON with the keys in order', () => {
    // Re-serialising reproduces a line exactly unless it holds a big integer (which JSON.parse rounds).
    const plain = lines.filter((l) => !l.includes('"external_ref"'));
    expect(plain.filter((l) => JSON.stringify(JSON.parse(l)) !== l)).toEqual([]);
  });

  it('are single lines of about 1-2 KB, never above MAX_LINE_BYTES', () => {
    const dense = new EventSource({ ...options, eventsPerHour: 3000 });
    let count = 0;
    let total = 0;
    let max = 0;
    let badEnds = 0;
    for (const line of dense.lines(Date.UTC(2026, 5, 12) / 3_600_000, Date.UTC(2026, 5, 12, 3) / 3_600_000)) {
      const bytes = Buffer.byteLength(line);
      max = Math.max(max, bytes);
      if (line.indexOf('\n') !== line.length - 1) badEnds++;
      count++;
      total += bytes;
    }
    expect(badEnds).toBe(0);
    expect(max).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(count).toBeGreaterThan(5000);
    expect(total / count).toBeGreaterThan(1000);
    expect(total / count).toBeLessThan(2000);
  });
});

describe('hours and members', () => {
  const src = new EventSource(options);
  const firstHour = Date.UTC(2026, 5, 10) / 3_600_000;
  const hours = Array.from({ length: 240 }, (_, k) => firstHour + k);

  it('leave some hours empty and split many into several members', () => {
    const shapes = hours.map((h) => src.members(h));
    const empty = shapes.filter((m) => m.length === 0).length;
    expect(empty).toBeGreaterThan(240 * 0.04);
    expect(empty).toBeLessThan(240 * 0.2);
    expect(shapes.filter((m) => m.length > 1).length).toBeGreaterThan(100);
    expect(Math.max(...shapes.map((m) => m.length))).toBe(3);
  });

  it('do not order events by server_upload_time inside a member', () => {
    const member = src.members(firstHour + 30).find((m) => m.length > 3) as number[];
    const times = member.map((i) => (JSON.parse(src.line(firstHour + 30, i)) as { server_upload_time: string }).server_upload_time);
    expect([...times].sort()).not.toEqual(times);
  });

  it('serve the same events for a window and for any split of it', () => {
    const whole = truth.rawEventLines('20260611T00', '20260611T05');
    const split = ['00', '01', '02', '03', '04', '05'].flatMap((h) => truth.rawEventLines(`20260611T${h}`, `20260611T${h}`));
    expect(split).toEqual(whole);
    const again = createTruth(options, new Exporter(options)).rawEventLines('20260611T00', '20260611T05');
    expect(again).toEqual(whole);
    const otherSeed = resolveOptions({ ...options, seed: 8 });
    expect(createTruth(otherSeed, new Exporter(otherSeed)).rawEventLines('20260611T00', '20260611T05')).not.toEqual(whole);
  });

  it('hold no event before dataStart or from dataEnd on, even inside a partial hour', () => {
    expect(truth.events('20260609T00', '20260609T23')).toEqual([]);
    // Hour 13:00 of seed 7 has events: data ending at 13:30 keeps just those of its first half.
    const upTo = (dataEnd: string) => {
      const o = resolveOptions({ ...options, dataEnd });
      return createTruth(o, new Exporter(o)).events('20260620T13', '20260620T14');
    };
    const wholeHour = upTo('2026-06-20T14:00:00Z');
    const firstHalf = wholeHour.filter((e) => (e.server_upload_time as string) < '2026-06-20 13:30:00');
    expect(firstHalf.length).toBeGreaterThan(0);
    expect(firstHalf.length).toBeLessThan(wholeHour.length);
    expect(upTo('2026-06-20T13:30:00Z')).toEqual(firstHalf);
  });
});

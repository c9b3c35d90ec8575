// The events stream itself: window planning, the bookmark forms it resumes from (its own RFC 3339,
// Airbyte's YYYYMMDDTHH, Amplitude timestamps), splitting, and, against the in-process simulator,
// windows written in plan order with their STATE after their records while later windows finish
// first, at most max_concurrency requests in flight.
import { afterAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { AmplitudeClient } from '../../src/amplitude/client.js';
import { parseBookmarkHour, planWindows, splitWindow, type HourWindow } from '../../src/amplitude/export-hours.js';
import { validateConfig, type Config } from '../../src/config.js';
import { Logger } from '../../src/singer/log.js';
import { Metrics } from '../../src/singer/metrics.js';
import { RunShared, StreamLog } from '../../src/streams/context.js';
import { eventsStream, exportRange } from '../../src/streams/events.js';
import type { StreamContext, StreamItem } from '../../src/streams/types.js';
import { tempDir } from '../helpers/cli.js';
import { eventRecord, hourBookmark, hourKey, isoOf } from '../helpers/expected.js';
import { createSimulator, type Simulator } from '../simulator/server.js';

const HOUR_MS = 3_600_000;
const utc = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'utc' });
const show = (ws: HourWindow[] | null): string[] | null => ws?.map((w) => `${w.start.toFormat("dd'T'HH")}..${w.end.toFormat("dd'T'HH")}`) ?? null;

describe('window planning', () => {
  it('cuts first..last (both inclusive) into windows of `size` hours, the last one short', () => {
    expect(show(planWindows(utc('2026-06-16T05:00'), utc('2026-06-17T02:00'), 8))).toEqual(['16T05..16T12', '16T13..16T20', '16T21..17T02']);
    expect(show(planWindows(utc('2026-06-16T05:00'), utc('2026-06-16T05:00'), 24))).toEqual(['16T05..16T05']);
    expect(show(planWindows(utc('2026-06-16T05:00'), utc('2026-06-16T04:00'), 24))).toEqual([]);
  });

  it('plans from the bookmark, else start_date, to end_date or the last hour the lag allows', () => {
    const config = validateConfig({ start_date: '2026-06-01T07:30:00Z', end_date: '2026-06-16T10:00:00Z', events_lag_hours: 2 }).config;
    const now = () => new Date('2026-06-16T09:20:00Z');
    const range = (bookmark?: Record<string, unknown>) => {
      const r = exportRange({ config, bookmark, now });
      return r && `${r.first.toISO()} ${r.last.toISO()}`;
    };
    // 09:20 with a 2-hour lag: 06:00..06:59 is the newest complete hour (07:00 + 2 h = 09:00 ≤ 09:20).
    expect(range()).toBe('2026-06-01T07:00:00.000Z 2026-06-16T06:00:00.000Z');
    expect(range({ server_upload_time: '2026-06-16T07:00:00Z' })).toBeNull();
    const ended = validateConfig({ start_date: '2026-06-01', end_date: '2026-06-02T03:00:00Z' }).config;
    expect(exportRange({ config: ended, bookmark: undefined, now })?.last.toISO()).toBe('2026-06-02T02:00:00.000Z');
  });
});

describe('bookmark forms', () => {
  const config = validateConfig({ start_date: '2026-01-01' }).config;
  const now = () => new Date('2026-07-01T00:00:00Z');
  const firstHour = (value: unknown): string | undefined => exportRange({ config, bookmark: { server_upload_time: value as string }, now })?.first.toISO() ?? undefined;

  it.each([
    ['the tap’s own RFC 3339 hour', '2026-06-16T12:00:00Z', '2026-06-16T12:00:00.000Z'],
    ['Airbyte’s YYYYMMDDTHH', '20260616T12', '2026-06-16T12:00:00.000Z'],
    ['YYYYMMDDTHH at midnight', '20260616T00', '2026-06-16T00:00:00.000Z'],
    ['an Amplitude timestamp (zone-less, UTC)', '2026-06-16 12:34:56.789000', '2026-06-16T12:00:00.000Z'],
    ['RFC 3339 with an offset', '2026-06-16T14:30:00+02:00', '2026-06-16T12:00:00.000Z'],
    ['a date only', '2026-06-16', '2026-06-16T00:00:00.000Z'],
  ])('resumes from %s at its hour', (_name, value, expected) => {
    expect(parseBookmarkHour(value)?.toISO()).toBe(expected);
    expect(firstHour(value)).toBe(expected);
  });

  it.each(['20260616T1', '2026061T12', '2026-13-01T00:00:00Z', 'yesterday', '', 12])('rejects %p with a message naming the expected form', (value) => {
    expect(parseBookmarkHour(value)).toBeNull();
    expect(eventsStream.checkBookmark?.({ server_upload_time: value as string }, config, now())).toMatch(/is not a timestamp; expected RFC 3339/);
  });

  it('rejects a bookmark in the future, in any form', () => {
    expect(eventsStream.checkBookmark?.({ server_upload_time: '20260702T00' }, config, now())).toMatch(/is in the future/);
    expect(eventsStream.checkBookmark?.({ server_upload_time: '20260630T23' }, config, now())).toBeUndefined();
  });
});

describe('splitting', () => {
  const w = (start: string, end: string): HourWindow => ({ start: utc(start), end: utc(end) });
  it('halves a window (the first half the smaller), down to single hours', () => {
    expect(show(splitWindow(w('2026-06-16T00:00', '2026-06-16T07:00')))).toEqual(['16T00..16T03', '16T04..16T07']);
    expect(show(splitWindow(w('2026-06-16T00:00', '2026-06-16T04:00')))).toEqual(['16T00..16T01', '16T02..16T04']);
    expect(show(splitWindow(w('2026-06-16T00:00', '2026-06-16T01:00')))).toEqual(['16T00..16T00', '16T01..16T01']);
    expect(splitWindow(w('2026-06-16T00:00', '2026-06-16T00:00'))).toBeNull();
  });
});

function contextFor(config: Config, client: AmplitudeClient): StreamContext {
  return {
    stream: 'events',
    config,
    client,
    log: new StreamLog('events', new Logger('warn', () => undefined)),
    bookmark: undefined,
    fields: new Set(Object.keys(eventsStream.schema.properties ?? {})),
    signal: new AbortController().signal,
    tempDir: tempDir(),
    shared: new RunShared(),
    now: () => new Date(),
  };
}

describe('the stream against the simulator', () => {
  const sims: Simulator[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  it('counts Amplitude’s "no data" 404 as an answer, not a failed request, in the request metrics', async () => {
    const END_MS = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
    // Data only in the last of three hours: the first two windows are answered "no data".
    const sim = await createSimulator({ dataStart: isoOf(END_MS - HOUR_MS), dataEnd: isoOf(END_MS), eventsPerHour: 40 });
    sims.push(sim);
    const config = validateConfig({ start_date: isoOf(END_MS - 3 * HOUR_MS), end_date: isoOf(END_MS), events_window_hours: 1 }).config;
    const seen: [number | null, boolean][] = [];
    const metricLines: string[] = [];
    const metrics = new Metrics(new Logger('info', (l) => metricLines.push(l)));
    const client = new AmplitudeClient({
      baseUrl: sim.url,
      apiKey: sim.options.apiKey,
      secretKey: sim.options.secretKey,
      userAgent: 't',
      idleTimeoutMs: 10_000,
      maxConcurrency: 5,
      onResponse: (e) => {
        seen.push([e.status, e.succeeded]);
        metrics.httpRequest(e.endpoint, e.status, e.durationMs, e.succeeded);
      },
    });
    const ctx = contextFor(config, client);
    let records = 0;
    for await (const item of eventsStream.sync(ctx)) if ('recordLines' in item) records += item.count;
    expect(records).toBe(sim.truth.events(hourKey(END_MS - HOUR_MS), hourKey(END_MS - HOUR_MS)).length);
    expect(seen.sort()).toEqual([[200, true], [404, true], [404, true]]);
    const tags = metricLines.map((l) => (JSON.parse(l.slice('INFO METRIC: '.length)) as { tags: { http_status_code: number; status: string } }).tags);
    expect(tags.map((t) => `${t.http_status_code} ${t.status}`).sort()).toEqual(['200 succeeded', '404 succeeded', '404 succeeded']);
  });

  it('writes windows in plan order, each STATE after its records, while later windows finish first', async () => {
    const END_MS = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
    const START_MS = END_MS - 6 * HOUR_MS;
    const sim = await createSimulator({ dataStart: isoOf(START_MS), dataEnd: isoOf(END_MS), eventsPerHour: 40 });
    sims.push(sim);
    // Six one-hour windows: the earlier the window, the later its answer.
    for (let h = 0; h < 6; h++) sim.faults.add({ path: '/api/2/export', query: { start: hourKey(START_MS + h * HOUR_MS) }, kind: 'delay', delayMs: (6 - h) * 80 });
    const config = validateConfig({
      api_key: sim.options.apiKey,
      secret_key: sim.options.secretKey,
      api_url: sim.url,
      start_date: isoOf(START_MS),
      end_date: isoOf(END_MS),
      events_window_hours: 1,
      max_concurrency: 4,
    }).config;
    const lines: string[] = [];
    const log = new StreamLog('events', new Logger('info', (l) => lines.push(l)));
    const controller = new AbortController();
    const client = new AmplitudeClient({ baseUrl: sim.url, apiKey: sim.options.apiKey, secretKey: sim.options.secretKey, userAgent: 't', idleTimeoutMs: 10_000, maxConcurrency: 4, signal: controller.signal });
    const ctx = { ...contextFor(config, client), log, signal: controller.signal };
    const items: StreamItem[] = [];
    for await (const item of eventsStream.sync(ctx)) items.push(item);

    // Expected from the ground truth: each hour's events, then its bookmark.
    const expected: unknown[] = [];
    for (let h = 0; h < 6; h++) {
      const at = START_MS + h * HOUR_MS;
      for (const e of sim.truth.events(hourKey(at), hourKey(at))) expected.push(eventRecord(e));
      expected.push({ bookmark: hourBookmark(at + HOUR_MS) });
    }
    const got = items.flatMap((item) => {
      if ('bookmark' in item) return [{ bookmark: item.bookmark.server_upload_time }];
      if (!('recordLines' in item)) throw new Error('the events stream yields framed RECORD lines');
      const lines = Buffer.from(item.recordLines).toString('utf8').split('\n').slice(0, -1);
      expect(lines).toHaveLength(item.count);
      return lines.map((l) => {
        const m = JSON.parse(l) as { type: string; stream: string; record: unknown; time_extracted: string };
        expect([m.type, m.stream, typeof m.time_extracted]).toEqual(['RECORD', 'events', 'string']);
        return m.record;
      });
    });
    expect(got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(6 * 20);
    // Window i/N in the progress details of each bookmark.
    expect(items.flatMap((i) => ('bookmark' in i ? [`${i.progress?.index}/${i.progress?.total}`] : []))).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    // Later windows really finished first: the 4 first requests went out together, and never more than 4.
    const exports = sim.requests.filter((r) => r.path === '/api/2/export');
    expect(exports).toHaveLength(6);
    expect(Math.max(...exports.map((r) => r.concurrency))).toBe(4);
    expect(sim.maxConcurrencySeen()).toBeLessThanOrEqual(4);
  });
});

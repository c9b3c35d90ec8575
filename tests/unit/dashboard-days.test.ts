import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { AmplitudeClient, RequestOptions } from '../../src/amplitude/client.js';
import { validateConfig, type Config } from '../../src/config.js';
import { Logger } from '../../src/singer/log.js';
import type { Bookmark } from '../../src/singer/state.js';
import { activeUsersStream } from '../../src/streams/active-users.js';
import { averageSessionLengthStream } from '../../src/streams/average-session-length.js';
import { checkDayBookmark, dayWindows, restartDate } from '../../src/streams/dashboard-days.js';
import { RunShared, StreamLog } from '../../src/streams/context.js';
import type { StreamDefinition, StreamItem } from '../../src/streams/types.js';

const NOW = new Date('2026-03-20T15:00:00Z'); // today = 2026-03-20 (UTC)

function config(extra: Record<string, unknown> = {}): Config {
  return validateConfig({ api_key: 'k', secret_key: 's', start_date: '2026-01-01', ...extra }).config;
}

interface Call {
  path: string;
  query: Record<string, string>;
  cost: number | undefined;
}

/** Answers every dashboard query with one value per requested day (the day of month). */
function stubClient(calls: Call[]): AmplitudeClient {
  const getJson = async (path: string, opts: RequestOptions) => {
    const query = opts.query ?? {};
    calls.push({ path, query, cost: opts.cost });
    const first = DateTime.fromFormat(query.start ?? '', 'yyyyMMdd', { zone: 'utc' });
    const last = DateTime.fromFormat(query.end ?? '', 'yyyyMMdd', { zone: 'utc' });
    const dates: string[] = [];
    for (let d = first; d <= last; d = d.plus({ days: 1 })) dates.push(d.toISODate() as string);
    const values = dates.map((d) => Number(d.slice(8)));
    const xValues = path.includes('sessions') ? dates.map((d) => `${d}T00:00:00`) : dates;
    return { status: 200, body: { data: { xValues, series: [values], seriesLabels: [0] } } };
  };
  return { getJson } as unknown as AmplitudeClient;
}

async function run(stream: StreamDefinition, cfg: Config, bookmark?: Bookmark) {
  const calls: Call[] = [];
  const logs: string[] = [];
  const items: StreamItem[] = [];
  const ctx = {
    stream: stream.name,
    config: cfg,
    client: stubClient(calls),
    log: new StreamLog(stream.name, new Logger('info', (line) => logs.push(line))),
    bookmark,
    fields: new Set<string>(),
    signal: new AbortController().signal,
    tempDir: '/nonexistent',
    shared: new RunShared(),
    now: () => NOW,
  };
  for await (const item of stream.sync(ctx)) items.push(item);
  const records = items.flatMap((i) => ('record' in i ? [i.record] : []));
  const bookmarks = items.flatMap((i) => ('bookmark' in i ? [i.bookmark] : []));
  return { calls, logs, items, records, bookmarks };
}

describe('windows and restart dates', () => {
  it('splits a range into windows of at most n days, the last one short', () => {
    expect(dayWindows('2026-01-01', '2026-03-20', 31)).toEqual([
      { first: '2026-01-01', last: '2026-01-31' },
      { first: '2026-02-01', last: '2026-03-03' },
      { first: '2026-03-04', last: '2026-03-20' },
    ]);
    expect(dayWindows('2026-03-20', '2026-03-20', 15)).toEqual([{ first: '2026-03-20', last: '2026-03-20' }]);
  });

  it('restarts after the window, but never later than 3 days before yesterday nor before the sync began', () => {
    expect(restartDate({ first: '2026-01-01', last: '2026-01-31' }, '2026-01-01', '2026-03-20')).toBe('2026-02-01');
    expect(restartDate({ first: '2026-03-04', last: '2026-03-20' }, '2026-01-01', '2026-03-20')).toBe('2026-03-16');
    expect(restartDate({ first: '2026-03-04', last: '2026-03-17' }, '2026-01-01', '2026-03-20')).toBe('2026-03-16');
    expect(restartDate({ first: '2026-03-19', last: '2026-03-20' }, '2026-03-19', '2026-03-20')).toBe('2026-03-19');
  });

  it('checks bookmarks: a date, not in the future; Airbyte\'s T00:00:00 cursor is read', () => {
    const cfg = config();
    expect(checkDayBookmark({ date: '2026-03-20' }, cfg, NOW)).toBeUndefined();
    expect(checkDayBookmark({ date: '2026-03-01T00:00:00' }, cfg, NOW)).toBeUndefined();
    expect(checkDayBookmark({ date: '2026-03-21' }, cfg, NOW)).toBe(
      'date 2026-03-21 is in the future (today is 2026-03-20 UTC); remove this bookmark or fix the date',
    );
    expect(checkDayBookmark({ date: '2026-02-30' }, cfg, NOW)).toBe('expected {"date": "YYYY-MM-DD"}, got {"date":"2026-02-30"}');
    expect(checkDayBookmark({ day: 3 }, cfg, NOW)).toBe('expected {"date": "YYYY-MM-DD"}, got {"day":3}');
  });
});

describe('active_users and average_session_length syncs', () => {
  it('active_users: 31-day windows from start_date to today, cost = days, a bookmark after each window', async () => {
    const { calls, records, items } = await run(activeUsersStream, config());
    expect(calls).toEqual([
      { path: '/api/2/users', query: { start: '20260101', end: '20260131', m: 'active', i: '1' }, cost: 31 },
      { path: '/api/2/users', query: { start: '20260201', end: '20260303', m: 'active', i: '1' }, cost: 31 },
      { path: '/api/2/users', query: { start: '20260304', end: '20260320', m: 'active', i: '1' }, cost: 17 },
    ]);
    expect(records).toHaveLength(79); // 31 + 31 + 17 days
    expect(records[0]).toEqual({ date: '2026-01-01', statistics: { '0': 1 } });
    expect(records[78]).toEqual({ date: '2026-03-20', statistics: { '0': 20 } });
    // Each window's bookmark comes right after its last record.
    const bookmarkAt = items.flatMap((item, i) => ('bookmark' in item ? [[i, item.bookmark]] : []));
    expect(bookmarkAt).toEqual([
      [31, { date: '2026-02-01' }],
      [63, { date: '2026-03-04' }],
      [81, { date: '2026-03-16' }],
    ]);
  });

  it('active_users grouped by country: g=country and 4× the cost', async () => {
    const { calls } = await run(activeUsersStream, config({ start_date: '2026-03-10', active_users_group_by_country: true }));
    expect(calls).toEqual([{ path: '/api/2/users', query: { start: '20260310', end: '20260320', m: 'active', i: '1', g: 'country' }, cost: 44 }]);
  });

  it('average_session_length: 15-day windows costing 4 per day; the bookmark wins over start_date', async () => {
    const { calls, records, bookmarks } = await run(averageSessionLengthStream, config(), { date: '2026-03-01' });
    expect(calls).toEqual([
      { path: '/api/2/sessions/average', query: { start: '20260301', end: '20260315' }, cost: 60 },
      { path: '/api/2/sessions/average', query: { start: '20260316', end: '20260320' }, cost: 20 },
    ]);
    expect(records[0]).toEqual({ date: '2026-03-01', length: 1 });
    expect(records).toHaveLength(20);
    expect(bookmarks).toEqual([{ date: '2026-03-16' }, { date: '2026-03-16' }]);
  });

  it('end_date is exclusive; a range wholly in the past bookmarks its end', async () => {
    const { calls, bookmarks } = await run(averageSessionLengthStream, config({ start_date: '2026-02-01', end_date: '2026-02-11' }));
    expect(calls.map((c) => c.query)).toEqual([{ start: '20260201', end: '20260210' }]);
    expect(bookmarks).toEqual([{ date: '2026-02-11' }]);
  });

  it('a start_date after today: no request, a log line, no bookmark', async () => {
    const { calls, items, logs } = await run(activeUsersStream, config({ start_date: '2026-04-01' }));
    expect(calls).toEqual([]);
    expect(items).toEqual([]);
    expect(logs).toEqual(['INFO stream active_users: nothing to sync: starts 2026-04-01, after the last day to read (2026-03-20)\n']);
  });
});

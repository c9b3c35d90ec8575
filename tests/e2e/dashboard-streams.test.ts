// The dashboard and list streams end to end: the built CLI against the simulator, records compared
// with the simulator's ground truth (mapped to records here, independently of the tap's code).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastState, parseMessages, recordsOf, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema-validator.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator/server.js';
import { annotationRecord, cohortRecord, eventTypeRecord } from '../helpers/expected.js';

const MY_STREAMS = ['active_users', 'average_session_length', 'annotations', 'cohorts', 'events_list'];
const DAY_MS = 86_400_000;

// Calendar arithmetic on UTC days, with Date on explicit UTC instants only.
const TODAY = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const key = (date: string): string => date.replaceAll('-', '');
const daysFrom = (first: string, last: string): string[] => {
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
};

/** Epoch seconds → RFC 3339 via Date (no zone involved), without the `.000` luxon would drop too. */

let discovered: { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
const sims: Simulator[] = [];

async function simulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  // A fixed simulator clock keeps today's partial values identical between the run and the truth.
  const now = new Date();
  const sim = await createSimulator({ now: () => now, ...opts });
  sims.push(sim);
  return sim;
}

interface Run {
  code: number | null;
  stderr: string;
  messages: SingerMessage[];
  records: (stream: string) => Record<string, unknown>[];
}

async function runTap(sim: Simulator, opts: { config?: Record<string, unknown>; streams?: string[]; state?: unknown } = {}): Promise<Run> {
  const dir = tempDir();
  const selected = opts.streams ?? MY_STREAMS;
  const catalog = {
    streams: discovered.streams.map((s) => ({
      ...s,
      metadata: s.metadata.map((m) =>
        m.breadcrumb.length === 0 ? { ...m, metadata: { ...m.metadata, selected: selected.includes(s.tap_stream_id) } } : m,
      ),
    })),
  };
  const config = {
    api_key: 'demo-api-key',
    secret_key: 'demo-secret-key',
    api_url: sim.url,
    start_date: addDays(TODAY, -10),
    ...opts.config,
  };
  const args = ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)];
  if (opts.state !== undefined) args.push('--state', writeJson(dir, 'state.json', opts.state));
  const result = await runCli(args, { timeoutMs: 20_000 });
  const messages = parseMessages(result.stdout);
  const records = (stream: string) => {
    const rows = recordsOf(messages, stream);
    for (const row of rows) expect(schemaErrors(stream, row)).toEqual([]);
    return rows;
  };
  return { code: result.code, stderr: result.stderr, messages, records };
}

const usersRequests = (sim: Simulator) => sim.requests.filter((r) => r.path === '/api/2/users').map((r) => r.query);
const sessionRequests = (sim: Simulator) => sim.requests.filter((r) => r.path === '/api/2/sessions/average').map((r) => r.query);

beforeAll(async () => {
  const result = await runCli(['--config', writeJson(tempDir(), 'config.json', { start_date: '2026-01-01' }), '--discover']);
  expect(result.code).toBe(0);
  discovered = JSON.parse(result.stdout) as typeof discovered;
});

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});

describe('dashboard streams against the simulator', () => {
  it('every stream equals the ground truth; windows, costs and bookmarks as documented', async () => {
    const sim = await simulator();
    const first = addDays(TODAY, -40);
    const run = await runTap(sim, { config: { start_date: first } });
    expect(run.stderr).not.toMatch(/ERROR|WARNING/);
    expect(run.code).toBe(0);

    expect(run.records('active_users')).toEqual(sim.truth.activeUsers(key(first), key(TODAY)));
    expect(run.records('average_session_length')).toEqual(sim.truth.averageSessionLength(key(first), key(TODAY)));

    // 31-day /users windows and 15-day /sessions windows, no group-by by default.
    expect(usersRequests(sim)).toEqual([
      { start: key(first), end: key(addDays(first, 30)), m: 'active', i: '1' },
      { start: key(addDays(first, 31)), end: key(TODAY), m: 'active', i: '1' },
    ]);
    expect(sessionRequests(sim)).toEqual([
      { start: key(first), end: key(addDays(first, 14)) },
      { start: key(addDays(first, 15)), end: key(addDays(first, 29)) },
      { start: key(addDays(first, 30)), end: key(TODAY) },
    ]);
    // A STATE after each window; the last one restarts 3 days before yesterday.
    const bookmarks = (stream: string) =>
      run.messages
        .filter((m) => m.type === 'STATE')
        .map((m) => (m.value as { bookmarks: Record<string, { date: string }> }).bookmarks[stream]?.date)
        .filter((d, i, all) => d !== undefined && d !== all[i - 1]);
    expect(bookmarks('active_users')).toEqual([addDays(first, 31), addDays(TODAY, -4)]);
    expect(bookmarks('average_session_length')).toEqual([addDays(first, 15), addDays(first, 30), addDays(TODAY, -4)]);

    expect(run.records('annotations')).toEqual(
      sim.truth.annotationsV3().map(annotationRecord),
    );
    // The truth holds one category with the documented `name` key.
    expect(run.records('annotations').some((r) => (r.category as Record<string, unknown>).name === r.category_name)).toBe(true);

    expect(run.records('cohorts')).toEqual(
      sim.truth.cohorts().map(cohortRecord),
    );
    expect(run.records('events_list')).toEqual(sim.truth.eventsList().map(eventTypeRecord));
  });

  it('resumes from the last STATE at the re-read boundary, with no gap', async () => {
    const sim = await simulator();
    const first = addDays(TODAY, -20);
    const streams = ['active_users', 'average_session_length'];
    const run1 = await runTap(sim, { config: { start_date: first }, streams });
    expect(run1.code).toBe(0);
    const state = lastState(run1.messages) as { bookmarks: Record<string, { date: string }> };
    const restart = addDays(TODAY, -4);
    expect(state.bookmarks).toEqual({ active_users: { date: restart }, average_session_length: { date: restart } });

    sim.requests.length = 0;
    const run2 = await runTap(sim, { config: { start_date: first }, streams, state });
    expect(run2.code).toBe(0);
    expect(usersRequests(sim)).toEqual([{ start: key(restart), end: key(TODAY), m: 'active', i: '1' }]);
    expect(sessionRequests(sim)).toEqual([{ start: key(restart), end: key(TODAY) }]);
    expect(run2.records('active_users')).toEqual(sim.truth.activeUsers(key(restart), key(TODAY)));
    expect(run2.records('average_session_length')).toEqual(sim.truth.averageSessionLength(key(restart), key(TODAY)));

    // Every day from start_date to today is in run 1 or run 2; the overlap is the re-read days.
    const dates = (run: Run, stream: string) => run.records(stream).map((r) => r.date as string);
    for (const stream of streams) {
      expect(new Set([...dates(run1, stream), ...dates(run2, stream)])).toEqual(new Set(daysFrom(first, TODAY)));
      expect(dates(run2, stream)).toEqual(daysFrom(restart, TODAY));
    }
  });

  it('groups active users by country when asked', async () => {
    const sim = await simulator();
    const run = await runTap(sim, { config: { active_users_group_by_country: true }, streams: ['active_users'] });
    expect(run.code).toBe(0);
    const first = addDays(TODAY, -10);
    const expected = sim.truth.activeUsers(key(first), key(TODAY), { groupByCountry: true });
    expect(run.records('active_users')).toEqual(expected);
    expect(Object.keys(expected[0]?.statistics ?? {})).toContain('(none)');
    expect(usersRequests(sim)).toEqual([{ start: key(first), end: key(TODAY), m: 'active', i: '1', g: 'country' }]);
  });

  it('a project without the country property: one line naming the setting, no retry, other streams synced; cohorts 403 names the add-on', async () => {
    const sim = await simulator({ countryProperty: false });
    sim.faults.add({ path: '/api/3/cohorts', kind: 'status', status: 403 });
    const run = await runTap(sim, { config: { active_users_group_by_country: true } });
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    expect(lines).toContain(
      'ERROR stream active_users failed: Amplitude rejected the grouping by country (HTTP 400: Invalid chart definition — Invalid user property country): this project has no country user property. Set active_users_group_by_country to false.',
    );
    expect(lines.some((l) => l.startsWith('ERROR stream cohorts failed: Amplitude refused /api/3/cohorts (HTTP 403') && l.includes('Behavioral Cohorts add-on'))).toBe(true);
    expect(usersRequests(sim)).toHaveLength(1);
    expect(run.records('active_users')).toEqual([]);
    expect(run.records('cohorts')).toEqual([]);
    const first = addDays(TODAY, -10);
    expect(run.records('average_session_length')).toEqual(sim.truth.averageSessionLength(key(first), key(TODAY)));
    expect(run.records('annotations')).toHaveLength(sim.truth.annotationsV3().length);
    expect(run.records('events_list')).toEqual(sim.truth.eventsList().map(eventTypeRecord));
    // The failed streams keep no bookmark and no table version; the ones that ran do.
    const state = lastState(run.messages) as { bookmarks: Record<string, unknown> };
    expect(Object.keys(state.bookmarks)).toEqual(['average_session_length', 'annotations', 'events_list']);
  });

  it('empty series: one record per date without values (no invented numbers)', async () => {
    const sim = await simulator({ dashboardSeries: 'empty' });
    const run = await runTap(sim, { streams: ['active_users', 'average_session_length'] });
    expect(run.code).toBe(0);
    const days = daysFrom(addDays(TODAY, -10), TODAY);
    expect(run.records('active_users')).toEqual(days.map((date) => ({ date, statistics: {} })));
    expect(run.records('average_session_length')).toEqual(days.map((date) => ({ date, length: null })));
    expect(run.stderr).toMatch(/WARNING stream active_users: users: Amplitude returned 11 dates but no series/);
  });

  it('series shorter than xValues: the unmatched last date has no value', async () => {
    const sim = await simulator({ dashboardSeries: 'short' });
    const run = await runTap(sim, { streams: ['active_users', 'average_session_length'] });
    expect(run.code).toBe(0);
    const first = addDays(TODAY, -10);
    // One window each (11 days); the simulator drops each series' last value.
    const users = sim.truth.activeUsers(key(first), key(TODAY));
    expect(run.records('active_users')).toEqual(users.map((r) => (r.date === TODAY ? { date: TODAY, statistics: {} } : r)));
    const sessions = sim.truth.averageSessionLength(key(first), key(TODAY));
    expect(run.records('average_session_length')).toEqual(sessions.map((r) => (r.date === TODAY ? { date: TODAY, length: null } : r)));
  });

  it('falls back to /api/2/annotations when v3 answers 404', async () => {
    const sim = await simulator({ annotationsV3: false });
    const run = await runTap(sim, { streams: ['annotations'] });
    expect(run.code).toBe(0);
    expect(run.records('annotations')).toEqual(
      sim.truth.annotationsV2().map((a) => ({
        id: a.id,
        start: `${String(a.date)}T00:00:00Z`,
        end: null,
        date: a.date,
        label: a.label,
        details: a.details,
        category: null,
        category_id: null,
        category_name: null,
        chart_id: null,
      })),
    );
    expect(sim.requests.map((r) => [r.path, r.status])).toEqual([
      ['/api/3/annotations', 404],
      ['/api/2/annotations', 200],
    ]);
  });

  it('a start_date in the future: no request, a log line', async () => {
    const sim = await simulator();
    const run = await runTap(sim, { config: { start_date: addDays(TODAY, 5) }, streams: ['active_users', 'average_session_length'] });
    expect(run.code).toBe(0);
    expect(sim.requests).toEqual([]);
    expect(run.stderr).toContain(`INFO stream active_users: nothing to sync: starts ${addDays(TODAY, 5)}, after the last day to read (${TODAY})`);
  });
});

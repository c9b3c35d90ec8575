// Fault injection end to end: the built CLI against the simulator with every fault kind on every
// stream family (export/events; dashboard: active_users and average_session_length; lists:
// annotations, cohorts, events_list; charts). Each run must still deliver exactly the simulator's
// ground truth (mapped to records here, independently of the tap's code), or stop with the one
// clear line expected; no output of any run may hold a credential.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AmplitudeClient } from '../../src/amplitude/client.js';
import { lastState, parseMessages, recordsOf, runCli, tempDir, writeJson, type CliResult, type SingerMessage } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema-validator.js';
import { createSimulator, writeExportArchive, type ChartModel, type FaultRule, type Simulator } from '../simulator/server.js';
import { requireBuild, stderrLines } from './support/e2e.js';
import { annotationRecord, cohortRecord, dayKey, eventRecord, eventTypeRecord, hourBookmark, hourKey, isoOf } from '../helpers/expected.js';

const HOUR_MS = 3_600_000;
// Long, unique markers: any of them (or the Basic token) in any output is a leak.
const API_KEY = 'faultsApiKeyMARKER-5c0d9e2b7a41f836';
const SECRET_KEY = 'faultsSecretMARKER-e81b4f07c92d3a65';
const CHART = 'ts7d0a1b';
// Eight upload hours ending six hours ago: all exportable whatever the export lag does.
const NOW = new Date();
const END_MS = Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
const START_MS = END_MS - 8 * HOUR_MS;

const PATHS = {
  export: '/api/2/export',
  users: '/api/2/users',
  sessions: '/api/2/sessions/average',
  annotations: '/api/3/annotations',
  cohorts: '/api/3/cohorts',
  eventsList: '/api/2/events/list',
  chart: `/api/3/chart/${CHART}/csv`,
} as const;
/** The tap's name for each endpoint in its log lines and errors. */
const ENDPOINT: Record<keyof typeof PATHS, string> = {
  export: 'export',
  users: 'users',
  sessions: 'sessions/average',
  annotations: 'annotations',
  cohorts: 'cohorts',
  eventsList: 'events/list',
  chart: `chart ${CHART}`,
};
const STREAMS = ['events', 'active_users', 'average_session_length', 'annotations', 'cohorts', 'events_list', `chart_${CHART}`, 'charts_metadata'];
// The annotation-category and taxonomy streams: full table, no fault injected on their paths here.
const NEW_FULL_TABLE = ['annotation_categories', 'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties'];


/** One record per value cell, row by row (docs/chart-layouts.md); the ts layout has integer cells only. */
function chartRecords(model: ChartModel): Record<string, unknown>[] {
  return model.tables.flatMap((t, tableIndex) =>
    t.rows.flatMap((row) =>
      t.header.slice(t.labelColumns).map((segment, k) => {
        const raw = row[t.labelColumns + k] as string;
        return { chart_id: CHART, table_index: tableIndex, dimension_name: t.header[0], dimension_value: row[0], segment, value: Number(raw), raw_value: raw, metric: t.metric };
      }),
    ),
  );
}

function chartMetadata(model: ChartModel): Record<string, unknown> {
  const t = model.tables[0] as ChartModel['tables'][number];
  return {
    chart_id: CHART,
    title: model.title,
    description: model.description.length > 0 ? model.description.join('\n') : null,
    metric: t.metric,
    event: t.events.join(', '),
    dimension: t.header[0],
    filters: t.filters,
    interval: 'day',
    table_count: model.tables.length,
    row_count: t.rows.length,
    column_count: t.header.length - t.labelColumns,
  };
}

/** Every stream's records as the simulator's ground truth says they must be. */
function truthRecords(sim: Simulator): Record<string, unknown[]> {
  const chart = sim.truth.chart(CHART);
  return {
    events: sim.truth.events(hourKey(START_MS), hourKey(END_MS - HOUR_MS)).map(eventRecord),
    active_users: sim.truth.activeUsers(dayKey(START_MS), dayKey(END_MS - 1)),
    average_session_length: sim.truth.averageSessionLength(dayKey(START_MS), dayKey(END_MS - 1)),
    annotations: sim.truth.annotationsV3().map(annotationRecord),
    cohorts: sim.truth.cohorts().map(cohortRecord),
    events_list: sim.truth.eventsList().map(eventTypeRecord),
    [`chart_${CHART}`]: chartRecords(chart),
    charts_metadata: [chartMetadata(chart)],
  };
}

interface Run extends CliResult {
  messages: SingerMessage[];
  records: (stream: string) => Record<string, unknown>[];
}

const sims: Simulator[] = [];
const dirs: string[] = [];
/** Every run of this file, for the credential scan at the end. */
const outputs: { name: string; text: string }[] = [];

async function simulator(): Promise<Simulator> {
  // A fixed simulator clock keeps today's partial dashboard values identical between the run and the truth.
  const sim = await createSimulator({
    now: () => NOW,
    dataStart: isoOf(START_MS),
    dataEnd: isoOf(END_MS),
    eventsPerHour: 20,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
  });
  sims.push(sim);
  return sim;
}

interface TapOptions {
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Streams to select; all of them (no --catalog) when omitted. */
  streams?: string[];
}

async function runTap(name: string, sim: Simulator, opts: TapOptions = {}): Promise<Run> {
  const dir = tempDir();
  dirs.push(dir);
  const config = {
    api_key: API_KEY,
    secret_key: SECRET_KEY,
    api_url: sim.url,
    start_date: isoOf(START_MS),
    end_date: isoOf(END_MS),
    events_window_hours: 4,
    chart_ids: [CHART],
    ...opts.config,
  };
  const args = ['--config', writeJson(dir, 'config.json', config)];
  if (opts.streams) {
    const catalog = { streams: opts.streams.map((s) => ({ tap_stream_id: s, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })) };
    args.push('--catalog', writeJson(dir, 'catalog.json', catalog));
  }
  const result = await runCli(args, { env: { LOG_LEVEL: 'debug', ...opts.env }, timeoutMs: 40_000 });
  outputs.push({ name, text: result.stdout + result.stderr });
  const messages = parseMessages(result.stdout);
  const records = (stream: string): Record<string, unknown>[] => {
    const rows = recordsOf(messages, stream);
    for (const row of rows) expect(schemaErrors(stream.startsWith('chart_') ? 'chart' : stream, row)).toEqual([]);
    return rows;
  };
  return { ...result, messages, records };
}

/** Runs `tasks` with at most `limit` at a time (2 cores: a few tap processes at once). */
async function pool<T>(tasks: (() => Promise<T>)[], limit = 6): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

const requestsTo = (sim: Simulator, path: string) => sim.requests.filter((r) => r.path === path);

interface Outcome {
  sim: Simulator;
  run: Run;
}
/**
 * Every tap run of this file, registered while the describes are collected and all run by the first
 * beforeAll, a few at a time: runs that mostly wait (stalls, Retry-After) overlap with the others.
 */
const scenarios = new Map<string, () => Promise<Outcome>>();
const outcomes = new Map<string, Outcome>();
const scenario = (name: string, run: () => Promise<Outcome>): void => void scenarios.set(name, run);
const outcome = (name: string): Outcome => outcomes.get(name) as Outcome;

/** A simulator with `faults`, and the tap run against it. */
const faultRun = (name: string, faults: FaultRule[], opts: TapOptions = {}): void =>
  scenario(name, async () => {
    const sim = await simulator();
    for (const fault of faults) sim.faults.add(fault);
    return { sim, run: await runTap(name, sim, opts) };
  });

beforeAll(async () => {
  requireBuild();
  const names = [...scenarios.keys()];
  const results = await pool(names.map((n) => scenarios.get(n) as () => Promise<Outcome>));
  names.forEach((n, i) => outcomes.set(n, results[i] as Outcome));
}, 120_000);
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface FaultCase {
  name: string;
  fault: Omit<FaultRule, 'path'>;
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** A regular expression for the reason in the WARNING line of the failed attempt; HOST stands for the simulator's host. */
  warning: string;
}

const RATE_HINT = "Amplitude's rate limit was hit (5 concurrent requests per project, dashboard cost budget); lower max_concurrency or stop other API clients of this project.";
const IDLE = escape('no data from HOST for 1 s (idle timeout); raise request_timeout_seconds if Amplitude is just slow');
const TOO_MANY = escape(`HOST answered HTTP 429: Too Many Requests — Exceeded rate limit: too many requests for this project. ${RATE_HINT}`);

const statusCase = (status: number, message: string, details: string): FaultCase => ({
  name: `HTTP ${status}`,
  fault: { kind: 'status', status },
  warning: escape(`HOST answered HTTP ${status}: ${message} — ${details}.`),
});

// The slow ones (a second per stalled request, Retry-After) first, so that the quick ones run beside them.
const CASES: FaultCase[] = [
  // A 1 s idle timeout: one request at a time, so that a window that only waits for the busy
  // simulator (it builds archives in the test process) is not taken for a stall.
  { name: 'stall with no bytes', fault: { kind: 'stall', afterBytes: 0 }, config: { request_timeout_seconds: 1, max_concurrency: 1 }, warning: IDLE },
  { name: 'stall mid-body', fault: { kind: 'stall', afterBytes: 30 }, config: { request_timeout_seconds: 1, max_concurrency: 1 }, warning: IDLE },
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, retryAfterSeconds: 1 },
    // The backoff ceiling must not cap the wait below what Retry-After asks for.
    env: { TAP_AMPLITUDE_BACKOFF_MS: '5,5000' },
    warning: TOO_MANY,
  },
  // ~2.6 s for the first export window at 10 kB/s: longer than the idle timeout, which must not fire.
  { name: 'slow body', fault: { kind: 'slow', bytesPerSecond: 10_000 }, config: { request_timeout_seconds: 1, max_concurrency: 1 }, warning: '' },
  { name: '429 without Retry-After', fault: { kind: 'status', status: 429 }, warning: TOO_MANY },
  statusCase(500, 'Internal Server Error', 'Simulated server error'),
  statusCase(502, 'Bad Gateway', 'Simulated bad gateway'),
  statusCase(503, 'Service Unavailable', 'Simulated unavailable service'),
  statusCase(504, 'Gateway Timeout', 'Simulated gateway timeout'),
  {
    name: 'reset mid-body',
    fault: { kind: 'reset', afterBytes: 30 },
    warning: `${escape('connection to HOST closed before the response was complete (Content-Length mismatch: expected ')}\\d+ bytes, received 30 bytes\\)`,
  },
  {
    name: 'HTML page with 200',
    fault: { kind: 'html' },
    warning: escape('HOST answered HTTP 200 but the body is not JSON (starts with "<!DOCTYPE html> <html><head><title>Service Unavailable</title></head> <body><h1>…").'),
  },
];
const EXPORT_HTML_WARNING = escape('HOST answered HTTP 200 but the body was rejected: export body is not a zip archive (starts with "<!DO", expected "PK\\u0003\\u0004").');

describe('every fault kind on every stream family: the run completes with the ground truth', () => {
  // The first request of every endpoint fails: each stream family meets the fault once.
  for (const c of CASES) {
    const faults = Object.values(PATHS).map((path) => ({ ...c.fault, path, requests: [1] }));
    faultRun(c.name, faults, { ...(c.config ? { config: c.config } : {}), ...(c.env ? { env: c.env } : {}) });
  }

  it.each(CASES)('$name', (c) => {
    const { sim, run } = outcome(c.name);
    expect(run.stderr).not.toContain('    at ');
    expect(run.code).toBe(0);

    const truth = truthRecords(sim);
    for (const stream of STREAMS) expect([stream, run.records(stream)]).toEqual([stream, truth[stream]]);
    expect(truth.events?.length).toBeGreaterThan(100);

    // The fault hit the first request of every endpoint.
    for (const path of Object.values(PATHS)) expect([path, requestsTo(sim, path)[0]?.fault]).toEqual([path, c.fault.kind]);

    // The two export windows download side by side, so either may be the first request (the one the fault hits).
    const windowAt = (startMs: number) => ({ start: hourKey(startMs), end: hourKey(startMs + 3 * HOUR_MS) });
    const window1 = windowAt(START_MS);
    const window2 = windowAt(START_MS + 4 * HOUR_MS);
    const faultedMs = requestsTo(sim, PATHS.export)[0]?.query.start === window2.start ? START_MS + 4 * HOUR_MS : START_MS;
    const faulted = windowAt(faultedMs);
    const asSet = (qs: Record<string, string>[]) => qs.map((q) => `${q.start}..${q.end}`).sort();
    const host = new URL(sim.url).host;
    const lines = stderrLines(run);
    for (const [family, path] of Object.entries(PATHS) as [keyof typeof PATHS, string][]) {
      const seen = requestsTo(sim, path).map((r) => r.query);
      if (c.fault.kind === 'slow') {
        // A slow body is not a failure: one request per window, no retry, no warning.
        expect([path, seen.length]).toEqual([path, family === 'export' ? 2 : 1]);
        continue;
      }
      if (family === 'export' && c.fault.status === 504) {
        // Export 504 means "too much for one request": the window is split, never retried whole.
        const firstHalf = { start: faulted.start, end: hourKey(faultedMs + HOUR_MS) };
        const secondHalf = { start: hourKey(faultedMs + 2 * HOUR_MS), end: faulted.end };
        expect(asSet(seen)).toEqual(asSet([window1, window2, firstHalf, secondHalf]));
        // Log lines give windows as RFC 3339 spans, the end excluded.
        const at = (ms: number): string => isoOf(ms).replace('.000Z', 'Z');
        expect(lines).toContain(
          `WARNING stream events: window ${at(faultedMs)}..${at(faultedMs + 4 * HOUR_MS)} timed out (504); splitting it into ${at(faultedMs)}..${at(faultedMs + 2 * HOUR_MS)} and ${at(faultedMs + 2 * HOUR_MS)}..${at(faultedMs + 4 * HOUR_MS)}`,
        );
        continue;
      }
      // Otherwise the same request again, once.
      expect([path, asSet(seen)]).toEqual([path, asSet(family === 'export' ? [faulted, window1, window2] : [seen[0] ?? {}, seen[0] ?? {}])]);
      const reason = (family === 'export' && c.fault.kind === 'html' ? EXPORT_HTML_WARNING : c.warning).replaceAll('HOST', escape(host));
      const pattern = new RegExp(`^WARNING ${escape(ENDPOINT[family])}: ${reason} \\(attempt 1/8; retrying in (\\d+\\.\\d) s\\)$`);
      const warning = lines.find((l) => pattern.test(l));
      expect([family, warning]).toEqual([family, expect.stringMatching(pattern)]);
      if (c.fault.retryAfterSeconds !== undefined) {
        // Retry-After: 1 is honoured (not the 5 ms backoff): the retry arrives a second later.
        expect(pattern.exec(warning as string)?.[1]).toBe('1.0');
        const [first, ...rest] = requestsTo(sim, path);
        const second = rest.find((r) => JSON.stringify(r.query) === JSON.stringify(first?.query));
        expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
      }
    }

    // The run ends on a STATE with every incremental stream's bookmark at the end of the range, and
    // the table version every full-table stream activated.
    expect(run.messages[run.messages.length - 1]?.type).toBe('STATE');
    const version = { version: expect.any(Number) };
    expect(lastState(run.messages)).toEqual({
      bookmarks: {
        events: { server_upload_time: hourBookmark(END_MS) },
        active_users: { date: isoOf(START_MS).slice(0, 10) },
        average_session_length: { date: isoOf(START_MS).slice(0, 10) },
        annotations: version,
        cohorts: version,
        events_list: version,
        [`chart_${CHART}`]: version,
        charts_metadata: version,
        ...Object.fromEntries(NEW_FULL_TABLE.map((stream) => [stream, version])),
      },
      currently_syncing: null,
    });
  });

  // Over 8 MB of worst-case JSON: the simulator streams the zip without Content-Length, so only
  // the missing end of the zip can tell the tap that the body was cut.
  const chunkedStart = END_MS - 2 * HOUR_MS;
  scenario('chunked reset', async () => {
    const sim = await createSimulator({ now: () => NOW, dataStart: isoOf(chunkedStart), dataEnd: isoOf(END_MS), eventsPerHour: 2000, apiKey: API_KEY, secretKey: SECRET_KEY });
    sims.push(sim);
    sim.faults.add({ path: PATHS.export, requests: [1], kind: 'reset', afterBytes: 200_000 });
    return { sim, run: await runTap('chunked reset', sim, { config: { start_date: isoOf(chunkedStart) }, streams: ['events'] }) };
  });

  it('reads a streamed (chunked) archive again after a reset in its middle', () => {
    const { sim, run } = outcome('chunked reset');
    expect(run.code).toBe(0);
    const log = requestsTo(sim, PATHS.export);
    expect(log.map((r) => r.fault)).toEqual(['reset', undefined]);
    expect(log[0]?.query).toEqual(log[1]?.query);
    expect(run.stderr).toMatch(/^WARNING export: connection to 127\.0\.0\.1:\d+ (was reset|closed before the response was complete) .*\(attempt 1\/8; retrying in \d+\.\d s\)$/m);
    const truth = sim.truth.events(hourKey(chunkedStart), hourKey(END_MS - HOUR_MS)).map(eventRecord);
    expect(truth.length).toBeGreaterThan(3300);
    expect(run.records('events')).toEqual(truth);
  });
});

describe('faults that do not go away: the expected one-line error, the other streams still complete', () => {
  /** `status` on every request to each path. */
  const always = (paths: string[], status: number): FaultRule[] => paths.map((path) => ({ path, kind: 'status', status }));
  const info = { LOG_LEVEL: 'info' };
  faultRun('exhausted: export, cohorts, chart', always([PATHS.export, PATHS.cohorts, PATHS.chart], 503), { env: info });
  faultRun('exhausted: dashboard, annotations, events list', always([PATHS.users, PATHS.sessions, PATHS.annotations, PATHS.eventsList], 500), { env: info });
  faultRun('export 504 down to one hour', always([PATHS.export], 504), { streams: ['events', 'events_list'], env: info });
  faultRun('missing and forbidden charts', [], { config: { chart_ids: ['missing1', 'forbidden1', CHART] }, env: info });

  const failureLine = (host: string, stream: string, endpoint: string, request: string, last: string): string =>
    `ERROR stream ${stream} failed: ${endpoint === stream ? '' : `${endpoint}: `}gave up on GET ${request} after 8 tries; last error: ${host} answered HTTP ${last}`;

  it('gives up after 8 tries with one line naming the request and the last answer; the streams that work deliver the truth', () => {
    const { sim, run } = outcome('exhausted: export, cohorts, chart');
    const host = new URL(sim.url).host;
    const lines = stderrLines(run);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('    at ');
    const w1 = `start=${hourKey(START_MS)}&end=${hourKey(START_MS + 3 * HOUR_MS)}`;
    const unavailable = '503: Service Unavailable — Simulated unavailable service.';
    expect(lines).toContain(failureLine(host, 'events', 'export', `/api/2/export?${w1}`, unavailable));
    expect(lines).toContain(failureLine(host, 'cohorts', 'cohorts', '/api/3/cohorts', unavailable));
    expect(lines).toContain(failureLine(host, `chart_${CHART}`, `chart ${CHART}`, PATHS.chart, unavailable));
    expect(lines.find((l) => l.startsWith('CRITICAL'))).toMatch(
      new RegExp(`^CRITICAL \\d streams failed; the state written covers everything extracted\\. First failure: ${escape(failureLine(host, 'events', 'export', `/api/2/export?${w1}`, unavailable).slice('ERROR '.length))}$`),
    );
    // Bounded: 8 tries of each failing request, and the chart read once for both chart streams. The
    // second export window downloads alongside the first, so it is tried too until the first fails.
    const exportTries = requestsTo(sim, PATHS.export).map((r) => `start=${r.query.start}&end=${r.query.end}`);
    expect(exportTries.filter((q) => q === w1)).toHaveLength(8);
    expect(exportTries.length).toBeLessThanOrEqual(16);
    expect([requestsTo(sim, PATHS.cohorts).length, requestsTo(sim, PATHS.chart).length]).toEqual([8, 8]);
    const truth = truthRecords(sim);
    for (const stream of ['active_users', 'average_session_length', 'annotations', 'events_list']) expect([stream, run.records(stream)]).toEqual([stream, truth[stream]]);
    for (const stream of ['events', 'cohorts', `chart_${CHART}`, 'charts_metadata']) expect([stream, run.records(stream)]).toEqual([stream, []]);
    // No events bookmark: the next run starts again at start_date.
    expect((lastState(run.messages) as { bookmarks: Record<string, unknown> }).bookmarks.events).toBeUndefined();
  });

  it('does the same for the dashboard and list endpoints', () => {
    const { sim, run } = outcome('exhausted: dashboard, annotations, events list');
    const host = new URL(sim.url).host;
    const lines = stderrLines(run);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('    at ');
    const internal = '500: Internal Server Error — Simulated server error.';
    const days = `start=${dayKey(START_MS)}&end=${dayKey(END_MS - 1)}`;
    expect(lines).toContain(failureLine(host, 'active_users', 'users', `/api/2/users?${days}&m=active&i=1`, internal));
    expect(lines).toContain(failureLine(host, 'average_session_length', 'sessions/average', `/api/2/sessions/average?${days}`, internal));
    expect(lines).toContain(failureLine(host, 'annotations', 'annotations', '/api/3/annotations', internal));
    expect(lines).toContain(failureLine(host, 'events_list', 'events/list', '/api/2/events/list', internal));
    const truth = truthRecords(sim);
    for (const stream of ['events', 'cohorts', `chart_${CHART}`, 'charts_metadata']) expect([stream, run.records(stream)]).toEqual([stream, truth[stream]]);
    // Only the full-table streams that were read completely were activated and keep a table version.
    const version = { version: expect.any(Number) };
    expect((lastState(run.messages) as { bookmarks: Record<string, unknown> }).bookmarks).toEqual({
      events: { server_upload_time: hourBookmark(END_MS) },
      cohorts: version,
      [`chart_${CHART}`]: version,
      charts_metadata: version,
      ...Object.fromEntries(NEW_FULL_TABLE.map((stream) => [stream, version])),
    });
    const activated = run.messages.filter((m) => m.type === 'ACTIVATE_VERSION').map((m) => m.stream);
    expect(new Set(activated)).toEqual(new Set(['cohorts', `chart_${CHART}`, 'charts_metadata', ...NEW_FULL_TABLE]));
  });

  it('splits an export window on 504 down to one hour, then names the hour and the way out', () => {
    const { sim, run } = outcome('export 504 down to one hour');
    expect(run.code).toBe(1);
    const h0 = hourKey(START_MS);
    // 4 h → 2 h → 1 h: the first hour fails for good. Later windows download (and split) alongside,
    // so they may be asked for too, but only as the planned windows or their halves.
    const asked = requestsTo(sim, PATHS.export).map((r) => `${r.query.start}..${r.query.end}`);
    const chain = [`${h0}..${hourKey(START_MS + 3 * HOUR_MS)}`, `${h0}..${hourKey(START_MS + HOUR_MS)}`, `${h0}..${h0}`];
    expect(asked.filter((q) => chain.includes(q))).toEqual(chain);
    const pieces = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((h) => [1, 2, 4].filter((n) => h % n === 0).map((n) => `${hourKey(START_MS + h * HOUR_MS)}..${hourKey(START_MS + (h + n - 1) * HOUR_MS)}`));
    for (const q of asked) expect(pieces).toContain(q);
    expect(stderrLines(run)).toContain(
      `ERROR stream events failed: export ${isoOf(START_MS).replace('.000Z', 'Z')}..${isoOf(START_MS + HOUR_MS).replace('.000Z', 'Z')}: even one hour of events timed out (504) at the Export API (Gateway Timeout — Simulated gateway timeout); export this hour with Amplitude's bulk export to Amazon S3 or Snowflake, then set the events bookmark past it`,
    );
    expect(run.records('events')).toEqual([]);
    expect(run.records('events_list')).toEqual(sim.truth.eventsList().map(eventTypeRecord));
  });

  it('names the chart on a 404 and on a 403, and still extracts the other chart and its metadata', () => {
    const { sim, run } = outcome('missing and forbidden charts');
    const lines = stderrLines(run);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('    at ');
    const missing =
      "chart missing1: Amplitude has no chart with this ID (404). Check chart_ids: the ID is the part after /chart/ in the chart's URL, and the chart must not have been deleted.";
    const forbidden =
      'chart forbidden1: Amplitude refused access (403). The chart must belong to the project of this api_key (charts are per project), or check secret_key and data_region.';
    expect(lines).toContain(`ERROR stream chart_missing1 failed: ${missing}`);
    expect(lines).toContain(`ERROR stream chart_forbidden1 failed: ${forbidden}`);
    // Neither is retried: a 404 or 403 will not change.
    expect(requestsTo(sim, '/api/3/chart/missing1/csv')).toHaveLength(1);
    expect(requestsTo(sim, '/api/3/chart/forbidden1/csv')).toHaveLength(1);
    const truth = truthRecords(sim);
    expect(run.records(`chart_${CHART}`)).toEqual(truth[`chart_${CHART}`]);
    expect(run.records('charts_metadata')).toEqual(truth.charts_metadata);
  });
});

describe('concurrency', () => {
  /** A request from "another client of the project" that holds a slot until destroyed. */
  function openBlocker(sim: Simulator): Promise<http.ClientRequest> {
    sim.faults.add({ path: '/blocker', kind: 'stall', afterBytes: 0 });
    const req = http.get(`${sim.url}/blocker`);
    req.on('error', () => undefined);
    return new Promise((resolve) => {
      const poll = setInterval(() => {
        if (sim.requests.some((r) => r.path === '/blocker')) {
          clearInterval(poll);
          resolve(req);
        }
      }, 2);
    });
  }

  const CAP_STREAMS: [keyof typeof PATHS, string][] = [
    ['export', 'events'],
    ['users', 'active_users'],
    ['sessions', 'average_session_length'],
    ['annotations', 'annotations'],
    ['cohorts', 'cohorts'],
    ['eventsList', 'events_list'],
    ['chart', `chart_${CHART}`],
  ];
  for (const [, stream] of CAP_STREAMS) {
    scenario(`concurrency cap: ${stream}`, async () => {
      const sim = await simulator();
      // The project allows one request at a time and another client holds it: the tap's first
      // request gets Amplitude's concurrency 429; the other client finishes; the retry succeeds.
      const blocker = await openBlocker(sim);
      sim.setConcurrencyCap(1);
      const release = setInterval(() => {
        if (sim.requests.some((r) => r.fault === 'concurrency-cap')) {
          clearInterval(release);
          blocker.destroy();
        }
      }, 1);
      // max_concurrency 1, as the project allows: otherwise the tap's own export windows, downloading
      // side by side, would take each other's one slot.
      const run = await runTap(`concurrency cap: ${stream}`, sim, { streams: [stream], config: { max_concurrency: 1 }, env: { TAP_AMPLITUDE_BACKOFF_MS: '50,200' } });
      clearInterval(release);
      blocker.destroy();
      return { sim, run };
    });
  }

  it.each(CAP_STREAMS)("%s: Amplitude's concurrency 429 is retried and the records equal the truth", (family, stream) => {
    const { sim, run } = outcome(`concurrency cap: ${stream}`);
    expect(run.code).toBe(0);
    const first = requestsTo(sim, PATHS[family])[0];
    expect([first?.status, first?.fault]).toEqual([429, 'concurrency-cap']);
    expect(stderrLines(run)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^WARNING ${escape(ENDPOINT[family])}: 127\\.0\\.0\\.1:\\d+ answered HTTP 429: Too Many Requests — Exceeded concurrent limit of 1 requests for this project\\. ${escape(RATE_HINT)} \\(attempt 1/8; retrying in`),
      ),
    );
    expect(run.records(stream)).toEqual(truthRecords(sim)[stream]);
  });

  for (const limit of [2, 5]) {
    scenario(`max_concurrency ${limit}`, async () => {
      const sim = await simulator();
      sim.setConcurrencyCap(limit);
      return { sim, run: await runTap(`max_concurrency ${limit}`, sim, { config: { max_concurrency: limit } }) };
    });
  }

  it.each([2, 5])('a sync with max_concurrency %i never has more requests in flight than that', (limit) => {
    const { sim, run } = outcome(`max_concurrency ${limit}`);
    expect(run.code).toBe(0);
    expect(sim.requests.length).toBeGreaterThanOrEqual(8);
    expect(sim.requests.filter((r) => r.concurrency > limit || r.fault !== undefined)).toEqual([]);
    expect(sim.maxConcurrencySeen()).toBeLessThanOrEqual(limit);
    const truth = truthRecords(sim);
    for (const stream of STREAMS) expect([stream, run.records(stream)]).toEqual([stream, truth[stream]]);
  });

  it.each([2, 5])('the client given 6 requests at once keeps exactly %i in flight, never more', async (limit) => {
    // One hour of 3,400 events: a streamed archive (no Content-Length) that takes the simulator
    // ~0.1 s to produce, so requests overlap, and the server counts each until its body really ends.
    const hour = START_MS;
    const options = { now: () => NOW, dataStart: isoOf(hour), dataEnd: isoOf(hour + HOUR_MS), eventsPerHour: 3400, apiKey: API_KEY, secretKey: SECRET_KEY };
    const sim = await createSimulator(options);
    sims.push(sim);
    sim.setConcurrencyCap(limit); // a request over the limit would be answered 429 and fail (1 try)
    const dir = tempDir();
    dirs.push(dir);
    await writeExportArchive(options, hourKey(hour), hourKey(hour), path.join(dir, 'expected.zip'));
    const expected = readFileSync(path.join(dir, 'expected.zip'));
    const client = new AmplitudeClient({ baseUrl: sim.url, apiKey: API_KEY, secretKey: SECRET_KEY, userAgent: 'faults-test', idleTimeoutMs: 10_000, maxConcurrency: limit, maxTries: 1 });
    const calls = Array.from({ length: 6 }, (_, i) =>
      i === 5
        ? client.getJson(PATHS.eventsList, { endpoint: 'events/list' }).then((r) => (r.body as { data: unknown }).data)
        : client.download(PATHS.export, { endpoint: 'export', query: { start: hourKey(hour), end: hourKey(hour) }, dest: path.join(dir, `${i}.zip`) }).then((r) => r.bytes),
    );
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 6 }, (_, i) => (i === 5 ? sim.truth.eventsList() : expected.length)));
    for (let i = 0; i < 6; i++) if (i !== 5) expect(readFileSync(path.join(dir, `${i}.zip`)).equals(expected)).toBe(true);
    expect(sim.maxConcurrencySeen()).toBe(limit);
    expect(sim.requests).toHaveLength(6);
    expect(sim.requests.filter((r) => r.concurrency > limit || r.status !== 200)).toEqual([]);
  });
});

describe('credentials', () => {
  it('appear in no output of any run above (stdout and stderr, LOG_LEVEL debug and info)', () => {
    // Whole, and their first characters (a message cut inside a credential must not keep its start).
    const forbidden = [API_KEY, SECRET_KEY, `${API_KEY}:${SECRET_KEY}`, Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64')].flatMap((s) => [s, s.slice(0, 12)]);
    expect(outputs.length).toBeGreaterThanOrEqual(CASES.length + 4 + 7 + 2);
    const leaks = outputs.flatMap((o) => forbidden.filter((f) => o.text.includes(f)).map((f) => `${o.name}: ${f}`));
    expect(leaks).toEqual([]);
  });
});

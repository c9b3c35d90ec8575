// Full-table streams end to end (README "Full-table streams replace their table"): a first sync
// and a second one, with the first one's state, after the simulator's data moved on by two days,
// so a daily chart's date range moved. Each run's RECORDs carry one version per stream; the
// second run activates a newer version after the chart's records; a chart that fails, or a stream
// cut short, is never activated.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastState, parseMessages, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { discoverSelecting } from './support/e2e.js';

const DAY_MS = 86_400_000;
const START = '2026-06-01T00:00:00Z';
const END_1 = '2026-06-18T00:00:00Z';
const END_2 = '2026-06-20T00:00:00Z';
const CHART = 'tsmoving1';
const FULL_TABLE = ['annotations', 'cohorts', 'events_list', `chart_${CHART}`, 'charts_metadata'];

let sim1: Simulator;
let sim2: Simulator;

beforeAll(async () => {
  sim1 = await createSimulator({ seed: 5, dataStart: START, dataEnd: END_1 });
  sim2 = await createSimulator({ seed: 5, dataStart: START, dataEnd: END_2 });
});

afterAll(async () => {
  await Promise.all([sim1.stop(), sim2.stop()]);
});

async function sync(sim: Simulator, chartIds: string[], state?: unknown, settings: Record<string, unknown> = {}) {
  const dir = tempDir();
  const config = { api_key: 'demo-api-key', secret_key: 'demo-secret-key', api_url: sim.url, start_date: START, end_date: END_2, chart_ids: chartIds, ...settings };
  // Every stream but the events, whose many records would only slow this down.
  const catalog = await discoverSelecting(config, (stream) => stream !== 'events');
  const args = ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)];
  if (state !== undefined) args.push('--state', writeJson(dir, 'state.json', state));
  const run = await runCli(args, { timeoutMs: 30_000 });
  return { ...run, messages: parseMessages(run.stdout) };
}

/** Message positions of one stream: its RECORDs' versions and its ACTIVATE_VERSIONs, in order. */
function trace(messages: SingerMessage[], stream: string): { first: number; last: number; versions: Set<number | undefined>; activates: { at: number; version: number }[]; segments: string[] } {
  const at = messages.flatMap((m, i) => (m.stream === stream && m.type === 'RECORD' ? [i] : []));
  return {
    first: at[0] ?? -1,
    last: at.at(-1) ?? -1,
    versions: new Set(at.map((i) => messages[i]?.version)),
    activates: messages.flatMap((m, i) => (m.stream === stream && m.type === 'ACTIVATE_VERSION' ? [{ at: i, version: m.version as number }] : [])),
    segments: at.map((i) => String(messages[i]?.record?.segment)),
  };
}

describe('ACTIVATE_VERSION for full-table streams', () => {
  let first: Awaited<ReturnType<typeof sync>>;
  let second: Awaited<ReturnType<typeof sync>>;

  beforeAll(async () => {
    first = await sync(sim1, [CHART]);
    second = await sync(sim2, [CHART], lastState(first.messages));
  });

  it('first sync: one version per stream on every RECORD, ACTIVATE_VERSION before the first record and after the last', () => {
    expect([first.code, first.stderr.match(/^(ERROR|WARNING) .*/gm)]).toEqual([0, null]);
    for (const stream of FULL_TABLE) {
      const t = trace(first.messages, stream);
      const version = t.activates[0]?.version;
      expect([stream, t.activates.length, [...t.versions]]).toEqual([stream, 2, [version]]);
      expect([stream, t.activates[0]!.at < t.first, t.activates[1]!.at > t.last, t.activates[1]!.version]).toEqual([stream, true, true, version]);
    }
    // Incremental streams are never versioned.
    for (const stream of ['active_users', 'average_session_length']) expect([stream, [...trace(first.messages, stream).versions], trace(first.messages, stream).activates]).toEqual([stream, [undefined], []]);
    const state = lastState(first.messages) as { bookmarks: Record<string, { version?: number }> };
    for (const stream of FULL_TABLE) expect([stream, state.bookmarks[stream]]).toEqual([stream, { version: trace(first.messages, stream).activates[1]!.version }]);
  });

  it('second sync, the chart\'s range moved by two days: only an ACTIVATE_VERSION after its records, with a newer version', () => {
    expect(second.code).toBe(0);
    const before = trace(first.messages, `chart_${CHART}`);
    const after = trace(second.messages, `chart_${CHART}`);
    // The range moved: the simulator's chart ends on the day of each run's data end.
    const lastDay = (end: string) => new Date(Date.parse(end) - DAY_MS).toISOString().slice(0, 10);
    expect([before.segments.at(-1), after.segments.at(-1)]).toEqual([lastDay(END_1), lastDay(END_2)]);
    expect(before.segments).toContain(sim1.truth.chart(CHART).tables[0]!.header[1]);
    expect(after.segments).not.toContain(sim1.truth.chart(CHART).tables[0]!.header[1]);
    expect(after.activates).toHaveLength(1);
    expect(after.activates[0]!.at).toBeGreaterThan(after.last);
    expect(after.activates[0]!.version).toBeGreaterThan(before.activates[1]!.version);
    expect([...after.versions]).toEqual([after.activates[0]!.version]);
    for (const stream of FULL_TABLE) expect([stream, trace(second.messages, stream).activates.length]).toEqual([stream, 1]);
  });

  it('a chart that fails is never activated, nor charts_metadata without its row; the others are', async () => {
    const run = await sync(sim2, [CHART, 'missing5'], lastState(second.messages));
    expect(run.code).toBe(1);
    expect(trace(run.messages, 'chart_missing5').activates).toEqual([]);
    expect(trace(run.messages, 'charts_metadata').activates).toEqual([]);
    expect(trace(run.messages, 'charts_metadata').versions.size).toBe(1);
    const chart = trace(run.messages, `chart_${CHART}`);
    expect(chart.activates).toHaveLength(1);
    expect(chart.activates[0]!.version).toBeGreaterThan(trace(second.messages, `chart_${CHART}`).activates[0]!.version);
    // The state keeps the previous version of the streams that were not activated.
    const state = lastState(run.messages) as { bookmarks: Record<string, unknown> };
    expect(state.bookmarks.charts_metadata).toEqual((lastState(second.messages) as { bookmarks: Record<string, unknown> }).bookmarks.charts_metadata);
    expect(state.bookmarks.chart_missing5).toBeUndefined();
  });

  it('emit_activate_version_messages false: no version, no ACTIVATE_VERSION, and target-style readers see plain RECORDs', async () => {
    const run = await sync(sim2, [CHART], undefined, { emit_activate_version_messages: false });
    expect(run.code).toBe(0);
    expect(run.messages.filter((m) => m.type === 'ACTIVATE_VERSION' || m.version !== undefined)).toEqual([]);
    expect(run.messages.filter((m) => m.type === 'RECORD' && m.stream === `chart_${CHART}`)).toHaveLength(trace(second.messages, `chart_${CHART}`).segments.length);
  });
});

// The error model end to end (docs/architecture.md, "Errors"): the built CLI against the simulator.
// A stream failure (a chart body that is JSON without `data`) ends that chart's stream with one
// line naming it and what was wrong, the other streams sync, exit 1; a run failure (credentials
// rejected) stops at once with exit 1. Bad input (exit 2) is covered by bad-input.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastState, parseMessages, recordsOf, runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { eventTypeRecord } from '../helpers/expected.js';
import { discoverSelecting, requireBuild, stderrLines } from './support/e2e.js';

const API_KEY = 'errorModelApiKey-3f9a1c';
const SECRET_KEY = 'errorModelSecret-8d2e7b';
const NO_DATA = 'tsnodata1';
const GOOD = 'tsdaily1';

let sim: Simulator;

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator({ seed: 15, apiKey: API_KEY, secretKey: SECRET_KEY, dataStart: '2026-06-01T00:00:00Z', dataEnd: '2026-06-10T12:00:00Z' });
});

afterAll(async () => {
  await sim.stop();
});

/** Discovery, then a sync of the streams `selected` picks. */
async function sync(config: Record<string, unknown>, selected: (stream: string) => boolean): Promise<CliResult> {
  const dir = tempDir();
  const settings = { api_key: API_KEY, secret_key: SECRET_KEY, api_url: sim.url, start_date: '2026-06-01', ...config };
  const catalog = await discoverSelecting(settings, selected);
  return runCli(['--config', writeJson(dir, 'config.json', settings), '--catalog', writeJson(dir, 'catalog.json', catalog)], { timeoutMs: 20_000 });
}

describe('what each kind of failure does to a run', () => {
  it('a chart body that is JSON without "data" fails that chart alone, in one line naming it; the other streams sync; exit 1', async () => {
    sim.faults.add({ path: `/api/3/chart/${NO_DATA}/csv`, kind: 'body', body: { wasCached: true, timeComputed: 1749600000000 } });
    const run = await sync({ chart_ids: [NO_DATA, GOOD] }, (s) => s.startsWith('chart') || s === 'events_list');
    sim.faults.clear();
    const messages = parseMessages(run.stdout);
    const lines = stderrLines(run);

    const failure = `stream chart_${NO_DATA} failed: chart response has no "data" field (fields: wasCached, timeComputed)`;
    expect(lines.filter((l) => l.startsWith('ERROR') || l.startsWith('CRITICAL'))).toEqual([
      `ERROR ${failure}`,
      `CRITICAL 1 stream failed; the state written covers everything extracted. First failure: ${failure}`,
    ]);
    expect(run.stderr).not.toContain('unexpected error');
    expect(run.stderr).not.toContain('    at ');
    expect(run.code).toBe(1);

    // The others synced: the good chart's cells (one record per value cell of the model), its metadata, the events list.
    const model = sim.truth.chart(GOOD);
    const cells = model.tables.reduce((n, t) => n + t.rows.length * (t.header.length - t.labelColumns), 0);
    expect(cells).toBeGreaterThan(0);
    expect(recordsOf(messages, `chart_${GOOD}`)).toHaveLength(cells);
    expect(recordsOf(messages, 'charts_metadata').map((r) => r.chart_id)).toEqual([GOOD]);
    expect(recordsOf(messages, 'events_list')).toEqual(sim.truth.eventsList().map(eventTypeRecord));
    expect(recordsOf(messages, `chart_${NO_DATA}`)).toEqual([]);
    // The streams read completely keep their table version; the failed chart and charts_metadata (without its row) none.
    const version = { version: expect.any(Number) };
    expect(lastState(messages)).toEqual({ bookmarks: { [`chart_${GOOD}`]: version, events_list: version }, currently_syncing: null });
  });

  it('credentials rejected stop the run at once: one line, no later stream asked for, exit 1', async () => {
    sim.requests.length = 0;
    const run = await sync({ secret_key: 'wrong-secret-value' }, (s) => s === 'events_list' || s === 'cohorts' || s === 'annotations');
    const lines = stderrLines(run).filter((l) => l.startsWith('ERROR') || l.startsWith('CRITICAL'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CRITICAL [a-z/]+: [^ ]+ answered HTTP 403: Unspecified Error — Invalid API Key\. Likely causes: wrong api_key, wrong secret_key/);
    expect(run.code).toBe(1);
    expect(sim.requests).toHaveLength(1);
    expect(recordsOf(parseMessages(run.stdout), 'events_list')).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain('wrong-secret-value');
  });
});

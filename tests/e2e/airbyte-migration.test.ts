// Moving over from Airbyte's source-amplitude: its config file and its exported connection state
// (tests/fixtures/airbyte, in the shapes Airbyte writes) work unchanged. The events stream resumes
// at the hour of Airbyte's cursor, each conversion is told in one line, and the STATE written is
// the tap's own. Expected hours and dates are worked out by hand from the fixture files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lastState, parseMessages, runCli, tempDir, writeJson, type CliResult, type SingerMessage } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { requireBuild, stderrLines } from './support/e2e.js';

const airbyte = (name: string): string => path.join(repoRoot, 'tests', 'fixtures', 'airbyte', name);
const CONFIG_NOTICE =
  'WARNING config: read Airbyte\'s settings: data_region "Standard Server" as "standard", request_time_range as events_window_hours 6; the tap\'s own names and values stop this notice';
/** request_time_range 6 from 11:00 (the cursor's hour) to end_date 18:00: 11..16, then 17. */
const EXPORTS_FROM_11 = [
  { start: '20260302T11', end: '20260302T16' },
  { start: '20260302T17', end: '20260302T17' },
];
const STATES = ['state-per-stream.json', 'state-global.json', 'state-legacy.json', 'state-python-connector.json'] as const;

let sim: Simulator;
const runs = new Map<string, { result: CliResult; messages: SingerMessage[]; exports: Array<Record<string, string>> }>();

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator({ dataStart: '2026-03-02T00:00:00Z', dataEnd: '2026-03-02T18:00:00Z' });
  const dir = tempDir();
  // Airbyte's config as it is, with the simulator's credentials, and an end inside its data.
  const settings = JSON.parse(readFileSync(airbyte('config.json'), 'utf8')) as Record<string, unknown>;
  const config = writeJson(dir, 'config.json', {
    ...settings,
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    end_date: '2026-03-02T18:00:00Z',
  });
  // One at a time: each run's export requests are told apart by order in the simulator's log.
  for (const name of STATES) {
    const before = sim.requests.length;
    const result = await runCli(['--config', config, '--state', airbyte(name)]);
    const exports = sim.requests.slice(before).filter((r) => r.path === '/api/2/export').map((r) => r.query);
    runs.set(name, { result, messages: parseMessages(result.stdout), exports });
  }
}, 60_000);

afterAll(async () => {
  await sim?.stop();
});

const run = (name: (typeof STATES)[number]) => runs.get(name)!;
const eventUuids = (messages: SingerMessage[]): string[] =>
  messages.filter((m) => m.type === 'RECORD' && m.stream === 'events').map((m) => String(m.record?.uuid)).sort();

describe('Airbyte state exported from an Amplitude connection', () => {
  it.each(STATES)('%s: exit 0, the config notice, nothing failing', (name) => {
    const { result } = run(name);
    expect(result.code).toBe(0);
    expect(stderrLines(result)[0]).toBe(CONFIG_NOTICE);
    expect(stderrLines(result).filter((l) => /^(ERROR|CRITICAL)/.test(l))).toEqual([]);
  });

  it('per-stream: one INFO line naming each conversion; events resume at the cursor\'s hour, 11:00', () => {
    const { result, messages, exports } = run('state-per-stream.json');
    expect(stderrLines(result)[1]).toBe(
      'INFO state: converted Airbyte\'s per-stream state into Singer bookmarks: events from 2026-03-02T11:00:00Z, active_users from 2026-03-02, average_session_length from 2026-03-02',
    );
    expect(exports).toEqual(EXPORTS_FROM_11);
    // Exactly the events uploaded from 11:00 to 18:00, by the simulator's ground truth.
    const expected = sim.truth.events('20260302T11', '20260302T17').map((e) => String(e.uuid)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(eventUuids(messages)).toEqual(expected);
    // The first STATE is the converted input; the last one is the tap's own, past the last exported hour.
    expect(messages.find((m) => m.type === 'STATE')?.value).toEqual({
      bookmarks: { events: { server_upload_time: '2026-03-02T11:00:00Z' }, active_users: { date: '2026-03-02' }, average_session_length: { date: '2026-03-02' } },
    });
    expect(lastState(messages)).toMatchObject({ bookmarks: { events: { server_upload_time: '2026-03-02T18:00:00Z' } }, currently_syncing: null });
  });

  it('global: the stream states inside it, converted the same way', () => {
    const { result, exports } = run('state-global.json');
    expect(stderrLines(result)[1]).toBe('INFO state: converted Airbyte\'s global state into Singer bookmarks: events from 2026-03-02T11:00:00Z, active_users from 2026-03-02');
    expect(exports).toEqual(EXPORTS_FROM_11);
  });

  it('legacy {"events": {...}}: converted, not ignored, and its keys not copied into the STATE', () => {
    const { result, messages, exports } = run('state-legacy.json');
    expect(stderrLines(result)[1]).toBe(
      'INFO state: converted Airbyte\'s legacy state into Singer bookmarks: events from 2026-03-02T11:00:00Z, active_users from 2026-03-02, average_session_length from 2026-03-02',
    );
    expect(exports).toEqual(EXPORTS_FROM_11);
    for (const m of messages.filter((x) => x.type === 'STATE')) expect(Object.keys(m.value as object).sort()).toEqual(expect.arrayContaining(['bookmarks']));
    expect(Object.keys(lastState(messages) as object).sort()).toEqual(['bookmarks', 'currently_syncing']);
  });

  it('the older Python connector\'s event_time cursor: resumed at its hour too, and said so', () => {
    const { result, exports } = run('state-python-connector.json');
    expect(stderrLines(result)[1]).toBe('INFO state: converted Airbyte\'s per-stream state into Singer bookmarks: events from 2026-03-02T11:00:00Z (from event_time)');
    expect(exports).toEqual(EXPORTS_FROM_11);
  });
});

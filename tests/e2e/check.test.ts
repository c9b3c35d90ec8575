// `--test` end to end (CLI-11, Meltano's `test` capability): the built CLI against the simulator.
// One cheap authenticated request and one line: `ok: ...` with exit 0, the reason with exit 1 when
// Amplitude refuses, exit 2 for bad settings before any request. The check must not depend on
// optional settings or project properties (Airbyte's check broke on /users?g=country).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';
import { eventsList } from '../simulator/events-list.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { closedPort, expectBadInput, requireBuild, stderrLines } from './support/e2e.js';

const WRONG_SECRET = 'wrong-secret-key-5f2c';
const WRONG_KEY = 'wrong-api-key-8d1e';

let sim: Simulator;
let noCountry: Simulator;
let dir: string;

beforeAll(async () => {
  requireBuild();
  [sim, noCountry] = await Promise.all([createSimulator(), createSimulator({ countryProperty: false })]);
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all([sim?.stop(), noCountry?.stop()]);
});

beforeEach(() => {
  sim.requests.length = 0;
  noCountry.requests.length = 0;
});

const settings = (target: Simulator, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  api_key: target.options.apiKey,
  secret_key: target.options.secretKey,
  api_url: target.url,
  start_date: '2026-01-01',
  ...extra,
});
let n = 0;
const testWith = (config: Record<string, unknown>) => runCli(['--config', writeJson(dir, `config-${++n}.json`, config), '--test=connection']);
const requestsOf = (target: Simulator) => target.requests.map((r) => [r.method, r.path, r.status]);

describe('--test=connection', () => {
  it('accepts good credentials: exit 0, one line starting with ok, one request', async () => {
    const r = await testWith(settings(sim));
    const visible = eventsList(sim.options).length;
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `ok: ${sim.url} accepted the credentials (${visible} event types visible)\n`, '']);
    expect(requestsOf(sim)).toEqual([['GET', '/api/2/events/list', 200]]);
  });

  it.each([
    ['secret', { secret_key: WRONG_SECRET }],
    ['API key', { api_key: WRONG_KEY }],
  ])('reports a wrong %s (403): exit 1, one line naming key, secret and region as causes, no retry', async (_what, wrong) => {
    const r = await testWith(settings(sim, wrong));
    const lines = stderrLines(r);
    expect([r.code, r.stdout, lines.length]).toEqual([1, '', 1]);
    expect(lines[0]).toMatch(/^CRITICAL events list: .*HTTP 403.*Invalid API Key.*api_key.*secret_key.*data_region/);
    expect(r.stderr).not.toContain(WRONG_SECRET);
    expect(r.stderr).not.toContain(WRONG_KEY);
    expect(requestsOf(sim)).toEqual([['GET', '/api/2/events/list', 403]]);
  });

  it('rejects a data_region that does not exist before any request: exit 2', async () => {
    const r = await testWith(settings(sim, { data_region: 'us' }));
    expectBadInput(r, ['CRITICAL config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "us")']);
    expect(sim.requests).toEqual([]);
  });

  it('names each missing credential before any request: exit 2', async () => {
    const r = await testWith({ api_url: sim.url, start_date: '2026-01-01' });
    expectBadInput(r, [
      'CRITICAL config: api_key: is required to sync; set it in the config file or TAP_AMPLITUDE_API_KEY',
      'CRITICAL config: secret_key: is required to sync; set it in the config file or TAP_AMPLITUDE_SECRET_KEY',
    ]);
    expect(sim.requests).toEqual([]);
  });

  it('passes whatever the optional settings say: a project without country, grouping by country on', async () => {
    const r = await testWith(settings(noCountry, { active_users_group_by_country: true, chart_ids: ['missing1'], events_window_hours: 1 }));
    expect([r.code, r.stderr, r.stdout.startsWith('ok: ')]).toEqual([0, '', true]);
    expect(requestsOf(noCountry)).toEqual([['GET', '/api/2/events/list', 200]]);
  });

  it('checks only, when given the --catalog and --state that `meltano invoke tap-amplitude --test` adds', async () => {
    const config = writeJson(dir, 'meltano.config.json', settings(sim));
    const catalog = writeJson(dir, 'meltano.catalog.json', (await runCli(['--config', config, '--discover'])).stdout);
    const state = writeJson(dir, 'meltano.state.json', { bookmarks: { events: { server_upload_time: '2026-01-02T00:00:00Z' } } });
    const r = await runCli(['--config', config, '--catalog', catalog, '--state', state, '--test=connection']);
    expect([r.code, r.stderr, r.stdout.split('\n').length, r.stdout.startsWith('ok: ')]).toEqual([0, '', 2, true]);
    expect(requestsOf(sim)).toEqual([['GET', '/api/2/events/list', 200]]);
  });

  it('reports an api_url nothing answers on: exit 1, the last line names the host and the setting', async () => {
    const port = await closedPort();
    const r = await testWith({ ...settings(sim), api_url: `http://127.0.0.1:${port}` });
    const lines = stderrLines(r);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^CRITICAL events list: .*127\\.0\\.0\\.1:${port} refused.*check api_url`));
  });
});

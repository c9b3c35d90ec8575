// What a new user runs into that is not bad input: each case says so in one line, with the exit
// code it has always had. A table like the bad-input one (exit code and stderr lines asserted),
// then the sync-time lines against the simulator: a start_date in the future, the dashboard
// backfill's budget estimate, counts in words, one time format, credentials in api_url masked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { requireBuild, stderrLines } from './support/e2e.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NO_LOG_ENV = { LOG_LEVEL: '', TAP_AMPLITUDE_LOGLEVEL: '', LOGLEVEL: '' };

interface Row {
  name: string;
  args: (dir: string) => string[];
  env?: NodeJS.ProcessEnv;
  code: number;
  /** The whole of stderr, line by line. */
  lines: string[];
}

const chartsOnly = (dir: string): string => writeJson(dir, 'charts.json', { chart_ids: ['abc123xy'] });

const ROWS: Row[] = [
  {
    name: 'LOG_LEVEL that is no level',
    args: (d) => ['--config', chartsOnly(d), '--discover'],
    env: { LOG_LEVEL: 'verbose' },
    code: 0,
    lines: ['WARNING LOG_LEVEL "verbose" is not a log level; valid ones are debug, info, warning, error and critical (using info)'],
  },
  {
    name: '--discover with --catalog',
    args: (d) => ['--config', chartsOnly(d), '--discover', '--catalog', writeJson(d, 'catalog.json', { streams: [] })],
    code: 0,
    lines: ['WARNING --discover ignores --catalog: discovery always lists every stream; pass the catalog without --discover to sync it'],
  },
  {
    name: 'a config file starting with a UTF-8 byte-order mark',
    args: (d) => {
      const file = path.join(d, 'bom.json');
      writeFileSync(file, '\ufeff{"chart_ids": ["abc123xy"]}');
      return ['--config', file, '--discover'];
    },
    code: 0,
    lines: [],
  },
  {
    name: 'Airbyte\'s config names and values',
    args: (d) => ['--config', writeJson(d, 'airbyte.json', { data_region: 'EU Residency Server', request_time_range: 12 }), '--discover'],
    code: 0,
    lines: ['WARNING config: read Airbyte\'s settings: data_region "EU Residency Server" as "eu", request_time_range as events_window_hours 12; the tap\'s own names and values stop this notice'],
  },
  {
    name: 'Airbyte\'s request_time_range beside events_window_hours',
    args: (d) => ['--config', writeJson(d, 'both.json', { request_time_range: 12, events_window_hours: 6 }), '--discover'],
    code: 0,
    lines: ['WARNING config: read Airbyte\'s settings: not request_time_range, since events_window_hours is set; the tap\'s own names and values stop this notice'],
  },
];

describe('rough edges → one line each, the usual exit code', () => {
  const results = new Map<string, CliResult>();
  beforeAll(async () => {
    requireBuild();
    const dir = tempDir();
    for (const row of ROWS) results.set(row.name, await runCli(row.args(dir), { env: { ...NO_LOG_ENV, ...row.env } }));
  }, 30_000);

  it.each(ROWS)('$name', (row) => {
    const r = results.get(row.name) as CliResult;
    expect({ code: r.code, lines: stderrLines(r) }).toEqual({ code: row.code, lines: row.lines });
    expect(r.stdout.startsWith('{')).toBe(true); // the catalog still comes
  });
});

describe('sync-time lines against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let future: CliResult;
  let backfill: CliResult;
  let recent: CliResult;
  let proxied: CliResult;
  let checked: CliResult;

  beforeAll(async () => {
    requireBuild();
    const dataStart = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 40 * DAY_MS);
    sim = await createSimulator({ dataStart: dataStart.toISOString() });
    dir = tempDir();
    const base = { api_key: sim.options.apiKey, secret_key: sim.options.secretKey, api_url: sim.url };
    const catalog = async (streams: string[]): Promise<string> => {
      const all = JSON.parse((await runCli(['--config', writeJson(dir, 'd.json', {}), '--discover'])).stdout) as { streams: Array<{ tap_stream_id: string }> };
      return writeJson(dir, `catalog-${streams.join('-')}.json`, { streams: all.streams.filter((s) => streams.includes(s.tap_stream_id)) });
    };
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    // The password of a proxy written into api_url: http://user:pass@host.
    const withUserinfo = sim.url.replace('http://', 'http://proxyuser:proxy-pass-5150@');
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10);
    [future, backfill, recent, proxied, checked] = await Promise.all([
      runCli(['--config', writeJson(dir, 'future.json', { ...base, start_date: tomorrow }), '--catalog', await catalog(['events', 'active_users', 'cohorts'])]),
      runCli(['--config', writeJson(dir, 'backfill.json', { ...base, start_date: dataStart.toISOString().slice(0, 10) }), '--catalog', await catalog(['average_session_length', 'cohorts'])], {
        env: { LOG_LEVEL: 'info' },
      }),
      runCli(['--config', writeJson(dir, 'recent.json', { ...base, start_date: twoDaysAgo, chart_ids: ['gl9dulhv'] })], { env: { LOG_LEVEL: 'info' } }),
      runCli(['--config', writeJson(dir, 'proxied.json', { ...base, api_url: withUserinfo, start_date: tomorrow }), '--catalog', await catalog(['cohorts'])], { env: { LOG_LEVEL: 'debug' } }),
      runCli(['--config', writeJson(dir, 'proxied-check.json', { ...base, api_url: withUserinfo }), '--test=connection'], { env: { LOG_LEVEL: 'debug' } }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it('a start_date in the future: exit 0 and one warning naming the streams that will do nothing', () => {
    const tomorrow = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    expect(future.code).toBe(0);
    expect(stderrLines(future).filter((l) => l.startsWith('WARNING'))).toEqual([
      `WARNING config: start_date ${tomorrow}T00:00:00Z is in the future: events, active_users extract nothing until then`,
    ]);
  });

  it('a dashboard backfill starts with one line estimating its wait for the cost budget', () => {
    // average_session_length: 41 days (40 back plus today) at 4 units a day = 164 units, under 1,000: no wait.
    expect(backfill.code).toBe(0);
    expect(stderrLines(backfill).filter((l) => l.includes('backfill costs'))).toEqual([
      "INFO stream average_session_length: this backfill costs about 164 units of Amplitude's dashboard budget (1,000 per 5 minutes): no waiting expected",
    ]);
  });

  it('counts in words ("1 record", "1 day", not "1 records") and every time in RFC 3339', () => {
    expect(recent.code).toBe(0);
    const lines = [...stderrLines(recent), ...stderrLines(backfill)];
    // charts_metadata writes one record per chart: "1 record".
    expect(lines).toContain('INFO stream charts_metadata: done, 1 record');
    expect(lines.filter((l) => /\b1 (records|days|windows|streams)\b|\(s\)/.test(l))).toEqual([]);
    expect(lines.filter((l) => /\b\d{8}T\d{2}\b/.test(l))).toEqual([]);
    expect(lines.find((l) => /^INFO stream events: \d+ windows? /.test(l))).toMatch(/^INFO stream events: \d+ windows of up to 24 h, \d{4}-\d{2}-\d{2}T\d{2}:00:00Z\.\.\d{4}-\d{2}-\d{2}T\d{2}:00:00Z \(\d+ upload hours\)$/);
  });

  it('never prints the userinfo of api_url, in logs (debug included) or in --test=connection\'s answer', () => {
    expect(proxied.code).toBe(0);
    expect(checked.code).toBe(0);
    for (const r of [proxied, checked]) {
      expect(r.stdout + r.stderr).not.toContain('proxy-pass-5150');
      expect(r.stdout + r.stderr).not.toContain('proxyuser');
    }
    expect(checked.stdout).toBe(`ok: ${sim.url.replace('http://', 'http://***@')} accepted the credentials (${checked.stdout.match(/\((\d+) event types/)?.[1]} event types visible)\n`);
  });
});

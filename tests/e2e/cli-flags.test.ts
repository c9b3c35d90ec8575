// The built CLI's flags, without data: --version and --about (CLI-9, CLI-10), bad config and bad
// flags → exit 2 with clear lines (CLI-1, CLI-12, LOG-1), aliases and --flag=value (CLI-3, CLI-8),
// --state beside --discover (CLI-7), merged --config sources and ENV (CLI-2), no secret in any
// output (CFG-2).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { expectBadInput, packageVersion, requireBuild, stderrLines } from './support/e2e.js';

const SETTINGS = [
  'api_key',
  'secret_key',
  'start_date',
  'end_date',
  'data_region',
  'api_url',
  'chart_ids',
  'cohort_ids',
  'cohort_member_properties',
  'cohort_download_budget',
  'user_agent',
  'events_window_hours',
  'events_lag_hours',
  'active_users_group_by_country',
  'max_concurrency',
  'max_temp_disk_mb',
  'request_timeout_seconds',
  'emit_activate_version_messages',
  'events_source',
  's3_bucket',
  's3_prefix',
  's3_merged_ids_prefix',
  's3_project_id',
  's3_region',
  's3_endpoint_url',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  's3_max_concurrency',
];
const MELTANO_CAPABILITIES = ['properties', 'catalog', 'discover', 'state', 'about', 'stream-maps', 'activate-version', 'batch', 'test', 'log-based', 'schema-flattening', 'structured-logging'];
const DATE_HELP = 'must be a date as YYYY-MM-DD or an RFC 3339 date-time such as 2026-01-31T00:00:00Z';
const CONFIG_REQUIRED = 'CRITICAL --config is required: pass a JSON settings file (see sample-config.json), or --config ENV to read TAP_AMPLITUDE_* variables';
/** Environment without any TAP_AMPLITUDE_ setting of the machine running the tests. */
const NO_ENV_SETTINGS = Object.fromEntries(SETTINGS.map((s) => [`TAP_AMPLITUDE_${s.toUpperCase()}`, '']));

let dir: string;
let good: string;
const file = (name: string, value: unknown): string => writeJson(dir, name, value);
const streamIds = (r: CliResult): string[] => (JSON.parse(r.stdout) as { streams: Array<{ tap_stream_id: string }> }).streams.map((s) => s.tap_stream_id);
const FIXED = ['events', 'active_users', 'average_session_length', 'annotations', 'annotation_categories', 'cohorts', 'cohort_members', 'events_list', 'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties'];

beforeAll(() => {
  requireBuild();
  dir = tempDir();
  good = file('good.json', { start_date: '2026-01-01', chart_ids: ['abc123'] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI-10 --version', () => {
  it('prints the package version without a config', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, signal: null, stdout: `tap-amplitude v${packageVersion}\n`, stderr: '' });
  });
});

describe('CLI-9 --about', () => {
  it('prints name, version, capabilities and every setting as text, without a config', async () => {
    const r = await runCli(['--about']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`tap-amplitude v${packageVersion}`);
    expect(lines).toContain('Capabilities: catalog, discover, state, about, test, activate-version');
    for (const s of SETTINGS) expect(lines.some((l) => l.startsWith(`  ${s} (`))).toBe(true);
  });

  it('prints only JSON with --format json, the same as --format=json', async () => {
    const [spaced, joined, withBadConfig] = await Promise.all([
      runCli(['--about', '--format', 'json']),
      runCli(['--about', '--format=json']),
      runCli(['--about', '--format', 'json', '--config', path.join(dir, 'missing.json')]),
    ]);
    expect(joined).toEqual(spaced);
    expect(withBadConfig).toEqual(spaced);
    expect([spaced.code, spaced.stderr]).toEqual([0, '']);
    const about = JSON.parse(spaced.stdout) as Record<string, unknown>;
    expect(Object.keys(about)).toEqual(['name', 'description', 'version', 'capabilities', 'settings']);
    expect(about.name).toBe('tap-amplitude');
    expect(about.version).toBe(packageVersion);
    expect(typeof about.description).toBe('string');
    expect(about.capabilities).toEqual(['catalog', 'discover', 'state', 'about', 'test', 'activate-version']);
    for (const c of about.capabilities as string[]) expect(MELTANO_CAPABILITIES).toContain(c);
    const settings = about.settings as { type: string; properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(settings.type).toBe('object');
    expect(Object.keys(settings.properties)).toEqual(SETTINGS);
    expect(settings.required).toEqual(['api_key', 'secret_key', 'start_date']);
    expect(settings.properties.api_key?.sensitive).toBe(true);
    expect(settings.properties.secret_key?.sensitive).toBe(true);
    expect(settings.properties.start_date?.format).toBe('date-time');
    expect(settings.properties.data_region?.enum).toEqual(['standard', 'eu']);
  });

  it('prints a README-ready settings table with --format markdown', async () => {
    const r = await runCli(['--about', '--format', 'markdown']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.slice(0, 2)).toEqual(['| Setting | Type | Default | Notes | Description |', '|---|---|---|---|---|']);
    expect(lines.slice(2).map((l) => /^\| `([a-z0-9_]+)` \|/.exec(l)?.[1])).toEqual(SETTINGS);
    expect(lines[2]).toMatch(/^\| `api_key` \| string \| {2}\| required to sync, secret \| .+ \|$/);
    expect(lines).toContain(
      '| `max_concurrency` | integer 1..5 | `5` |  | Most requests in flight at once; Amplitude allows 5 concurrent requests per project. |',
    );
  });
});

describe('CLI-1 bad config → exit 2, one clear line per problem, nothing on stdout', () => {
  it('requires --config', async () => {
    const [none, discover] = await Promise.all([runCli([]), runCli(['--discover'])]);
    expectBadInput(none, [CONFIG_REQUIRED]);
    expectBadInput(discover, [CONFIG_REQUIRED]);
  });

  it('names a missing, unreadable, invalid or non-object config file', async () => {
    const missing = path.join(dir, 'missing.json');
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const invalid = file('invalid.json', '{"start_date": "2026-01-01",}');
    const list = file('list.json', [{ start_date: '2026-01-01' }]);
    const runs = await Promise.all([missing, folder, invalid, list].map((c) => runCli(['--config', c, '--discover'])));
    expectBadInput(runs[0]!, [`CRITICAL config file ${missing} does not exist; pass an existing JSON file to --config`]);
    expectBadInput(runs[1]!, [`CRITICAL config file ${folder} is a directory, not a file; pass an existing JSON file to --config`]);
    expectBadInput(runs[2]!, [`CRITICAL config file ${invalid} is not valid JSON: Expected double-quoted property name at line 1, column 29`]);
    expectBadInput(runs[3]!, [`CRITICAL config file ${list} must hold a JSON object of settings, e.g. {"api_key": "...", "start_date": "2026-01-01"}`]);
  });

  it('names each bad value on its own line (every problem at once)', async () => {
    const settings = {
      start_date: '01/02/2026',
      data_region: 'us',
      chart_ids: ['abc123', 'https://app.amplitude.com/analytics/acme/dashboard/xyz'],
      events_window_hours: 0,
      max_concurrency: 6,
    };
    const [all, window, concurrency, order] = await Promise.all([
      runCli(['--config', file('bad-values.json', settings), '--discover']),
      runCli(['--config', file('bad-window.json', { events_window_hours: 8761 }), '--discover']),
      runCli(['--config', file('bad-concurrency.json', { max_concurrency: 0 }), '--discover']),
      runCli(['--config', file('bad-order.json', { start_date: '2026-03-01', end_date: '2026-02-01' }), '--discover']),
    ]);
    expectBadInput(all, [
      `CRITICAL config: start_date: ${DATE_HELP} (got "01/02/2026")`,
      'CRITICAL config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "us")',
      /^CRITICAL config: chart_ids\[1\]: each entry must be a chart ID .+ \(got "https:\/\/app\.amplitude\.com\/analytics\/acme\/dashboard\/xyz"\)$/,
      'CRITICAL config: events_window_hours: must be a whole number from 1 to 8760 (got 0)',
      'CRITICAL config: max_concurrency: must be a whole number from 1 to 5 (got 6)',
    ]);
    expectBadInput(window, ['CRITICAL config: events_window_hours: must be a whole number from 1 to 8760 (got 8761)']);
    expectBadInput(concurrency, ['CRITICAL config: max_concurrency: must be a whole number from 1 to 5 (got 0)']);
    expectBadInput(order, ['CRITICAL config: end_date: must be after start_date (got start_date 2026-03-01, end_date 2026-02-01)']);
  });

  it('needs the credentials and start_date for --test and a sync, only the credentials for --test=connection, nothing for discovery', async () => {
    const empty = file('empty.json', {});
    const [connection, test, sync, discover] = await Promise.all([
      runCli(['--config', empty, '--test=connection']),
      runCli(['--config', empty, '--test']),
      runCli(['--config', empty]),
      runCli(['--config', empty, '--discover']),
    ]);
    const missing = ['api_key', 'secret_key', 'start_date'].map((k) => `CRITICAL config: ${k}: is required to sync; set it in the config file or TAP_AMPLITUDE_${k.toUpperCase()}`);
    expectBadInput(connection, missing.slice(0, 2));
    expectBadInput(test, missing);
    expectBadInput(sync, missing);
    expect([discover.code, discover.stderr, streamIds(discover)]).toEqual([0, '', FIXED]);
  });
});

describe('CLI-12 bad flags → exit 2', () => {
  it('names an unknown flag, a missing flag value and a bad --format', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /^CRITICAL Unknown argument: bogus; run tap-amplitude --help for the flags$/],
      [['--discover', '--catalog'], /^CRITICAL Not enough arguments following: catalog; run tap-amplitude --help for the flags$/],
      [['--about', '--format', 'yaml'], /^CRITICAL Invalid values: .*format.*"yaml".*; run tap-amplitude --help for the flags$/],
      [['-c'], /^CRITICAL Not enough arguments following: c; run tap-amplitude --help for the flags$/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((r, i) => expectBadInput(r, [cases[i]![1]]));
  });

  it('says so in English whatever the locale, like the rest of its messages', async () => {
    const env = { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', LANGUAGE: 'de' };
    const [bogus, help] = await Promise.all([runCli(['--bogus'], { env }), runCli(['--help'], { env })]);
    expectBadInput(bogus, ['CRITICAL Unknown argument: bogus; run tap-amplitude --help for the flags']);
    expect([help.code, help.stdout.split('\n').filter((l) => /^\S.*:$/.test(l))]).toEqual([0, ['Options:']]);
  });

  it('refuses a repeated --state or --catalog, and different --catalog and --properties files', async () => {
    const [states, catalogs, both] = await Promise.all([
      runCli(['-c', good, '-s', good, '-s', good]),
      runCli(['-c', good, '--catalog', good, '--catalog', good]),
      runCli(['-c', good, '--catalog', good, '--properties', path.join(dir, 'other.json')]),
    ]);
    expectBadInput(states, ['CRITICAL --state may be given only once']);
    expectBadInput(catalogs, ['CRITICAL --catalog may be given only once']);
    expectBadInput(both, ['CRITICAL --catalog and --properties name the same input; pass only one of them']);
  });
});

describe('CLI-3, CLI-7, CLI-8: equivalent command lines give byte-identical catalogs', () => {
  it('accepts short aliases, --flag=value, any order, and --state (even a broken one) beside --discover', async () => {
    const state = file('state.json', { bookmarks: { events: { server_upload_time: '2026-01-05T00:00:00Z' } } });
    const brokenState = file('broken-state.json', '{"bookmarks": ');
    const base = await runCli(['--config', good, '--discover']);
    expect([base.code, base.stderr, streamIds(base)]).toEqual([0, '', [...FIXED, 'chart_abc123', 'charts_metadata']]);
    const variants = [
      ['-c', good, '-d'],
      [`--config=${good}`, '--discover'],
      ['-d', `-c=${good}`],
      ['--discover', '--config', good, '--state', state],
      ['-c', good, '-s', state, '-d'],
      ['-c', good, `--state=${brokenState}`, '--discover'],
    ];
    const runs = await Promise.all(variants.map((v) => runCli(v)));
    runs.forEach((r, i) => expect([variants[i], r.code, r.stderr, r.stdout === base.stdout]).toEqual([variants[i], 0, '', true]));
  });
});

describe('CLI-2 several --config sources, later wins; --config ENV', () => {
  it('merges files in order', async () => {
    const first = file('first.json', { chart_ids: ['aaa111'], start_date: 'soon' });
    const second = file('second.json', { chart_ids: ['bbb222'], start_date: '2026-01-01' });
    const [ab, ba] = await Promise.all([runCli(['-c', first, '-c', second, '-d']), runCli(['-c', second, '-c', first, '-d'])]);
    expect([ab.code, streamIds(ab)]).toEqual([0, [...FIXED, 'chart_bbb222', 'charts_metadata']]);
    expectBadInput(ba, [`CRITICAL config: start_date: ${DATE_HELP} (got "soon")`]);
  });

  it('reads TAP_AMPLITUDE_<SETTING>, typed by the schema, and merges it in order with files', async () => {
    const env = (vars: Record<string, string>) => ({ env: { ...NO_ENV_SETTINGS, ...vars } });
    const [json, comma, intBad, boolOk, boolBad, fileThenEnv, envThenFile] = await Promise.all([
      runCli(['--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_CHART_IDS: '["abc123"]' })),
      runCli(['--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_CHART_IDS: 'abc123, https://app.amplitude.com/analytics/acme/chart/def456' })),
      runCli(['--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_MAX_CONCURRENCY: '9' })),
      runCli(['--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_ACTIVE_USERS_GROUP_BY_COUNTRY: '1', TAP_AMPLITUDE_EVENTS_WINDOW_HOURS: '48' })),
      runCli(['--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_ACTIVE_USERS_GROUP_BY_COUNTRY: 'maybe' })),
      runCli(['--config', good, '--config', 'ENV', '--discover'], env({ TAP_AMPLITUDE_CHART_IDS: 'zzz999' })),
      runCli(['--config=ENV', `--config=${good}`, '--discover'], env({ TAP_AMPLITUDE_CHART_IDS: 'zzz999' })),
    ]);
    expect([json.code, streamIds(json)]).toEqual([0, [...FIXED, 'chart_abc123', 'charts_metadata']]);
    expect([comma.code, streamIds(comma)]).toEqual([0, [...FIXED, 'chart_abc123', 'chart_def456', 'charts_metadata']]);
    // An integer, not the text "9": the variable was typed before validation.
    expectBadInput(intBad, ['CRITICAL config: max_concurrency: must be a whole number from 1 to 5 (got 9)']);
    expect([boolOk.code, boolOk.stderr, streamIds(boolOk)]).toEqual([0, '', FIXED]);
    expectBadInput(boolBad, ['CRITICAL config: active_users_group_by_country: must be true or false (got "maybe")']);
    expect(streamIds(fileThenEnv)).toEqual([...FIXED, 'chart_zzz999', 'charts_metadata']);
    expect(streamIds(envThenFile)).toEqual([...FIXED, 'chart_abc123', 'charts_metadata']);
  });

  it('warns about unknown settings and goes on', async () => {
    const r = await runCli(['-c', file('extra.json', { start_date: '2026-01-01', frequency: 'daily' }), '-d']);
    expect([r.code, stderrLines(r), streamIds(r)]).toEqual([0, ['WARNING config: ignoring unknown setting "frequency"'], FIXED]);
  });
});

describe('CFG-2 no secret in any output', () => {
  const MARKER = 'MARKERSECRET7c1d2e';

  it('keeps credentials out of every bad-input message', async () => {
    const runs = await Promise.all([
      runCli(['-c', file('s1.json', `{"api_key": "${MARKER}", "secret_key": ${MARKER}}`), '-d']),
      runCli(['-c', file('s2.json', `{"api_key": "${MARKER}",`), '--test=connection']),
      runCli(['-c', file('s3.json', { api_key: [MARKER], secret_key: { v: MARKER }, start_date: 'x' }), '-d']),
      runCli(['-c', file('s4.json', { api_key: MARKER, secret_key: MARKER }), '--test']),
      runCli(['-c', file('s5.json', { apikey: MARKER, secret: MARKER, start_date: '2026-01-01' }), '-d']),
      runCli(['-c', 'ENV', '--test=connection'], { env: { ...NO_ENV_SETTINGS, TAP_AMPLITUDE_API_KEY: MARKER, TAP_AMPLITUDE_SECRET_KEY: MARKER, TAP_AMPLITUDE_END_DATE: 'x' } }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 0, 2]);
    for (const r of runs) {
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(r.stdout + r.stderr).not.toContain(MARKER);
    }
  });
});

// The bad-input catalogue: every way the config, the state, the catalog or the flags can be wrong,
// one row each. Every row must end with exit 2 before any output: nothing on stdout, no stack
// trace, and exactly the expected CRITICAL lines, each saying what to fix.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { closedPort, expectBadInput, requireBuild } from './support/e2e.js';

const DATE_HELP = 'must be a date as YYYY-MM-DD or an RFC 3339 date-time such as 2026-01-31T00:00:00Z';
const WHOLE = (min: number, max: number): string => `must be a whole number from ${min} to ${max}`;
const HELP = 'run tap-amplitude --help for the flags';
const TODAY = new Date().toISOString().slice(0, 10);
/** Environment without any TAP_AMPLITUDE_ setting of the machine running the tests. */
const NO_ENV_SETTINGS = Object.fromEntries(
  ['API_KEY', 'SECRET_KEY', 'START_DATE', 'END_DATE', 'DATA_REGION', 'API_URL', 'CHART_IDS', 'USER_AGENT', 'EVENTS_WINDOW_HOURS', 'EVENTS_LAG_HOURS', 'ACTIVE_USERS_GROUP_BY_COUNTRY', 'MAX_CONCURRENCY', 'REQUEST_TIMEOUT_SECONDS'].map(
    (s) => [`TAP_AMPLITUDE_${s}`, ''],
  ),
);

interface Row {
  name: string;
  /** The CLI arguments; `file(name, content)` writes an input file and returns its path. */
  args: (file: (name: string, content: unknown) => string) => string[];
  env?: NodeJS.ProcessEnv;
  /** The stderr lines, in order: a string is the whole line, a RegExp matches it. */
  expected: (Array<string | RegExp>) | ((dir: string) => Array<string | RegExp>);
}

let dir: string;
let goodConfig: Record<string, unknown>;
/** goodConfig's file, written once: rows run in parallel and must not rewrite a file another run reads. */
let good: string;
const file = (name: string, content: unknown): string => writeJson(dir, name, content);
let files = 0;
const fresh = (prefix: string): string => `${prefix}-${++files}.json`;
/** Settings checked by --discover (no credentials needed), or by a sync with the good ones beside them. */
const withConfig = (settings: Record<string, unknown>) => (f: typeof file) => ['--config', f(fresh('config'), settings), '--discover'];
const syncWith = (settings: Record<string, unknown>) => (f: typeof file) => ['--config', f(fresh('sync'), { ...goodConfig, ...settings })];
const syncWithout = (key: string) => (f: typeof file) => {
  const { [key]: _dropped, ...rest } = goodConfig;
  return ['--config', f(`without-${key}.json`, rest)];
};
const withState = (name: string, content: unknown) => (f: typeof file) => ['--config', good, '--state', f(name, content)];
const withCatalog = (name: string, content: unknown) => (f: typeof file) => ['--config', good, '--catalog', f(name, content)];
const selected = (stream: string, extra: Record<string, unknown> = {}) => ({ tap_stream_id: stream, metadata: [{ breadcrumb: [], metadata: { selected: true, ...extra } }] });
const at = (name: string): string => path.join(dir, name);
/** A hand-edited catalog with a `]` where a list should start: line 3, column 46. */
const BROKEN_CATALOG = '{\n  "streams": [\n    {"tap_stream_id": "cohorts", "metadata": ]}\n  ]\n}\n';

const ROWS: Row[] = [
  // Config: the file itself
  { name: 'no --config', args: () => [], expected: ['CRITICAL --config is required: pass a JSON settings file (see sample-config.json), or --config ENV to read TAP_AMPLITUDE_* variables'] },
  { name: 'config file missing', args: () => ['--config', at('nowhere.json')], expected: (d) => [`CRITICAL config file ${path.join(d, 'nowhere.json')} does not exist; pass an existing JSON file to --config`] },
  {
    name: 'config not JSON',
    args: (f) => ['--config', f('trailing-comma.json', '{"start_date": "2026-01-01",}')],
    expected: (d) => [`CRITICAL config file ${path.join(d, 'trailing-comma.json')} is not valid JSON: Expected double-quoted property name at line 1, column 29`],
  },
  { name: 'config file empty', args: (f) => ['--config', f('empty.json', '')], expected: (d) => [`CRITICAL config file ${path.join(d, 'empty.json')} is not valid JSON: Unexpected end of JSON input`] },
  {
    name: 'config is a list',
    args: (f) => ['--config', f('list.json', [{ start_date: '2026-01-01' }])],
    expected: (d) => [`CRITICAL config file ${path.join(d, 'list.json')} must hold a JSON object of settings, e.g. {"api_key": "...", "start_date": "2026-01-01"}`],
  },
  // Config: settings missing or of the wrong type
  ...['api_key', 'secret_key', 'start_date'].map((key): Row => ({
    name: `${key} missing`,
    args: syncWithout(key),
    expected: [`CRITICAL config: ${key}: is required to sync; set it in the config file or TAP_AMPLITUDE_${key.toUpperCase()}`],
  })),
  { name: 'api_key a number', args: syncWith({ api_key: 12345678 }), expected: ['CRITICAL config: api_key: must be a non-empty string'] },
  { name: 'secret_key empty', args: syncWith({ secret_key: '' }), expected: ['CRITICAL config: secret_key: must be a non-empty string'] },
  { name: 'start_date not a date', args: withConfig({ start_date: '01/02/2026' }), expected: [`CRITICAL config: start_date: ${DATE_HELP} (got "01/02/2026")`] },
  { name: 'start_date a day that does not exist', args: withConfig({ start_date: '2026-02-30' }), expected: [`CRITICAL config: start_date: ${DATE_HELP} (got "2026-02-30")`] },
  { name: 'start_date a number', args: withConfig({ start_date: 20260101 }), expected: [`CRITICAL config: start_date: ${DATE_HELP} (got 20260101)`] },
  { name: 'end_date a month that does not exist', args: withConfig({ end_date: '2026-13-01' }), expected: [`CRITICAL config: end_date: ${DATE_HELP} (got "2026-13-01")`] },
  {
    name: 'end_date before start_date',
    args: withConfig({ start_date: '2026-03-01', end_date: '2026-02-01' }),
    expected: ['CRITICAL config: end_date: must be after start_date (got start_date 2026-03-01, end_date 2026-02-01)'],
  },
  {
    name: 'end_date equal to start_date',
    args: withConfig({ start_date: '2026-03-01T00:00:00Z', end_date: '2026-03-01' }),
    expected: ['CRITICAL config: end_date: must be after start_date (got start_date 2026-03-01T00:00:00Z, end_date 2026-03-01)'],
  },
  {
    name: 'unknown data_region',
    args: withConfig({ data_region: 'us' }),
    expected: ['CRITICAL config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "us")'],
  },
  { name: 'api_url without a scheme', args: withConfig({ api_url: 'amplitude.com' }), expected: ['CRITICAL config: api_url: must be an http(s) URL such as https://amplitude.com (got "amplitude.com")'] },
  { name: 'api_url not http(s)', args: withConfig({ api_url: 'ftp://amplitude.com' }), expected: ['CRITICAL config: api_url: must be an http(s) URL such as https://amplitude.com (got "ftp://amplitude.com")'] },
  { name: 'chart_ids not a list', args: withConfig({ chart_ids: 'abc123' }), expected: ['CRITICAL config: chart_ids: must be a list of chart IDs or chart URLs (got "abc123")'] },
  {
    name: 'chart URL of a dashboard, not a chart',
    args: withConfig({ chart_ids: ['abc123', 'https://app.amplitude.com/analytics/acme/dashboard/xyz'] }),
    expected: [/^CRITICAL config: chart_ids\[1\]: each entry must be a chart ID \(lowercase letters and digits\) or a chart URL such as https:\/\/app\.amplitude\.com\/analytics\/acme\/chart\/abc123xy \(got "https:\/\/app\.amplitude\.com\/analytics\/acme\/dashboard\/xyz"\)$/],
  },
  {
    name: 'chart URL of an unsaved chart',
    args: withConfig({ chart_ids: ['https://app.amplitude.com/analytics/acme/chart/new'] }),
    expected: [
      'CRITICAL config: chart_ids[0]: is the URL of an unsaved chart (/chart/new/...): save the chart in Amplitude first, then copy its URL or the ID after /chart/ (got "https://app.amplitude.com/analytics/acme/chart/new")',
    ],
  },
  { name: 'chart ID with capitals and a dash', args: withConfig({ chart_ids: ['ABC-123'] }), expected: [/^CRITICAL config: chart_ids\[0\]: each entry must be a chart ID .* \(got "ABC-123"\)$/] },
  { name: 'events_window_hours 0', args: withConfig({ events_window_hours: 0 }), expected: [`CRITICAL config: events_window_hours: ${WHOLE(1, 8760)} (got 0)`] },
  { name: 'events_window_hours a string', args: withConfig({ events_window_hours: '24' }), expected: [`CRITICAL config: events_window_hours: ${WHOLE(1, 8760)} (got "24")`] },
  { name: 'events_lag_hours negative', args: withConfig({ events_lag_hours: -1 }), expected: [`CRITICAL config: events_lag_hours: ${WHOLE(0, 720)} (got -1)`] },
  { name: 'max_concurrency over 5', args: withConfig({ max_concurrency: 6 }), expected: [`CRITICAL config: max_concurrency: ${WHOLE(1, 5)} (got 6)`] },
  { name: 'max_concurrency not whole', args: withConfig({ max_concurrency: 2.5 }), expected: [`CRITICAL config: max_concurrency: ${WHOLE(1, 5)} (got 2.5)`] },
  { name: 'request_timeout_seconds 0', args: withConfig({ request_timeout_seconds: 0 }), expected: [`CRITICAL config: request_timeout_seconds: ${WHOLE(1, 3600)} (got 0)`] },
  { name: 'active_users_group_by_country "yes"', args: withConfig({ active_users_group_by_country: 'yes' }), expected: ['CRITICAL config: active_users_group_by_country: must be true or false (got "yes")'] },
  { name: 'user_agent a number', args: withConfig({ user_agent: 5 }), expected: ['CRITICAL config: user_agent: must be a string (got 5)'] },
  {
    name: 'TAP_AMPLITUDE_MAX_CONCURRENCY not a number (--config ENV)',
    args: () => ['--config', 'ENV', '--discover'],
    env: { TAP_AMPLITUDE_MAX_CONCURRENCY: 'many' },
    expected: [`CRITICAL config: max_concurrency: ${WHOLE(1, 5)} (got "many")`],
  },
  // State
  { name: 'state file missing', args: () => ['--config', good, '--state', at('no-state.json')], expected: (d) => [`CRITICAL state file ${path.join(d, 'no-state.json')} does not exist`] },
  {
    name: 'state not JSON',
    args: withState('state-cut.json', '{"bookmarks": {"events": '),
    expected: (d) => [`CRITICAL state file ${path.join(d, 'state-cut.json')} is not valid JSON (Unexpected end of JSON input); pass the value of the last STATE message, e.g. {"bookmarks": {}}`],
  },
  { name: 'state a list', args: withState('state-list.json', [{ bookmarks: {} }]), expected: ['CRITICAL state: the root must be a JSON object like {"bookmarks": {...}}'] },
  { name: 'bookmarks not an object', args: withState('state-bookmarks.json', { bookmarks: ['events'] }), expected: ['CRITICAL state: "bookmarks" must be an object keyed by stream name'] },
  { name: 'a bookmark not an object', args: withState('state-entry.json', { bookmarks: { events: '2026-01-01' } }), expected: ['CRITICAL state: bookmarks["events"] must be an object'] },
  { name: 'currently_syncing a number', args: withState('state-syncing.json', { bookmarks: {}, currently_syncing: 3 }), expected: ['CRITICAL state: "currently_syncing" must be a stream name or null'] },
  {
    name: 'events bookmark in the future',
    args: withState('state-future.json', { bookmarks: { events: { server_upload_time: '2099-01-01T00:00:00Z' } } }),
    expected: ['CRITICAL state: bookmarks["events"]: server_upload_time "2099-01-01T00:00:00Z" is in the future; fix or remove the events bookmark'],
  },
  {
    name: 'events bookmark unparsable',
    args: withState('state-words.json', { bookmarks: { events: { server_upload_time: 'yesterday' } } }),
    expected: ['CRITICAL state: bookmarks["events"]: server_upload_time "yesterday" is not a timestamp; expected RFC 3339 such as 2026-06-16T12:00:00Z'],
  },
  {
    name: 'events bookmark in month 13',
    args: withState('state-month.json', { bookmarks: { events: { server_upload_time: '2026-13-01T00:00:00Z' } } }),
    expected: ['CRITICAL state: bookmarks["events"]: server_upload_time "2026-13-01T00:00:00Z" is not a timestamp; expected RFC 3339 such as 2026-06-16T12:00:00Z'],
  },
  {
    name: 'events bookmark a number',
    args: withState('state-number.json', { bookmarks: { events: { server_upload_time: 1767225600 } } }),
    expected: ['CRITICAL state: bookmarks["events"]: server_upload_time 1767225600 is not a timestamp; expected RFC 3339 such as 2026-06-16T12:00:00Z'],
  },
  {
    name: 'active_users bookmark not a date',
    args: withState('state-users.json', { bookmarks: { active_users: { date: 'last week' } } }),
    expected: ['CRITICAL state: bookmarks["active_users"]: expected {"date": "YYYY-MM-DD"}, got {"date":"last week"}'],
  },
  {
    name: 'average_session_length bookmark in the future',
    args: withState('state-sessions.json', { bookmarks: { average_session_length: { date: '2099-01-01' } } }),
    expected: [`CRITICAL state: bookmarks["average_session_length"]: date 2099-01-01 is in the future (today is ${TODAY} UTC); remove this bookmark or fix the date`],
  },
  // Catalog
  { name: 'catalog file missing', args: () => ['--config', good, '--catalog', at('no-catalog.json')], expected: (d) => [`CRITICAL catalog file ${path.join(d, 'no-catalog.json')} does not exist`] },
  {
    name: 'catalog not JSON',
    args: withCatalog('catalog-broken.json', BROKEN_CATALOG),
    // The parser reports no position for an unexpected character; the tap still finds it.
    expected: (d) => [
      `CRITICAL catalog file ${path.join(d, 'catalog-broken.json')} is not valid JSON (Unexpected character at line 3, column 46); pass the output of --discover`,
    ],
  },
  { name: 'catalog without streams', args: withCatalog('catalog-entries.json', { entries: [] }), expected: ['CRITICAL catalog: the root must be an object with a "streams" array (the output of --discover)'] },
  { name: 'catalog stream not an object', args: withCatalog('catalog-number.json', { streams: [5] }), expected: ['CRITICAL catalog: streams[0] must be an object'] },
  { name: 'catalog stream without a name', args: withCatalog('catalog-noname.json', { streams: [{ metadata: [] }] }), expected: ['CRITICAL catalog: streams[0] has no "tap_stream_id" or "stream" name'] },
  {
    name: 'catalog selects an unknown stream',
    args: withCatalog('catalog-unknown.json', { streams: [selected('users')] }),
    expected: ['CRITICAL catalog: stream "users" is not a stream of this tap; run --discover again and select from its output'],
  },
  { name: 'catalog lists a stream twice', args: withCatalog('catalog-twice.json', { streams: [selected('cohorts'), selected('cohorts')] }), expected: ['CRITICAL catalog: stream "cohorts" appears twice'] },
  {
    name: 'catalog metadata not a list',
    args: withCatalog('catalog-metadata.json', { streams: [{ tap_stream_id: 'cohorts', metadata: { selected: true } }] }),
    expected: ['CRITICAL catalog: stream "cohorts": "metadata" must be an array of {breadcrumb, metadata} entries'],
  },
  {
    name: 'catalog metadata with a bad breadcrumb',
    args: withCatalog('catalog-breadcrumb.json', { streams: [{ tap_stream_id: 'cohorts', metadata: [{ breadcrumb: 'properties', metadata: { selected: true } }] }] }),
    expected: ['CRITICAL catalog: stream "cohorts": metadata[0] must be {"breadcrumb": [strings], "metadata": {...}}'],
  },
  {
    name: 'catalog keys not properties of the stream',
    args: withCatalog('catalog-keys.json', { streams: [selected('cohorts', { 'table-key-properties': ['nope'] })] }),
    expected: ['CRITICAL catalog: stream "cohorts": table-key-properties must be a non-empty list of the stream\'s properties'],
  },
  // Flags
  { name: 'unknown flag', args: () => ['--config', good, '--bogus'], expected: [`CRITICAL Unknown argument: bogus; ${HELP}`] },
  { name: '--state twice', args: (f) => ['--config', good, '--state', f('s1.json', {}), '--state', f('s2.json', {})], expected: ['CRITICAL --state may be given only once'] },
  {
    name: '--catalog and --properties naming different files',
    args: (f) => ['--config', good, '--catalog', f('c1.json', { streams: [] }), '--properties', f('c2.json', { streams: [] })],
    expected: ['CRITICAL --catalog and --properties name the same input; pass only one of them'],
  },
  { name: '--catalog without a file', args: () => ['--config', good, '--catalog'], expected: [`CRITICAL Not enough arguments following: catalog; ${HELP}`] },
  { name: '--about in an unknown format', args: () => ['--about', '--format', 'yaml'], expected: [`CRITICAL Invalid values: Argument: format, Given: "yaml", Choices: "json", "markdown", "text"; ${HELP}`] },
  // Flags as Singer SDK users type them
  {
    name: '--test with a mode that does not exist',
    args: () => ['--config', good, '--test=1'],
    expected: ['CRITICAL --test takes no value or one of all, schema, connection (got "1"); e.g. --test=connection checks only the credentials'],
  },
  {
    name: '--test twice',
    args: () => ['--config', good, '--test', '--test=schema'],
    expected: ['CRITICAL --test may be given only once'],
  },
  { name: '--discover=all (a sync must not start)', args: () => ['--config', good, '--discover=all'], expected: [`CRITICAL --discover takes no value (got "--discover=all"); ${HELP}`] },
  { name: '-d=yes', args: () => ['--config', good, '-d=yes'], expected: [`CRITICAL --discover takes no value (got "-d=yes"); ${HELP}`] },
  { name: '--about=json', args: () => ['--about=json'], expected: [`CRITICAL --about takes no value (got "--about=json"); ${HELP}`] },
  // Files: reasons in words, a byte-order mark skipped
  {
    name: 'config file is a directory',
    args: (f) => ['--config', path.dirname(f('marker.json', {}))],
    expected: (d) => [`CRITICAL config file ${d} is a directory, not a file; pass an existing JSON file to --config`],
  },
  { name: 'state file is a directory', args: () => ['--config', good, '--state', dir], expected: (d) => [`CRITICAL state file ${d} is a directory, not a file`] },
  { name: 'catalog file is a directory', args: () => ['--config', good, '--catalog', dir], expected: (d) => [`CRITICAL catalog file ${d} is a directory, not a file`] },
  // root reads any file, so permission denied can only be shown to another user.
  ...(process.getuid?.() === 0
    ? []
    : [
        {
          name: 'config file without read permission',
          args: (f: typeof file) => {
            const p = f('unreadable.json', {});
            chmodSync(p, 0o000);
            return ['--config', p];
          },
          expected: (d: string) => [`CRITICAL config file ${path.join(d, 'unreadable.json')} cannot be read: permission denied`],
        } satisfies Row,
      ]),
  {
    name: 'config not JSON after a byte-order mark (the position counts from after it)',
    args: (f) => ['--config', f('bom-comma.json', '\ufeff{"start_date": "2026-01-01",}')],
    expected: (d) => [`CRITICAL config file ${path.join(d, 'bom-comma.json')} is not valid JSON: Expected double-quoted property name at line 1, column 29`],
  },
  // Airbyte's files
  {
    name: 'Airbyte data_region value that does not exist',
    args: withConfig({ data_region: 'US Server' }),
    expected: ['CRITICAL config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "US Server")'],
  },
  {
    name: 'Airbyte request_time_range over a year',
    args: withConfig({ request_time_range: 9000 }),
    expected: [`CRITICAL config: request_time_range (Airbyte's name of events_window_hours): ${WHOLE(1, 8760)} (got 9000)`],
  },
  {
    name: 'Airbyte events state without a cursor (the concurrent slices form)',
    args: withState('airbyte-slices.json', [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'events' }, stream_state: { state_type: 'date-range', slices: [] } } },
    ]),
    expected: [
      'CRITICAL state: Airbyte\'s events state {"state_type":"date-range","slices":[]} holds no usable server_upload_time; write {"bookmarks": {"events": {"server_upload_time": "<first hour to export, e.g. 2026-06-16T11:00:00Z>"}}} instead',
    ],
  },
  {
    name: 'Airbyte per-stream state with a future events hour',
    args: withState('airbyte-future.json', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'events' }, stream_state: { server_upload_time: '20990101T00' } } }]),
    expected: [
      'INFO state: converted Airbyte\'s per-stream state into Singer bookmarks: events from 2099-01-01T00:00:00Z',
      'CRITICAL state: bookmarks["events"]: server_upload_time "2099-01-01T00:00:00Z" is in the future; fix or remove the events bookmark',
    ],
  },
  // Credentials written into api_url never shown
  {
    name: 'api_url with a password and a scheme that is not http(s)',
    args: withConfig({ api_url: 'ftp://proxyuser:proxy-pass-1234@proxy.example.com' }),
    expected: ['CRITICAL config: api_url: must be an http(s) URL such as https://amplitude.com (got "ftp://***@proxy.example.com")'],
  },
];

const results = new Map<string, CliResult>();

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  // Valid settings: the rows below break one thing each. Nothing is requested from Amplitude (a closed port).
  goodConfig = { api_key: 'bad-input-api-key', secret_key: 'bad-input-secret-key', start_date: '2026-01-01', api_url: `http://127.0.0.1:${await closedPort()}` };
  good = file('good.json', goodConfig);
  // A few processes at a time (CI has two cores).
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < ROWS.length) {
        const row = ROWS[next++] as Row;
        results.set(row.name, await runCli(row.args(file), { env: { ...NO_ENV_SETTINGS, ...row.env } }));
      }
    }),
  );
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input → exit 2, nothing on stdout, no stack trace, one line per problem saying what to fix', () => {
  it.each(ROWS)('$name', (row) => {
    expectBadInput(results.get(row.name) as CliResult, typeof row.expected === 'function' ? row.expected(dir) : row.expected);
  });
});

// The settings: validation with one line per bad field, defaults, dates, chart references,
// `--config ENV` typing, merging of several sources, and secrets kept out of every message.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSyntaxProblem } from '../../src/files.js';
import {
  chartIdFrom,
  loadConfig,
  parseDateSetting,
  readConfigFile,
  requireSyncSettings,
  settingsFromEnv,
  settingsJsonSchema,
  validateConfig,
} from '../../src/config.js';
import { BadInput } from '../../src/errors.js';
import { tempDir, writeJson } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const packageVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The problem lines of the BadInput `fn` throws (fails the test when it does not throw one). */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof BadInput) return err.problems;
    throw err;
  }
  throw new Error('expected a BadInput');
}

const DATE_HELP = 'must be a date as YYYY-MM-DD or an RFC 3339 date-time such as 2026-01-31T00:00:00Z';
const CHART_HELP =
  'each entry must be a chart ID (lowercase letters and digits) or a chart URL such as https://app.amplitude.com/analytics/acme/chart/abc123xy';

describe('cohort settings', () => {
  it('takes cohort_ids as a list, or "all" as a string or a list', () => {
    expect(validateConfig({ cohort_ids: ['9apg8e8f', ' x1 '] }).config.cohort_ids).toEqual(['9apg8e8f', 'x1']);
    expect(validateConfig({ cohort_ids: 'all' }).config.cohort_ids).toEqual(['all']);
    expect(validateConfig({ cohort_ids: ['all'] }).config.cohort_ids).toEqual(['all']);
    expect(settingsFromEnv({ TAP_AMPLITUDE_COHORT_IDS: 'all' })).toEqual({ cohort_ids: ['all'] });
  });

  it('rejects other values with one line each', () => {
    expect(() => validateConfig({ cohort_ids: 'some', cohort_download_budget: 501, cohort_member_properties: [''] })).toThrow(
      'config: cohort_ids: must be a list of cohort IDs, or "all" (got "some"); config: cohort_member_properties[0]: each entry must be a non-empty user property name (got ""); config: cohort_download_budget: must be a whole number from 0 to 500 (got 501)',
    );
  });
});

describe('defaults', () => {
  it('fills every optional setting and leaves the credentials and dates unset', () => {
    const { config, warnings } = validateConfig({});
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      api_key: undefined,
      secret_key: undefined,
      start_date: undefined,
      end_date: undefined,
      data_region: 'standard',
      chart_ids: [],
      cohort_ids: [],
      cohort_member_properties: [],
      cohort_download_budget: 50,
      user_agent: `tap-amplitude/${packageVersion}`,
      events_window_hours: 24,
      events_lag_hours: 2,
      active_users_group_by_country: false,
      max_concurrency: 5,
      max_temp_disk_mb: 2048,
      request_timeout_seconds: 300,
      emit_activate_version_messages: true,
      events_source: 'export_api',
      s3_prefix: '',
      s3_max_concurrency: 4,
    });
  });

  it('treats null as unset (Meltano writes unset settings as null)', () => {
    const { config } = validateConfig({ max_concurrency: null, data_region: null, start_date: null });
    expect(config.max_concurrency).toBe(5);
    expect(config.data_region).toBe('standard');
    expect(config.start_date).toBeUndefined();
  });

  it('keeps valid values as given', () => {
    const { config } = validateConfig({
      api_key: 'k',
      secret_key: 's',
      data_region: 'eu',
      api_url: 'http://127.0.0.1:8787',
      user_agent: 'acme-etl/1.0',
      events_window_hours: 8760,
      events_lag_hours: 0,
      active_users_group_by_country: true,
      max_concurrency: 1,
      request_timeout_seconds: 3600,
    });
    expect(config).toMatchObject({
      api_key: 'k',
      secret_key: 's',
      data_region: 'eu',
      api_url: 'http://127.0.0.1:8787',
      user_agent: 'acme-etl/1.0',
      events_window_hours: 8760,
      events_lag_hours: 0,
      active_users_group_by_country: true,
      max_concurrency: 1,
      request_timeout_seconds: 3600,
    });
  });
});

describe('validation: one line per bad setting, naming it, what is wrong and what is expected', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ api_key: '' }, 'config: api_key: must be a non-empty string'],
    [{ api_key: 12345 }, 'config: api_key: must be a non-empty string'],
    [{ secret_key: '' }, 'config: secret_key: must be a non-empty string'],
    [{ start_date: 'yesterday' }, `config: start_date: ${DATE_HELP} (got "yesterday")`],
    [{ start_date: 20260101 }, `config: start_date: ${DATE_HELP} (got 20260101)`],
    [{ end_date: '2026-13-01' }, `config: end_date: ${DATE_HELP} (got "2026-13-01")`],
    [{ data_region: 'us' }, 'config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "us")'],
    [{ api_url: 'amplitude.com' }, 'config: api_url: must be an http(s) URL such as https://amplitude.com (got "amplitude.com")'],
    [{ api_url: 'ftp://example.com' }, 'config: api_url: must be an http(s) URL such as https://amplitude.com (got "ftp://example.com")'],
    [{ chart_ids: 'abc123' }, 'config: chart_ids: must be a list of chart IDs or chart URLs (got "abc123")'],
    [{ chart_ids: ['abc123', 'Bad-ID'] }, `config: chart_ids[1]: ${CHART_HELP} (got "Bad-ID")`],
    [{ chart_ids: [7] }, 'config: chart_ids[0]: each entry must be a string (got 7)'],
    [{ user_agent: 5 }, 'config: user_agent: must be a string (got 5)'],
    [{ events_window_hours: 0 }, 'config: events_window_hours: must be a whole number from 1 to 8760 (got 0)'],
    [{ events_window_hours: 8761 }, 'config: events_window_hours: must be a whole number from 1 to 8760 (got 8761)'],
    [{ events_window_hours: 1.5 }, 'config: events_window_hours: must be a whole number from 1 to 8760 (got 1.5)'],
    [{ events_window_hours: '24' }, 'config: events_window_hours: must be a whole number from 1 to 8760 (got "24")'],
    [{ events_lag_hours: -1 }, 'config: events_lag_hours: must be a whole number from 0 to 720 (got -1)'],
    [{ events_lag_hours: 721 }, 'config: events_lag_hours: must be a whole number from 0 to 720 (got 721)'],
    [{ active_users_group_by_country: 'yes' }, 'config: active_users_group_by_country: must be true or false (got "yes")'],
    [{ max_concurrency: 0 }, 'config: max_concurrency: must be a whole number from 1 to 5 (got 0)'],
    [{ max_concurrency: 6 }, 'config: max_concurrency: must be a whole number from 1 to 5 (got 6)'],
    [{ request_timeout_seconds: 0 }, 'config: request_timeout_seconds: must be a whole number from 1 to 3600 (got 0)'],
    [{ request_timeout_seconds: 3601 }, 'config: request_timeout_seconds: must be a whole number from 1 to 3600 (got 3601)'],
    [{ events_source: 'gcs' }, 'config: events_source: must be "export_api" (Amplitude\'s Export API) or "s3" (Amplitude\'s export to an S3 or GCS bucket) (got "gcs")'],
    [{ events_source: 's3' }, 'config: s3_bucket: is required when events_source is "s3"; set it to the bucket Amplitude exports to'],
    [{ s3_bucket: 's3://acme/export' }, 'config: s3_bucket: must be a bucket name (lowercase letters, digits, dots, hyphens), without s3:// or a path (got "s3://acme/export")'],
    [{ s3_project_id: 'acme' }, 'config: s3_project_id: must be the Amplitude project ID, digits only (got "acme")'],
    [{ s3_endpoint_url: 'storage.googleapis.com' }, 'config: s3_endpoint_url: must be an http(s) URL such as https://storage.googleapis.com (got "storage.googleapis.com")'],
    [{ s3_max_concurrency: 33 }, 'config: s3_max_concurrency: must be a whole number from 1 to 32 (got 33)'],
    [{ aws_access_key_id: 'AKIAEXAMPLE' }, 'config: aws_access_key_id and aws_secret_access_key: set both or neither (neither uses the AWS SDK credential chain)'],
    [{ aws_secret_access_key: '' }, 'config: aws_secret_access_key: must be a non-empty string'],
  ];
  it.each(cases)('%j', (input, line) => {
    expect(problemsOf(() => validateConfig(input))).toEqual([line]);
  });

  it('reports every bad setting at once, one line each', () => {
    expect(problemsOf(() => validateConfig({ data_region: 'us', max_concurrency: 9, start_date: 'soon' }))).toEqual([
      `config: start_date: ${DATE_HELP} (got "soon")`,
      'config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "us")',
      'config: max_concurrency: must be a whole number from 1 to 5 (got 9)',
    ]);
  });

  it('shortens a long offending value', () => {
    const long = 'x'.repeat(100);
    expect(problemsOf(() => validateConfig({ data_region: long }))).toEqual([
      `config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "${'x'.repeat(56)}...)`,
    ]);
  });

  it('warns about unknown settings by name and otherwise ignores them', () => {
    const { config, warnings } = validateConfig({ start_date: '2026-01-01', apikey: 'abc', frequency: 3 });
    expect(warnings).toEqual(['config: ignoring unknown setting "apikey"', 'config: ignoring unknown setting "frequency"']);
    expect(config.start_date?.toISO()).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('dates: YYYY-MM-DD or RFC 3339, read as UTC', () => {
  const good: Array<[string, string]> = [
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T10:20:30Z', '2026-01-31T10:20:30.000Z'],
    ['2026-01-31T10:20:30.123+02:00', '2026-01-31T08:20:30.123Z'],
    ['2026-01-31T10:20:30-05:00', '2026-01-31T15:20:30.000Z'],
    ['2026-01-31t10:20:30z', '2026-01-31T10:20:30.000Z'],
    ['2026-01-31 10:20:30Z', '2026-01-31T10:20:30.000Z'],
    // No zone: UTC, whatever TZ the process runs in (the tests run in America/New_York).
    ['2026-01-31T10:20:30', '2026-01-31T10:20:30.000Z'],
  ];
  it.each(good)('%s → %s', (value, iso) => {
    expect(parseDateSetting(value)?.toISO()).toBe(iso);
    expect(validateConfig({ start_date: value }).config.start_date?.toISO()).toBe(iso);
  });

  it.each(['2026-02-30', '2026-1-5', '31/01/2026', '2026-01-31T25:00:00Z', 'yesterday', ''])('rejects %j', (value) => {
    expect(parseDateSetting(value)).toBeNull();
  });

  it('rejects an end_date before or equal to start_date, naming both', () => {
    expect(problemsOf(() => validateConfig({ start_date: '2026-02-01', end_date: '2026-01-01' }))).toEqual([
      'config: end_date: must be after start_date (got start_date 2026-02-01, end_date 2026-01-01)',
    ]);
    expect(problemsOf(() => validateConfig({ start_date: '2026-01-01', end_date: '2026-01-01T00:00:00Z' }))).toEqual([
      'config: end_date: must be after start_date (got start_date 2026-01-01, end_date 2026-01-01T00:00:00Z)',
    ]);
  });

  it('accepts an end_date after start_date', () => {
    const { config } = validateConfig({ start_date: '2026-01-01', end_date: '2026-01-01T00:00:01Z' });
    expect(config.end_date?.toISO()).toBe('2026-01-01T00:00:01.000Z');
  });
});

describe('chart IDs and URLs', () => {
  const refs: Array<[string, string | null]> = [
    ['abc123xy', 'abc123xy'],
    [' abc123xy ', 'abc123xy'],
    ['https://app.amplitude.com/analytics/acme/chart/abc123xy', 'abc123xy'],
    ['https://app.eu.amplitude.com/analytics/acme/chart/abc123xy?source=copy#top', 'abc123xy'],
    ['https://app.amplitude.com/analytics/acme/chart/abc123xy/edit', 'abc123xy'],
    ['https://app.amplitude.com/analytics/acme/dashboard/xyz789', null],
    ['https://app.amplitude.com/analytics/acme/chart/AbC', null],
    ['ABC123', null],
    ['abc-123', null],
    ['chart abc', null],
  ];
  it.each(refs)('%j → %j', (ref, id) => {
    expect(chartIdFrom(ref)).toBe(id);
  });

  it.each([
    'https://app.amplitude.com/analytics/acme/chart/new/e-3k9x2m',
    'https://app.amplitude.com/analytics/acme/chart/new',
    'https://analytics.amplitude.com/acme/chart/new/abc123?source=x',
  ])('rejects the URL of an unsaved chart, saying to save it first: %s', (url) => {
    expect(chartIdFrom(url)).toBeNull();
    let problems: string[] = [];
    try {
      validateConfig({ chart_ids: ['abc123', url] });
    } catch (err) {
      problems = (err as BadInput).problems;
    }
    // One problem; the value it echoes may be shortened.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^config: chart_ids\[1\]: is the URL of an unsaved chart \(\/chart\/new\/\.\.\.\): save the chart in Amplitude first, then copy its URL or the ID after \/chart\/ \(got "https:\/\//,
    );
  });

  it('hints at data_region eu for a chart URL on the EU host, only while the region is standard and api_url unset', () => {
    const eu = 'https://analytics.eu.amplitude.com/acme/chart/abc123';
    const appEu = 'https://app.eu.amplitude.com/analytics/acme/chart/def456';
    const hint = (i: number, host: string): string =>
      `config: chart_ids[${i}]: the chart URL is on Amplitude's EU host (${host}) but data_region is "standard"; set data_region to "eu", or Amplitude will refuse the keys (403)`;
    expect(validateConfig({ chart_ids: ['xyz789', eu, appEu] }).warnings).toEqual([hint(1, 'analytics.eu.amplitude.com'), hint(2, 'app.eu.amplitude.com')]);
    expect(validateConfig({ chart_ids: [eu], data_region: 'eu' }).warnings).toEqual([]);
    expect(validateConfig({ chart_ids: [eu], api_url: 'http://127.0.0.1:8787' }).warnings).toEqual([]);
    expect(validateConfig({ chart_ids: ['https://app.amplitude.com/analytics/acme/chart/abc123'] }).warnings).toEqual([]);
  });

  it('resolves URLs to IDs and keeps a chart listed twice once, with a warning', () => {
    const { config, warnings } = validateConfig({
      chart_ids: ['https://app.amplitude.com/analytics/acme/chart/abc123xy', 'def456', 'abc123xy'],
    });
    expect(config.chart_ids).toEqual(['abc123xy', 'def456']);
    expect(warnings).toEqual(['config: chart_ids lists chart abc123xy twice; it is extracted once']);
  });
});

describe('--config ENV: TAP_AMPLITUDE_<SETTING> typed by the schema', () => {
  it('types integers, booleans, lists (JSON and comma-separated) and strings', () => {
    expect(
      settingsFromEnv({
        TAP_AMPLITUDE_API_KEY: 'key-1',
        TAP_AMPLITUDE_START_DATE: '2026-03-01',
        TAP_AMPLITUDE_MAX_CONCURRENCY: ' 3 ',
        TAP_AMPLITUDE_ACTIVE_USERS_GROUP_BY_COUNTRY: 'true',
        TAP_AMPLITUDE_CHART_IDS: '["abc123", "https://app.amplitude.com/analytics/acme/chart/def456"]',
        TAP_AMPLITUDE_LOGLEVEL: 'debug', // not a setting
        OTHER: 'x',
      }),
    ).toEqual({
      api_key: 'key-1',
      start_date: '2026-03-01',
      max_concurrency: 3,
      active_users_group_by_country: true,
      chart_ids: ['abc123', 'https://app.amplitude.com/analytics/acme/chart/def456'],
    });
    expect(settingsFromEnv({ TAP_AMPLITUDE_CHART_IDS: 'abc123, def456,' })).toEqual({ chart_ids: ['abc123', 'def456'] });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads the boolean %j as %j', (raw, value) => {
    expect(settingsFromEnv({ TAP_AMPLITUDE_ACTIVE_USERS_GROUP_BY_COUNTRY: raw })).toEqual({ active_users_group_by_country: value });
  });

  it('skips empty variables', () => {
    expect(settingsFromEnv({ TAP_AMPLITUDE_API_KEY: '', TAP_AMPLITUDE_MAX_CONCURRENCY: '' })).toEqual({});
  });

  it('reports values that do not fit their type, naming the variable as the setting', () => {
    const env = {
      TAP_AMPLITUDE_MAX_CONCURRENCY: 'many',
      TAP_AMPLITUDE_ACTIVE_USERS_GROUP_BY_COUNTRY: 'maybe',
      TAP_AMPLITUDE_CHART_IDS: '["abc123"',
    };
    expect(problemsOf(() => loadConfig(['ENV'], env))).toEqual([
      // A list that is not valid JSON stays text, which is no list.
      'config: chart_ids: must be a list of chart IDs or chart URLs (got "[\\"abc123\\"")',
      'config: active_users_group_by_country: must be true or false (got "maybe")',
      'config: max_concurrency: must be a whole number from 1 to 5 (got "many")',
    ]);
  });
});

describe('several --config sources merge, later wins', () => {
  it('merges files and the environment in the order given', () => {
    const dir = tempDir();
    const first = writeJson(dir, 'first.json', { api_key: 'k1', start_date: '2026-01-01', max_concurrency: 2 });
    const second = writeJson(dir, 'second.json', { start_date: '2026-02-01', chart_ids: ['abc123'] });
    const env = { TAP_AMPLITUDE_START_DATE: '2026-03-01', TAP_AMPLITUDE_MAX_CONCURRENCY: '4' };

    const files = loadConfig([first, second], env).config;
    expect(files.start_date?.toISO()).toBe('2026-02-01T00:00:00.000Z');
    expect(files.api_key).toBe('k1');
    expect(files.max_concurrency).toBe(2);
    expect(files.chart_ids).toEqual(['abc123']);

    const envLast = loadConfig([first, 'ENV'], env).config;
    expect(envLast.start_date?.toISO()).toBe('2026-03-01T00:00:00.000Z');
    expect(envLast.max_concurrency).toBe(4);

    const fileLast = loadConfig(['ENV', second], env).config;
    expect(fileLast.start_date?.toISO()).toBe('2026-02-01T00:00:00.000Z');
    expect(fileLast.max_concurrency).toBe(4);
  });

  it('validates the merged result: a later file may repair an earlier value', () => {
    const dir = tempDir();
    const bad = writeJson(dir, 'bad.json', { max_concurrency: 9 });
    const fix = writeJson(dir, 'fix.json', { max_concurrency: 3 });
    expect(loadConfig([bad, fix], {}).config.max_concurrency).toBe(3);
    expect(problemsOf(() => loadConfig([fix, bad], {}))).toEqual(['config: max_concurrency: must be a whole number from 1 to 5 (got 9)']);
  });
});

describe('config files', () => {
  it('names a missing file', () => {
    const file = path.join(tempDir(), 'nope.json');
    expect(problemsOf(() => readConfigFile(file))).toEqual([`config file ${file} does not exist; pass an existing JSON file to --config`]);
  });

  it('requires a JSON object at the root', () => {
    const file = writeJson(tempDir(), 'list.json', [1, 2]);
    expect(problemsOf(() => readConfigFile(file))).toEqual([
      `config file ${file} must hold a JSON object of settings, e.g. {"api_key": "...", "start_date": "2026-01-01"}`,
    ]);
  });

  it('says where invalid JSON breaks', () => {
    const file = writeJson(tempDir(), 'broken.json', '{\n  "start_date": "2026-01-01",\n}');
    const [line, ...rest] = problemsOf(() => readConfigFile(file));
    expect(rest).toEqual([]);
    expect(line).toMatch(new RegExp(`^config file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: .+ at line 3, column 1$`));
  });
});

describe('jsonSyntaxProblem', () => {
  const problem = (text: string): string => {
    try {
      JSON.parse(text);
    } catch (err) {
      return jsonSyntaxProblem(err, text);
    }
    throw new Error('expected invalid JSON');
  };

  it('gives line and column when the parser reports a position', () => {
    // The `}` after the trailing comma is the 13th character: line 3, column 1.
    expect(problem('{\n  "a": 1,\n}')).toMatch(/ at line 3, column 1$/);
    expect(problem('{"a": 1} x')).toMatch(/ at line 1, column 10$/);
  });

  it('never quotes the text', () => {
    for (const text of ['{"api_key": "MARKER-SECRET-1", "secret_key": MARKER-SECRET-2}', 'MARKER-SECRET-3', '{"a": "MARKER-SECRET-4"']) {
      expect(problem(text)).not.toMatch(/MARKER|SECRET/);
    }
  });
});

describe('secrets never appear in a message', () => {
  const MARKER = 'MARKER-SECRET-9f8e7d';

  it('does not show an invalid credential value', () => {
    const problems = problemsOf(() => validateConfig({ api_key: [MARKER], secret_key: { value: MARKER }, data_region: 'mars' }));
    expect(problems).toEqual([
      'config: api_key: must be a non-empty string',
      'config: secret_key: must be a non-empty string',
      'config: data_region: must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com) (got "mars")',
    ]);
  });

  it('does not quote a config file that is not JSON', () => {
    const dir = tempDir();
    for (const [name, text] of [
      ['a.json', `{"api_key": "${MARKER}", "secret_key": ${MARKER}}`],
      ['b.json', MARKER],
      ['c.json', `{"secret_key": "${MARKER}",}`],
    ] as const) {
      const file = writeJson(dir, name, text);
      expect(problemsOf(() => readConfigFile(file)).join('\n')).not.toContain('MARKER');
    }
  });

  it('names a misspelt credential setting without its value', () => {
    const { warnings } = validateConfig({ apiKey: MARKER, secretkey: MARKER });
    expect(warnings).toEqual(['config: ignoring unknown setting "apiKey"', 'config: ignoring unknown setting "secretkey"']);
  });
});

describe('settings a sync needs', () => {
  it('lists each missing one with where to set it', () => {
    const { config } = validateConfig({ api_key: 'k' });
    expect(problemsOf(() => requireSyncSettings(config))).toEqual([
      'config: secret_key: is required to sync; set it in the config file or TAP_AMPLITUDE_SECRET_KEY',
      'config: start_date: is required to sync; set it in the config file or TAP_AMPLITUDE_START_DATE',
    ]);
  });

  it('passes with all of them', () => {
    const { config } = validateConfig({ api_key: 'k', secret_key: 's', start_date: '2026-01-01' });
    expect(() => requireSyncSettings(config)).not.toThrow();
  });
});

describe('settings JSON Schema (for --about and ENV typing)', () => {
  it('declares types, secrets, date formats and the settings a sync requires', () => {
    const schema = settingsJsonSchema() as { required: string[]; properties: Record<string, Record<string, unknown>> };
    expect(schema.required).toEqual(['api_key', 'secret_key', 'start_date']);
    expect(Object.keys(schema.properties)).toEqual([
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
    ]);
    expect(schema.properties.api_key).toMatchObject({ type: 'string', sensitive: true });
    expect(schema.properties.secret_key).toMatchObject({ type: 'string', sensitive: true });
    expect(schema.properties.start_date).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema.properties.data_region).toMatchObject({ type: 'string', enum: ['standard', 'eu'], default: 'standard' });
    expect(schema.properties.chart_ids).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schema.properties.events_window_hours).toMatchObject({ type: 'integer', minimum: 1, maximum: 8760, default: 24 });
    expect(schema.properties.active_users_group_by_country).toMatchObject({ type: 'boolean', default: false });
    for (const [name, prop] of Object.entries(schema.properties)) {
      expect([name, typeof prop.description]).toEqual([name, 'string']);
      const secret = ['api_key', 'secret_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'].includes(name);
      expect([name, prop.sensitive]).toEqual([name, secret ? true : undefined]);
    }
  });
});

// The tap's settings: one zod schema gives the Config type, the validation with its messages, the
// `--config ENV` typing and the `--about` settings JSON Schema.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { chartIdFrom, euChartUrlHost, isUnsavedChartUrl } from './chart-refs.js';
import { fromAirbyteConfig } from './airbyte/config.js';
import { BadInput } from './errors.js';
import { jsonSyntaxProblem, readInputFile } from './files.js';
import { hideUserinfo } from './format.js';
import { bucketSettings, BUCKET_SECRETS, checkBucketSettings } from './config-bucket.js';
import { TAP_VERSION } from './version.js';

export { chartIdFrom } from './chart-refs.js';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** `YYYY-MM-DD` or RFC 3339 (a date-time without a zone is read as UTC) → a UTC DateTime, or null. */
export function parseDateSetting(value: string): DateTime | null {
  const v = value.trim();
  if (!DATE_RE.test(v) && !DATETIME_RE.test(v)) return null;
  const dt = DateTime.fromISO(v.replace(' ', 'T'), { zone: 'utc', setZone: true });
  return dt.isValid ? dt.toUTC() : null;
}

const intIn = (min: number, max: number, def: number, description: string) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` })
    .default(def)
    .describe(description);

/** A list of non-empty strings (trimmed), empty by default. */
const textList = (entry: string, list: string, description: string) =>
  z.array(z.string({ error: `each entry must be ${entry}` }).trim().min(1, { error: `each entry must be ${entry}` }), { error: list }).default([]).describe(description);

const DATE_ERROR = 'must be a date as YYYY-MM-DD or an RFC 3339 date-time such as 2026-01-31T00:00:00Z';

/** A date setting: a string in the settings (and in --about), a UTC DateTime once parsed (here, once). */
const dateSetting = (description: string) =>
  z
    .string({ error: DATE_ERROR })
    .describe(description)
    .meta({ format: 'date-time' })
    .transform((v, ctx) => {
      const dt = parseDateSetting(v);
      if (dt === null) ctx.issues.push({ code: 'custom', message: DATE_ERROR, input: v });
      return dt ?? z.NEVER;
    });

const secret = (description: string) =>
  z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).describe(description).meta({ sensitive: true });

export const configSchema = z
  .object({
    api_key: secret("The Amplitude project's API key (Settings > Projects > your project). Required to sync.").optional(),
    secret_key: secret("The Amplitude project's secret key. Required to sync.").optional(),
    start_date: dateSetting(
      'Earliest data to extract, as YYYY-MM-DD or RFC 3339 (UTC). Required to sync. Used only when a stream has no bookmark yet.',
    ).optional(),
    end_date: dateSetting('Optional end of the data to extract (exclusive), as YYYY-MM-DD or RFC 3339 (UTC). Default: up to now.').optional(),
    data_region: z
      .enum(['standard', 'eu'], { error: 'must be "standard" (amplitude.com) or "eu" (analytics.eu.amplitude.com)' })
      .default('standard')
      .describe('Where the project lives: "standard" (US, amplitude.com) or "eu" (EU residency, analytics.eu.amplitude.com).'),
    api_url: z
      .string({ error: 'must be an http(s) URL such as https://amplitude.com' })
      .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), { error: 'must be an http(s) URL such as https://amplitude.com' })
      .optional()
      .describe('Overrides the region host (for a proxy or a simulator); API paths such as /api/2/export are appended.'),
    chart_ids: z
      .array(
        z
          .string({ error: 'each entry must be a string' })
          .refine((v) => !isUnsavedChartUrl(v), {
            error: 'is the URL of an unsaved chart (/chart/new/...): save the chart in Amplitude first, then copy its URL or the ID after /chart/',
            abort: true,
          })
          .refine((v) => chartIdFrom(v) !== null, {
            error: 'each entry must be a chart ID (lowercase letters and digits) or a chart URL such as https://app.amplitude.com/analytics/acme/chart/abc123xy',
          }),
        { error: 'must be a list of chart IDs or chart URLs' },
      )
      .default([])
      .describe('Saved charts to extract, one chart_<id> stream each: chart IDs or chart URLs (the ID follows /chart/ in the URL).'),
    cohort_ids: textList('a non-empty cohort ID such as "9apg8e8f"', 'must be a list of cohort IDs, or "all"', 'Cohorts whose members the cohort_members stream downloads: a list of cohort IDs, or "all" (every computed cohort). Empty (default): none. Each download spends one of the 500 monthly cohort downloads Amplitude allows.'),
    cohort_member_properties: textList('a non-empty user property name', 'must be a list of user property names', "User properties to include with each cohort member (in the record's properties object). Empty (default): only amplitude_id and user_id."),
    cohort_download_budget: intIn(0, 500, 50, 'Most cohort downloads requested per calendar month (UTC), counted in the cohort_members bookmark; Amplitude allows 500 a month per project.'),
    user_agent: z
      .string({ error: 'must be a string' })
      .default(`tap-amplitude/${TAP_VERSION}`)
      .describe('The User-Agent header sent to Amplitude.'),
    events_window_hours: intIn(1, 8760, 24, 'Hours of uploads per Export API request for the events stream (a STATE is written after each window).'),
    events_lag_hours: intIn(0, 720, 2, 'Hours an upload hour must be over before it is exported: Amplitude makes an hour exportable about 2 hours after it ends.'),
    active_users_group_by_country: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .describe('Group active_users counts by country (needs the country property in the project, else Amplitude answers 400).'),
    max_concurrency: intIn(1, 5, 5, 'Most requests in flight at once; Amplitude allows 5 concurrent requests per project.'),
    max_temp_disk_mb: intIn(
      16,
      1_048_576,
      2048,
      'Most MB of export archives kept on disk while later windows download ahead; a download that would go over waits (the next window to write always proceeds).',
    ),
    request_timeout_seconds: intIn(1, 3600, 300, 'Seconds without a byte from Amplitude (or from S3, for the bucket export) before a request is abandoned and retried (an idle timeout, not a total deadline).'),
    emit_activate_version_messages: z
      .boolean({ error: 'must be true or false' })
      .default(true)
      .describe(
        'Tag the records of full-table streams (annotations, cohorts, events_list, charts) with a table version and send ACTIVATE_VERSION once a stream was read completely, so targets that support it drop rows that are gone (the Meltano SDK setting of the same name).',
      ),
    ...bucketSettings,
  })
  .strict();

/** The validated configuration: dates as UTC DateTimes, chart_ids as unique chart IDs. */
export type Config = z.output<typeof configSchema>;

/** Settings a sync and --test need; discovery needs none of them. */
export const REQUIRED_TO_SYNC = ['api_key', 'secret_key', 'start_date'] as const;
const SENSITIVE = new Set(['api_key', 'secret_key', ...BUCKET_SECRETS]);

/** The settings as JSON Schema, for --about (the credentials marked required, as a sync needs them). */
export function settingsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return { ...schema, required: [...REQUIRED_TO_SYNC] };
}

/**
 * The offending value at `path` (a list entry too), shown unless it belongs to a secret or holds
 * one (a key pasted into the wrong setting).
 */
function describeValue(path: readonly PropertyKey[], input: Record<string, unknown>): string {
  if (path.length === 0 || SENSITIVE.has(String(path[0]))) return '';
  let value: unknown = input;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || !(step in value)) return '';
    value = (value as Record<PropertyKey, unknown>)[step];
  }
  const text = JSON.stringify(value);
  if (text === undefined) return '';
  // Compared in JSON form: that is how a secret appears inside `text`.
  const secrets = [...SENSITIVE].map((k) => input[k]).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (secrets.some((s) => text.includes(JSON.stringify(s).slice(1, -1)))) return '';
  const shown = hideUserinfo(text);
  return ` (got ${shown.length > 60 ? shown.slice(0, 57) + '...' : shown})`;
}

/** Validates merged raw settings; every problem becomes one line naming the setting. */
export function validateConfig(raw: Record<string, unknown>): { config: Config; warnings: string[] } {
  const warnings: string[] = [];
  const { settings: input, notice, renamed } = fromAirbyteConfig(raw);
  if (notice) warnings.push(notice);
  const known = new Set(Object.keys(configSchema.shape));
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!known.has(k)) warnings.push(`config: ignoring unknown setting "${k}"`);
    else if (v !== null) clean[k] = v; // null means "not set" (Meltano writes unset settings as null)
  }
  // "all" is also accepted as a plain string (the natural way to write it in JSON and env).
  if (clean.cohort_ids === 'all') clean.cohort_ids = ['all'];
  const result = configSchema.safeParse(clean);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      let where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace('.[', '[');
      const from = renamed[String(issue.path[0])];
      if (from) where = `${from} (Airbyte's name of ${where})`;
      return `config: ${where}: ${issue.message}${describeValue(issue.path, clean)}`;
    });
    throw new BadInput(problems);
  }
  const parsed = result.data;
  const { start_date: start, end_date: end } = parsed;
  if (start && end && end <= start) {
    throw new BadInput([`config: end_date: must be after start_date (got start_date ${String(clean.start_date)}, end_date ${String(clean.end_date)})`]);
  }
  checkBucketSettings(parsed);
  const ids: string[] = [];
  parsed.chart_ids.forEach((ref, i) => {
    // The region decides the host only when api_url is not set.
    const euHost = parsed.data_region === 'standard' && parsed.api_url === undefined ? euChartUrlHost(ref) : null;
    if (euHost !== null) {
      warnings.push(`config: chart_ids[${i}]: the chart URL is on Amplitude's EU host (${euHost}) but data_region is "standard"; set data_region to "eu", or Amplitude will refuse the keys (403)`);
    }
    const id = chartIdFrom(ref) as string;
    if (ids.includes(id)) warnings.push(`config: chart_ids lists chart ${id} twice; it is extracted once`);
    else ids.push(id);
  });
  return { config: { ...parsed, chart_ids: ids }, warnings };
}

/** Exit 2 unless the settings a sync needs are present. */
export function requireSyncSettings(config: Config): void {
  requireSettings(config, REQUIRED_TO_SYNC);
}

/** Exit 2 unless these settings are present (`--test=connection` needs only the credentials). */
export function requireSettings(config: Config, keys: readonly (typeof REQUIRED_TO_SYNC)[number][]): void {
  const missing = keys.filter((k) => config[k] === undefined);
  if (missing.length > 0) {
    throw new BadInput(missing.map((k) => `config: ${k}: is required to sync; set it in the config file or TAP_AMPLITUDE_${k.toUpperCase()}`));
  }
}

const ENV_PREFIX = 'TAP_AMPLITUDE_';

/** Settings from TAP_AMPLITUDE_<SETTING> variables, typed by the schema (integers, booleans, lists). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const props = (settingsJsonSchema().properties ?? {}) as Record<string, { type?: string }>;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(props)) {
    const raw = env[ENV_PREFIX + key.toUpperCase()];
    if (raw === undefined || raw === '') continue;
    out[key] = castEnv(raw, prop.type);
  }
  return out;
}

function castEnv(raw: string, type: string | undefined): unknown {
  const v = raw.trim();
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(v) ? Number(v) : v;
    case 'boolean':
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      return v;
    case 'array':
      if (v.startsWith('[')) {
        try {
          return JSON.parse(v);
        } catch {
          return v;
        }
      }
      return v.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** Reads one config file: a JSON object, else exit 2 with the reason. */
export function readConfigFile(file: string): Record<string, unknown> {
  const text = readInputFile('config', file, '; pass an existing JSON file to --config');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BadInput([`config file ${file} is not valid JSON: ${jsonSyntaxProblem(err, text)}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BadInput([`config file ${file} must hold a JSON object of settings, e.g. {"api_key": "...", "start_date": "2026-01-01"}`]);
  }
  return data as Record<string, unknown>;
}

/** `--config` sources in order (a path, or ENV for the environment); later ones win. */
export function loadConfig(sources: string[], env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const merged: Record<string, unknown> = {};
  for (const source of sources) Object.assign(merged, source === 'ENV' ? settingsFromEnv(env) : readConfigFile(source));
  return validateConfig(merged);
}

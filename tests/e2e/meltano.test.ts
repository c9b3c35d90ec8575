// Meltano (MEL-1..MEL-6): meltano.yml at the repository root validates against Meltano's own schema,
// declares exactly the settings and capabilities the built CLI reports, and the CLI survives the
// sequence of calls Meltano makes (discovery, optionally with --state, then a sync of a catalog to
// which Meltano's select and metadata rules were applied). Meltano itself is a Python program that
// cannot be installed here; its behaviour is reproduced from its documentation and source.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { lastState, parseMessages, runCli, tempDir, writeJson, type CliResult, type SingerMessage } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { packageVersion, requireBuild } from './support/e2e.js';

interface Setting {
  name: string;
  kind?: string;
  sensitive?: boolean;
  value?: unknown;
  options?: Array<{ label: string; value: unknown }>;
}
interface Extractor {
  name: string;
  namespace?: string;
  executable?: string;
  pip_url?: string;
  capabilities?: string[];
  settings?: Setting[];
  settings_group_validation?: string[][];
  select?: string[];
  metadata?: Record<string, Record<string, unknown>>;
}
interface Project {
  environments?: Array<{ name: string; config?: { plugins?: { extractors?: Array<{ name: string; config?: Record<string, unknown> }> } } }>;
  plugins: { extractors: Extractor[]; loaders: Array<Record<string, unknown>> };
}
interface AboutProp {
  type?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  sensitive?: boolean;
}
interface About {
  capabilities: string[];
  settings: { properties: Record<string, AboutProp>; required: string[] };
}
interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}
interface CatalogStream {
  tap_stream_id: string;
  schema: { properties: Record<string, unknown> };
  metadata: MetadataEntry[];
  [key: string]: unknown;
}
interface Catalog {
  streams: CatalogStream[];
}

const meltanoSchemaFile = path.join(repoRoot, 'tests', 'fixtures', 'meltano', 'meltano.schema.json');
const project = parse(readFileSync(path.join(repoRoot, 'meltano.yml'), 'utf8')) as Project;
const tap = project.plugins.extractors.find((e) => e.name === 'tap-amplitude') as Extractor;
/** The plugin definition `meltano add --from-ref` reads (Meltano Hub's extractor format). */
const definitionFile = path.join(repoRoot, 'meltano', 'tap-amplitude.yml');
const definition = parse(readFileSync(definitionFile, 'utf8')) as Extractor & { variant?: string; label?: string; settings?: Array<Setting & { description?: string }> };
const CHARTS = ['gl9dulhv', 'ts7d0a1b', 'gb2c3d4e', 'fn5f6a7b', 'mt8c9d0e'];
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

let validate: ValidateFunction;
let about: About;

beforeAll(async () => {
  requireBuild();
  const schema = JSON.parse(readFileSync(meltanoSchemaFile, 'utf8')) as object;
  // Meltano's schema is not written for Ajv's strict mode (it leaves out `type` beside
  // unevaluatedProperties); validation itself is the same either way.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  validate = ajv.compile(schema);
  const r = await runCli(['--about', '--format', 'json']);
  expect([r.code, r.stderr]).toEqual([0, '']);
  about = JSON.parse(r.stdout) as About;
});

const errorsOf = (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));

describe('MEL-6 meltano.yml validates against Meltano\'s schema', () => {
  it('has no error', () => {
    expect(errorsOf(project)).toEqual([]);
  });

  it('rejects a key Meltano does not know, capability "sync" and a setting key Meltano does not know', () => {
    const bogusKey = structuredClone(project);
    (bogusKey.plugins.extractors[0] as unknown as Record<string, unknown>).stream_maps_config = {};
    expect(errorsOf(bogusKey)).toContain('/plugins/extractors/0 must NOT have unevaluated properties');

    const sync = structuredClone(project);
    sync.plugins.extractors[0]!.capabilities!.push('sync');
    expect(errorsOf(sync)).toContain(`/plugins/extractors/0/capabilities/${tap.capabilities!.length} must be equal to one of the allowed values`);

    const secretSetting = structuredClone(project);
    (secretSetting.plugins.extractors[0]!.settings![0] as unknown as Record<string, unknown>).secret = true;
    expect(errorsOf(secretSetting)).toContain('/plugins/extractors/0/settings/0 must NOT have additional properties');
  });
});

describe('MEL-1..MEL-3 the extractor definition matches the built CLI', () => {
  it('is a custom extractor without pip_url, namespaced, run from ./dist/cli.js', () => {
    expect([tap.namespace, tap.pip_url, tap.executable]).toEqual(['tap_amplitude', undefined, './dist/cli.js']);
  });

  it('names an executable Meltano can run directly (shebang and execute bit)', () => {
    const exe = path.resolve(repoRoot, tap.executable!);
    expect(readFileSync(exe, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(() => accessSync(exe, constants.X_OK)).not.toThrow();
    const r = spawnSync(exe, ['--version'], { cwd: repoRoot, encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `tap-amplitude v${packageVersion}\n`, '']);
  });

  it('declares the capabilities --about reports, all from Meltano\'s list', () => {
    expect(tap.capabilities).toEqual(about.capabilities);
    expect(tap.capabilities).toEqual(['catalog', 'discover', 'state', 'about', 'test', 'activate-version']);
  });

  it('declares exactly the settings of --about, secret exactly where --about says sensitive', () => {
    const settings = tap.settings ?? [];
    expect(settings.map((s) => s.name).sort()).toEqual(Object.keys(about.settings.properties).sort());
    expect(settings.filter((s) => s.sensitive === true).map((s) => s.name).sort()).toEqual(
      Object.entries(about.settings.properties).filter(([, p]) => p.sensitive === true).map(([n]) => n).sort(),
    );
    expect(settings.filter((s) => s.sensitive === true).map((s) => s.name).sort()).toEqual(['api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'secret_key']);
  });

  it('gives each setting the Meltano kind that fits its JSON Schema type', () => {
    const kindFor = (p: AboutProp): string =>
      p.format === 'date-time' ? 'date_iso8601' : p.enum ? 'options' : (p.type as string);
    for (const s of tap.settings ?? []) {
      const prop = about.settings.properties[s.name] as AboutProp;
      expect([s.name, s.kind]).toEqual([s.name, kindFor(prop)]);
      if (prop.enum) expect([s.name, s.options?.map((o) => o.value)]).toEqual([s.name, prop.enum]);
      // A default written in meltano.yml is the tap's own default.
      if (s.value !== undefined) expect([s.name, s.value]).toEqual([s.name, prop.default]);
    }
    expect(Object.fromEntries((tap.settings ?? []).map((s) => [s.name, s.kind]))).toMatchObject({
      start_date: 'date_iso8601',
      end_date: 'date_iso8601',
      data_region: 'options',
      chart_ids: 'array',
      events_window_hours: 'integer',
      active_users_group_by_country: 'boolean',
    });
  });

  it('requires together what a sync requires, selects everything and keeps events incremental', () => {
    expect(tap.settings_group_validation).toEqual([about.settings.required]);
    expect(tap.settings_group_validation).toEqual([['api_key', 'secret_key', 'start_date']]);
    expect(tap.select).toEqual(['*.*']);
    expect(tap.metadata).toEqual({
      events: { 'replication-method': 'INCREMENTAL', 'replication-key': 'server_upload_time' },
      merged_ids: { 'replication-method': 'INCREMENTAL', 'replication-key': 'merge_server_time' },
    });
  });

  it('loads into target-jsonl (the Hub default variant)', () => {
    expect(project.plugins.loaders.map((l) => [l.name, l.variant, l.pip_url])).toEqual([['target-jsonl', 'andyh1203', 'target-jsonl']]);
  });
});

// Meltano's select and metadata rules, as its catalog executors apply them: a stream entry is
// selected when a pattern's stream part matches; a property entry when a whole pattern matches
// `stream.property` and no negated one does; metadata rules set the key in the stream's top-level
// metadata entry and, with `_` for `-`, on the stream object itself (legacy catalogs).
const glob = (pattern: string): RegExp => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function applyMeltanoRules(catalog: Catalog, select: string[], metadata: Record<string, Record<string, unknown>>): Catalog {
  const rules = select.map((raw) => {
    const negated = raw.startsWith('!');
    const [stream = '', prop = ''] = (negated ? raw.slice(1) : raw).split(/\.(.*)/s);
    return { negated, stream: glob(stream), prop: glob(prop) };
  });
  const out = structuredClone(catalog);
  for (const s of out.streams) {
    const id = s.tap_stream_id;
    for (const m of s.metadata) {
      if (m.breadcrumb.length === 0) {
        m.metadata.selected = rules.some((r) => !r.negated && r.stream.test(id)) && !rules.some((r) => r.negated && r.stream.test(id) && r.prop.source === '^.*$');
      } else {
        const prop = m.breadcrumb.filter((_, i) => i % 2 === 1).join('.');
        const hit = (negated: boolean): boolean => rules.some((r) => r.negated === negated && r.stream.test(id) && r.prop.test(prop));
        m.metadata.selected = hit(false) && !hit(true);
      }
    }
    for (const [pattern, values] of Object.entries(metadata)) {
      if (!glob(pattern).test(id)) continue;
      const top = s.metadata.find((m) => m.breadcrumb.length === 0) as MetadataEntry;
      for (const [key, value] of Object.entries(values)) {
        top.metadata[key] = value;
        s[key.replace(/-/g, '_')] = value;
      }
    }
  }
  return out;
}

describe('the plugin definition for `meltano add --from-ref` (meltano/tap-amplitude.yml)', () => {
  it('is an extractor definition Meltano\'s schema accepts, and rejects what it should', () => {
    // `--from-ref` adds the file's plugin to meltano.yml as it stands: it must validate there.
    const asProject = (extractor: unknown) => ({ version: 1, plugins: { extractors: [extractor] } });
    expect(errorsOf(asProject(definition))).toEqual([]);
    expect(errorsOf(asProject({ ...definition, capabilities: ['sync'] }))).toContain('/plugins/extractors/0/capabilities/0 must be equal to one of the allowed values');
    expect(errorsOf(asProject({ ...definition, pip_install: 'x' }))).toContain('/plugins/extractors/0 must NOT have unevaluated properties');
  });

  it('runs the installed command tap-amplitude, names itself like meltano.yml, and needs no pip_url', () => {
    expect([definition.name, definition.namespace, definition.executable, definition.pip_url]).toEqual(['tap-amplitude', 'tap_amplitude', 'tap-amplitude', undefined]);
    expect(definition.variant).toMatch(/^[a-z0-9-]+$/);
  });

  it('declares the capabilities and the settings of --about: names, kinds, secrets, defaults, descriptions', () => {
    expect(definition.capabilities).toEqual(about.capabilities);
    const settings = definition.settings ?? [];
    expect(settings.map((s) => s.name)).toEqual(Object.keys(about.settings.properties));
    for (const s of settings) {
      const prop = about.settings.properties[s.name] as AboutProp & { description?: string };
      const kind = prop.format === 'date-time' ? 'date_iso8601' : prop.enum ? 'options' : prop.type;
      expect([s.name, s.kind, s.sensitive === true, s.description]).toEqual([s.name, kind, prop.sensitive === true, prop.description]);
      if (prop.enum) expect([s.name, s.options?.map((o) => o.value)]).toEqual([s.name, prop.enum]);
      if (s.value !== undefined) expect([s.name, s.value]).toEqual([s.name, prop.default]);
    }
    expect(definition.settings_group_validation).toEqual([about.settings.required]);
  });

  it('matches the extractor of this repository\'s meltano.yml in everything but the executable', () => {
    const strip = (e: Extractor) => ({ capabilities: e.capabilities, settings: (e.settings ?? []).map(({ name, kind, sensitive, value, options }) => ({ name, kind, sensitive, value, options })) });
    expect(strip(definition)).toEqual(strip(tap));
  });
});

describe('discovery gives Meltano a metadata entry for every field', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    const r = await runCli(['--config', writeJson(tempDir(), 'config.json', { chart_ids: CHARTS }), '--discover']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    catalog = JSON.parse(r.stdout) as Catalog;
  });

  it('has exactly one ["properties", name] entry per top-level property of every stream', () => {
    expect(catalog.streams.length).toBe(14 + CHARTS.length);
    for (const s of catalog.streams) {
      const entries = s.metadata.filter((m) => m.breadcrumb.length > 0).map((m) => m.breadcrumb);
      expect([s.tap_stream_id, entries]).toEqual([s.tap_stream_id, Object.keys(s.schema.properties).map((name) => ['properties', name])]);
    }
  });

  it('covers fields whose names are not word characters, such as $insert_id', () => {
    const events = catalog.streams.find((s) => s.tap_stream_id === 'events') as CatalogStream;
    const entries = events.metadata.filter((m) => m.breadcrumb[1] === '$insert_id');
    expect(entries.map((m) => [m.breadcrumb, m.metadata.inclusion])).toEqual([[['properties', '$insert_id'], 'available']]);
  });

  it('is selected everywhere by select "*.*" and deselected by "!events.$insert_id" (checks the rule helper)', () => {
    const all = applyMeltanoRules(catalog, ['*.*'], {});
    expect(all.streams.flatMap((s) => s.metadata.map((m) => m.metadata.selected)).every((v) => v === true)).toBe(true);
    const events = applyMeltanoRules(catalog, ['events.*', '!events.$insert_id'], {}).streams;
    const flags = (id: string): Record<string, unknown> =>
      Object.fromEntries((events.find((s) => s.tap_stream_id === id) as CatalogStream).metadata.map((m) => [m.breadcrumb.join('.'), m.metadata.selected]));
    expect(flags('events')).toMatchObject({ '': true, 'properties.$insert_id': false, 'properties.uuid': true });
    expect(Object.values(flags('cohorts')).every((v) => v === false)).toBe(true);
  });
});

describe('MEL-4 Meltano\'s invocation sequence against the simulator', () => {
  let sim: Simulator;
  let dir: string;
  let cfg: string;
  let env: NodeJS.ProcessEnv;
  const runs: Record<string, CliResult> = {};
  let firstSync: SingerMessage[];

  beforeAll(async () => {
    const now = Date.now();
    sim = await createSimulator({ dataStart: new Date(Math.floor(now / HOUR_MS) * HOUR_MS - DAY_MS).toISOString() });
    dir = tempDir();
    // What Meltano resolves: every setting, its default from meltano.yml, the environment's config,
    // the user's `meltano config set` (start_date) — and null for anything unset.
    const simulatorEnv = project.environments?.find((e) => e.name === 'simulator')?.config?.plugins?.extractors?.find((e) => e.name === 'tap-amplitude')?.config ?? {};
    const config: Record<string, unknown> = {
      ...Object.fromEntries((tap.settings ?? []).map((s) => [s.name, s.value ?? null])),
      ...simulatorEnv,
      api_url: sim.url,
      start_date: new Date(now - DAY_MS).toISOString().slice(0, 10),
    };
    cfg = writeJson(dir, 'tap.config.json', config);
    // Meltano also exports every set value as TAP_AMPLITUDE_<SETTING>.
    env = Object.fromEntries(
      Object.entries(config)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [`TAP_AMPLITUDE_${k.toUpperCase()}`, typeof v === 'string' ? v : JSON.stringify(v)]),
    );

    runs.discover = await runCli(['--config', cfg, '--discover'], { env });
    const discovered = JSON.parse(runs.discover.stdout) as Catalog;
    const properties = writeJson(dir, 'tap.properties.json', applyMeltanoRules(discovered, tap.select ?? [], tap.metadata ?? {}));
    runs.sync = await runCli(['--config', cfg, '--catalog', properties], { env });
    firstSync = parseMessages(runs.sync.stdout);
    const state = writeJson(dir, 'state.json', lastState(firstSync));
    runs.discoverWithState = await runCli(['--config', cfg, '--state', state, '--discover'], { env });
    runs.syncWithState = await runCli(['--config', cfg, '--catalog', properties, '--state', state], { env });
    // A narrower project: Meltano marks everything else `selected: false`, key fields included.
    const narrow = writeJson(dir, 'narrow.properties.json', applyMeltanoRules(discovered, ['cohorts.*', 'events_list.display'], {}));
    runs.narrow = await runCli(['--config', cfg, '--catalog', narrow], { env });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('discovers with and without --state, identically', () => {
    expect([runs.discover!.code, runs.discover!.stderr]).toEqual([0, '']);
    expect([runs.discoverWithState!.code, runs.discoverWithState!.stderr]).toEqual([0, '']);
    expect(runs.discoverWithState!.stdout).toBe(runs.discover!.stdout);
  });

  it('syncs the rule-applied catalog, then resumes from the state the target would hand back', () => {
    expect([runs.sync!.code, runs.sync!.stderr.split('\n').filter((l) => /^(ERROR|CRITICAL)/.test(l))]).toEqual([0, []]);
    expect([runs.syncWithState!.code, runs.syncWithState!.stderr.split('\n').filter((l) => /^(ERROR|CRITICAL)/.test(l))]).toEqual([0, []]);
    const streams = new Set(firstSync.filter((m) => m.type === 'SCHEMA').map((m) => m.stream));
    expect([...streams]).toEqual(['events', 'active_users', 'average_session_length', 'annotations', 'annotation_categories', 'cohorts', 'cohort_members', 'events_list', 'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties', 'chart_gl9dulhv', 'chart_ts7d0a1b', 'charts_metadata']);
    expect(lastState(firstSync)).toMatchObject({ bookmarks: { events: expect.anything() } });
  });

  it('syncs only what narrower select rules keep, and always the key field', () => {
    expect(runs.narrow!.code).toBe(0);
    const messages = parseMessages(runs.narrow!.stdout);
    expect([...new Set(messages.filter((m) => m.type === 'SCHEMA').map((m) => m.stream))]).toEqual(['cohorts', 'events_list']);
    const eventTypes = messages.filter((m) => m.type === 'RECORD' && m.stream === 'events_list');
    expect(eventTypes.length).toBeGreaterThan(0);
    for (const m of eventTypes) expect(Object.keys(m.record ?? {}).sort()).toEqual(['display', 'value']);
  });

  it('keeps every field Meltano selected, $insert_id included', () => {
    const events = firstSync.filter((m) => m.type === 'RECORD' && m.stream === 'events');
    expect(events.length).toBeGreaterThan(0);
    for (const m of events) expect(Object.keys(m.record ?? {})).toContain('$insert_id');
  });
});

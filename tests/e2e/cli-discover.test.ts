// Discovery through the built CLI: one JSON catalog document on stdout (CLI-4, OUT-1, OUT-4), its
// shape and metadata (CAT-1..CAT-7) and its schemas (SCH-3..SCH-10), checked on the real output.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { rmSync } from 'node:fs';
import { runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { closedPort, requireBuild } from './support/e2e.js';

interface Prop {
  type?: string | string[];
  format?: string;
  properties?: Record<string, Prop>;
  items?: Prop;
  additionalProperties?: boolean | Prop;
}
interface Entry {
  tap_stream_id: string;
  stream: string;
  key_properties: string[];
  replication_method: string;
  replication_key?: string;
  schema: Prop & { type: string | string[]; properties: Record<string, Prop> };
  metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
}

const CHARTS = ['abc123xy', 'https://app.amplitude.com/analytics/acme/chart/def456'];
const STREAMS = ['events', 'active_users', 'average_session_length', 'annotations', 'annotation_categories', 'cohorts', 'cohort_members', 'events_list', 'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties', 'chart_abc123xy', 'chart_def456', 'charts_metadata'];
const INCREMENTAL: Record<string, string> = { events: 'server_upload_time', active_users: 'date', average_session_length: 'date' };
// Incremental per cohort, with the bookmark kept per cohort rather than on a replication key.
const PER_COHORT = new Set(['cohort_members']);
const methodOf = (stream: string): string => (INCREMENTAL[stream] || PER_COHORT.has(stream) ? 'INCREMENTAL' : 'FULL_TABLE');

let dir: string;
let run: CliResult;
let streams: Entry[];
const byName = (name: string): Entry => {
  const s = streams.find((e) => e.tap_stream_id === name);
  if (!s) throw new Error(`no stream ${name}`);
  return s;
};
const types = (p: Prop | undefined): string[] => (p?.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type]);

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  run = await runCli(['--config', writeJson(dir, 'config.json', { start_date: '2026-01-01', chart_ids: CHARTS }), '--discover']);
  streams = (JSON.parse(run.stdout) as { streams: Entry[] }).streams;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI-4, OUT-1, OUT-4: one JSON document on stdout', () => {
  it('exits 0 with nothing on stderr', () => {
    expect([run.code, run.signal, run.stderr]).toEqual([0, null, '']);
  });

  it('is exactly one JSON object, UTF-8 without BOM, \\n line ends, ending in a newline', () => {
    expect(run.stdout[0]).toBe('{');
    expect(run.stdout.endsWith('}\n')).toBe(true);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).not.toContain('\uFFFD'); // what an invalid UTF-8 byte decodes to
    expect(Object.keys(JSON.parse(run.stdout) as object)).toEqual(['streams']);
  });
});

describe('CAT-1..CAT-4 catalog shape and metadata', () => {
  it('lists every stream once, in a fixed order, with tap_stream_id = stream (CAT-1)', () => {
    expect(streams.map((s) => s.tap_stream_id)).toEqual(STREAMS);
    for (const s of streams) {
      expect(s.stream).toBe(s.tap_stream_id);
      expect(Array.isArray(s.metadata)).toBe(true);
      expect(typeof s.schema).toBe('object');
      expect([s.stream, s.replication_method, s.replication_key]).toEqual([s.stream, methodOf(s.stream), INCREMENTAL[s.stream]]);
    }
  });

  it('has a stream-level entry with the standard metadata (CAT-2, CAT-3)', () => {
    for (const s of streams) {
      const top = s.metadata.filter((m) => m.breadcrumb.length === 0);
      expect(top.length).toBe(1);
      const rk = INCREMENTAL[s.stream];
      expect([s.stream, top[0]?.metadata]).toEqual([
        s.stream,
        {
          inclusion: 'available',
          'selected-by-default': true,
          'table-key-properties': s.key_properties,
          'forced-replication-method': methodOf(s.stream),
          ...(rk ? { 'valid-replication-keys': [rk] } : {}),
        },
      ]);
    }
  });

  it('has one entry per top-level property, $-names included: automatic for keys, available otherwise (CAT-4)', () => {
    for (const s of streams) {
      const props = Object.keys(s.schema.properties);
      const fields = s.metadata.filter((m) => m.breadcrumb.length > 0);
      expect(fields.map((m) => m.breadcrumb)).toEqual(props.map((p) => ['properties', p]));
      const fixed = new Set([...s.key_properties, ...(s.replication_key ? [s.replication_key] : [])]);
      for (const m of fields) {
        const prop = m.breadcrumb[1] as string;
        expect([s.stream, prop, m.metadata]).toEqual([s.stream, prop, { inclusion: fixed.has(prop) ? 'automatic' : 'available', 'selected-by-default': true }]);
      }
    }
    const events = byName('events').metadata.map((m) => m.breadcrumb[1]);
    expect(events).toEqual(expect.arrayContaining(['$insert_id', '$insert_key', '$schema', 'uuid', 'server_upload_time']));
  });

  it('is byte-identical on a second run (CAT-5)', async () => {
    const again = await runCli(['--config', writeJson(dir, 'config2.json', { chart_ids: CHARTS, start_date: '2026-01-01' }), '--discover']);
    expect(again.code).toBe(0);
    expect(again.stdout === run.stdout).toBe(true);
  });

  it('needs no network and no credentials: api_url on a closed port changes nothing (CAT-7)', async () => {
    const port = await closedPort();
    const config = writeJson(dir, 'offline.json', { chart_ids: CHARTS, api_url: `http://127.0.0.1:${port}`, data_region: 'eu' });
    const offline = await runCli(['--config', config, '--discover']);
    expect([offline.code, offline.stderr]).toEqual([0, '']);
    expect(offline.stdout === run.stdout).toBe(true);
  });
});

describe('CAT-6 every schema is a valid JSON Schema', () => {
  it('passes the Draft 7 and Draft 2020-12 meta-schemas and compiles in strict mode', () => {
    for (const AjvClass of [Ajv, Ajv2020]) {
      const ajv = new AjvClass({ strict: true, allowUnionTypes: true, allErrors: true });
      addFormats.default(ajv);
      for (const s of streams) {
        const valid = ajv.validateSchema(s.schema);
        expect([s.stream, valid, ajv.errors ?? null]).toEqual([s.stream, true, null]);
        expect(() => ajv.compile(s.schema)).not.toThrow();
      }
    }
  });
});

describe('SCH-3..SCH-10 on the discovered schemas', () => {
  it('keys and replication keys are non-empty and top-level properties (SCH-3, SCH-4)', () => {
    for (const s of streams) {
      expect([s.stream, s.key_properties.length > 0]).toEqual([s.stream, true]);
      for (const k of [...s.key_properties, ...(s.replication_key ? [s.replication_key] : [])]) {
        expect([s.stream, k, k in s.schema.properties]).toEqual([s.stream, k, true]);
      }
    }
    expect(byName('chart_def456').key_properties).toEqual(expect.arrayContaining(['chart_id', 'dimension_name', 'dimension_value', 'segment']));
  });

  it('is an object with properties, every property (nested too) declares a type, no $ref (SCH-5, SCH-6, SCH-7)', () => {
    const untyped: string[] = [];
    const walk = (p: Prop, where: string): void => {
      for (const [name, child] of Object.entries(p.properties ?? {})) {
        if (child.type === undefined) untyped.push(`${where}.${name}`);
        walk(child, `${where}.${name}`);
      }
      if (p.items) walk(p.items, `${where}[]`);
      if (typeof p.additionalProperties === 'object') walk(p.additionalProperties, `${where}{}`);
    };
    for (const s of streams) {
      expect([s.stream, types(s.schema)]).toEqual([s.stream, ['object']]);
      expect(typeof s.schema.properties).toBe('object');
      walk(s.schema, s.stream);
      expect(JSON.stringify(s.schema)).not.toContain('"$ref"');
    }
    expect(untyped).toEqual([]);
  });

  it('types timestamps, integers, numbers and bags as targets expect (SCH-8, SCH-9)', () => {
    const events = byName('events').schema.properties;
    for (const t of ['client_event_time', 'client_upload_time', 'event_time', 'processed_time', 'server_received_time', 'server_upload_time', 'user_creation_time']) {
      expect([t, events[t]]).toEqual([t, { type: ['null', 'string'], format: 'date-time' }]);
    }
    for (const i of ['amplitude_id', 'event_id', 'session_id', 'app']) expect([i, types(events[i]).sort()]).toEqual([i, ['integer', 'null']]);
    for (const n of ['location_lat', 'location_lng']) expect([n, types(events[n]).sort()]).toEqual([n, ['null', 'number']]);
    for (const o of ['event_properties', 'user_properties', 'group_properties', 'groups', 'data', 'plan', 'global_user_properties']) {
      expect([o, types(events[o]).sort()]).toEqual([o, ['null', 'object']]);
    }
    const cohorts = byName('cohorts').schema.properties;
    expect(types(cohorts.id)).toEqual(['string']);
    expect(types(cohorts.definition).sort()).toEqual(['null', 'object']);
    for (const t of ['lastMod', 'createdAt', 'lastComputed']) {
      const p = cohorts[t];
      expect([t, types(p).includes('integer') || (types(p).includes('string') && p?.format === 'date-time')]).toEqual([t, true]);
    }
    expect(types(byName('chart_abc123xy').schema.properties.value)).toEqual(['null', 'number']);
    // Every date-time is a string (possibly null), never a bare format.
    for (const s of streams) {
      for (const [name, p] of Object.entries(s.schema.properties)) {
        if (p.format === 'date-time') expect([s.stream, name, types(p).includes('string')]).toEqual([s.stream, name, true]);
      }
    }
  });

  it('names streams in snake_case and has no two properties differing only in case (SCH-10)', () => {
    for (const s of streams) {
      expect(s.stream).toMatch(/^[a-z0-9_]+$/);
      const lower = Object.keys(s.schema.properties).map((p) => p.toLowerCase());
      expect([s.stream, new Set(lower).size]).toEqual([s.stream, lower.length]);
    }
  });
});

// The catalog: what discovery describes (CAT-1..CAT-4, SCH-3/4) and how an input catalog selects
// streams, fields, replication and keys (SEL-1..SEL-8), from Singer, Meltano and legacy catalogs.
import { describe, expect, it } from '@jest/globals';
import { buildCatalog, catalogEntry, selectAll, selectFromCatalog, type StreamDescriptor } from '../../src/singer/catalog.js';
import { isChartStreamName, streamsFor } from '../../src/streams/registry.js';

const str = { type: ['null', 'string'] };
const alpha: StreamDescriptor = {
  name: 'alpha',
  schema: {
    type: 'object',
    properties: { id: { type: 'string' }, updated_at: { type: 'string', format: 'date-time' }, name: str, email: str, $insert_id: str },
  },
  keyProperties: ['id'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'updated_at',
};
const beta: StreamDescriptor = {
  name: 'beta',
  schema: { type: 'object', properties: { id: { type: 'integer' }, label: str, extra: str } },
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
};
const chart: StreamDescriptor = { ...beta, name: 'chart_abc123' };
const STREAMS = [alpha, beta, chart];
const ALPHA_FIELDS = ['id', 'updated_at', 'name', 'email', '$insert_id'];

const stream = (name: string, selected: unknown, metadata: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  tap_stream_id: name,
  stream: name,
  schema: {},
  metadata: [{ breadcrumb: [], metadata: { selected } }, ...metadata],
  ...extra,
});
const field = (name: string, metadata: Record<string, unknown>) => ({ breadcrumb: ['properties', name], metadata });
const select = (input: unknown, isRemovable?: (name: string) => boolean) => selectFromCatalog(input, STREAMS, isRemovable);

describe('discovery catalog entries', () => {
  it('describes an incremental stream with standard metadata and one entry per property', () => {
    expect(catalogEntry(alpha)).toEqual({
      tap_stream_id: 'alpha',
      stream: 'alpha',
      key_properties: ['id'],
      replication_method: 'INCREMENTAL',
      replication_key: 'updated_at',
      schema: alpha.schema,
      metadata: [
        {
          breadcrumb: [],
          metadata: {
            inclusion: 'available',
            'selected-by-default': true,
            'table-key-properties': ['id'],
            'forced-replication-method': 'INCREMENTAL',
            'valid-replication-keys': ['updated_at'],
          },
        },
        { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic', 'selected-by-default': true } },
        { breadcrumb: ['properties', 'updated_at'], metadata: { inclusion: 'automatic', 'selected-by-default': true } },
        { breadcrumb: ['properties', 'name'], metadata: { inclusion: 'available', 'selected-by-default': true } },
        { breadcrumb: ['properties', 'email'], metadata: { inclusion: 'available', 'selected-by-default': true } },
        { breadcrumb: ['properties', '$insert_id'], metadata: { inclusion: 'available', 'selected-by-default': true } },
      ],
    });
  });

  it('gives a full-table stream no replication key', () => {
    const entry = catalogEntry(beta);
    expect(entry.replication_method).toBe('FULL_TABLE');
    expect('replication_key' in entry).toBe(false);
    expect(entry.metadata[0]).toEqual({
      breadcrumb: [],
      metadata: { inclusion: 'available', 'selected-by-default': true, 'table-key-properties': ['id'], 'forced-replication-method': 'FULL_TABLE' },
    });
  });
});

describe("the tap's streams in the catalog", () => {
  const catalog = buildCatalog(streamsFor({ chart_ids: ['abc123', 'def456'] }));
  const byName = new Map(catalog.streams.map((s) => [s.tap_stream_id, s]));

  it('lists the fixed streams, one chart_<id> per chart and charts_metadata, in a fixed order (CAT-1, CAT-5)', () => {
    expect(catalog.streams.map((s) => s.tap_stream_id)).toEqual([
      'events',
      'active_users',
      'average_session_length',
      'annotations',
      'annotation_categories',
      'cohorts',
      'cohort_members',
      'events_list',
      'event_types',
      'event_categories',
      'event_properties',
      'user_properties',
      'group_properties',
      'chart_abc123',
      'chart_def456',
      'charts_metadata',
    ]);
    for (const s of catalog.streams) expect(s.stream).toBe(s.tap_stream_id);
  });

  it('has no chart streams and no charts_metadata without charts', () => {
    expect(buildCatalog(streamsFor({ chart_ids: [] })).streams.map((s) => s.tap_stream_id)).toEqual([
      'events',
      'active_users',
      'average_session_length',
      'annotations',
      'annotation_categories',
      'cohorts',
      'cohort_members',
      'events_list',
      'event_types',
      'event_categories',
      'event_properties',
      'user_properties',
      'group_properties',
    ]);
  });

  it('declares the keys and replication of the interface table (SCH-4, CAT-3)', () => {
    const expected: Record<string, [string[], string, string | undefined]> = {
      events: [['uuid'], 'INCREMENTAL', 'server_upload_time'],
      active_users: [['date'], 'INCREMENTAL', 'date'],
      average_session_length: [['date'], 'INCREMENTAL', 'date'],
      annotations: [['id'], 'FULL_TABLE', undefined],
      cohorts: [['id'], 'FULL_TABLE', undefined],
      events_list: [['value'], 'FULL_TABLE', undefined],
      annotation_categories: [['id'], 'FULL_TABLE', undefined],
      cohort_members: [['cohort_id', 'amplitude_id'], 'INCREMENTAL', undefined],
      event_types: [['event_type'], 'FULL_TABLE', undefined],
      event_categories: [['id'], 'FULL_TABLE', undefined],
      event_properties: [['event_type', 'event_property'], 'FULL_TABLE', undefined],
      user_properties: [['user_property'], 'FULL_TABLE', undefined],
      group_properties: [['group_type', 'group_property'], 'FULL_TABLE', undefined],
      charts_metadata: [['chart_id'], 'FULL_TABLE', undefined],
    };
    for (const [name, [keys, method, rk]] of Object.entries(expected)) {
      const s = byName.get(name);
      expect([name, s?.key_properties, s?.replication_method, s?.replication_key]).toEqual([name, keys, method, rk]);
      const md = s?.metadata.find((m) => m.breadcrumb.length === 0)?.metadata;
      expect([name, md?.['table-key-properties'], md?.['forced-replication-method'], md?.['valid-replication-keys']]).toEqual([
        name,
        keys,
        method,
        rk ? [rk] : undefined,
      ]);
    }
    expect(byName.get('chart_abc123')?.key_properties).toEqual(expect.arrayContaining(['chart_id', 'dimension_name', 'dimension_value', 'segment']));
  });

  it('has key and replication-key properties in the schema, marked automatic; all else available (SCH-3, CAT-4)', () => {
    for (const s of catalog.streams) {
      const props = Object.keys(s.schema.properties ?? {});
      const fixed = [...s.key_properties, ...(s.replication_key ? [s.replication_key] : [])];
      for (const k of fixed) expect([s.stream, k, props.includes(k)]).toEqual([s.stream, k, true]);
      const fieldEntries = s.metadata.filter((m) => m.breadcrumb.length === 2);
      expect(fieldEntries.map((m) => m.breadcrumb)).toEqual(props.map((p) => ['properties', p]));
      for (const m of fieldEntries) {
        const prop = m.breadcrumb[1] as string;
        expect([s.stream, prop, m.metadata.inclusion]).toEqual([s.stream, prop, fixed.includes(prop) ? 'automatic' : 'available']);
      }
    }
    const events = byName.get('events');
    const insertId = events?.metadata.find((m) => m.breadcrumb[1] === '$insert_id');
    expect(insertId?.metadata).toEqual({ inclusion: 'available', 'selected-by-default': true });
  });
});

describe('selectAll (no --catalog: every stream, every field)', () => {
  it('keeps the tap order, all fields and the defaults', () => {
    expect(selectAll([alpha, beta])).toEqual([
      { name: 'alpha', fields: ALPHA_FIELDS, keyProperties: ['id'], replicationMethod: 'INCREMENTAL', replicationKey: 'updated_at' },
      { name: 'beta', fields: ['id', 'label', 'extra'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' },
    ]);
  });
});

describe('SEL-1 stream selection', () => {
  it('syncs only selected streams, in the tap order, whatever the catalog order', () => {
    const result = select({ streams: [stream('beta', true), stream('alpha', true), stream('chart_abc123', false)] });
    expect(result.problems).toEqual([]);
    expect(result.streams.map((s) => s.name)).toEqual(['alpha', 'beta']);
  });

  it('does not sync streams absent from the catalog', () => {
    expect(select({ streams: [stream('beta', true)] }).streams.map((s) => s.name)).toEqual(['beta']);
    expect(select({ streams: [] }).streams).toEqual([]);
  });

  it('falls back to selected-by-default, then to not selected', () => {
    const byDefault = (value: unknown) => ({ tap_stream_id: 'beta', metadata: [{ breadcrumb: [], metadata: { 'selected-by-default': value } }] });
    expect(select({ streams: [byDefault(true)] }).streams.map((s) => s.name)).toEqual(['beta']);
    expect(select({ streams: [byDefault(false)] }).streams).toEqual([]);
    expect(select({ streams: [{ tap_stream_id: 'beta' }] }).streams).toEqual([]);
  });

  it('accepts "true"/"false" strings and the stream name in "stream" alone', () => {
    expect(select({ streams: [stream('alpha', 'true'), stream('beta', 'false')] }).streams.map((s) => s.name)).toEqual(['alpha']);
    const named = { stream: 'beta', metadata: [{ breadcrumb: [], metadata: { selected: true } }] };
    expect(select({ streams: [named] }).streams.map((s) => s.name)).toEqual(['beta']);
  });
});

describe('SEL-2 field selection', () => {
  it('emits available fields when selected, falling back to selected-by-default; never unsupported ones', () => {
    const result = select({
      streams: [
        stream('alpha', true, [
          field('name', { inclusion: 'available', selected: false }),
          field('email', { inclusion: 'available', 'selected-by-default': false }),
          field('$insert_id', { inclusion: 'available', selected: true }),
        ]),
        stream('beta', true, [field('label', { inclusion: 'unsupported', selected: true }), field('extra', { 'selected-by-default': true })]),
      ],
    });
    expect(result.streams.map((s) => [s.name, s.fields])).toEqual([
      ['alpha', ['id', 'updated_at', '$insert_id']],
      ['beta', ['id', 'extra']],
    ]);
  });

  it('keeps a field the input marks automatic', () => {
    const result = select({ streams: [stream('beta', true, [field('label', { inclusion: 'automatic', selected: false })])] });
    expect(result.streams[0]?.fields).toEqual(['id', 'label', 'extra']);
  });

  it('selects a field without any metadata (nothing says otherwise)', () => {
    expect(select({ streams: [stream('beta', true)] }).streams[0]?.fields).toEqual(['id', 'label', 'extra']);
  });
});

describe('SEL-3 legacy schema-level selected', () => {
  it('selects a stream by schema.selected, booleans and strings', () => {
    const legacy = (name: string, selected: unknown, properties: Record<string, unknown> = {}) => ({
      tap_stream_id: name,
      schema: { type: 'object', selected, properties },
    });
    const result = select({ streams: [legacy('alpha', true, { name: { selected: 'false' }, email: { selected: false } }), legacy('beta', 'true')] });
    expect(result.streams.map((s) => [s.name, s.fields])).toEqual([
      ['alpha', ['id', 'updated_at', '$insert_id']],
      ['beta', ['id', 'label', 'extra']],
    ]);
    expect(select({ streams: [legacy('beta', 'false')] }).streams).toEqual([]);
  });

  it('lets metadata win over the legacy flags', () => {
    const entry = {
      tap_stream_id: 'beta',
      schema: { selected: false, properties: { label: { selected: false } } },
      metadata: [{ breadcrumb: [], metadata: { selected: true } }, field('label', { selected: true })],
    };
    expect(select({ streams: [entry] }).streams[0]?.fields).toEqual(['id', 'label', 'extra']);
  });
});

describe('SEL-4 Meltano catalogs', () => {
  /** What Meltano makes of the discovered catalog with `select: [alpha.name]` (after its implicit `!*.*`). */
  function meltanoCatalog(): unknown {
    const catalog = buildCatalog([alpha, beta]);
    return {
      streams: catalog.streams.map((s) => {
        const on = s.stream === 'alpha';
        return {
          ...s,
          selected: on,
          replication_method: s.replication_method,
          ...(s.replication_key ? { replication_key: s.replication_key } : {}),
          metadata: s.metadata.map((m) => ({
            breadcrumb: m.breadcrumb,
            metadata: { ...m.metadata, selected: m.breadcrumb.length === 0 ? on : on && m.breadcrumb[1] === 'name' },
          })),
        };
      }),
    };
  }

  it('syncs the selected stream with its selected and automatic fields only', () => {
    const result = select(meltanoCatalog());
    expect(result).toEqual({
      streams: [{ name: 'alpha', fields: ['id', 'updated_at', 'name'], keyProperties: ['id'], replicationMethod: 'INCREMENTAL', replicationKey: 'updated_at' }],
      warnings: [],
      problems: [],
    });
  });

  it('feeds the discovered catalog back unchanged as "everything"', () => {
    const result = select(buildCatalog(STREAMS));
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.streams).toEqual(selectAll(STREAMS));
  });
});

describe('SEL-5 replication settings from the catalog', () => {
  const withMeta = (name: string, meta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    tap_stream_id: name,
    metadata: [{ breadcrumb: [], metadata: { selected: true, ...meta } }],
    ...extra,
  });

  it('honours FULL_TABLE on an incremental stream (no replication key then)', () => {
    const result = select({ streams: [withMeta('alpha', { 'replication-method': 'FULL_TABLE' })] });
    expect(result.warnings).toEqual([]);
    expect(result.streams[0]).toEqual({ name: 'alpha', fields: ALPHA_FIELDS, keyProperties: ['id'], replicationMethod: 'FULL_TABLE' });
  });

  it('reads the entry-level replication_method too, metadata winning', () => {
    expect(select({ streams: [withMeta('alpha', {}, { replication_method: 'FULL_TABLE' })] }).streams[0]?.replicationMethod).toBe('FULL_TABLE');
    const both = withMeta('alpha', { 'replication-method': 'INCREMENTAL' }, { replication_method: 'FULL_TABLE' });
    expect(select({ streams: [both] }).streams[0]?.replicationMethod).toBe('INCREMENTAL');
  });

  it('warns and keeps the default for a method the stream cannot do', () => {
    const result = select({ streams: [withMeta('beta', { 'replication-method': 'INCREMENTAL' }), withMeta('alpha', { 'replication-method': 'LOG_BASED' })] });
    expect(result.warnings).toEqual([
      'stream "beta": replication-method "INCREMENTAL" is not supported; using FULL_TABLE',
      'stream "alpha": replication-method "LOG_BASED" is not supported; using INCREMENTAL',
    ]);
    expect(result.streams.map((s) => [s.name, s.replicationMethod, s.replicationKey])).toEqual([
      ['alpha', 'INCREMENTAL', 'updated_at'],
      ['beta', 'FULL_TABLE', undefined],
    ]);
  });

  it('warns and keeps the default replication key for another one', () => {
    const result = select({ streams: [withMeta('alpha', { 'replication-key': 'name' })] });
    expect(result.warnings).toEqual(['stream "alpha": replication-key "name" is not supported; using updated_at']);
    expect(result.streams[0]?.replicationKey).toBe('updated_at');
    expect(select({ streams: [withMeta('alpha', { 'replication-key': 'updated_at' })] }).warnings).toEqual([]);
  });
});

describe('SEL-6 key overrides', () => {
  it('uses table-key-properties from the catalog and always emits those fields', () => {
    const entry = stream('alpha', true, [field('email', { selected: false })]);
    (entry.metadata[0] as { metadata: Record<string, unknown> }).metadata['table-key-properties'] = ['email', 'name'];
    const result = select({ streams: [entry] });
    expect(result.problems).toEqual([]);
    expect(result.streams[0]).toMatchObject({ keyProperties: ['email', 'name'], fields: ALPHA_FIELDS });
  });

  it.each([[[]], [['nope']], ['id'], [[1]]])('rejects table-key-properties %j', (keys) => {
    const entry = { tap_stream_id: 'beta', metadata: [{ breadcrumb: [], metadata: { selected: true, 'table-key-properties': keys } }] };
    expect(select({ streams: [entry] }).problems).toEqual([
      'catalog: stream "beta": table-key-properties must be a non-empty list of the stream\'s properties',
    ]);
  });
});

describe('SEL-7 keys cannot be deselected', () => {
  it('keeps key and replication-key fields whatever the catalog says', () => {
    const result = select({
      streams: [
        stream('alpha', true, [
          field('id', { inclusion: 'unsupported', selected: false }),
          field('updated_at', { selected: false }),
          field('name', { selected: false }),
          field('email', { selected: false }),
          field('$insert_id', { selected: false }),
        ]),
      ],
    });
    expect(result.streams[0]?.fields).toEqual(['id', 'updated_at']);
  });
});

describe('SEL-8 chart streams follow the config, unknown streams', () => {
  it('skips with a warning a selected chart stream the config no longer has', () => {
    const result = select({ streams: [stream('chart_gone99', true), stream('beta', true)] }, isChartStreamName);
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual(['catalog selects stream "chart_gone99", which the config no longer defines; skipping it']);
    expect(result.streams.map((s) => s.name)).toEqual(['beta']);
  });

  it('does not sync a configured chart the catalog leaves out', () => {
    expect(select({ streams: [stream('alpha', true)] }, isChartStreamName).streams.map((s) => s.name)).toEqual(['alpha']);
  });

  it('rejects a selected stream the tap does not have, and ignores an unselected one', () => {
    expect(select({ streams: [stream('users', true)] }).problems).toEqual([
      'catalog: stream "users" is not a stream of this tap; run --discover again and select from its output',
    ]);
    expect(select({ streams: [stream('users', false), stream('beta', true)] })).toEqual({
      streams: [{ name: 'beta', fields: ['id', 'label', 'extra'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' }],
      warnings: [],
      problems: [],
    });
  });
});

describe('malformed catalogs', () => {
  it.each([null, [], 'streams', { streams: {} }, {}])('rejects the root %j', (input) => {
    expect(select(input).problems).toEqual(['catalog: the root must be an object with a "streams" array (the output of --discover)']);
  });

  it('names each malformed entry', () => {
    const result = select({
      streams: [
        7,
        { schema: {} },
        stream('beta', true),
        stream('beta', true),
        { tap_stream_id: 'alpha', metadata: { selected: true } },
        { tap_stream_id: 'alpha2', metadata: [{ breadcrumb: 'properties', metadata: {} }, { breadcrumb: [], metadata: null }] },
      ],
    });
    expect(result.problems).toEqual([
      'catalog: streams[0] must be an object',
      'catalog: streams[1] has no "tap_stream_id" or "stream" name',
      'catalog: stream "beta" appears twice',
      'catalog: stream "alpha": "metadata" must be an array of {breadcrumb, metadata} entries',
      'catalog: stream "alpha2": metadata[0] must be {"breadcrumb": [strings], "metadata": {...}}',
      'catalog: stream "alpha2": metadata[1] must be {"breadcrumb": [strings], "metadata": {...}}',
    ]);
  });
});

// selectFromCatalog on the edges of the input catalog: entries without metadata, metadata split
// over several entries for one breadcrumb, names and breadcrumbs of the wrong type, replication
// keys of a full-table sync, key overrides naming an unknown property, and a rejected root.
import { describe, expect, it } from '@jest/globals';
import { selectFromCatalog, type StreamDescriptor } from '../../src/singer/catalog.js';

const str = { type: ['null', 'string'] };
const orders: StreamDescriptor = {
  name: 'orders',
  schema: { type: 'object', properties: { id: { type: 'string' }, changed_at: str, total: str, note: str } },
  keyProperties: ['id'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'changed_at',
};
const shops: StreamDescriptor = {
  name: 'shops',
  schema: { type: 'object', properties: { id: { type: 'integer' }, city: str } },
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
};
const select = (input: unknown) => selectFromCatalog(input, [orders, shops]);

describe('selectFromCatalog edges', () => {
  it('selects an entry with no metadata at all by its entry-level "selected", without a problem', () => {
    expect(select({ streams: [{ tap_stream_id: 'shops', selected: true }] })).toEqual({
      streams: [{ name: 'shops', fields: ['id', 'city'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' }],
      warnings: [],
      problems: [],
    });
  });

  it('merges metadata entries that share a breadcrumb, later keys winning', () => {
    const entry = {
      tap_stream_id: 'orders',
      metadata: [
        { breadcrumb: [], metadata: { selected: true, 'replication-method': 'INCREMENTAL' } },
        { breadcrumb: ['properties', 'note'], metadata: { selected: false } },
        { breadcrumb: [], metadata: { 'replication-method': 'FULL_TABLE' } },
        { breadcrumb: ['properties', 'note'], metadata: { inclusion: 'available' } },
      ],
    };
    expect(select({ streams: [entry] })).toEqual({
      streams: [{ name: 'orders', fields: ['id', 'changed_at', 'total'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' }],
      warnings: [],
      problems: [],
    });
  });

  it('rejects a breadcrumb holding something other than strings', () => {
    const entry = { tap_stream_id: 'shops', metadata: [{ breadcrumb: [], metadata: { selected: true } }, { breadcrumb: ['properties', 1], metadata: {} }] };
    expect(select({ streams: [entry] }).problems).toEqual(['catalog: stream "shops": metadata[1] must be {"breadcrumb": [strings], "metadata": {...}}']);
  });

  it('rejects a stream name that is not a string', () => {
    expect(select({ streams: [{ stream: 7, selected: true }] }).problems).toEqual(['catalog: streams[0] has no "tap_stream_id" or "stream" name']);
  });

  it('says nothing of a replication key when the sync is full-table', () => {
    const fullTable = {
      tap_stream_id: 'orders',
      metadata: [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'FULL_TABLE', 'replication-key': 'total' } }],
    };
    const shopsWithKey = { tap_stream_id: 'shops', selected: true, replication_key: 'city' };
    const result = select({ streams: [fullTable, shopsWithKey] });
    expect(result.warnings).toEqual([]);
    expect(result.streams.map((s) => [s.name, s.replicationMethod, s.replicationKey])).toEqual([
      ['orders', 'FULL_TABLE', undefined],
      ['shops', 'FULL_TABLE', undefined],
    ]);
  });

  it('rejects key overrides when any one of them is not a property', () => {
    const entry = { tap_stream_id: 'orders', metadata: [{ breadcrumb: [], metadata: { selected: true, 'table-key-properties': ['id', 'missing'] } }] };
    expect(select({ streams: [entry] }).problems).toEqual([
      'catalog: stream "orders": table-key-properties must be a non-empty list of the stream\'s properties',
    ]);
  });

  it('selects nothing from a root that is not a catalog', () => {
    expect(select({ streams: 'orders' })).toEqual({
      streams: [],
      warnings: [],
      problems: ['catalog: the root must be an object with a "streams" array (the output of --discover)'],
    });
  });
});

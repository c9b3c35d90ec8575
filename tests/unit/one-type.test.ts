// Every property of every schema the tap discovers has at most one non-null JSON type, so a SQL
// target maps it to one column (a second type breaks the load when a value of it arrives).
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { discoverCatalogText } from '../../src/commands/discover.js';
import { conformRecord } from '../../src/streams/conform.js';
import type { JsonSchema } from '../../src/singer/messages.js';

/** Paths of properties (nested ones and array items too) that declare more than one non-null type. */
function multiTyped(schema: JsonSchema, path: string): string[] {
  const t = schema.type;
  const types = (Array.isArray(t) ? t : t === undefined ? [] : [t]).filter((x) => x !== 'null');
  const own = types.length > 1 ? [`${path}: ${JSON.stringify(t)}`] : [];
  const nested = Object.entries(schema.properties ?? {}).flatMap(([k, p]) => multiTyped(p, `${path}.${k}`));
  const items = schema.items && typeof schema.items === 'object' ? multiTyped(schema.items as JsonSchema, `${path}[]`) : [];
  return [...own, ...nested, ...items];
}

describe('one type per property', () => {
  it('finds a second type where there is one (the check can fail)', () => {
    const bad: JsonSchema = { type: 'object', properties: { a: { type: ['null', 'boolean', 'number'] }, b: { type: 'object', properties: { c: { type: ['string', 'integer'] } } } } };
    expect(multiTyped(bad, 'x')).toEqual(['x.a: ["null","boolean","number"]', 'x.b.c: ["string","integer"]']);
  });

  it('holds for every discovered stream, chart streams and charts_metadata included', () => {
    // One chart of each layout the simulator knows, and the recorded chart.
    const catalog = JSON.parse(discoverCatalogText({ chart_ids: ['gl9dulhv', 'ts1', 'wk1', 'gb1', 'ml1', 'fn1', 'pc1', 'mt1', 'em1', 'fl1'] })) as {
      streams: { stream: string; schema: JsonSchema }[];
    };
    const names = catalog.streams.map((s) => s.stream);
    expect(names).toEqual(expect.arrayContaining(['events', 'cohorts', 'events_list', 'annotations', 'chart_gl9dulhv', 'chart_fl1', 'charts_metadata']));
    expect(catalog.streams.flatMap((s) => multiTyped(s.schema, s.stream))).toEqual([]);
  });

  it('holds for every schema file in catalogs/', () => {
    const dir = new URL('../../catalogs/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(files.flatMap((f) => multiTyped(JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as JsonSchema, f))).toEqual([]);
  });
});

describe('conformRecord', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      flag: { type: ['null', 'boolean'] },
      text: { type: ['null', 'string'] },
      n: { type: ['null', 'integer'] },
      bag: { type: ['null', 'object'] },
      list: { type: ['null', 'array'] },
    },
  };
  const run = (record: Record<string, unknown>) => {
    const warnings: string[] = [];
    return { record: conformRecord(record, schema, 'row 1', (w) => warnings.push(w)), warnings };
  };

  it('converts the mixed values Amplitude sends to the declared type, keeping every value', () => {
    expect(run({ flag: 0, text: 123, n: '42', bag: ['a', 'b'], list: { k: 1 }, extra: 7 })).toEqual({
      record: { flag: false, text: '123', n: 42, bag: { 0: 'a', 1: 'b' }, list: [{ k: 1 }], extra: 7 },
      warnings: [],
    });
    expect(run({ flag: 1, text: true }).record).toEqual({ flag: true, text: 'true' });
    expect(run({ flag: 'false' }).record).toEqual({ flag: false });
  });

  it('leaves values of the declared type and nulls as they are (the same object)', () => {
    const record = { flag: true, text: 'x', n: null, bag: { a: 1 }, list: [] };
    expect(run(record).record).toBe(record);
  });

  it('turns a value it cannot convert into null with a warning', () => {
    expect(run({ flag: 2, n: 1.5, bag: 'x' })).toEqual({
      record: { flag: null, n: null, bag: null },
      warnings: ['row 1: flag is 2, not a boolean; emitted as null', 'row 1: n is 1.5, not an integer; emitted as null', 'row 1: bag is "x", not an object; emitted as null'],
    });
  });
});

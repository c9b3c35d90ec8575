// The chart response envelope and the parser's warnings, with expected values written by hand
// from amplitude-api.md §11.2 and docs/chart-layouts.md.
import { describe, expect, it } from '@jest/globals';
import { ChartFormatError, extractChartCsv, parseChartCsv } from '../../src/amplitude/chart-csv.js';

describe('extractChartCsv: what is wrong, in words', () => {
  it.each([
    ['null', null, 'chart response is null, not a JSON object'],
    ['the JSON text null', 'null', 'chart response is null, not a JSON object'],
    ['a number', 5, 'chart response is a number, not a JSON object'],
    ['a JSON string', '"text"', 'chart response is a string, not a JSON object'],
    ['a boolean', true, 'chart response is a boolean, not a JSON object'],
    ['an empty object', {}, 'chart response has no "data" field (fields: none)'],
    ['two other fields', { error: 1, status: 2 }, 'chart response has no "data" field (fields: error, status)'],
    ['data null', { data: null }, 'chart response "data" is null; expected CSV text'],
    ['data undefined', { data: undefined }, 'chart response "data" is missing; expected CSV text'],
    ['data an array', { data: ['a,b'] }, 'chart response "data" is an array; expected CSV text'],
    ['data a boolean', { data: false }, 'chart response "data" is a boolean; expected CSV text'],
    ['csvResponse without rows', { data: { csvResponse: {} } }, 'chart response "data" is an object; expected CSV text'],
    ['csvResponse rows not an array', { data: { csvResponse: { data: 'a,b' } } }, 'chart response "data" is an object; expected CSV text'],
    ['a legacy row that is a number', { data: { csvResponse: { data: [7] } } }, 'chart response data.csvResponse.data[0] is a number; expected a row of cells or a CSV line'],
    ['a legacy row that is null', { data: { csvResponse: { data: ['x', null] } } }, 'chart response data.csvResponse.data[1] is null; expected a row of cells or a CSV line'],
    ['a legacy cell that is an object', { data: { csvResponse: { data: [['a'], ['b', { c: 1 }]] } } }, 'chart response data.csvResponse.data[1][1] is an object; expected a cell'],
  ])('%s', (_name, body, message) => {
    expect(() => extractChartCsv(body)).toThrow(new ChartFormatError(message));
  });

  it('quotes at most the first 80 characters of a body that is not JSON', () => {
    const text = `<html>${'x'.repeat(100)}`;
    expect(() => extractChartCsv(text)).toThrow(new ChartFormatError(`chart response is not JSON: "<html>${'x'.repeat(74)}"`));
  });

  it('ChartFormatError names itself', () => {
    expect(new ChartFormatError('m').name).toBe('ChartFormatError');
  });
});

describe('extractChartCsv: the legacy csvResponse rows', () => {
  it('writes numbers and booleans as text, null and missing cells as empty, every cell quoted, CRLF after each line', () => {
    const body = { data: { csvResponse: { data: [['a', 1, true, null, undefined], 'x,y', [2.5, false]] } } };
    expect(extractChartCsv(body)).toBe('"a","1","true","",""\r\nx,y\r\n"2.5","false"\r\n');
  });

  it('reads an empty row list as empty text', () => {
    expect(extractChartCsv({ data: { csvResponse: { data: [] } } })).toBe('');
  });
});

describe('parseChartCsv: warnings about rows it could not place', () => {
  const table = '\tTitle\r\n\tUniques\r\n\r\n\tSegment,\t2026-01-05\r\n\tAll,5\r\n\r\n';

  it('names one raw row as "CSV row N" and keeps each of its cells as a (raw) record', () => {
    const chart = parseChartCsv(`${table}42\r\n`);
    expect(chart.warnings).toEqual(['unrecognised layout (text after the last table) in CSV row 7: kept as (raw) records']);
    expect(chart.cells.filter((c) => c.dimension_name === '(raw)')).toEqual([
      { table_index: 0, dimension_name: '(raw)', dimension_value: 'row 7', segment: 'column 1', value: 42, raw_value: '42', metric: null },
    ]);
  });

  it('lists ten row numbers and counts the rest', () => {
    const extra = Array.from({ length: 12 }, (_, i) => `extra ${i + 1}\r\n`).join('');
    const chart = parseChartCsv(table + extra);
    expect(chart.warnings).toEqual([
      'unrecognised layout (text after the last table) in CSV rows 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 and 2 more: kept as (raw) records',
    ]);
    expect(chart.cells.filter((c) => c.dimension_name === '(raw)').map((c) => c.raw_value)).toEqual(
      Array.from({ length: 12 }, (_, i) => `extra ${i + 1}`),
    );
  });

  it('lists exactly ten rows without "more"', () => {
    const extra = Array.from({ length: 10 }, (_, i) => `extra ${i + 1}\r\n`).join('');
    expect(parseChartCsv(table + extra).warnings).toEqual([
      'unrecognised layout (text after the last table) in CSV rows 7, 8, 9, 10, 11, 12, 13, 14, 15, 16: kept as (raw) records',
    ]);
  });

  // Papa.parse drops a leading BOM from string input too, so this holds with or without the tap's own check.
  it('a byte order mark before the first cell is dropped, so a quoted title stays one cell', () => {
    const chart = parseChartCsv(`\uFEFF"Title, with a comma"\r\n\r\n\tUniques\r\n\r\n\tSegment,\t2026-01-05\r\n\tAll,5\r\n`);
    expect(chart.metadata.title).toBe('Title, with a comma');
    expect(chart.metadata.metric).toBe('Uniques');
    expect(chart.cells).toEqual([
      { table_index: 0, dimension_name: 'Segment', dimension_value: 'All', segment: '2026-01-05', value: 5, raw_value: '5', metric: 'Uniques' },
    ]);
    expect(chart.warnings).toEqual([]);
  });
});

// Layout rules of docs/chart-layouts.md that the mutation run showed untested; each expectation is
// worked out by hand from the CSV text.
import { describe, expect, it } from '@jest/globals';
import { parseChartCsv } from '../../src/amplitude/chart-csv.js';
import { cleanRow } from '../../src/amplitude/chart-csv/cells.js';

const csv = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

describe('chart layout rules', () => {
  it('a cell without a full quoting layer keeps its quotes and digits', () => {
    const row = cleanRow(['123', '"12', '12"', 'a"b"c'], 1);
    expect(row.cells).toEqual(['123', '"12', '12"', 'a"b"c']);
    expect(row.text).toEqual([false, false, false, false]);
  });

  it('filters of every table are listed once each, one per line', () => {
    const chart = parseChartCsv(
      csv('\tTitle', '', '\tUniques', '\tFilters: a = 1', '', '\tSegment,\t2026-01-05', '\tAll,5', '',
        '\tTotals', '\tFilters: a = 1', '\tFilters: b = 2', '', '\tSegment,\t2026-01-05', '\tAll,6'),
    );
    expect(chart.metadata.table_count).toBe(2);
    expect(chart.metadata.filters).toBe('a = 1\nb = 2');
  });

  it('the last column is a value column even when every row has text there', () => {
    const chart = parseChartCsv(csv('\tTitle', '', '\tUniques', '', '\tCountry,\tPlatform,\tNote', '\tCA,\tAndroid,', '\tUS,\tiOS,\tgood'));
    expect(chart.cells).toEqual([
      { table_index: 0, dimension_name: 'Country / Platform', dimension_value: 'CA / Android', segment: 'Note', value: null, raw_value: null, metric: 'Uniques' },
      { table_index: 0, dimension_name: 'Country / Platform', dimension_value: 'US / iOS', segment: 'Note', value: null, raw_value: 'good', metric: 'Uniques' },
    ]);
  });

  it('raw rows come out in CSV order, one record per non-empty cell, one warning per kind in that order', () => {
    const chart = parseChartCsv(
      csv('\tTitle', '', '\tUniques', '', '\textra', '', '\tSegment,\t2026-01-05', '\tAll,5', '\tB,6,,7'),
    );
    const raw = (row: number, column: number, value: number | null, text: string) => ({
      table_index: 0, dimension_name: '(raw)', dimension_value: `row ${row}`, segment: `column ${column}`, value, raw_value: text, metric: null,
    });
    expect(chart.cells.filter((c) => c.dimension_name === '(raw)')).toEqual([raw(5, 1, null, 'extra'), raw(9, 1, null, 'B'), raw(9, 2, 6, '6'), raw(9, 4, 7, '7')]);
    expect(chart.warnings).toEqual([
      'unrecognised layout (preamble line outside the title and metric blocks) in CSV row 5: kept as (raw) records',
      'unrecognised layout (row longer than its header) in CSV row 9: kept as (raw) records',
    ]);
  });
});

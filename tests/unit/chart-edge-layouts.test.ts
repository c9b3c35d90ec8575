// Edge cases of docs/chart-layouts.md ("Blocks", "Label columns", "Rows of a chart stream") that the
// mutation run showed untested: where a table starts and ends, empty or missing cells, and names
// that repeat. Every body and every expected record is written out by hand.
import { describe, expect, it } from '@jest/globals';
import { type ChartCell, parseChartCsv } from '../../src/amplitude/chart-csv.js';

const crlf = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');

/** Records of table 0, one per [dimension_value, segment, value, raw_value]. */
const table = (
  dimension: string,
  metric: string | null,
  cells: Array<[string, string, number | null, string | null]>,
): ChartCell[] =>
  cells.map(([dimension_value, segment, value, raw_value]) => ({
    table_index: 0,
    dimension_name: dimension,
    dimension_value,
    segment,
    value,
    raw_value,
    metric,
  }));

/** A (raw) record of table 0. */
const raw = (row: number, column: number, value: number | null, text: string): ChartCell => ({
  table_index: 0,
  dimension_name: '(raw)',
  dimension_value: `row ${row}`,
  segment: `column ${column}`,
  value,
  raw_value: text,
  metric: null,
});

const NO_TABLE = 'no table found: the chart CSV has no header row';
const noHeader = (row: number): string =>
  `unrecognised layout (table row without a header) in CSV row ${row}: kept as (raw) records`;

describe('where a table starts and ends', () => {
  it('a blank row of several empty cells ends a table like a one-cell blank row', () => {
    const chart = parseChartCsv(
      crlf('\tTitle', '', '\tUniques', '', '\tSegment,\t2026-01-05', '\tAll,5', ',', '\tB,6'),
    );
    // Row 8 comes after the blank row 7, so it is a table row without a header.
    expect(chart.cells).toEqual([
      ...table('Segment', 'Uniques', [['All', '2026-01-05', 5, '5']]),
      raw(8, 1, null, 'B'),
      raw(8, 2, 6, '6'),
    ]);
    expect(chart.metadata.row_count).toBe(1);
    expect(chart.warnings).toEqual([noHeader(8)]);
  });

  it('a one-cell line straight after a table row ends the table and starts the next preamble', () => {
    const chart = parseChartCsv(
      crlf('\tTitle', '', '\tUniques', '', '\tSegment,\t2026-01-05', '\tAll,5', '\tTotals', '',
        '\tSegment,\t2026-01-05', '\tAll,6'),
    );
    expect(chart.cells).toEqual([
      ...table('Segment', 'Uniques', [['All', '2026-01-05', 5, '5']]),
      { ...table('Segment', 'Totals', [['All', '2026-01-05', 6, '6']])[0]!, table_index: 1 },
    ]);
    expect(chart.metadata.table_count).toBe(2);
    expect(chart.metadata.row_count).toBe(2);
    expect(chart.warnings).toEqual([]);
  });

  it('a one-cell line directly followed by a data row is not a header', () => {
    const chart = parseChartCsv(crlf('\tTitle', '\tAll,5'));
    expect(chart.metadata.title).toBe('Title');
    expect(chart.metadata.table_count).toBe(0);
    expect(chart.metadata.dimension).toBeNull();
    expect(chart.cells).toEqual([raw(2, 1, null, 'All'), raw(2, 2, 5, '5')]);
    expect(chart.warnings).toEqual([NO_TABLE, noHeader(2)]);
  });

  it('a header-like last line without a line break is not a table (no data row follows)', () => {
    const chart = parseChartCsv('\tTitle\r\n\r\n\tUniques\r\n\r\n\tSegment,\t2026-01-05');
    expect(chart.metadata).toEqual({
      title: 'Title', description: null, metric: 'Uniques', event: null, dimension: null, filters: null,
      interval: null, table_count: 0, row_count: 0, column_count: 0,
    });
    expect(chart.cells).toEqual([raw(5, 1, null, 'Segment'), raw(5, 2, null, '2026-01-05')]);
    expect(chart.warnings).toEqual([
      NO_TABLE,
      'unrecognised layout (preamble line outside the title and metric blocks) in CSV row 5: kept as (raw) records',
    ]);
  });

  it('a header followed by a blank row of several empty cells is not a table', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\tUniques', '', '\tSegment,\t2026-01-05', ','));
    expect(chart.metadata.table_count).toBe(0);
    expect(chart.metadata.metric).toBe('Uniques');
    expect(chart.cells).toEqual([raw(5, 1, null, 'Segment'), raw(5, 2, null, '2026-01-05')]);
    expect(chart.warnings).toEqual([
      NO_TABLE,
      'unrecognised layout (preamble line outside the title and metric blocks) in CSV row 5: kept as (raw) records',
    ]);
  });

  it('a first data row whose value cells are all empty still makes the row above a header', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\tUniques', '', '\tSegment,\t2026-01-05', '\tAll,', '\tB,5'));
    expect(chart.cells).toEqual(
      table('Segment', 'Uniques', [
        ['All', '2026-01-05', null, null],
        ['B', '2026-01-05', 5, '5'],
      ]),
    );
    expect(chart.metadata.row_count).toBe(2);
    expect(chart.warnings).toEqual([]);
  });

  it('a two-cell row with a number after its first cell, before any header, is a table row without a header', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\tB,6', '', '\tSegment,\t2026-01-05', '\tAll,5'));
    expect(chart.metadata.metric).toBeNull();
    expect(chart.cells).toEqual([
      ...table('Segment', null, [['All', '2026-01-05', 5, '5']]),
      raw(3, 1, null, 'B'),
      raw(3, 2, 6, '6'),
    ]);
    expect(chart.warnings).toEqual([noHeader(3)]);
  });

  it('a row with an empty first cell and a number after it is a table row without a header, not a line', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', ',5', '', '\tSegment,\t2026-01-05', '\tAll,5'));
    expect(chart.metadata.metric).toBeNull();
    expect(chart.cells).toEqual([...table('Segment', null, [['All', '2026-01-05', 5, '5']]), raw(3, 2, 5, '5')]);
    expect(chart.warnings).toEqual([noHeader(3)]);
  });
});

describe('a line that is a TAB alone', () => {
  it('holds its place in its block: the metric is empty and the next line is an event', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\t', '\tSign Up', '', '\tSegment,\t2026-01-05', '\tAll,5'));
    expect(chart.metadata.metric).toBeNull();
    expect(chart.metadata.event).toBe('Sign Up');
    expect(chart.cells).toEqual(table('Segment', null, [['All', '2026-01-05', 5, '5']]));
  });

  it('is one cell: a row of several cells whose first is a TAB alone is a line of its other cells', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\t,\tOverall', '', '\tSegment,\t2026-01-05', '\tAll,5'));
    expect(chart.metadata.metric).toBe('Overall');
    expect(chart.cells).toEqual(table('Segment', 'Overall', [['All', '2026-01-05', 5, '5']]));
  });

  it('after the last table gives no record (it has no text)', () => {
    const chart = parseChartCsv(crlf('\tTitle', '', '\tUniques', '', '\tSegment,\t2026-01-05', '\tAll,5', '', '\t'));
    expect(chart.cells).toEqual(table('Segment', 'Uniques', [['All', '2026-01-05', 5, '5']]));
  });
});

describe('label and value columns', () => {
  const body = (...rows: string[]): string => crlf('\tTitle', '', '\tUniques', '', ...rows);

  it('names a value column with an empty header cell by its 1-based position', () => {
    const chart = parseChartCsv(body('\tSegment,\t2026-01-05,,\t2026-01-19', '\tAll,1,2,3'));
    expect(chart.cells).toEqual(
      table('Segment', 'Uniques', [
        ['All', '2026-01-05', 1, '1'],
        ['All', 'column 3', 2, '2'],
        ['All', '2026-01-19', 3, '3'],
      ]),
    );
    expect(chart.metadata.column_count).toBe(3);
  });

  it('keeps an empty label in the first data row empty (nothing above to fill it from)', () => {
    const chart = parseChartCsv(body('\tCountry,\t2026-01-05', ',5', '\tCA,6'));
    expect(chart.cells).toEqual(
      table('Country', 'Uniques', [
        ['', '2026-01-05', 5, '5'],
        ['CA', '2026-01-05', 6, '6'],
      ]),
    );
  });

  it('forward-fills an empty second-level label, which keeps its column a label column', () => {
    const chart = parseChartCsv(body('\tCountry,\tPlatform,\t2026-01-05', '\tCA,\tiOS,5', '\tUS,,6'));
    expect(chart.cells).toEqual(
      table('Country / Platform', 'Uniques', [
        ['CA / iOS', '2026-01-05', 5, '5'],
        ['US / iOS', '2026-01-05', 6, '6'],
      ]),
    );
  });

  it('reads a column with no text at all as a value column', () => {
    const chart = parseChartCsv(body('\tCountry,\tPlatform,\t2026-01-05', '\tCA,,5', '\tUS,,6'));
    expect(chart.cells).toEqual(
      table('Country', 'Uniques', [
        ['CA', 'Platform', null, null],
        ['CA', '2026-01-05', 5, '5'],
        ['US', 'Platform', null, null],
        ['US', '2026-01-05', 6, '6'],
      ]),
    );
    expect(chart.metadata.column_count).toBe(2);
  });

  it('reads a date-headed column as values even when it holds text', () => {
    const chart = parseChartCsv(body('\tSegment,\t2026-01-05,\t2026-01-12', '\tAll,n/a,5', '\tB,n/a,6'));
    expect(chart.cells).toEqual(
      table('Segment', 'Uniques', [
        ['All', '2026-01-05', null, 'n/a'],
        ['All', '2026-01-12', 5, '5'],
        ['B', '2026-01-05', null, 'n/a'],
        ['B', '2026-01-12', 6, '6'],
      ]),
    );
    expect(chart.metadata.interval).toBe('week');
  });

  it('treats the cells a data row lacks as empty: labels forward-filled, values null', () => {
    const chart = parseChartCsv(
      body('\tCountry,\tPlatform,\tBrowser,\t2026-01-05', '\tCA,\tiOS,\tSafari,5', '\tUS,\tAndroid'),
    );
    expect(chart.cells).toEqual(
      table('Country / Platform / Browser', 'Uniques', [
        ['CA / iOS / Safari', '2026-01-05', 5, '5'],
        ['US / Android / Safari', '2026-01-05', null, null],
      ]),
    );
    expect(chart.metadata.row_count).toBe(2);
    expect(chart.warnings).toEqual([]);
  });
});

describe('repeated names', () => {
  const body = (...rows: string[]): string => crlf('\tTitle', '', '\tUniques', '', ...rows);

  it('skips a ` #2` suffix a column already has', () => {
    const chart = parseChartCsv(body('\tSegment,\tA,\tA #2,\tA', '\tAll,1,2,3'));
    expect(chart.cells).toEqual(
      table('Segment', 'Uniques', [
        ['All', 'A', 1, '1'],
        ['All', 'A #2', 2, '2'],
        ['All', 'A #3', 3, '3'],
      ]),
    );
    expect(chart.warnings).toEqual(['table 0: column "A" repeats in the header; renamed to "A #3"']);
  });

  it('skips a ` #2` suffix a row label already has', () => {
    const chart = parseChartCsv(body('\tSegment,\t2026-01-05', '\tX,1', '\tX #2,2', '\tX,3'));
    expect(chart.cells).toEqual(
      table('Segment', 'Uniques', [
        ['X', '2026-01-05', 1, '1'],
        ['X #2', '2026-01-05', 2, '2'],
        ['X #3', '2026-01-05', 3, '3'],
      ]),
    );
    expect(chart.warnings).toEqual(['table 0: row label "X" repeats; renamed to "X #3"']);
  });
});

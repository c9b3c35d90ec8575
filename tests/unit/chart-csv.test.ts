import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  type ChartCell,
  type ChartMetadata,
  ChartFormatError,
  extractChartCsv,
  parseChartCsv,
} from '../../src/amplitude/chart-csv.js';
import { fixture } from '../helpers/paths.js';

// Bodies are written the way Amplitude writes them (docs/chart-layouts.md): every cell quoted,
// text cells start with a TAB inside the quotes, CRLF after every line.
const crlf = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');

/** One expected record, written out by hand. */
const row = (
  dimension_value: string,
  segment: string,
  value: number | null,
  raw_value: string | null,
  metric: string | null,
  dimension_name = 'Segment',
  table_index = 0,
): ChartCell => ({ table_index, dimension_name, dimension_value, segment, value, raw_value, metric });

const raw = (line: number, column: number, value: number | null, raw_value: string, table_index = 0): ChartCell => ({
  table_index,
  dimension_name: '(raw)',
  dimension_value: `row ${line}`,
  segment: `column ${column}`,
  value,
  raw_value,
  metric: null,
});

const meta = (fields: Partial<ChartMetadata>): ChartMetadata => ({
  title: null,
  description: null,
  metric: null,
  event: null,
  dimension: null,
  filters: null,
  interval: null,
  table_count: 1,
  row_count: 1,
  column_count: 1,
  ...fields,
});

const realBody = readFileSync(fixture('chart-csv-gl9dulhv.json'), 'utf8');

const manySegments = crlf(
  '"\tDaily active by platform"',
  '"\tActive users, split by platform"',
  '"\tsecond description line"',
  '',
  '"\tUniques"',
  '"\tAny Active Event"',
  '',
  '"\tSegment","\t2026-06-01","\t2026-06-02","\t2026-06-03"',
  '"\tAll Users","10","11","12"',
  '"\tiOS","6","7","8"',
  '"\tAndroid","4","4","4"',
);

const weeklyNoDescription = crlf(
  '"\tWeekly signups"',
  '',
  '"\tTotals"',
  '"\tSign Up"',
  '',
  '"\tSegment","\t2026-06-01T00:00:00","\t2026-06-08T00:00:00","\t2026-06-15T00:00:00"',
  '"\tAll Users","120","98","15"',
);

const groupByLabels = crlf(
  '"\tPurchases by country"',
  '',
  '"\tTotals"',
  '"\tPurchase"',
  '',
  '"\tCountry","\t2026-06-01","\t2026-06-02"',
  '"\tKorea, Republic of","3",""',
  '"\tSay ""hi""","","7"',
  '"\tSaint Helena,\r\nAscension","1","2"',
  '"\t(none)","0","0"',
  '"\tTab\tinside\t","1",""',
);

const percentColumns = crlf(
  '"\tShare of buyers"',
  '',
  '"\tFormula"',
  '"\tPurchase / Active"',
  '',
  '"\tSegment","\t2026-06-01","\t2026-06-02","\t2026-06-03","\t2026-06-04","\t2026-06-05"',
  '"\tAll Users","12.5%","1,234","-","∞","12,5%"',
  '"\tPower Users","100%","NaN","Infinity","0.5","-3"',
);

const funnel = crlf(
  '"\tCheckout funnel"',
  '',
  '"\tUniques"',
  '"\tView Cart"',
  '"\tCheckout"',
  '',
  '"\tSegment","\tStep 1: View Cart","\tStep 2: Checkout","\tStep 2: Checkout (conversion %)","\tStep 2: Checkout (drop-off)"',
  '"\tiOS","120","30","25%","90"',
  '"\tAndroid","80","40","50%","40"',
  '"\tTotal","200","70","35%","130"',
);

const multiLevel = crlf(
  '"\tPurchases by country and platform"',
  '',
  '"\tTotals"',
  '"\tPurchase"',
  '',
  '"\tCountry","\tPlatform","\t2026-06-01","\t2026-06-02"',
  '"\tUnited States","\tiOS","4","5"',
  '"","\tAndroid","2",""',
  '"\tFrance","\tiOS","1","0"',
  '"","\tWeb","","3"',
);

const severalTables = crlf(
  '"\tCheckout overview"',
  '',
  '"\tUniques"',
  '"\tCheckout Started"',
  '',
  '"\tSegment","\t2026-06-01","\t2026-06-02"',
  '"\tAll Users","5","7"',
  '',
  '"\tTotals"',
  '"\tCheckout Completed"',
  '',
  '"\tSegment","\t2026-06-01","\t2026-06-02"',
  '"\tAll Users","9","11"',
  '"\tNew Users","1","2"',
);

const filtersMonthly = crlf(
  '"\tActive users in Germany"',
  '',
  '"\tUniques"',
  '"\tAny Active Event"',
  '"\tFilters: Country = Germany"',
  '',
  '"\tSegment","\t2026-04-01","\t2026-05-01","\t2026-06-01"',
  '"\tAll Users","40","41","42"',
);

const lfEndings = [
  '"\tNewsletter opens"',
  '',
  '"\tUniques"',
  '"\tEmail Opened"',
  '',
  '"\tSegment","\t2026-06-29","\t2026-06-30"',
  '"\tAll Users","8","13"',
  '',
].join('\n');

const duplicates = crlf(
  '"\tDuplicated labels"',
  '',
  '"\tUniques"',
  '"\tSearch"',
  '',
  '"\tCountry","\t2026-06-01","\t2026-06-01"',
  '"\tUnknown","1","2"',
  '"\tUnknown","3","4"',
  '"\tUnknown","5","6"',
);

const unrecognised = crlf(
  '"\tOdd chart"',
  '',
  '"\tUS","5","6"',
  '',
  '"\tUniques"',
  '',
  '"\tSegment","\t2026-06-01"',
  '"\tAll Users","1","9"',
  '"\tNew Users","2"',
  '',
  '"\tExported by someone"',
);

const extraPreamble = crlf(
  '"\tSampled chart"',
  '',
  '"\tUniques"',
  '"\tPage View"',
  '',
  '"\tSampled at 10%"',
  '"\tComputed hourly"',
  '',
  '"\tSegment","\t2026-06-01",""',
  '"\tAll Users","70",""',
);

const brokenQuotes = crlf(
  '"\tSegment","\t2026-06-01"',
  '"\tAll "Users","1"',
  '"\tNew Users","2"',
);

const titleOnly = crlf('"\tEmpty chart"', '', '"\tUniques"', '"\tNothing"');

const legacyCsv = crlf(
  '"\tLegacy chart"',
  '""',
  '"\tUniques"',
  '"\tApp Open"',
  '""',
  '"\tSegment","\t2026-06-01","\t2026-06-02"',
  '"\tAll Users","4","5"',
);

// Legacy rows whose cells kept their own CSV quotes, or carry the TAB marker escaped as `\t`.
const legacyQuotedBody = {
  data: {
    csvResponse: {
      data: [
        ['"\tUniques"'],
        [''],
        ['\\tSegment', '"\t2026-06-01"', '\\t2026-06-02'],
        ['"\tAll Users"', '"4"', '5'],
      ],
    },
  },
};

/** Every body above, for the checks that hold for all of them. */
const allBodies: Record<string, string> = {
  realBody: extractChartCsv(JSON.parse(realBody)),
  manySegments,
  weeklyNoDescription,
  groupByLabels,
  percentColumns,
  funnel,
  multiLevel,
  severalTables,
  filtersMonthly,
  lfEndings,
  duplicates,
  unrecognised,
  extraPreamble,
  brokenQuotes,
  titleOnly,
  legacyCsv,
  legacyQuoted: extractChartCsv(legacyQuotedBody),
};

describe('parseChartCsv on the real body (gl9dulhv)', () => {
  it('yields one record per day with the exported values and the preamble as metadata', () => {
    const expected: ChartCell[] = [];
    for (let day = 1; day <= 30; day++) {
      const date = `2026-06-${String(day).padStart(2, '0')}`;
      const count = day === 16 ? 3 : 0;
      expected.push(row('All Users', date, count, String(count), 'Uniques'));
    }

    const chart = parseChartCsv(extractChartCsv(JSON.parse(realBody)));

    expect(chart.cells).toEqual(expected);
    expect(chart.metadata).toEqual({
      title: 'Sample Metric - Test Event Users',
      description: 'Sample chart using an available event metric from the current project.',
      metric: 'Uniques',
      event: 'Test Event',
      dimension: 'Segment',
      filters: null,
      interval: 'day',
      table_count: 1,
      row_count: 1,
      column_count: 30,
    });
    expect(chart.warnings).toEqual([]);
  });
});

describe('parseChartCsv layouts (docs/chart-layouts.md)', () => {
  it('daily chart with several segments and a two-line description', () => {
    const chart = parseChartCsv(manySegments);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-01', 10, '10', 'Uniques'),
      row('All Users', '2026-06-02', 11, '11', 'Uniques'),
      row('All Users', '2026-06-03', 12, '12', 'Uniques'),
      row('iOS', '2026-06-01', 6, '6', 'Uniques'),
      row('iOS', '2026-06-02', 7, '7', 'Uniques'),
      row('iOS', '2026-06-03', 8, '8', 'Uniques'),
      row('Android', '2026-06-01', 4, '4', 'Uniques'),
      row('Android', '2026-06-02', 4, '4', 'Uniques'),
      row('Android', '2026-06-03', 4, '4', 'Uniques'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Daily active by platform',
        description: 'Active users, split by platform\nsecond description line',
        metric: 'Uniques',
        event: 'Any Active Event',
        dimension: 'Segment',
        interval: 'day',
        row_count: 3,
        column_count: 3,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('weekly chart (T00:00:00 headers) without a description line', () => {
    const chart = parseChartCsv(weeklyNoDescription);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-01T00:00:00', 120, '120', 'Totals'),
      row('All Users', '2026-06-08T00:00:00', 98, '98', 'Totals'),
      row('All Users', '2026-06-15T00:00:00', 15, '15', 'Totals'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Weekly signups',
        metric: 'Totals',
        event: 'Sign Up',
        dimension: 'Segment',
        interval: 'week',
        column_count: 3,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('group-by labels with commas, escaped quotes, a line break and TABs; empty cells are null', () => {
    const chart = parseChartCsv(groupByLabels);
    const r = (label: string, segment: string, value: number | null, text: string | null): ChartCell =>
      row(label, segment, value, text, 'Totals', 'Country');
    expect(chart.cells).toEqual([
      r('Korea, Republic of', '2026-06-01', 3, '3'),
      r('Korea, Republic of', '2026-06-02', null, null),
      r('Say "hi"', '2026-06-01', null, null),
      r('Say "hi"', '2026-06-02', 7, '7'),
      r('Saint Helena,\r\nAscension', '2026-06-01', 1, '1'),
      r('Saint Helena,\r\nAscension', '2026-06-02', 2, '2'),
      r('(none)', '2026-06-01', 0, '0'),
      r('(none)', '2026-06-02', 0, '0'),
      r('Tab inside', '2026-06-01', 1, '1'),
      r('Tab inside', '2026-06-02', null, null),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Purchases by country',
        metric: 'Totals',
        event: 'Purchase',
        dimension: 'Country',
        interval: 'day',
        row_count: 5,
        column_count: 2,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('percent and formatted cells: % and thousands separators stripped, non-numbers null', () => {
    const chart = parseChartCsv(percentColumns);
    const r = (label: string, day: number, value: number | null, text: string): ChartCell =>
      row(label, `2026-06-0${day}`, value, text, 'Formula');
    expect(chart.cells).toEqual([
      r('All Users', 1, 12.5, '12.5%'),
      r('All Users', 2, 1234, '1,234'),
      r('All Users', 3, null, '-'),
      r('All Users', 4, null, '∞'),
      r('All Users', 5, null, '12,5%'),
      r('Power Users', 1, 100, '100%'),
      r('Power Users', 2, null, 'NaN'),
      r('Power Users', 3, null, 'Infinity'),
      r('Power Users', 4, 0.5, '0.5'),
      r('Power Users', 5, -3, '-3'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Share of buyers',
        metric: 'Formula',
        event: 'Purchase / Active',
        dimension: 'Segment',
        interval: 'day',
        row_count: 2,
        column_count: 5,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('funnel: step, conversion and drop-off columns, then the Total row', () => {
    const chart = parseChartCsv(funnel);
    const steps = [
      'Step 1: View Cart',
      'Step 2: Checkout',
      'Step 2: Checkout (conversion %)',
      'Step 2: Checkout (drop-off)',
    ] as const;
    const r = (label: string, step: number, value: number, text: string): ChartCell =>
      row(label, steps[step]!, value, text, 'Uniques');
    expect(chart.cells).toEqual([
      r('iOS', 0, 120, '120'),
      r('iOS', 1, 30, '30'),
      r('iOS', 2, 25, '25%'),
      r('iOS', 3, 90, '90'),
      r('Android', 0, 80, '80'),
      r('Android', 1, 40, '40'),
      r('Android', 2, 50, '50%'),
      r('Android', 3, 40, '40'),
      r('Total', 0, 200, '200'),
      r('Total', 1, 70, '70'),
      r('Total', 2, 35, '35%'),
      r('Total', 3, 130, '130'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Checkout funnel',
        metric: 'Uniques',
        event: 'View Cart, Checkout',
        dimension: 'Segment',
        row_count: 3,
        column_count: 4,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('multi-level group-by: empty label cells take the label of the row above', () => {
    const chart = parseChartCsv(multiLevel);
    const r = (label: string, segment: string, value: number | null, text: string | null): ChartCell =>
      row(label, segment, value, text, 'Totals', 'Country / Platform');
    expect(chart.cells).toEqual([
      r('United States / iOS', '2026-06-01', 4, '4'),
      r('United States / iOS', '2026-06-02', 5, '5'),
      r('United States / Android', '2026-06-01', 2, '2'),
      r('United States / Android', '2026-06-02', null, null),
      r('France / iOS', '2026-06-01', 1, '1'),
      r('France / iOS', '2026-06-02', 0, '0'),
      r('France / Web', '2026-06-01', null, null),
      r('France / Web', '2026-06-02', 3, '3'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Purchases by country and platform',
        metric: 'Totals',
        event: 'Purchase',
        dimension: 'Country / Platform',
        interval: 'day',
        row_count: 4,
        column_count: 2,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('several tables: numbered from 0, each with the metric of its own block', () => {
    const chart = parseChartCsv(severalTables);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-01', 5, '5', 'Uniques', 'Segment', 0),
      row('All Users', '2026-06-02', 7, '7', 'Uniques', 'Segment', 0),
      row('All Users', '2026-06-01', 9, '9', 'Totals', 'Segment', 1),
      row('All Users', '2026-06-02', 11, '11', 'Totals', 'Segment', 1),
      row('New Users', '2026-06-01', 1, '1', 'Totals', 'Segment', 1),
      row('New Users', '2026-06-02', 2, '2', 'Totals', 'Segment', 1),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Checkout overview',
        metric: 'Uniques',
        event: 'Checkout Started',
        dimension: 'Segment',
        interval: 'day',
        table_count: 2,
        row_count: 3,
        column_count: 2,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('a Filters: line fills filters and is not an event; first-of-month columns are monthly', () => {
    const chart = parseChartCsv(filtersMonthly);
    expect(chart.cells).toEqual([
      row('All Users', '2026-04-01', 40, '40', 'Uniques'),
      row('All Users', '2026-05-01', 41, '41', 'Uniques'),
      row('All Users', '2026-06-01', 42, '42', 'Uniques'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Active users in Germany',
        metric: 'Uniques',
        event: 'Any Active Event',
        dimension: 'Segment',
        filters: 'Country = Germany',
        interval: 'month',
        column_count: 3,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('LF line endings read like CRLF', () => {
    const chart = parseChartCsv(lfEndings);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-29', 8, '8', 'Uniques'),
      row('All Users', '2026-06-30', 13, '13', 'Uniques'),
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Newsletter opens',
        metric: 'Uniques',
        event: 'Email Opened',
        dimension: 'Segment',
        interval: 'day',
        column_count: 2,
      }),
    );
    expect(chart.warnings).toEqual([]);
  });

  it('repeated row labels and column names get #2, #3 suffixes and a warning each', () => {
    const chart = parseChartCsv(duplicates);
    const r = (label: string, segment: string, value: number): ChartCell =>
      row(label, segment, value, String(value), 'Uniques', 'Country');
    expect(chart.cells).toEqual([
      r('Unknown', '2026-06-01', 1),
      r('Unknown', '2026-06-01 #2', 2),
      r('Unknown #2', '2026-06-01', 3),
      r('Unknown #2', '2026-06-01 #2', 4),
      r('Unknown #3', '2026-06-01', 5),
      r('Unknown #3', '2026-06-01 #2', 6),
    ]);
    expect(chart.warnings).toEqual([
      'table 0: column "2026-06-01" repeats in the header; renamed to "2026-06-01 #2"',
      'table 0: row label "Unknown" repeats; renamed to "Unknown #2"',
      'table 0: row label "Unknown" repeats; renamed to "Unknown #3"',
    ]);
    expect(chart.metadata).toEqual(
      meta({
        title: 'Duplicated labels',
        metric: 'Uniques',
        event: 'Search',
        dimension: 'Country',
        interval: null,
        row_count: 3,
        column_count: 2,
      }),
    );
  });

  it('unrecognised parts become (raw) records with a warning per kind', () => {
    const chart = parseChartCsv(unrecognised);
    expect(chart.cells).toEqual([
      row('New Users', '2026-06-01', 2, '2', 'Uniques'),
      raw(3, 1, null, 'US'),
      raw(3, 2, 5, '5'),
      raw(3, 3, 6, '6'),
      raw(8, 1, null, 'All Users'),
      raw(8, 2, 1, '1'),
      raw(8, 3, 9, '9'),
      raw(11, 1, null, 'Exported by someone'),
    ]);
    expect(chart.warnings).toEqual([
      'unrecognised layout (table row without a header) in CSV row 3: kept as (raw) records',
      'unrecognised layout (row longer than its header) in CSV row 8: kept as (raw) records',
      'unrecognised layout (text after the last table) in CSV row 11: kept as (raw) records',
    ]);
    expect(chart.metadata).toEqual(
      meta({ title: 'Odd chart', metric: 'Uniques', dimension: 'Segment', interval: 'day' }),
    );
  });

  it('a preamble block after the metric block becomes raw records; trailing empty header cells name no column', () => {
    const chart = parseChartCsv(extraPreamble);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-01', 70, '70', 'Uniques'),
      raw(6, 1, null, 'Sampled at 10%'),
      raw(7, 1, null, 'Computed hourly'),
    ]);
    expect(chart.warnings).toEqual([
      'unrecognised layout (preamble line outside the title and metric blocks) in CSV rows 6, 7: kept as (raw) records',
    ]);
    expect(chart.metadata).toEqual(
      meta({ title: 'Sampled chart', metric: 'Uniques', event: 'Page View', dimension: 'Segment', interval: 'day' }),
    );
  });

  it('a row with broken quoting loses its stray quotes and warns', () => {
    const chart = parseChartCsv(brokenQuotes);
    expect(chart.cells).toEqual([
      row('All Users', '2026-06-01', 1, '1', null),
      row('New Users', '2026-06-01', 2, '2', null),
    ]);
    expect(chart.warnings).toEqual(['CSV row 2: Trailing quote on quoted field is malformed; its stray quotes were removed']);
    expect(chart.metadata).toEqual(meta({ dimension: 'Segment', interval: 'day', row_count: 2 }));
  });

  it('a body without a table still names the chart and warns', () => {
    const chart = parseChartCsv(titleOnly);
    expect(chart.cells).toEqual([]);
    expect(chart.metadata).toEqual(
      meta({ title: 'Empty chart', metric: 'Uniques', event: 'Nothing', table_count: 0, row_count: 0, column_count: 0 }),
    );
    expect(chart.warnings).toEqual(['no table found: the chart CSV has no header row']);
  });
});

describe('extractChartCsv', () => {
  const legacyRecords = [
    row('All Users', '2026-06-01', 4, '4', 'Uniques'),
    row('All Users', '2026-06-02', 5, '5', 'Uniques'),
  ];

  it('returns data when it is CSV text, from the parsed body or its JSON text', () => {
    const text = '"\tT"\r\n';
    expect(extractChartCsv({ data: text })).toBe(text);
    expect(extractChartCsv(JSON.stringify({ data: text }))).toBe(text);
  });

  it('turns the legacy csvResponse rows of cells into CSV text', () => {
    const body = {
      data: {
        csvResponse: {
          data: [
            ['\tLegacy chart'],
            [''],
            ['\tUniques'],
            ['\tApp Open'],
            [null],
            ['\tSegment', '\t2026-06-01', '\t2026-06-02'],
            ['\tAll Users', 4, '5'],
          ],
        },
      },
    };
    const text = extractChartCsv(body);
    expect(text).toBe(legacyCsv);
    expect(parseChartCsv(text).cells).toEqual(legacyRecords);
  });

  it('joins legacy csvResponse CSV lines', () => {
    const lines = legacyCsv.split('\r\n').slice(0, -1);
    const text = extractChartCsv({ data: { csvResponse: { data: lines } } });
    expect(text).toBe(legacyCsv);
  });

  it('legacy cells that kept their own quotes or an escaped \\t marker still read as text and numbers', () => {
    expect(parseChartCsv(extractChartCsv(legacyQuotedBody)).cells).toEqual([
      row('All Users', '2026-06-01', 4, '4', null),
      row('All Users', '2026-06-02', 5, '5', null),
    ]);
  });

  it.each([
    ['a non-JSON string', 'Service unavailable', 'chart response is not JSON: "Service unavailable"'],
    ['an array', [1], 'chart response is an array, not a JSON object'],
    ['a body without data', { error: 'x' }, 'chart response has no "data" field (fields: error)'],
    ['numeric data', { data: 5 }, 'chart response "data" is a number; expected CSV text'],
    ['an object without csvResponse', { data: { rows: [] } }, 'chart response "data" is an object; expected CSV text'],
    [
      'the legacy series JSON',
      { data: { series: [[1]], xValues: ['2026-06-01'] } },
      'chart response is the legacy /query JSON (data.series); only CSV results can be read',
    ],
    [
      'a legacy row that is neither cells nor a line',
      { data: { csvResponse: { data: ['"a"', { x: 1 }] } } },
      'chart response data.csvResponse.data[1] is an object; expected a row of cells or a CSV line',
    ],
    [
      'a legacy cell that is an object',
      { data: { csvResponse: { data: [['a', ['b']]] } } },
      'chart response data.csvResponse.data[0][1] is an array; expected a cell',
    ],
  ])('rejects %s with ChartFormatError', (_name, body, message) => {
    expect(() => extractChartCsv(body)).toThrow(new ChartFormatError(message));
    expect(() => extractChartCsv(body)).toThrow(ChartFormatError);
  });
});

describe('every test body', () => {
  // The only quotes allowed in output are the ones the CSV escaped as "" inside a label.
  const decodedQuotes = new Set(['Say "hi"']);

  it.each(Object.entries(allBodies))('%s: no TAB, no stray quote, only finite numbers or null', (_name, csv) => {
    const chart = parseChartCsv(csv);
    const texts = [
      ...chart.cells.flatMap((c) => [c.dimension_name, c.dimension_value, c.segment, c.raw_value, c.metric]),
      ...Object.values(chart.metadata),
    ].filter((v): v is string => typeof v === 'string');
    expect(texts.filter((t) => t.includes('\t'))).toEqual([]);
    expect(texts.filter((t) => t.includes('"') && !decodedQuotes.has(t))).toEqual([]);
    expect(chart.cells.filter((c) => c.value !== null && !Number.isFinite(c.value))).toEqual([]);
  });
});

describe('every test body without its TABs', () => {
  // groupByLabels has TABs inside a label ("Tab⇥inside⇥"): removing them changes that label's text.
  // legacyQuoted's doubly quoted cells are told from labels with quotes only by the TAB inside.
  const sameText = Object.entries(allBodies).filter(([name]) => name !== 'groupByLabels' && name !== 'legacyQuoted');

  it.each(sameText)('%s: the same records, metadata and warnings', (_name, csv) => {
    expect(parseChartCsv(csv.replaceAll('\t', ''))).toEqual(parseChartCsv(csv));
  });
});

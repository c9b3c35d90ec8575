// Chart layouts of docs/chart-layouts.md beyond the recorded bodies, each read as Amplitude writes
// it (TAB before text cells) and with every TAB removed: the same records either way. Bodies and
// expected records are written out by hand.
import { describe, expect, it } from '@jest/globals';
import { type ChartCell, type ChartMetadata, parseChartCsv } from '../../src/amplitude/chart-csv.js';

const crlf = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');

interface Table {
  dimension: string;
  metric: string | null;
  /** [dimension_value, segment, value, raw_value] */
  cells: Array<[string, string, number | null, string | null]>;
}

const records = ({ dimension, metric, cells }: Table): ChartCell[] =>
  cells.map(([dimension_value, segment, value, raw_value]) => ({
    table_index: 0,
    dimension_name: dimension,
    dimension_value,
    segment,
    value,
    raw_value,
    metric,
  }));

const meta = (fields: Partial<ChartMetadata>): ChartMetadata => ({
  title: null,
  description: null,
  metric: null,
  event: null,
  dimension: 'Segment',
  filters: null,
  interval: null,
  table_count: 1,
  row_count: 1,
  column_count: 1,
  ...fields,
});

interface Case {
  body: string;
  table: Table;
  metadata: ChartMetadata;
}

const cases: Record<string, Case> = {
  'weekly without a time part (Monday dates seven days apart)': {
    body: crlf(
      '"\tWeekly sessions"',
      '',
      '"\tTotal Sessions"',
      '',
      '"\tSegment","\t2026-06-01","\t2026-06-08","\t2026-06-15"',
      '"\tApp","120","98","15"',
    ),
    table: {
      dimension: 'Segment',
      metric: 'Total Sessions',
      cells: [
        ['App', '2026-06-01', 120, '120'],
        ['App', '2026-06-08', 98, '98'],
        ['App', '2026-06-15', 15, '15'],
      ],
    },
    metadata: meta({ title: 'Weekly sessions', metric: 'Total Sessions', interval: 'week', column_count: 3 }),
  },
  'monthly with a time part': {
    body: crlf(
      '"\tMonthly actives"',
      '',
      '"\tUniques"',
      '"\tAny Active Event"',
      '',
      '"\tSegment","\t2026-04-01T00:00:00","\t2026-05-01T00:00:00"',
      '"\tAll Users","40","41"',
    ),
    table: {
      dimension: 'Segment',
      metric: 'Uniques',
      cells: [
        ['All Users', '2026-04-01T00:00:00', 40, '40'],
        ['All Users', '2026-05-01T00:00:00', 41, '41'],
      ],
    },
    metadata: meta({ title: 'Monthly actives', metric: 'Uniques', event: 'Any Active Event', interval: 'month', column_count: 2 }),
  },
  'funnel, steps as rows with conversion and drop-off (segment written once)': {
    body: crlf(
      '"\tCheckout steps"',
      '',
      '"\tConversion"',
      '"\tSign Up"',
      '"\tPurchase"',
      '',
      '"\tSegment","\tStep","\tUsers","\tConversion %","\tDrop-off"',
      '"\tAll Users","\tStep 1: Sign Up","200","100%","0"',
      '"","\tStep 2: Purchase","50","25%","150"',
    ),
    table: {
      dimension: 'Segment / Step',
      metric: 'Conversion',
      cells: [
        ['All Users / Step 1: Sign Up', 'Users', 200, '200'],
        ['All Users / Step 1: Sign Up', 'Conversion %', 100, '100%'],
        ['All Users / Step 1: Sign Up', 'Drop-off', 0, '0'],
        ['All Users / Step 2: Purchase', 'Users', 50, '50'],
        ['All Users / Step 2: Purchase', 'Conversion %', 25, '25%'],
        ['All Users / Step 2: Purchase', 'Drop-off', 150, '150'],
      ],
    },
    metadata: meta({
      title: 'Checkout steps',
      metric: 'Conversion',
      event: 'Sign Up, Purchase',
      dimension: 'Segment / Step',
      row_count: 2,
      column_count: 3,
    }),
  },
  'funnel over time: a view line, a label column per step, [Previous] rows': {
    body: crlf(
      '"\tUser Conversion"',
      '',
      '"\tConversion Over Time","\tOverall"',
      '',
      '"\tSegment","\tSteps","\t2026-06-01","\t2026-06-08"',
      '"\tWeb","\tEntire Funnel","0.25","0.5"',
      '"\tWeb","\tStep 2: Purchase","0.125","1"',
      '"\t[Previous] Web","\tEntire Funnel","0","0.75"',
    ),
    table: {
      dimension: 'Segment / Steps',
      metric: 'Conversion Over Time (Overall)',
      cells: [
        ['Web / Entire Funnel', '2026-06-01', 0.25, '0.25'],
        ['Web / Entire Funnel', '2026-06-08', 0.5, '0.5'],
        ['Web / Step 2: Purchase', '2026-06-01', 0.125, '0.125'],
        ['Web / Step 2: Purchase', '2026-06-08', 1, '1'],
        ['[Previous] Web / Entire Funnel', '2026-06-01', 0, '0'],
        ['[Previous] Web / Entire Funnel', '2026-06-08', 0.75, '0.75'],
      ],
    },
    metadata: meta({
      title: 'User Conversion',
      metric: 'Conversion Over Time (Overall)',
      dimension: 'Segment / Steps',
      interval: 'week',
      row_count: 3,
      column_count: 2,
    }),
  },
  'retention: Day 0..N columns, percent cells, days not reached yet empty': {
    body: crlf(
      '"\tDay N retention"',
      '',
      '"\tReturn On (Custom)"',
      '',
      '"\tSegment","\tDay 0","\tDay 1","\tDay 2"',
      '"\tAll Users","100%","41.5%","38%"',
      '"\tNew Users","100%","12.25%",""',
    ),
    table: {
      dimension: 'Segment',
      metric: 'Return On (Custom)',
      cells: [
        ['All Users', 'Day 0', 100, '100%'],
        ['All Users', 'Day 1', 41.5, '41.5%'],
        ['All Users', 'Day 2', 38, '38%'],
        ['New Users', 'Day 0', 100, '100%'],
        ['New Users', 'Day 1', 12.25, '12.25%'],
        ['New Users', 'Day 2', null, null],
      ],
    },
    metadata: meta({ title: 'Day N retention', metric: 'Return On (Custom)', row_count: 2, column_count: 3 }),
  },
  'comparison periods: [Previous] rows in a daily series, a formula as the event line': {
    body: crlf(
      '"\tPurchases per user vs last period"',
      '',
      '"\tFormula"',
      '"\tTOTALS(A) / UNIQUES(B)"',
      '',
      '"\tSegment","\t2026-06-01","\t2026-06-02"',
      '"\tAll Users","1.5","2.25"',
      '"\t[Previous] All Users","1.25","0.5"',
    ),
    table: {
      dimension: 'Segment',
      metric: 'Formula',
      cells: [
        ['All Users', '2026-06-01', 1.5, '1.5'],
        ['All Users', '2026-06-02', 2.25, '2.25'],
        ['[Previous] All Users', '2026-06-01', 1.25, '1.25'],
        ['[Previous] All Users', '2026-06-02', 0.5, '0.5'],
      ],
    },
    metadata: meta({
      title: 'Purchases per user vs last period',
      metric: 'Formula',
      event: 'TOTALS(A) / UNIQUES(B)',
      interval: 'day',
      row_count: 2,
      column_count: 2,
    }),
  },
  'labels with commas, quotes, a line break and a leading = + -; two group-by levels': {
    body: crlf(
      '"\tSignups by campaign and country"',
      '',
      '"\tUniques"',
      '',
      '"\tutm_campaign","\tCountry","\t2026-06-01"',
      '"\t=HYPERLINK(""x"")","\tKorea, Republic of","1"',
      '"","\tSaint Helena,\r\nAscension","2"',
      '"\t+44 mobile","\t-Unknown-","3"',
      '"\t-1","\t""quoted""","4"',
    ),
    table: {
      dimension: 'utm_campaign / Country',
      metric: 'Uniques',
      cells: [
        ['=HYPERLINK("x") / Korea, Republic of', '2026-06-01', 1, '1'],
        ['=HYPERLINK("x") / Saint Helena,\r\nAscension', '2026-06-01', 2, '2'],
        ['+44 mobile / -Unknown-', '2026-06-01', 3, '3'],
        ['-1 / "quoted"', '2026-06-01', 4, '4'],
      ],
    },
    metadata: meta({
      title: 'Signups by campaign and country',
      metric: 'Uniques',
      dimension: 'utm_campaign / Country',
      interval: 'day',
      row_count: 4,
      column_count: 1,
    }),
  },
  'numbers with exponents, .0, thousands separators and percent': {
    body: crlf(
      '"\tNumber formats"',
      '',
      '"\tTotals"',
      '',
      '"\tSegment","\t2026-06-01","\t2026-06-02","\t2026-06-03","\t2026-06-04"',
      '"\tA","1e3","2.5E-4","1.0e+2","-3e0"',
      '"\tB","2.0","0.0","-1.0","1,234"',
      '"\tC","12,345,678.5","12.5%","1,234.5%","-4%"',
    ),
    table: {
      dimension: 'Segment',
      metric: 'Totals',
      cells: [
        ['A', '2026-06-01', 1000, '1e3'],
        ['A', '2026-06-02', 0.00025, '2.5E-4'],
        ['A', '2026-06-03', 100, '1.0e+2'],
        ['A', '2026-06-04', -3, '-3e0'],
        ['B', '2026-06-01', 2, '2.0'],
        ['B', '2026-06-02', 0, '0.0'],
        ['B', '2026-06-03', -1, '-1.0'],
        ['B', '2026-06-04', 1234, '1,234'],
        ['C', '2026-06-01', 12345678.5, '12,345,678.5'],
        ['C', '2026-06-02', 12.5, '12.5%'],
        ['C', '2026-06-03', 1234.5, '1,234.5%'],
        ['C', '2026-06-04', -4, '-4%'],
      ],
    },
    metadata: meta({ title: 'Number formats', metric: 'Totals', interval: 'day', row_count: 3, column_count: 4 }),
  },
};

describe.each(Object.entries(cases))('%s', (_name, { body, table, metadata }) => {
  it.each([
    ['as exported', body],
    ['without TABs', body.replaceAll('\t', '')],
  ])('%s', (_how, csv) => {
    const chart = parseChartCsv(csv);
    expect(chart.cells).toEqual(records(table));
    expect(chart.metadata).toEqual(metadata);
    expect(chart.warnings).toEqual([]);
  });
});

describe('structure from content', () => {
  it('a two-cell preamble line followed by a blank row is a line, not a table', () => {
    const chart = parseChartCsv(crlf('"\tT"', '', '"\tView","\tQualifier","\tMore"', '', '"\tSegment","\t2026-06-01"', '"\tAll Users","1"'));
    expect(chart.metadata).toMatchObject({ metric: 'View (Qualifier, More)', dimension: 'Segment', table_count: 1, column_count: 1 });
    const trailingEmpty = parseChartCsv(crlf('"\tT"', '', '"\tView","\tQualifier",""', '', '"\tSegment","\t2026-06-01"', '"\tAll Users","1"'));
    expect(trailingEmpty.metadata).toMatchObject({ metric: 'View (Qualifier)', table_count: 1 });
    expect(trailingEmpty.warnings).toEqual([]);
  });

  it('rows of numbers without a header stay raw records, with or without TABs', () => {
    for (const csv of [crlf('"\tT"', '', '"\tiOS","1","2"', '"\tWeb","3","4"'), crlf('"T"', '', '"iOS","1","2"', '"Web","3","4"')]) {
      const chart = parseChartCsv(csv);
      expect(chart.metadata.table_count).toBe(0);
      expect(chart.cells.map((c) => [c.dimension_name, c.dimension_value, c.segment, c.raw_value])).toEqual([
        ['(raw)', 'row 3', 'column 1', 'iOS'],
        ['(raw)', 'row 3', 'column 2', '1'],
        ['(raw)', 'row 3', 'column 3', '2'],
        ['(raw)', 'row 4', 'column 1', 'Web'],
        ['(raw)', 'row 4', 'column 2', '3'],
        ['(raw)', 'row 4', 'column 3', '4'],
      ]);
    }
  });

  it('a numeric second label column is a label while its cells carry the TAB (the hint), a value column without', () => {
    const body = crlf('"\tT"', '', '"\tCountry","\tVersion","\t2026-06-01"', '"\tFrance","\t2","7"');
    expect(parseChartCsv(body).cells.map((c) => [c.dimension_value, c.segment, c.value])).toEqual([['France / 2', '2026-06-01', 7]]);
    expect(parseChartCsv(body.replaceAll('\t', '')).cells.map((c) => [c.dimension_value, c.segment, c.value])).toEqual([
      ['France', 'Version', 2],
      ['France', '2026-06-01', 7],
    ]);
  });
});

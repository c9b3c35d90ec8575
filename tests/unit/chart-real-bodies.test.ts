// The real chart exports of tests/fixtures/amplitude, as recorded and with every TAB removed (as
// Amplitude's "no leading spaces" export setting writes them): the same rows and metadata, written
// out here by hand from the bodies.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { type ChartCell, extractChartCsv, parseChartCsv } from '../../src/amplitude/chart-csv.js';
import { fixture } from '../helpers/paths.js';

const read = (name: string): string => readFileSync(fixture(name), 'utf8');

/** One record per value cell of a row: `values` are the cells as exported, in column order. */
function rowsOf(label: string, columns: string[], values: string[], metric: string | null, dimension = 'Segment'): ChartCell[] {
  expect(values).toHaveLength(columns.length); // a slip in the hand-written table would misalign
  return values.map((text, k) => ({
    table_index: 0,
    dimension_name: dimension,
    dimension_value: label,
    segment: columns[k]!,
    value: Number(text),
    raw_value: text,
    metric,
  }));
}

const bothWays = (csv: string): Array<[string, string]> => [
  ['as recorded', csv],
  ['without TABs', csv.replaceAll('\t', '')],
];

describe('gl9dulhv (daily, one segment, description and event lines)', () => {
  const csv = extractChartCsv(JSON.parse(read('chart-csv-gl9dulhv.json')));
  const days = Array.from({ length: 30 }, (_, k) => `2026-06-${String(k + 1).padStart(2, '0')}`);
  const counts = '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0'.split(' ');

  it.each(bothWays(csv))('%s', (_how, body) => {
    const chart = parseChartCsv(body);
    expect(chart.cells).toEqual(rowsOf('All Users', days, counts, 'Uniques'));
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

const weeks2025 = ['2025-06-02', '2025-06-09', '2025-06-16', '2025-06-23', '2025-06-30', '2025-07-07', '2025-07-14', '2025-07-21', '2025-07-28'].map(
  (d) => `${d}T00:00:00`,
);

describe('weekly sessions (weeks with a time part, three segments, no description)', () => {
  const csv = read('chart-csv-weekly-sessions.csv');

  it.each(bothWays(csv))('%s', (_how, body) => {
    const chart = parseChartCsv(body);
    const metric = 'Total Sessions';
    expect(chart.cells).toEqual([
      ...rowsOf('App', weeks2025, ['114169', '171050', '49092', '52543', '58442', '53355', '55136', '54054', '12578'], metric),
      ...rowsOf('Web', weeks2025, ['469090', '723645', '149546', '152779', '163187', '164650', '159888', '149215', '31090'], metric),
      ...rowsOf('App + Web', weeks2025, ['583259', '894695', '198638', '205322', '221629', '218005', '215024', '203269', '43668'], metric),
    ]);
    expect(chart.metadata).toEqual({
      title: 'Sessions (Current Year)',
      description: null,
      metric: 'Total Sessions',
      event: null,
      dimension: 'Segment',
      filters: null,
      interval: 'week',
      table_count: 1,
      row_count: 3,
      column_count: 9,
    });
    expect(chart.warnings).toEqual([]);
  });
});

describe('weekly conversion with an empty metric line (a TAB alone)', () => {
  const csv = read('chart-csv-weekly-blank-metric.csv');

  it.each(bothWays(csv))('%s', (_how, body) => {
    const chart = parseChartCsv(body);
    expect(chart.cells).toEqual([
      ...rowsOf('Web', weeks2025, [
        '0.18217186467415636', '0.20247358856898065', '0.19276343065010096', '0.20388273257450304', '0.20456899140250143',
        '0.18273914363802005', '0.1888947263084159', '0.1866300304929129', '0.2031325378702602',
      ], null),
      ...rowsOf('App', weeks2025, [
        '0.2211633630845501', '0.2597544577608886', '0.196671555446916', '0.20725881658831813', '0.20613599808357003',
        '0.20562271577171773', '0.20322475333720255', '0.1944906944906945', '0.20491216914394722',
      ], null),
      ...rowsOf('App + Web', weeks2025, [
        '0.18980418647633385', '0.21342468662505099', '0.19372929650922785', '0.2047466905640896', '0.20498219998285422',
        '0.18833971697896837', '0.19256920157749832', '0.18872036562387773', '0.20364518935751247',
      ], null),
    ]);
    // The metric line is there but says nothing: null, and nothing else moves into its place.
    expect(chart.metadata).toEqual({
      title: 'Session Conversion % (Current Year)',
      description: null,
      metric: null,
      event: null,
      dimension: 'Segment',
      filters: null,
      interval: 'week',
      table_count: 1,
      row_count: 3,
      column_count: 9,
    });
    expect(chart.warnings).toEqual([]);
  });
});

describe('funnel conversion over time (a view line in two cells, a Steps label column, [Previous] rows)', () => {
  const csv = read('chart-csv-funnel-over-time.csv');
  const mondays = [
    '2025-02-10', '2025-02-17', '2025-02-24', '2025-03-03', '2025-03-10', '2025-03-17', '2025-03-24', '2025-03-31', '2025-04-07',
    '2025-04-14', '2025-04-21', '2025-04-28', '2025-05-05', '2025-05-12', '2025-05-19', '2025-05-26', '2025-06-02', '2025-06-09',
    '2025-06-16', '2025-06-23', '2025-06-30', '2025-07-07', '2025-07-14', '2025-07-21', '2025-07-28',
  ];
  // The six data rows as exported: segment label, then the 25 weekly conversion rates.
  const exported: Array<[string, string]> = [
    ['Web', '0.22795564203175173 0.24029874690290726 0.25883562123819387 0.23914472140074167 0.25297268907563025 0.26309644168938906 0.3200309548968642 0.2503047775947282 0.2647056240944813 0.24010176793938492 0.26486515955513557 0.26600643799959955 0.2339156815566482 0.25610535638646076 0.22204738025246412 0.23572533391105446 0.2550470803645353 0.2776441986078035 0.2883256958757729 0.3036477032799167 0.2985745094003633 0.2541148268818475 0.2683818000053082 0.2653259256440504 0.25960011402044225'],
    ['App', '0.4588184917406413 0.36110232484580107 0.38859323576780336 0.39642364078627307 0.397538167368767 0.4647130956911497 0.5575915858799483 0.37301072945920644 0.3925689694920464 0.357542362348262 0.39287180750595385 0.4068501436564343 0.39960412622283126 0.40846535445671306 0.3784344219803007 0.4026094299022145 0.48788380216951643 0.580349932705249 0.38079457729241195 0.4164412603260472 0.4049254698639015 0.39879250079440737 0.40117155985829034 0.37985714285714284 0.340215556421244'],
    ['App + Web', '0.2455402171337942 0.26000907587135685 0.28007066002890635 0.2601611360643343 0.2721123291488568 0.2885930986875293 0.353680493952941 0.27061720067453626 0.285847051619178 0.2597330239728903 0.2860191543052259 0.2879634397528321 0.25758366030891783 0.27874340240763373 0.24243897598729908 0.25939634318343063 0.2847264707243218 0.3136839988942223 0.30465972676114716 0.3242673282679485 0.31705821835759684 0.2747002754225846 0.28911034837582017 0.2866193824796191 0.2762163512585098'],
    ['[Previous] Web', '0.16830074255870736 0.14991277295248837 0.18427199042463804 0.2356673282472949 0.18180572820213603 0.19621247211529758 0.16846869626782643 0.18752562880437967 0.17703908502060078 0.17932847332682983 0.18294423680108182 0.1695867232715149 0.16355240975257615 0.16811535182050727 0.23884322912666103 0.2170382801387468 0.2608162636553858 0.3379798012599857 0.2820399650370832 0.27541485791693604 0.24748546103688426 0.22860063721431975 0.24131072888376814 0.26364112909630993 0.2743745371413852'],
    ['[Previous] App', '0.3816041929898451 0.38764914543695583 0.48349749438396405 0.5708489434481941 0.3818070818070818 0.40379730486072246 0.39041747880875755 0.41020677518697757 0.4088995518536961 0.4142129232989133 0.420070789090152 0.417649775389395 0.4150755077243534 0.3978328173374613 0.40047500565482924 0.4301915191778689 0.4991538189730524 0.5862249222944335 0.37963949039561395 0.4148483547367188 0.4104680204148116 0.4172782635852592 0.4222697720352234 0.42643286657415586 0.41921066283570774'],
    ['[Previous] App + Web', '0.18242987827927723 0.16780641767490795 0.20271177750718208 0.2591460623688646 0.20147667829119442 0.21649278166748487 0.18866017570416577 0.20966384947799152 0.1974608932214917 0.2000558925117134 0.20492349483245262 0.19098546377112222 0.18468189744537572 0.1884993365001827 0.25701803084795677 0.23649238910908055 0.2816716343861798 0.3648407098106069 0.2968404740723735 0.29561287893052157 0.2693786874905807 0.25154942628982585 0.2642455085203177 0.28652272742602375 0.2963573920333162'],
  ];
  const metric = 'Conversion Over Time (Overall)';
  const expected = exported.flatMap(([segment, values]) =>
    rowsOf(`${segment} / Entire Funnel`, mondays, values.split(' '), metric, 'Segment / Steps'),
  );

  it.each(bothWays(csv))('%s: one table, one record per value cell, none for a label column', (_how, body) => {
    const chart = parseChartCsv(body);
    expect(chart.cells).toHaveLength(6 * 25);
    expect(chart.cells).toEqual(expected);
    expect(new Set(chart.cells.map((c) => c.table_index))).toEqual(new Set([0]));
    expect(chart.cells.filter((c) => c.segment === 'Steps' || c.segment === 'Segment' || c.raw_value === 'Entire Funnel')).toEqual([]);
    expect(chart.metadata).toEqual({
      title: 'User Conversion',
      description: null,
      metric,
      event: null,
      dimension: 'Segment / Steps',
      filters: null,
      interval: 'week',
      table_count: 1,
      row_count: 6,
      column_count: 25,
    });
    expect(chart.warnings).toEqual([]);
  });
});

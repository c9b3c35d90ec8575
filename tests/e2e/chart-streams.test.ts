// The chart streams end to end: the built CLI against the simulator's saved charts. Expected rows
// are computed here from the simulator's chart MODEL (tables, header, label columns, cells as
// shown), never by calling the tap's parser.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lastState, parseMessages, recordsOf, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { schemaErrors } from '../helpers/schema-validator.js';
import { eventTypeRecord } from '../helpers/expected.js';
import { createSimulator, type ChartModel, type Simulator } from '../simulator/server.js';
import { discoverSelecting } from './support/e2e.js';

// One ID per layout prefix of the simulator, plus the real recorded chart; each also exported
// without TABs (the `plain` suffix), which must give the same rows.
const LAYOUT_IDS = [
  'gl9dulhv',
  'tsdaily1',
  'wkweekly1',
  'gbcampaign1',
  'mllevels1',
  'fnfunnel1',
  'pcshare1',
  'mttables1',
  'emsparse1',
  'flfilter1',
  'momonthly1',
  'wnweekly1',
  'foconversion1',
  'frsteps1',
  'rtretention1',
  'cpprevious1',
  'fmformula1',
  'bmblank1',
  'lblabels1',
  'nmnumbers1',
];
const PLAIN_IDS = LAYOUT_IDS.map((id) => `${id}plain`);
const MISSING = 'missing7x';
const FORBIDDEN = 'forbidden7x';

type Row = Record<string, unknown>;

let sim: Simulator;

beforeAll(async () => {
  sim = await createSimulator({ seed: 11, dataStart: '2026-06-01T00:00:00Z', dataEnd: '2026-06-20T12:30:00Z' });
});

afterAll(async () => {
  await sim.stop();
});

interface Run {
  code: number | null;
  stderr: string;
  lines: string[];
  messages: SingerMessage[];
  records: (stream: string) => Row[];
}

function configFor(chartIds: string[]): Record<string, unknown> {
  return { api_key: 'demo-api-key', secret_key: 'demo-secret-key', api_url: sim.url, start_date: '2026-06-01', chart_ids: chartIds };
}

/** Discovery with `discoverIds`, then a sync with `syncIds` selecting `selected(stream)` streams. */
async function runCharts(syncIds: string[], opts: { discoverIds?: string[]; selected?: (stream: string) => boolean } = {}): Promise<Run> {
  const dir = tempDir();
  const catalog = await discoverSelecting(configFor(opts.discoverIds ?? syncIds), opts.selected ?? ((s) => s.startsWith('chart')));
  const result = await runCli(['--config', writeJson(dir, 'config.json', configFor(syncIds)), '--catalog', writeJson(dir, 'catalog.json', catalog)], {
    timeoutMs: 20_000,
  });
  const messages = parseMessages(result.stdout);
  return {
    code: result.code,
    stderr: result.stderr,
    lines: result.stderr.split('\n').filter((l) => l.length > 0),
    messages,
    records: (stream) => {
      const rows = recordsOf(messages, stream);
      const schemaName = stream.startsWith('chart_') ? 'chart' : stream;
      for (const row of rows) expect(schemaErrors(schemaName, row)).toEqual([]);
      return rows;
    },
  };
}

// --- The expected rows, from the model and docs/chart-layouts.md ---------------------------------

/** A cell as a number: `%` dropped, `,` only between groups of three digits; anything else null. */
function expectedValue(cell: string): number | null {
  let t = cell.endsWith('%') ? cell.slice(0, -1) : cell;
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.split(',').join('');
  return /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t) ? Number(t) : null;
}

function expectedRows(id: string, model: ChartModel): Row[] {
  const rows: Row[] = [];
  model.tables.forEach((table, t) => {
    const labels = table.header.slice(0, table.labelColumns);
    const filled: string[] = labels.map(() => '');
    for (const row of table.rows) {
      // An empty label cell repeats the label of the row above (forward-fill, per column).
      for (let c = 0; c < table.labelColumns; c++) if (row[c] !== '') filled[c] = row[c] as string;
      for (let c = table.labelColumns; c < table.header.length; c++) {
        const cell = row[c] as string;
        rows.push({
          chart_id: id,
          table_index: t,
          dimension_name: labels.join(' / '),
          dimension_value: filled.join(' / '),
          segment: table.header[c],
          value: expectedValue(cell),
          raw_value: cell === '' ? null : cell,
          metric: table.metric,
        });
      }
    }
  });
  return rows;
}

const DAY_MS = 86_400_000;
const dayOf = (column: string): number => Date.parse(`${column.slice(0, 10)}T00:00:00Z`) / DAY_MS;

/**
 * `day` / `week` for date columns one or seven days apart, `month` for first-of-month columns one
 * month apart; one column: `day`, or `week` with `T00:00:00`; else null.
 */
function expectedInterval(columns: string[]): string | null {
  const daily = columns.every((c) => /^\d{4}-\d{2}-\d{2}$/.test(c));
  const weekly = columns.every((c) => /^\d{4}-\d{2}-\d{2}T00:00:00$/.test(c));
  if (!daily && !weekly) return null;
  const steps = new Set(columns.slice(1).map((c, k) => dayOf(c) - dayOf(columns[k] as string)));
  if (steps.size === 0) return daily ? 'day' : 'week';
  if (steps.size === 1 && steps.has(1)) return 'day';
  if (steps.size === 1 && steps.has(7)) return 'week';
  const monthIndex = (c: string): number => Number(c.slice(0, 4)) * 12 + Number(c.slice(5, 7));
  const monthly = columns.every((c, k) => c.slice(8, 10) === '01' && (k === 0 || monthIndex(c) - monthIndex(columns[k - 1] as string) === 1));
  return monthly ? 'month' : null;
}

function expectedMetadata(id: string, model: ChartModel): Row {
  const first = model.tables[0]!;
  const filters = [...new Set(model.tables.map((t) => t.filters).filter((f): f is string => f !== null))];
  return {
    chart_id: id,
    title: model.title,
    description: model.description.length > 0 ? model.description.join('\n') : null,
    metric: first.metric,
    event: first.events.length > 0 ? first.events.join(', ') : null,
    dimension: first.header.slice(0, first.labelColumns).join(' / '),
    filters: filters.length > 0 ? filters.join('\n') : null,
    interval: expectedInterval(first.header.slice(first.labelColumns)),
    table_count: model.tables.length,
    row_count: model.tables.reduce((n, t) => n + t.rows.length, 0),
    column_count: first.header.length - first.labelColumns,
  };
}

const keyOf = (r: Row): string => JSON.stringify([r.chart_id, r.table_index, r.dimension_name, r.dimension_value, r.segment]);
const chartRequests = () => sim.requests.filter((r) => r.path.startsWith('/api/3/chart/')).map((r) => [r.path, r.status]);

describe('chart streams against the simulator', () => {
  it('every layout equals its model; missing and forbidden charts fail alone, in one line each, the other streams sync', async () => {
    sim.requests.length = 0;
    const ids = [...LAYOUT_IDS, ...PLAIN_IDS];
    const run = await runCharts([...ids, MISSING, FORBIDDEN], { selected: (s) => s.startsWith('chart') || s === 'events_list' });

    // The fixtures cover what the expectations claim to cover.
    const models = new Map(ids.map((id) => [id, sim.truth.chart(id)]));
    expect(new Set(LAYOUT_IDS.map((id) => models.get(id)!.layout)).size).toBe(LAYOUT_IDS.length - 1); // gl9dulhv is a daily series too
    expect(models.get('mllevels1')!.tables[0]!.labelColumns).toBe(2);
    expect(models.get('foconversion1')!.tables[0]!.labelColumns).toBe(2);
    expect(models.get('mttables1')!.tables).toHaveLength(2);
    expect(PLAIN_IDS.every((id) => !models.get(id)!.csv.includes('\t'))).toBe(true);

    for (const [id, model] of models) {
      const rows = run.records(`chart_${id}`);
      expect(rows).toEqual(expectedRows(id, model));
      expect(new Set(rows.map(keyOf)).size).toBe(rows.length);
      for (const row of rows) for (const v of Object.values(row)) if (typeof v === 'string') expect(v).not.toContain('\t');
    }
    // Without TABs: exactly the rows of the same chart with them.
    for (const id of LAYOUT_IDS) {
      expect(run.records(`chart_${id}plain`).map((r) => ({ ...r, chart_id: id }))).toEqual(run.records(`chart_${id}`));
    }
    // Spot checks of the rules, in the tap's own output.
    const ml = run.records('chart_mllevels1');
    expect(ml[7]).toMatchObject({ dimension_name: 'Country / Platform', dimension_value: 'United States / Android' });
    expect(run.records('chart_gbcampaign1').map((r) => r.dimension_value)).toContain('Café, "Crème" & Co');
    expect(run.records('chart_wkweekly1').every((r) => typeof r.value === 'number' && r.value >= 1000)).toBe(true);
    expect(run.records('chart_emsparse1').filter((r) => r.raw_value === '-').every((r) => r.value === null)).toBe(true);
    expect(run.records('chart_mttables1').map((r) => r.table_index)).toContain(1);

    expect(run.records('charts_metadata')).toEqual(ids.map((id) => expectedMetadata(id, models.get(id)!)));
    const fo = run.records('charts_metadata').find((r) => r.chart_id === 'foconversion1');
    expect(fo).toMatchObject({ metric: 'Conversion Over Time (Overall)', dimension: 'Segment / Steps', interval: 'week', table_count: 1, column_count: 6 });
    expect(run.records('chart_foconversion1').filter((r) => r.segment === 'Steps' || r.table_index !== 0)).toEqual([]);
    expect(run.records('charts_metadata').find((r) => r.chart_id === 'momonthly1')?.interval).toBe('month');
    expect(run.records('charts_metadata').find((r) => r.chart_id === 'bmblank1')?.metric).toBeNull();
    expect(run.records('charts_metadata').find((r) => r.chart_id === 'flfilter1')?.filters).toBe('Country = United States; Platform is iOS, Android');
    expect(run.records('events_list')).toEqual(sim.truth.eventsList().map(eventTypeRecord));
    expect(run.records(`chart_${MISSING}`)).toEqual([]);
    expect(run.records(`chart_${FORBIDDEN}`)).toEqual([]);

    // One request per chart, shared by its stream and charts_metadata (all charts are requested at
    // once, so their order is the order the answers arrive in).
    const byPath = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect([...chartRequests()].sort(byPath)).toEqual(
      [...ids.map((id) => [`/api/3/chart/${id}/csv`, 200]), [`/api/3/chart/${MISSING}/csv`, 404], [`/api/3/chart/${FORBIDDEN}/csv`, 403]].sort(byPath),
    );

    const errors = run.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors.filter((l) => l.includes(MISSING))).toEqual([
      `ERROR stream chart_${MISSING} failed: chart ${MISSING}: Amplitude has no chart with this ID (404). Check chart_ids: the ID is the part after /chart/ in the chart's URL, and the chart must not have been deleted.`,
    ]);
    expect(errors.filter((l) => l.includes(FORBIDDEN))).toEqual([
      `ERROR stream chart_${FORBIDDEN} failed: chart ${FORBIDDEN}: Amplitude refused access (403). The chart must belong to the project of this api_key (charts are per project), or check secret_key and data_region.`,
    ]);
    expect(errors).toHaveLength(2);
    expect(run.stderr).not.toMatch(/WARNING/);
    expect(run.stderr).not.toContain('    at ');
    expect(run.code).toBe(1);
    expect(run.messages[run.messages.length - 1]?.type).toBe('STATE');
    // Each chart read completely is activated (a first sync: before its first record and after its
    // last) and keeps its table version in the state; the charts that failed never are, and
    // charts_metadata, which lacks their rows, gets only the first sync's one before its records.
    const activated = run.messages.filter((m) => m.type === 'ACTIVATE_VERSION').map((m) => m.stream);
    expect(activated).toEqual(['events_list', 'events_list', ...ids.flatMap((id) => [`chart_${id}`, `chart_${id}`]), 'charts_metadata']);
    const firstMetadata = run.messages.findIndex((m) => m.stream === 'charts_metadata' && m.type === 'RECORD');
    expect(run.messages.findIndex((m) => m.stream === 'charts_metadata' && m.type === 'ACTIVATE_VERSION')).toBe(firstMetadata - 1);
    const version = { version: expect.any(Number) };
    expect(lastState(run.messages)).toEqual({ bookmarks: { events_list: version, ...Object.fromEntries(ids.map((id) => [`chart_${id}`, version])) }, currently_syncing: null });
  });

  it('charts_metadata alone still names a chart it cannot read', async () => {
    const run = await runCharts(['tsdaily1', MISSING], { selected: (s) => s === 'charts_metadata' });
    expect(run.records('charts_metadata')).toEqual([expectedMetadata('tsdaily1', sim.truth.chart('tsdaily1'))]);
    const errors = run.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`chart ${MISSING}: Amplitude has no chart with this ID (404)`);
    expect(run.code).toBe(1);
    expect(run.messages[run.messages.length - 1]?.type).toBe('STATE');
  });

  it('takes chart URLs in chart_ids', async () => {
    const run = await runCharts(['https://app.amplitude.com/analytics/acme/chart/tsurl1', 'https://app.eu.amplitude.com/analytics/acme/chart/gburl2/edit/abc']);
    expect(run.code).toBe(0);
    expect(run.records('chart_tsurl1')).toEqual(expectedRows('tsurl1', sim.truth.chart('tsurl1')));
    expect(run.records('chart_gburl2')).toEqual(expectedRows('gburl2', sim.truth.chart('gburl2')));
    expect(run.records('charts_metadata').map((r) => r.chart_id)).toEqual(['tsurl1', 'gburl2']);
  });

  it('syncs only the charts of the catalog; a catalog chart dropped from the config is skipped with a warning', async () => {
    sim.requests.length = 0;
    // Configured but absent from the catalog: not synced.
    const notInCatalog = await runCharts(['tsone1', 'pctwo1'], { discoverIds: ['tsone1'] });
    expect(notInCatalog.code).toBe(0);
    expect(notInCatalog.lines.filter((l) => l.startsWith('WARNING'))).toEqual([
      'WARNING chart_ids lists chart pctwo1, but the catalog has no stream "chart_pctwo1", so it is not synced; run --discover again and select it',
    ]);
    expect(notInCatalog.records('chart_tsone1')).toEqual(expectedRows('tsone1', sim.truth.chart('tsone1')));
    expect(notInCatalog.messages.filter((m) => m.stream === 'chart_pctwo1')).toEqual([]);
    expect(notInCatalog.messages.filter((m) => m.type === 'SCHEMA').map((m) => m.stream)).toEqual(['chart_tsone1', 'charts_metadata']);
    expect(chartRequests().filter(([path]) => path === '/api/3/chart/tsone1/csv')).toHaveLength(1);
    sim.requests.length = 0;

    // In the catalog but no longer configured: a warning, then the rest runs.
    const dropped = await runCharts(['tsone1'], { discoverIds: ['tsone1', 'pctwo1'] });
    expect(dropped.code).toBe(0);
    expect(dropped.lines).toContain('WARNING catalog selects stream "chart_pctwo1", which the config no longer defines; skipping it');
    expect(dropped.records('chart_tsone1')).toEqual(expectedRows('tsone1', sim.truth.chart('tsone1')));
    expect(dropped.records('charts_metadata').map((r) => r.chart_id)).toEqual(['tsone1']);
    expect(chartRequests()).toEqual([['/api/3/chart/tsone1/csv', 200]]);
  });

  it('hints at data_region eu for a chart URL on the EU host', async () => {
    const dir = tempDir();
    const eu = 'https://analytics.eu.amplitude.com/acme/chart/euchart1';
    const run = await runCli(['--config', writeJson(dir, 'config.json', { start_date: '2026-06-01', chart_ids: [eu] }), '--discover']);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('WARNING'))).toEqual([
      'WARNING config: chart_ids[0]: the chart URL is on Amplitude\'s EU host (analytics.eu.amplitude.com) but data_region is "standard"; set data_region to "eu", or Amplitude will refuse the keys (403)',
    ]);
    const inEu = await runCli(['--config', writeJson(dir, 'eu.json', { start_date: '2026-06-01', data_region: 'eu', chart_ids: [eu] }), '--discover']);
    expect(inEu.code).toBe(0);
    expect(inEu.stderr).not.toContain('WARNING');
  });

  it('retries a chart answered 429 through the shared retry loop, and the chart is complete', async () => {
    sim.requests.length = 0;
    sim.faults.add({ path: '/api/3/chart/fnretry1/csv', requests: [1], kind: 'status', status: 429 });
    try {
      const run = await runCharts(['fnretry1']);
      expect(run.code).toBe(0);
      expect(run.records('chart_fnretry1')).toEqual(expectedRows('fnretry1', sim.truth.chart('fnretry1')));
      expect(run.records('charts_metadata')).toEqual([expectedMetadata('fnretry1', sim.truth.chart('fnretry1'))]);
      expect(chartRequests()).toEqual([
        ['/api/3/chart/fnretry1/csv', 429],
        ['/api/3/chart/fnretry1/csv', 200],
      ]);
      expect(run.lines.filter((l) => l.startsWith('WARNING'))).toHaveLength(1);
      expect(run.lines.find((l) => l.startsWith('WARNING'))).toMatch(/^WARNING chart fnretry1: .* answered HTTP 429.*\(attempt 1\/8; retrying in /);
    } finally {
      sim.faults.clear();
    }
  });
});

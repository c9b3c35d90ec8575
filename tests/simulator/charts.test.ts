import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import got from 'got';
import Papa from 'papaparse';
import { fixture } from '../helpers/paths.js';
import { CHART_LAYOUTS } from './charts.js';
import { createSimulator, type ChartModel, type Simulator } from './server.js';

let sim: Simulator;
beforeAll(async () => {
  // Generated charts end on the day of dataEnd: 2026-06-20, a Saturday.
  sim = await createSimulator({ seed: 5, dataStart: '2026-06-10T00:00:00Z', dataEnd: '2026-06-20T12:30:00Z', now: () => new Date('2026-06-20T12:30:00Z') });
});
afterAll(() => sim.stop());

async function getChart(id: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const res = await got(`${sim.url}/api/3/chart/${id}/csv`, {
    headers: { authorization: `Basic ${Buffer.from('demo-api-key:demo-secret-key').toString('base64')}` },
    throwHttpErrors: false,
    retry: { limit: 0 },
  });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
}

async function csvOf(id: string): Promise<string> {
  const res = await getChart(id);
  expect(res.status).toBe(200);
  expect(res.type).toBe('application/json; charset=UTF-8');
  return (JSON.parse(res.body) as { data: string }).data;
}

const linesOf = (csv: string): string[] => csv.split('\r\n');

/** The rows an independent CSV parser must see, from the model alone (docs/chart-layouts.md). */
function expectedLines(model: ChartModel): string[][] {
  const expected: string[][] = [[model.title], ...model.description.map((d) => [d])];
  for (const t of model.tables) {
    expected.push(['']);
    if (t.metricCells !== undefined) expected.push(t.metricCells);
    else if (t.metric !== null) expected.push([t.metric]);
    expected.push(...t.events.map((e) => [e]));
    if (t.filters !== null) expected.push([`Filters: ${t.filters}`]);
    expected.push([''], t.header, ...t.rows);
  }
  return expected;
}

function expectedTabs(model: ChartModel): boolean[][] {
  const preamble = (cells: string[]): boolean[] => cells.map(() => true);
  const tabs: boolean[][] = [[true], ...model.description.map(() => [true])];
  for (const t of model.tables) {
    tabs.push([false]);
    if (t.metricCells !== undefined) tabs.push(preamble(t.metricCells));
    else if (t.metric !== null) tabs.push([true]);
    tabs.push(...t.events.map(() => [true]));
    if (t.filters !== null) tabs.push([true]);
    tabs.push([false], t.header.map((c) => c !== ''), ...t.rows.map((r) => r.map((c, k) => k < t.labelColumns && c !== '')));
  }
  return tabs;
}
const dates = (from: number, to: number, suffix = ''): string => {
  const out: string[] = [];
  for (let d = from; d <= to; d++) out.push(`"\t2026-06-${String(d).padStart(2, '0')}${suffix}"`);
  return out.join(',');
};

describe('GET /api/3/chart/{id}/csv', () => {
  it('serves gl9dulhv byte for byte like the recorded chart', async () => {
    const real = (JSON.parse(fs.readFileSync(fixture('chart-csv-gl9dulhv.json'), 'utf8')) as { data: string }).data;
    expect(await csvOf('gl9dulhv')).toBe(real);
    expect(sim.truth.chart('gl9dulhv').csv).toBe(real);
  });

  it('renders every layout with CRLF lines, quoted cells and TABs on text cells only, matching its model', async () => {
    for (const prefix of [...Object.keys(CHART_LAYOUTS), 'x9']) {
      const id = `${prefix}abc123`;
      const csv = await csvOf(id);
      const model = sim.truth.chart(id);
      expect(model.csv).toBe(csv);
      expect(csv.endsWith('\r\n')).toBe(true);
      expect(/[^\r]\n/.test(csv)).toBe(false);
      // An independent CSV parser sees the model's cells, text cells with one leading TAB.
      const rows = Papa.parse<string[]>(csv.slice(0, -2), { newline: '\r\n' }).data;
      const expected = expectedLines(model);
      const stripped = rows.map((r) => r.map((c) => (c.startsWith('\t') ? c.slice(1) : c)));
      expect(stripped).toEqual(expected);
      // The TAB sits on every preamble cell (even an empty metric line), on non-empty header and
      // label cells, never on a value cell.
      expect(rows.map((r) => r.map((c) => c.startsWith('\t')))).toEqual(expectedTabs(model));
      expect(CHART_LAYOUTS[prefix] ?? model.layout).toBe(model.layout);

      // The same chart without TABs: same model, and the CSV is that one with every TAB removed.
      const plain = sim.truth.chart(`${id}plain`);
      expect({ ...plain, id, csv: '', tabs: true }).toEqual({ ...model, csv: '', tabs: true });
      expect(await csvOf(`${id}plain`)).toBe(csv.replaceAll('\t', ''));
      expect(plain.csv).not.toContain('\t');
    }
  });

  it('layouts seen in real exports: a funnel view line in two cells, an empty metric line (a TAB alone)', async () => {
    const fo = linesOf(await csvOf('founnel1'));
    expect(fo.slice(0, 4)).toEqual(['"\tUser Conversion"', '', '"\tConversion Over Time","\tOverall"', '']);
    expect(fo[4]).toBe('"\tSegment","\tSteps","\t2026-05-11","\t2026-05-18","\t2026-05-25","\t2026-06-01","\t2026-06-08","\t2026-06-15"');
    expect(fo.slice(5).filter((l) => l.startsWith('"\t[Previous] '))).toHaveLength(6);
    expect(sim.truth.chart('founnel1').tables[0]).toMatchObject({ metric: 'Conversion Over Time (Overall)', labelColumns: 2 });

    const bm = linesOf(await csvOf('bmblank1'));
    expect(bm.slice(0, 5)).toEqual(['"\tSession Conversion % (Current Year)"', '', '"\t"', '', '"\tSegment","\t2026-05-24T00:00:00","\t2026-05-31T00:00:00","\t2026-06-07T00:00:00","\t2026-06-14T00:00:00"']);
    expect(linesOf(await csvOf('bmblank1plain')).slice(0, 3)).toEqual(['"Session Conversion % (Current Year)"', '', '""']);
    expect(sim.truth.chart('bmblank1').tables[0]?.metric).toBeNull();
  });

  it('daily time series: title, description, metric, event, then dates as columns and several segments', async () => {
    const lines = linesOf(await csvOf('tsdaily1'));
    expect(lines.slice(0, 7)).toEqual([
      '"\tDaily Active Users"',
      '"\tUniques per day over the last 14 days."',
      '',
      '"\tUniques"',
      '"\tAny Active Event"',
      '',
      `"\tSegment",${dates(7, 20)}`,
    ]);
    expect(lines[7]).toMatch(/^"\tAll Users"(,"\d+"){14}$/);
    expect(lines[8]).toMatch(/^"\tNew Users"(,"\d+"){14}$/);
    expect(lines[9]).toMatch(/^"\tUsers in United States"(,"\d+"){14}$/);
    expect(lines.slice(10)).toEqual(['']);
  });

  it('weekly: no description line, Sunday T00:00:00 columns, thousands separators', async () => {
    const lines = linesOf(await csvOf('wkweekly'));
    const weeks = ['04-26', '05-03', '05-10', '05-17', '05-24', '05-31', '06-07', '06-14'].map((d) => `"\t2026-${d}T00:00:00"`).join(',');
    expect(lines.slice(0, 6)).toEqual(['"\tWeekly purchases"', '', '"\tTotals"', '"\tPurchase Completed"', '', `"\tSegment",${weeks}`]);
    expect(lines[6]).toMatch(/^"\tAll Users"(,"\d{1,2},\d{3}"){8}$/);
    expect(lines[7]).toMatch(/^"\tMobile \(iOS, Android\)"(,"\d{1,2},\d{3}"){8}$/);
  });

  it('one-level group-by: labels with commas and doubled quotes', async () => {
    const lines = linesOf(await csvOf('gbcampaign'));
    expect(lines[6]).toBe(`"\tutm_campaign",${dates(14, 20)}`);
    expect(lines.slice(7, 12).map((l) => l.slice(0, l.indexOf('",') + 1))).toEqual([
      '"\tspring_sale"',
      '"\tRetargeting, EU"',
      '"\t""Black Friday"" promo"',
      '"\tCafé, ""Crème"" & Co"',
      '"\t(none)"',
    ]);
  });

  it('multi-level group-by: one header cell per level and empty label cells to forward-fill', async () => {
    const lines = linesOf(await csvOf('mllevels'));
    expect(lines.slice(0, 3)).toEqual(['"\tPurchases by country and platform"', '"\tTotals per day."', '"\tGrouped by Country, then Platform."']);
    expect(lines[7]).toBe(`"\tCountry","\tPlatform",${dates(14, 20)}`);
    expect(lines.slice(8, 14).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '"\tUnited States","\tiOS"',
      '"","\tAndroid"',
      '"","\tWeb"',
      '"\tGermany","\tiOS"',
      '"","\tWeb"',
      '"\tJapan","\tAndroid"',
    ]);
  });

  it('funnel: step columns with conversion and drop-off, and a Total row that sums the segments', async () => {
    const lines = linesOf(await csvOf('fncheckout'));
    expect(lines.slice(3, 8)).toEqual(['"\tConversion"', '"\tSign Up"', '"\tAdd to Cart"', '"\tPurchase Completed"', '']);
    expect(lines[8]).toBe(
      '"\tSegment","\tStep 1: Sign Up","\tStep 2: Add to Cart","\tStep 2: Add to Cart (conversion %)","\tStep 2: Add to Cart (drop-off)",' +
        '"\tStep 3: Purchase Completed","\tStep 3: Purchase Completed (conversion %)","\tStep 3: Purchase Completed (drop-off)"',
    );
    const cells = lines.slice(9, 13).map((l) => l.split('","').map((c) => c.replace(/^"\t?|"$/g, '')));
    expect(cells.map((c) => c[0])).toEqual(['United States', 'Germany', 'Japan', 'Total']);
    const sum = (k: number): number => cells.slice(0, 3).reduce((s, c) => s + Number(c[k]), 0);
    const [s1, s2, s3] = [sum(1), sum(2), sum(5)];
    expect(cells[3]).toEqual(['Total', String(s1), String(s2), `${((100 * s2) / s1).toFixed(2)}%`, String(s1 - s2), String(s3), `${((100 * s3) / s2).toFixed(2)}%`, String(s2 - s3)]);
  });

  it('percent cells, several tables, empty cells and a filters line', async () => {
    expect(linesOf(await csvOf('pcshare'))[7]).toMatch(/^"\tAll Users"(,"\d{1,3}\.\d%"){7}$/);

    const mt = linesOf(await csvOf('mttwo'));
    const header = `"\tSegment",${dates(14, 20)}`;
    expect(mt.slice(3, 7)).toEqual(['"\tUniques"', '"\tPage Viewed"', '', header]);
    expect(mt[7]).toMatch(/^"\tAll Users"(,"\d+"){7}$/);
    expect(mt.slice(8, 13)).toEqual(['', '"\tTotals"', '"\tAdd to Cart"', '"\tPurchase Completed"', '']);
    expect(mt[13]).toBe(header);
    expect(mt[15]).toMatch(/^"\tPaying Users"(,"\d+"){7}$/);
    expect(sim.truth.chart('mttwo').tables.map((t) => t.metric)).toEqual(['Uniques', 'Totals']);

    const em = linesOf(await csvOf('emsparse'));
    expect(em[6]).toMatch(/^"\tAll Users","\d+","","\d+","\d+","","-","\d+"$/);

    const fl = linesOf(await csvOf('flus'));
    expect(fl.slice(3, 7)).toEqual(['"\tUniques"', '"\tSearch"', '"\tFilters: Country = United States; Platform is iOS, Android"', '']);
    expect(sim.truth.chart('flus').tables[0]?.filters).toBe('Country = United States; Platform is iOS, Android');
  });

  it('chooses a layout by hash for other ids, the same each time', async () => {
    const layouts = new Set(Object.values(CHART_LAYOUTS));
    const a = sim.truth.chart('q1w2e3r4');
    expect(layouts.has(a.layout)).toBe(true);
    expect(await csvOf('q1w2e3r4')).toBe(a.csv);
    expect(new Set(['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7', 'h8', 'i9', 'j0', 'k1', 'l2'].map((id) => sim.truth.chart(id).layout)).size).toBeGreaterThan(3);
  });

  it('answers 404 for missing… ids and 403 (not a credentials error) for forbidden… ids', async () => {
    const missing = await getChart('missing42');
    expect(missing.status).toBe(404);
    expect((JSON.parse(missing.body) as { error: { http_code: number } }).error.http_code).toBe(404);
    const forbidden = await getChart('forbidden1');
    expect(forbidden.status).toBe(403);
    const details = (JSON.parse(forbidden.body) as { error: { metadata: { details: string } } }).error.metadata.details;
    expect(details.toLowerCase()).not.toContain('invalid api');
    expect(() => sim.truth.chart('missing42')).toThrow();
    expect(() => sim.truth.chart('forbidden1')).toThrow();
  });
});

// Chart layouts seen in real exports, or assumed from public descriptions (docs/chart-layouts.md
// says which): funnels over time and as rows, retention, comparison periods, formulas, an empty
// metric line, awkward labels and number formats, monthly and weekly-without-time columns.
import type { ChartContent, ChartTable } from './chart-csv.js';
import type { Rng } from './random.js';
import { isoDate } from './time-format.js';

/** Id prefix → layout, for the layouts of this file. */
export const WILD_LAYOUTS: Readonly<Record<string, string>> = {
  mo: 'monthly-time-series',
  wn: 'weekly-without-time',
  fo: 'funnel-over-time',
  fr: 'funnel-steps-as-rows',
  rt: 'retention',
  cp: 'comparison-periods',
  fm: 'formula',
  bm: 'empty-metric-line',
  lb: 'awkward-labels',
  nm: 'number-formats',
};

const ints = (r: Rng, n: number, max: number): string[] => Array.from({ length: n }, () => String(r.int(max)));
/** A fraction with many digits, as Amplitude writes ratios (`0.22795564203175173`). */
const fraction = (r: Rng): string => String(r.int(1_000_000_007) / 1_000_000_007);
const fractions = (r: Rng, n: number): string[] => Array.from({ length: n }, () => fraction(r));

/** The Mondays of the last `n` weeks up to `lastDay`, as `YYYY-MM-DD` (no time part). */
function mondays(lastDay: number, n: number): string[] {
  const lastMonday = lastDay - ((lastDay + 3) % 7); // day 0 (1970-01-01) was a Thursday
  return Array.from({ length: n }, (_, k) => isoDate(lastMonday - 7 * (n - 1 - k)));
}

/** The first days of the last `n` months up to the month of `lastDay`. */
function monthStarts(lastDay: number, n: number): string[] {
  const last = new Date(lastDay * 86_400_000);
  return Array.from({ length: n }, (_, k) => {
    const d = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (n - 1 - k), 1));
    return d.toISOString().slice(0, 10);
  });
}

function table(fields: Partial<ChartTable> & Pick<ChartTable, 'header' | 'rows'>): ChartTable {
  return { metric: null, events: [], filters: null, labelColumns: 1, ...fields };
}

export function buildWild(prefix: string, r: Rng, lastDay: number): ChartContent {
  const days = Array.from({ length: 5 }, (_, k) => isoDate(lastDay - 4 + k));
  switch (prefix) {
    case 'mo': {
      const cols = monthStarts(lastDay, 4);
      return {
        title: 'Monthly active users',
        description: [],
        tables: [table({ metric: 'Uniques', events: ['Any Active Event'], header: ['Segment', ...cols], rows: [['All Users', ...ints(r, 4, 90000)]] })],
      };
    }
    case 'wn': {
      const cols = mondays(lastDay, 6);
      return {
        title: 'Weekly sessions',
        description: [],
        tables: [table({ metric: 'Total Sessions', header: ['Segment', ...cols], rows: ['App', 'Web', 'App + Web'].map((s) => [s, ...ints(r, 6, 500000)]) })],
      };
    }
    case 'fo': {
      // Real: the view line in two cells, a Steps label column, weekly dates without time, [Previous] rows.
      const cols = mondays(lastDay, 6);
      const rows: string[][] = [];
      for (const period of ['', '[Previous] ']) {
        for (const segment of ['Web', 'App']) {
          for (const step of ['Entire Funnel', 'Add to Cart', 'Purchase']) rows.push([`${period}${segment}`, step, ...fractions(r, 6)]);
        }
      }
      return {
        title: 'User Conversion',
        description: [],
        tables: [
          table({
            metric: 'Conversion Over Time (Overall)',
            metricCells: ['Conversion Over Time', 'Overall'],
            header: ['Segment', 'Steps', ...cols],
            labelColumns: 2,
            rows,
          }),
        ],
      };
    }
    case 'fr': {
      // Assumed: one row per step, the segment written on its first step only.
      const rows: string[][] = [];
      for (const segment of ['All Users', 'New Users']) {
        let prev = 500 + r.int(1500);
        rows.push([segment, 'Step 1: Sign Up', String(prev), '100%', '0']);
        ['Add to Cart', 'Purchase Completed'].forEach((step, k) => {
          const cur = Math.floor(prev * (0.2 + 0.6 * r.float()));
          rows.push(['', `Step ${k + 2}: ${step}`, String(cur), `${((100 * cur) / prev).toFixed(2)}%`, String(prev - cur)]);
          prev = cur;
        });
      }
      return {
        title: 'Checkout steps',
        description: ['Conversion within 1 day.'],
        tables: [table({ metric: 'Conversion', events: ['Sign Up', 'Add to Cart', 'Purchase Completed'], header: ['Segment', 'Step', 'Users', 'Conversion %', 'Drop-off'], labelColumns: 2, rows })],
      };
    }
    case 'rt': {
      const pct = (n: number): string[] => Array.from({ length: 8 }, (_, k) => (k === 0 ? '100%' : k < n ? `${(40 - 3 * k + r.int(50) / 10).toFixed(1)}%` : ''));
      return {
        title: 'Day N retention',
        description: [],
        tables: [
          table({
            metric: 'Return On (Custom)',
            events: ['Start: Sign Up', 'Return: Any Active Event'],
            header: ['Segment', ...Array.from({ length: 8 }, (_, k) => `Day ${k}`)],
            rows: [['All Users', ...pct(8)], ['New Users', ...pct(5)]],
          }),
        ],
      };
    }
    case 'cp':
      return {
        title: 'Signups vs previous period',
        description: [],
        tables: [
          table({
            metric: 'Uniques',
            events: ['Sign Up'],
            header: ['Segment', ...days],
            rows: ['All Users', '[Previous] All Users', 'iOS', '[Previous] iOS'].map((s) => [s, ...ints(r, 5, 300)]),
          }),
        ],
      };
    case 'fm':
      return {
        title: 'Purchases per active user',
        description: ['A formula over two events.'],
        tables: [table({ metric: 'Formula', events: ['TOTALS(A) / UNIQUES(B)'], header: ['Segment', ...days], rows: [['All Users', ...fractions(r, 5)]] })],
      };
    case 'bm': {
      // Real (chart-csv-weekly-blank-metric.csv): the metric line is a TAB alone.
      const lastSunday = lastDay - ((lastDay + 4) % 7);
      const cols = Array.from({ length: 4 }, (_, k) => `${isoDate(lastSunday - 7 * (3 - k))}T00:00:00`);
      return {
        title: 'Session Conversion % (Current Year)',
        description: [],
        tables: [table({ metricCells: [''], header: ['Segment', ...cols], rows: ['Web', 'App'].map((s) => [s, ...fractions(r, 4)]) })],
      };
    }
    case 'lb': {
      const labels = ['Korea, Republic of', '"Black Friday" promo', 'Saint Helena,\r\nAscension', '=HYPERLINK("x")', '+44 mobile', '-1', '-summer-'];
      return {
        title: 'Signups by campaign label',
        description: [],
        tables: [table({ metric: 'Uniques', events: ['Sign Up'], header: ['utm_campaign', ...days], rows: labels.map((l) => [l, ...ints(r, 5, 50)]) })],
      };
    }
    default: {
      const rows = [
        ['Exponents', '1e3', '2.5E-4', '1.0e+2', '-3e0', '7'],
        ['Trailing .0', '2.0', '10.0', '0.0', '-1.0', '3'],
        ['Thousands', '1,234', '12,345,678', '1,000.5', '-2,500', '999'],
        ['Percent', '12.5%', '100%', '0.0%', '1,234.5%', '-4%'],
      ];
      return {
        title: 'Number formats',
        description: [],
        tables: [table({ metric: 'Totals', events: ['Any Event'], header: ['Segment', ...days], rows })],
      };
    }
  }
}

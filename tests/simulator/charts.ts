// Saved charts for GET /api/3/chart/{id}/csv. `gl9dulhv` is the real recorded chart; any other id
// gets a deterministic chart whose layout follows its prefix (docs/chart-layouts.md), dated up to
// the day of dataEnd. An id ending in `plain` gets the same chart exported without any TAB.
import { renderChartCsv, type ChartContent, type ChartTable } from './chart-csv.js';
import { WILD_LAYOUTS, buildWild } from './chart-layouts-wild.js';
import type { ResolvedOptions } from './options.js';
import { Rng, hash } from './random.js';
import { DAY_MS, isoDate } from './time-format.js';

export interface ChartModel extends ChartContent {
  id: string;
  layout: string;
  /** The decoded CSV text (the `data` string of the body). */
  csv: string;
}

/** Id prefix → layout. Ids without a known prefix get one of these by hash. */
export const CHART_LAYOUTS: Readonly<Record<string, string>> = {
  ts: 'daily-time-series',
  wk: 'weekly-time-series',
  gb: 'group-by',
  ml: 'multi-level-group-by',
  fn: 'funnel',
  pc: 'percent',
  mt: 'multi-table',
  em: 'empty-cells',
  fl: 'filters',
  ...WILD_LAYOUTS,
};

/** Ids with this suffix are exported without TABs (Amplitude's per-user export setting). */
export const PLAIN_SUFFIX = 'plain';

export class ChartUnavailable extends Error {
  constructor(
    readonly status: 403 | 404,
    id: string,
  ) {
    super(status === 404 ? `chart ${id} does not exist` : `chart ${id} is not accessible`);
  }
}

/** The chart recorded live (tests/fixtures/amplitude/chart-csv-gl9dulhv.json), as a model. */
export function sampleChart(): ChartContent {
  const dates = Array.from({ length: 30 }, (_, k) => `2026-06-${String(k + 1).padStart(2, '0')}`);
  return {
    title: 'Sample Metric - Test Event Users',
    description: ['Sample chart using an available event metric from the current project.'],
    tables: [
      {
        metric: 'Uniques',
        events: ['Test Event'],
        filters: null,
        header: ['Segment', ...dates],
        labelColumns: 1,
        rows: [['All Users', ...dates.map((d) => (d === '2026-06-16' ? '3' : '0'))]],
      },
    ],
  };
}

export function chartModel(o: ResolvedOptions, id: string): ChartModel {
  if (id.startsWith('missing')) throw new ChartUnavailable(404, id);
  if (id.startsWith('forbidden')) throw new ChartUnavailable(403, id);
  // `<id>plain` is chart <id> exported without TABs: same content, same numbers.
  const plain = id.endsWith(PLAIN_SUFFIX) && id.length > PLAIN_SUFFIX.length;
  const base = plain ? id.slice(0, -PLAIN_SUFFIX.length) : id;
  const keys = Object.keys(CHART_LAYOUTS);
  const prefix = keys.find((k) => base.startsWith(k)) ?? (keys[hash(base) % keys.length] as string);
  const layout = base === 'gl9dulhv' ? 'daily-time-series' : (CHART_LAYOUTS[prefix] as string);
  const r = new Rng(hash(o.seed, 'chart', base));
  const lastDay = Math.floor((o.dataEndMs - 1) / DAY_MS);
  const built = base === 'gl9dulhv' ? sampleChart() : prefix in WILD_LAYOUTS ? buildWild(prefix, r, lastDay) : build(prefix, r, lastDay);
  const content: ChartContent = { ...built, tabs: !plain };
  return { id, layout, ...content, csv: renderChartCsv(content) };
}

const days = (lastDay: number, n: number): string[] => Array.from({ length: n }, (_, k) => isoDate(lastDay - n + 1 + k));
const ints = (r: Rng, n: number, max: number): string[] => Array.from({ length: n }, () => String(r.int(max)));

function table(metric: string, events: string[], header: string[], rows: string[][], labelColumns = 1, filters: string | null = null): ChartTable {
  return { metric, events, filters, header, labelColumns, rows };
}

function build(prefix: string, r: Rng, lastDay: number): ChartContent {
  const week = days(lastDay, 7);
  switch (prefix) {
    case 'ts': {
      const cols = days(lastDay, 14);
      return {
        title: 'Daily Active Users',
        description: ['Uniques per day over the last 14 days.'],
        tables: [
          table('Uniques', ['Any Active Event'], ['Segment', ...cols], [
            ['All Users', ...ints(r, 14, 500)],
            ['New Users', ...ints(r, 14, 80)],
            ['Users in United States', ...ints(r, 14, 200)],
          ]),
        ],
      };
    }
    case 'wk': {
      // Weeks start on Sunday; the last column is the (partial) current week.
      const lastSunday = lastDay - ((lastDay + 4) % 7);
      const cols = Array.from({ length: 8 }, (_, k) => `${isoDate(lastSunday - 7 * (7 - k))}T00:00:00`);
      const big = (): string[] => Array.from({ length: 8 }, () => (1000 + r.int(40000)).toLocaleString('en-US'));
      return {
        title: 'Weekly purchases',
        description: [],
        tables: [table('Totals', ['Purchase Completed'], ['Segment', ...cols], [['All Users', ...big()], ['Mobile (iOS, Android)', ...big()]])],
      };
    }
    case 'gb': {
      const labels = ['spring_sale', 'Retargeting, EU', '"Black Friday" promo', 'Café, "Crème" & Co', '(none)'];
      return {
        title: 'Signups by campaign',
        description: ['Grouped by utm_campaign.'],
        tables: [table('Uniques', ['Sign Up'], ['utm_campaign', ...week], labels.map((l) => [l, ...ints(r, 7, 120)]))],
      };
    }
    case 'ml': {
      const pairs = [['United States', 'iOS'], ['', 'Android'], ['', 'Web'], ['Germany', 'iOS'], ['', 'Web'], ['Japan', 'Android']];
      return {
        title: 'Purchases by country and platform',
        description: ['Totals per day.', 'Grouped by Country, then Platform.'],
        tables: [table('Totals', ['Purchase Completed'], ['Country', 'Platform', ...week], pairs.map((p) => [...p, ...ints(r, 7, 90)]), 2)],
      };
    }
    case 'fn':
      return funnel(r);
    case 'pc': {
      const pct = (): string[] => Array.from({ length: 7 }, () => `${(r.int(1000) / 10).toFixed(1)}%`);
      return {
        title: 'Share of active users who searched',
        description: ['Percentage of active users per day.'],
        tables: [table('Active %', ['Search'], ['Segment', ...week], [['All Users', ...pct()], ['New Users', ...pct()]])],
      };
    }
    case 'mt':
      return {
        title: 'Engagement overview',
        description: ['Two metrics side by side.'],
        tables: [
          table('Uniques', ['Page Viewed'], ['Segment', ...week], [['All Users', ...ints(r, 7, 900)]]),
          table('Totals', ['Add to Cart', 'Purchase Completed'], ['Segment', ...week], [
            ['All Users', ...ints(r, 7, 400)],
            ['Paying Users', ...ints(r, 7, 100)],
          ]),
        ],
      };
    case 'em': {
      // Empty cells (no data for a segment on a day) and a '-' placeholder.
      const sparse = (): string[] => Array.from({ length: 7 }, (_, k) => (k % 3 === 1 ? '' : k === 5 ? '-' : String(r.int(60))));
      return {
        title: 'Video plays (sparse)',
        description: [],
        tables: [table('Totals', ['Video Played'], ['Segment', ...week], [['All Users', ...sparse()], ['Android Users', ...sparse()]])],
      };
    }
    default:
      return {
        title: 'Searches in the US',
        description: ['Filtered to one country.'],
        tables: [
          table('Uniques', ['Search'], ['Segment', ...week], [['All Users', ...ints(r, 7, 300)]], 1, 'Country = United States; Platform is iOS, Android'),
        ],
      };
  }
}

/** Segment, then per step the users reached; from step 2 on also "(conversion %)" and "(drop-off)"; a Total row last. */
function funnel(r: Rng): ChartContent {
  const steps = ['Sign Up', 'Add to Cart', 'Purchase Completed'];
  const header = ['Segment'];
  steps.forEach((s, k) => {
    header.push(`Step ${k + 1}: ${s}`);
    if (k > 0) header.push(`Step ${k + 1}: ${s} (conversion %)`, `Step ${k + 1}: ${s} (drop-off)`);
  });
  const segments = ['United States', 'Germany', 'Japan'];
  const counts = segments.map(() => {
    const first = 200 + r.int(800);
    const second = Math.floor(first * (0.3 + 0.5 * r.float()));
    return [first, second, Math.floor(second * (0.2 + 0.6 * r.float()))];
  });
  const total = [0, 1, 2].map((k) => counts.reduce((sum, c) => sum + (c[k] as number), 0));
  const row = (label: string, c: number[]): string[] => {
    const cells = [label, String(c[0])];
    for (let k = 1; k < c.length; k++) {
      const prev = c[k - 1] as number;
      const cur = c[k] as number;
      cells.push(String(cur), `${prev ? ((100 * cur) / prev).toFixed(2) : '0.00'}%`, String(prev - cur));
    }
    return cells;
  };
  return {
    title: 'Checkout funnel',
    description: ['Conversion within 1 day, ordered steps.'],
    tables: [table('Conversion', steps, header, [...segments.map((s, k) => row(s, counts[k] as number[])), row('Total', total)])],
  };
}

// One chart_<id> stream per configured chart: the chart's CSV export unpivoted, one record per
// value cell (docs/chart-layouts.md). Full table: the export always holds the chart's whole range.
import { loadChartForStream, startChartLoads } from './chart-source.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const CHART_STREAM_PREFIX = 'chart_';

export function chartStream(chartId: string): StreamDefinition {
  return {
    name: CHART_STREAM_PREFIX + chartId,
    schema: loadSchema('chart'),
    keyProperties: ['chart_id', 'table_index', 'dimension_name', 'dimension_value', 'segment'],
    replicationMethod: 'FULL_TABLE',
    async *sync(ctx) {
      startChartLoads(ctx);
      const chart = await loadChartForStream(ctx, chartId);
      for (const cell of chart.cells) yield { record: { chart_id: chartId, ...cell } };
    },
  };
}

// One record per configured chart, from the preamble of its CSV export (title, metric, events...).
// A chart that cannot be read is reported after the others are emitted, unless its own
// chart_<id> stream already reported it.
import { StreamFailure } from '../errors.js';
import { describeError } from '../failures.js';
import { plural } from '../format.js';
import { chartFailureReported, loadChart, startChartLoads } from './chart-source.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const chartsMetadataStream: StreamDefinition = {
  name: 'charts_metadata',
  schema: loadSchema('charts_metadata'),
  keyProperties: ['chart_id'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    const failed: string[] = [];
    startChartLoads(ctx);
    for (const chartId of ctx.config.chart_ids) {
      try {
        const chart = await loadChart(ctx, chartId);
        yield { record: { chart_id: chartId, ...chart.metadata } };
      } catch (err) {
        if (!chartFailureReported(ctx, chartId)) failed.push(describeError(err));
        else yield { incomplete: `no row for chart ${chartId}, which could not be read` };
      }
    }
    if (failed.length > 0) {
      throw new StreamFailure(`${plural(failed.length, 'chart')} without metadata: ${failed.join(' ')}`);
    }
  },
};

// One chart_<id> stream per configured chart: the chart's CSV export, one record per data cell.
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const CHART_STREAM_PREFIX = 'chart_';

export function chartStream(chartId: string): StreamDefinition {
  return {
    name: CHART_STREAM_PREFIX + chartId,
    schema: loadSchema('chart'),
    keyProperties: ['chart_id', 'table_index', 'dimension_name', 'dimension_value', 'segment'],
    replicationMethod: 'FULL_TABLE',
    async *sync() {
      throw new TapError(`stream chart_${chartId} is not implemented yet`);
    },
  };
}

// One record per configured chart, from its CSV export's preamble.
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const chartsMetadataStream: StreamDefinition = {
  name: 'charts_metadata',
  schema: loadSchema('charts_metadata'),
  keyProperties: ['chart_id'],
  replicationMethod: 'FULL_TABLE',
  async *sync() {
    throw new TapError('stream charts_metadata is not implemented yet');
  },
};

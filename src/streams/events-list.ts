// The project's visible event types with this week's totals (GET /api/2/events/list).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const eventsListStream: StreamDefinition = {
  name: 'events_list',
  schema: loadSchema('events_list'),
  keyProperties: ['value'],
  replicationMethod: 'FULL_TABLE',
  async *sync() {
    throw new TapError('stream events_list is not implemented yet');
  },
};

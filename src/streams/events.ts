// Raw events from the Export API (GET /api/2/export).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const eventsStream: StreamDefinition = {
  name: 'events',
  schema: loadSchema('events'),
  keyProperties: ['uuid'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'server_upload_time',
  async *sync() {
    throw new TapError('stream events is not implemented yet');
  },
};

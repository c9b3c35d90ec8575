// Daily average session length from the Dashboard API (GET /api/2/sessions/average).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const averageSessionLengthStream: StreamDefinition = {
  name: 'average_session_length',
  schema: loadSchema('average_session_length'),
  keyProperties: ['date'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'date',
  async *sync() {
    throw new TapError('stream average_session_length is not implemented yet');
  },
};

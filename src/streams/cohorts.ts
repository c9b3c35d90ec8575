// Behavioral cohorts (GET /api/3/cohorts).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const cohortsStream: StreamDefinition = {
  name: 'cohorts',
  schema: loadSchema('cohorts'),
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
  async *sync() {
    throw new TapError('stream cohorts is not implemented yet');
  },
};

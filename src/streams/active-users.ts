// Daily active users from the Dashboard API (GET /api/2/users).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const activeUsersStream: StreamDefinition = {
  name: 'active_users',
  schema: loadSchema('active_users'),
  keyProperties: ['date'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'date',
  async *sync() {
    throw new TapError('stream active_users is not implemented yet');
  },
};

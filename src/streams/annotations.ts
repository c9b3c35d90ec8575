// Chart annotations (GET /api/3/annotations, falling back to /api/2/annotations).
import { TapError } from '../errors.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const annotationsStream: StreamDefinition = {
  name: 'annotations',
  schema: loadSchema('annotations'),
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
  async *sync() {
    throw new TapError('stream annotations is not implemented yet');
  },
};

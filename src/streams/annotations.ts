// Chart annotations: GET /api/3/annotations, or the legacy /api/2/annotations when v3 answers 404.
// Both become the same record (v2 rows have no end, category or chart).
import { annotationsFromV2, annotationsFromV3 } from '../amplitude/dashboard.js';
import { conformRecord } from './conform.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

const SCHEMA = loadSchema('annotations');

export const annotationsStream: StreamDefinition = {
  name: 'annotations',
  schema: SCHEMA,
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    const v3 = await ctx.client.getJson('/api/3/annotations', { endpoint: 'annotations', cost: 1, passStatuses: [404] });
    if (v3.status === 404) ctx.log.info('/api/3/annotations answered 404; reading the legacy /api/2/annotations');
    const parsed =
      v3.status === 404
        ? annotationsFromV2((await ctx.client.getJson('/api/2/annotations', { endpoint: 'annotations (v2)', cost: 1 })).body)
        : annotationsFromV3(v3.body);
    for (const w of parsed.warnings) ctx.log.warn(w);
    for (const row of parsed.rows) yield { record: conformRecord(row, SCHEMA, `annotation ${row.id}`, (w) => ctx.log.warn(w)) };
  },
};

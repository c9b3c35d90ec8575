// The project's visible event types (GET /api/2/events/list). `totals` is this week's count only
// (a moving snapshot, not history); hidden event types are not returned by Amplitude.
import { eventTypesFrom } from '../amplitude/dashboard.js';
import { conformRecord } from './conform.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

const SCHEMA = loadSchema('events_list');

export const eventsListStream: StreamDefinition = {
  name: 'events_list',
  schema: SCHEMA,
  keyProperties: ['value'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    const { body } = await ctx.client.getJson('/api/2/events/list', { endpoint: 'events/list', cost: 1 });
    const { rows, warnings } = eventTypesFrom(body);
    for (const w of warnings) ctx.log.warn(w);
    // timeline_hidden comes as a boolean or as 0/1: always a boolean.
    for (const row of rows) yield { record: conformRecord(row, SCHEMA, JSON.stringify(row.value), (w) => ctx.log.warn(w)) };
  },
};

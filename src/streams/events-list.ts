// The project's visible event types (GET /api/2/events/list). `totals` is this week's count only
// (a moving snapshot, not history); hidden event types are not returned by Amplitude.
import { eventTypesFrom } from '../amplitude/dashboard.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

export const eventsListStream: StreamDefinition = {
  name: 'events_list',
  schema: loadSchema('events_list'),
  keyProperties: ['value'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    const { body } = await ctx.client.getJson('/api/2/events/list', { endpoint: 'events/list', cost: 1 });
    const { rows, warnings } = eventTypesFrom(body);
    for (const w of warnings) ctx.log.warn(`stream events_list: ${w}`);
    for (const record of rows) yield { record };
  },
};

// GET /api/2/events/list: the project's visible event types with this week's totals; hidden
// types (served by the export all the same) are left out (quirk 25).
import { EVENT_TYPES } from './events.js';
import type { ResolvedOptions } from './options.js';
import { Rng, hash } from './random.js';

export function eventsList(o: ResolvedOptions): Record<string, unknown>[] {
  const weightSum = EVENT_TYPES.reduce((sum, t) => sum + t.weight, 0);
  const weekly = o.eventsPerHour * 24 * 7;
  return EVENT_TYPES.map((t, k) => ({ t, k }))
    .filter(({ t }) => !t.hidden)
    .map(({ t, k }) => {
      const r = new Rng(hash(o.seed, 'events-list', t.name));
      const totals = Math.round((weekly * (t.weight || 1)) / weightSum);
      return {
        non_active: t.name === 'test_event',
        value: t.name,
        totals,
        deleted: false,
        flow_hidden: false,
        hidden: false,
        display: t.name,
        // Fields live bodies carry beyond the documented seven (amplitude-api.md §10).
        id: 1_000_000 + (hash(o.seed, 'event-type-id', k) % 9_000_000),
        name: t.name,
        autohidden: false,
        clusters_hidden: false,
        in_waitroom: false,
        waitroom_approved: false,
        // Seen both as a boolean and as a number (0/1).
        timeline_hidden: k === 0 ? 0 : k === 1 ? 1 : k === 2 ? true : false,
        totals_delta: r.int(2 * totals + 1) - totals,
      };
    });
}

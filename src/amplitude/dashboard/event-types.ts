// The project's event types from /api/2/events/list (amplitude-api.md §10), fields as sent.
import { isObject } from '../../json.js';
import { listUnder, type Json, type Parsed } from './body.js';

export interface EventType extends Json {
  value: string;
}

/** `/api/2/events/list`: visible event types with this week's totals, fields as sent. */
export function eventTypesFrom(body: unknown): Parsed<EventType> {
  const warnings: string[] = [];
  const rows: EventType[] = [];
  listUnder(body, 'data', 'events/list').forEach((item, i) => {
    if (isObject(item) && typeof item.value === 'string') rows.push(item as EventType);
    else warnings.push(`events/list: data[${i}] has no event name ("value"); skipped`);
  });
  return { rows, warnings };
}

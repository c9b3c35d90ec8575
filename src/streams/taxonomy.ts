// The taxonomy streams (Taxonomy API, Enterprise plans; amplitude-api.md §13.1): event_types,
// event_categories, event_properties, user_properties, group_properties. All full table: no
// taxonomy endpoint has a time filter, cursor or paging. When the plan lacks the API (404), each
// stream ends with one WARNING and no records; the run still succeeds.
import { readTaxonomy, taxonomyUnavailable } from '../amplitude/taxonomy.js';
import {
  eventCategoryRow,
  eventPropertyRow,
  eventTypeRow,
  groupPropertyRow,
  text,
  userPropertyRow,
} from '../amplitude/taxonomy-records.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition, StreamItem } from './types.js';

type Json = Record<string, unknown>;

/** The `event_type` / `group_type` of a shared property, which Amplitude leaves null (documented in README). */
export const SHARED = '$shared';

/** Ends a stream the plan cannot serve: its table is not replaced by an empty one (ACTIVATE_VERSION). */
const UNAVAILABLE: StreamItem = { incomplete: 'the plan lacks the Taxonomy API' };

/** Requests a fan-out starts at once; the client's taxonomy limiter lets 4 run at a time. */
const FAN_OUT = 8;

/** Reads one list; undefined (after the stream's one WARNING) when the plan lacks the API. */
async function list(ctx: StreamContext, resource: string, query?: Record<string, string>): Promise<Json[] | undefined> {
  const answer = await readTaxonomy(ctx.client, resource, query);
  if (answer.available) return answer.items;
  ctx.log.warn(taxonomyUnavailable(ctx.stream));
  return undefined;
}

/** Runs `read` over `keys` a few at a time, keeping their order; undefined as soon as one is. */
async function fanOut<T>(keys: string[], read: (key: string) => Promise<T | undefined>): Promise<T[] | undefined> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += FAN_OUT) {
    const batch = await Promise.all(keys.slice(i, i + FAN_OUT).map(read));
    for (const value of batch) {
      if (value === undefined) return undefined;
      out.push(value);
    }
  }
  return out;
}

function* rows(items: Json[], toRow: (item: Json) => Json | undefined, seen: Set<string>, key: (row: Json) => string): Generator<StreamItem> {
  for (const item of items) {
    const row = toRow(item);
    if (row === undefined || seen.has(key(row))) continue;
    seen.add(key(row));
    yield { record: row };
  }
}

function simple(name: string, resource: string, keyProperties: string[], toRow: (item: Json) => Json | undefined, query?: Record<string, string>): StreamDefinition {
  return {
    name,
    schema: loadSchema(name),
    keyProperties,
    replicationMethod: 'FULL_TABLE',
    async *sync(ctx) {
      const items = await list(ctx, resource, query);
      if (items === undefined) {
        yield UNAVAILABLE;
        return;
      }
      const seen = new Set<string>();
      yield* rows(items, toRow, seen, (row) => JSON.stringify(keyProperties.map((k) => row[k])));
    },
  };
}

/** Visible event types plus deleted ones (`deleted: true`); Amplitude never lists hidden ones. */
export const eventTypesStream = simple('event_types', 'event', ['event_type'], eventTypeRow, { showDeleted: 'true' });
export const eventCategoriesStream = simple('event_categories', 'category', ['id'], eventCategoryRow);
export const userPropertiesStream = simple('user_properties', 'user-property', ['user_property'], userPropertyRow);

/**
 * Properties by owner (an event type or a group type): one request per owner, then the shared set
 * (no owner parameter), whose items without an owner get SHARED. A pair already emitted is skipped.
 */
function perOwner(
  name: string,
  resource: string,
  ownerParam: 'event_type' | 'group_type',
  owners: (ctx: StreamContext, shared: Json[]) => Promise<string[] | undefined>,
  toRow: (item: Json, owner: string) => Json | undefined,
  propertyKey: string,
): StreamDefinition {
  return {
    name,
    schema: loadSchema(name),
    keyProperties: [ownerParam, propertyKey],
    replicationMethod: 'FULL_TABLE',
    async *sync(ctx) {
      const shared = await list(ctx, resource);
      if (shared === undefined) {
        yield UNAVAILABLE;
        return;
      }
      const names = await owners(ctx, shared);
      if (names === undefined) {
        yield UNAVAILABLE;
        return;
      }
      const perOwnerItems = await fanOut(names, (owner) => list(ctx, resource, { [ownerParam]: owner }));
      if (perOwnerItems === undefined) {
        yield UNAVAILABLE;
        return;
      }
      const seen = new Set<string>();
      const key = (row: Json): string => JSON.stringify([row[ownerParam], row[propertyKey]]);
      for (const [i, items] of perOwnerItems.entries()) yield* rows(items, (item) => toRow(item, names[i] as string), seen, key);
      yield* rows(shared, (item) => toRow(item, text(item[ownerParam]) ?? SHARED), seen, key);
    },
  };
}

async function eventTypeNames(ctx: StreamContext): Promise<string[] | undefined> {
  const items = await list(ctx, 'event', { showDeleted: 'true' });
  return items === undefined ? undefined : unique(items.map((item) => text(item.event_type)));
}

function unique(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}

/** Every event type's properties (one request each), then the shared ones with event_type "$shared". */
export const eventPropertiesStream = perOwner('event_properties', 'event-property', 'event_type', eventTypeNames, eventPropertyRow, 'event_property');

/**
 * Group properties. No endpoint lists group types: they are the group_type values of the shared
 * answer; a project without groups answers an empty list, so the stream has no records.
 */
export const groupPropertiesStream = perOwner(
  'group_properties',
  'group-property',
  'group_type',
  async (_ctx, shared) => unique(shared.map((item) => text(item.group_type))),
  groupPropertyRow,
  'group_property',
);

export const TAXONOMY_STREAMS: readonly StreamDefinition[] = [
  eventTypesStream,
  eventCategoriesStream,
  eventPropertiesStream,
  userPropertiesStream,
  groupPropertiesStream,
];

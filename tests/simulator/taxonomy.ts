// Taxonomy API (amplitude-api.md §13.1): GET /api/2/taxonomy/{category,event,event-property,
// user-property,group-property} → {"success": true, "data": [...]} in the live shapes
// (event-types / event-properties recordings), or the documented 404 when the plan lacks the API.
import { EVENT_TYPES } from './events.js';
import type { ResolvedOptions } from './options.js';
import { Rng, hash } from './random.js';
import { json, type Reply } from './replies.js';

const CATEGORIES = ['Onboarding', 'Conversion', 'Engagement'];
const PROPERTY_TYPES = ['string', 'number', 'boolean', 'enum', 'any'];
/** Event types the taxonomy knows but the export no longer serves (only with showDeleted=true). */
const DELETED_TYPES = ['Legacy Checkout'];

export interface TaxonomyModel {
  categories: { id: number; name: string }[];
  /** Visible event types, then the deleted ones (flag `deleted: true`). Hidden types are not listed (docs). */
  eventTypes: Record<string, unknown>[];
  /** Properties of one event type as served with ?event_type=. */
  eventProperties: Map<string, Record<string, unknown>[]>;
  /** Served without event_type: the shared properties (event_type null), plus one with its event type filled in (as seen live). */
  sharedEventProperties: Record<string, unknown>[];
  userProperties: Record<string, unknown>[];
  groupTypes: string[];
  /** Per group type (?group_type=), and the shared set served without it. */
  groupProperties: Map<string, Record<string, unknown>[]>;
  sharedGroupProperties: Record<string, unknown>[];
}

function property(r: Rng, name: string, eventType: string | null, description: string): Record<string, unknown> {
  const type = r.pick(PROPERTY_TYPES);
  return {
    event_type: eventType,
    event_property: name,
    description,
    type,
    enum_values: type === 'enum' ? 'small,medium,large' : null,
    regex: type === 'string' && r.chance(0.3) ? '^[a-z0-9-]+$' : null,
    is_array_type: r.chance(0.2),
    is_required: r.chance(0.3),
    is_hidden: false,
    classifications: r.chance(0.2) ? ['PII'] : [],
  };
}

export function taxonomyModel(o: ResolvedOptions): TaxonomyModel {
  const r = new Rng(hash(o.seed, 'taxonomy'));
  const categories = CATEGORIES.map((name, k) => ({ id: 1_934_760 + k * 7, name }));
  const visible = EVENT_TYPES.filter((t) => !t.hidden).map((t) => t.name);
  const eventTypes = [...visible, ...DELETED_TYPES].map((name, k) => ({
    event_type: name,
    description: k % 3 === 0 ? null : `When a user does "${name}", e.g. from the app, web or server`,
    display_name: k % 4 === 1 ? `${name} (display)` : null,
    category: k % 3 === 2 ? null : { name: (categories[k % categories.length] as { name: string }).name },
    deleted: DELETED_TYPES.includes(name) ? true : null,
    tags: k % 5 === 0 ? ['core', 'kpi'] : [],
    is_active: !DELETED_TYPES.includes(name),
    owner: k % 2 === 0 ? 'data-team@example.com' : null,
    is_hidden_from_dropdowns: false,
    is_hidden_from_persona_results: k === 2,
    is_hidden_from_pathfinder: false,
    is_hidden_from_timeline: false,
  }));
  const eventProperties = new Map<string, Record<string, unknown>[]>();
  for (const [k, e] of eventTypes.entries()) {
    const name = String(e.event_type);
    const props = Array.from({ length: k % 4 }, (_, p) => property(r, `${name.toLowerCase().replace(/\W+/g, '_')}_prop_${p}`, name, p === 0 ? 'Set by the SDK' : ''));
    eventProperties.set(name, props);
  }
  const withProps = [...eventProperties.entries()].find(([, props]) => props.length > 0) as [string, Record<string, unknown>[]];
  const sharedEventProperties = [
    ...['platform_version', 'ab_variant', 'utm "source", raw'].map((n) => property(r, n, null, 'Shared property')),
    withProps[1][0] as Record<string, unknown>,
  ];
  const userProperties = ['plan', 'gp:company_size', 'gp:gp:live-test-property', 'country'].map((name, k) => ({
    user_property: name,
    description: k === 0 ? 'Billing plan' : '',
    type: r.pick(PROPERTY_TYPES),
    enum_values: null,
    regex: null,
    is_array_type: false,
    is_hidden: k === 3,
    deleted: false,
    classifications: [],
  }));
  const groupTypes = o.groupTypes ? ['org id', 'workspace'] : [];
  const groupProperties = new Map<string, Record<string, unknown>[]>();
  for (const g of groupTypes) {
    groupProperties.set(
      g,
      ['grp:name', 'grp:seats'].map((name) => ({
        group_type: g, group_property: name, description: `${g} ${name}`, type: 'string', enum_values: null, regex: null, is_array_type: false, classifications: [],
      })),
    );
  }
  // Without group_type the answer carries each group type's shared properties, named by group_type.
  const sharedGroupProperties = groupTypes.map((g) => ({
    group_type: g, group_property: 'grp:region', description: '', type: 'string', enum_values: null, regex: null, is_array_type: false, classifications: [],
  }));
  return { categories, eventTypes, eventProperties, sharedEventProperties, userProperties, groupTypes, groupProperties, sharedGroupProperties };
}

const ok = (data: unknown): Reply => json(200, { success: true, data });
const taxonomyNotFound = (status: number): Reply => json(status, { success: false, errors: [{ message: 'Not found' }] });

/** The answer for a /api/2/taxonomy/... path, or undefined when the path is not a taxonomy list. */
export function handleTaxonomy(o: ResolvedOptions, path: string, q: URLSearchParams): Reply | undefined {
  const resource = /^\/api\/2\/taxonomy\/([a-z-]+)$/.exec(path)?.[1];
  if (resource === undefined) return undefined;
  // The plan lacks the Taxonomy API: 404 for every taxonomy path (amplitude-api.md §13.1).
  if (!o.taxonomy) return taxonomyNotFound(404);
  const m = taxonomyModel(o);
  switch (resource) {
    case 'category':
      return ok(m.categories);
    case 'event':
      return ok(m.eventTypes.filter((e) => q.get('showDeleted') === 'true' || e.deleted !== true));
    case 'event-property': {
      const eventType = q.get('event_type');
      if (eventType === null) return ok(m.sharedEventProperties);
      const props = m.eventProperties.get(eventType);
      return props === undefined ? taxonomyNotFound(400) : ok(props);
    }
    case 'user-property':
      return ok(m.userProperties);
    case 'group-property': {
      const groupType = q.get('group_type');
      if (groupType === null) return ok(m.sharedGroupProperties);
      const props = m.groupProperties.get(groupType);
      return props === undefined ? taxonomyNotFound(400) : ok(props);
    }
    default:
      return undefined;
  }
}

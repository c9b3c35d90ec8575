// Taxonomy and annotation-category items (amplitude-api.md §13.1, §13.2) → rows with one type per
// field: text or null, true/false or null, lists of text. Unknown keys are kept as sent.
import { isObject } from '../json.js';
import { AmplitudeBodyError } from './errors.js';

type Json = Record<string, unknown>;

/** Text or null; a 2022 live answer sent the description "null" as text (quirk DEVCENTER-343). */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v === 'null' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export function flag(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function texts(v: unknown): string[] | null {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : null;
}

/** The documented enum_values is text (a list of allowed values); a list is joined by commas. */
function enumValues(v: unknown): string | null {
  return Array.isArray(v) ? v.map(String).join(',') : text(v);
}

/** The fields every property kind (event, user, group) shares. */
function propertyFields(item: Json): Json {
  return {
    description: text(item.description),
    type: text(item.type),
    regex: text(item.regex),
    enum_values: enumValues(item.enum_values),
    is_array_type: flag(item.is_array_type),
    is_required: flag(item.is_required),
    is_hidden: flag(item.is_hidden),
    deleted: flag(item.deleted),
    classifications: texts(item.classifications),
  };
}

/** `category` is null or {"name": ...} on an event type; the row keeps the name. */
export function eventTypeRow(item: Json): Json | undefined {
  const eventType = text(item.event_type);
  if (eventType === null) return undefined;
  const category = isObject(item.category) ? text(item.category.name) : text(item.category);
  const row: Json = { ...item, event_type: eventType, category, description: text(item.description), display_name: text(item.display_name), owner: text(item.owner) };
  row.deleted = flag(item.deleted);
  row.tags = texts(item.tags);
  for (const key of ['is_active', 'is_hidden_from_dropdowns', 'is_hidden_from_persona_results', 'is_hidden_from_pathfinder', 'is_hidden_from_timeline']) {
    row[key] = flag(item[key]);
  }
  return row;
}

export function eventCategoryRow(item: Json): Json | undefined {
  return Number.isInteger(item.id) ? { ...item, id: item.id, name: text(item.name) } : undefined;
}

export function eventPropertyRow(item: Json, eventType: string): Json | undefined {
  const name = text(item.event_property);
  return name === null ? undefined : { ...item, ...propertyFields(item), event_type: eventType, event_property: name };
}

export function userPropertyRow(item: Json): Json | undefined {
  const name = text(item.user_property);
  return name === null ? undefined : { ...item, ...propertyFields(item), user_property: name };
}

export function groupPropertyRow(item: Json, groupType: string): Json | undefined {
  const name = text(item.group_property);
  return name === null ? undefined : { ...item, ...propertyFields(item), group_type: groupType, group_property: name };
}

/**
 * `/api/3/annotation-categories`: {"data": [{"id", "category"}]} live, `name` in the docs (quirk 23);
 * the row has `id` and `name` whichever key carried it.
 */
export function annotationCategoryRows(body: unknown): { rows: Json[]; warnings: string[] } {
  const list = isObject(body) ? body.data : undefined;
  if (!Array.isArray(list)) throw new AmplitudeBodyError('annotation categories: the response has no "data" list; cannot read it');
  const rows: Json[] = [];
  const warnings: string[] = [];
  list.forEach((item: unknown, i) => {
    if (!isObject(item) || !Number.isInteger(item.id)) {
      warnings.push(`annotation categories: data[${i}] has no integer id; skipped`);
      return;
    }
    const { category, ...rest } = item;
    rows.push({ ...rest, id: item.id, name: text(category) ?? text(item.name) });
  });
  return { rows, warnings };
}

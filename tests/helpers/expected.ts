// The simulator's ground truth mapped to the records the tap must emit, written once for every
// end-to-end suite and independently of the tap's code (regular expressions and plain string work).

/** ISO text of a UTC instant (Date on explicit epoch values only: no local-time parsing). */
export const isoOf = (ms: number): string => new Date(ms).toISOString();
/** The Export API hour key (YYYYMMDDTHH) of a UTC instant. */
export const hourKey = (ms: number): string => `${isoOf(ms).slice(0, 10).replaceAll('-', '')}T${isoOf(ms).slice(11, 13)}`;
/** The Dashboard API day key (YYYYMMDD) of a UTC instant. */
export const dayKey = (ms: number): string => isoOf(ms).slice(0, 10).replaceAll('-', '');
/** The events bookmark the tap writes for the hour starting at `ms`. */
export const hourBookmark = (ms: number): string => `${isoOf(ms).slice(0, 13)}:00:00Z`;

export const EXPORT_TIMESTAMPS = ['client_event_time', 'client_upload_time', 'event_time', 'processed_time', 'server_received_time', 'server_upload_time', 'user_creation_time'];

/** An export event as the tap's record: the 7 timestamps as RFC 3339 UTC ("" → null), the rest unchanged. */
export function eventRecord(event: Record<string, unknown>): Record<string, unknown> {
  const out = { ...event };
  for (const field of EXPORT_TIMESTAMPS) {
    const v = out[field];
    if (v === '') out[field] = null;
    else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v)) out[field] = `${v.replace(' ', 'T')}Z`;
  }
  return out;
}

const offsetToZ = (s: unknown): unknown => (typeof s === 'string' ? s.replace(/\+00:00$/, 'Z') : s);

/** A v3 annotation as the tap's record (the category's name under `category` live, `name` in the docs). */
export function annotationRecord(a: Record<string, unknown>): Record<string, unknown> {
  const category = a.category as Record<string, unknown>;
  return {
    id: a.id,
    start: offsetToZ(a.start),
    end: offsetToZ(a.end),
    date: String(a.start).slice(0, 10),
    label: a.label,
    details: a.details,
    category,
    category_id: category.id,
    category_name: category.category ?? category.name,
    chart_id: a.chart_id,
  };
}

/** An event type as the tap's record: `timeline_hidden` sent as 0/1 becomes false/true. */
export function eventTypeRecord(e: Record<string, unknown>): Record<string, unknown> {
  const hidden = e.timeline_hidden;
  return hidden === 0 || hidden === 1 ? { ...e, timeline_hidden: hidden === 1 } : e;
}

const epochSecondsText = (s: unknown): unknown => (typeof s === 'number' ? new Date(s * 1000).toISOString().replace('.000Z', 'Z') : s);
const numberAsText = (v: unknown): unknown => (typeof v === 'number' ? String(v) : v);

/**
 * A cohort as the tap's record: epoch-second times as RFC 3339; the number-or-string fields as
 * text; a `metadata` object as a list of one; a `per_app_metadata` list keyed by position.
 */
export function cohortRecord(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const f of ['lastMod', 'createdAt', 'lastComputed']) out[f] = epochSecondsText(c[f]);
  for (const f of ['last_viewed', 'chart_id', 'edit_id', 'location_id']) out[f] = numberAsText(c[f]);
  if (c.metadata !== null && typeof c.metadata === 'object' && !Array.isArray(c.metadata)) out.metadata = [c.metadata];
  if (Array.isArray(c.per_app_metadata)) out.per_app_metadata = { ...c.per_app_metadata };
  return out;
}

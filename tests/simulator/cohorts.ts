// Behavioral cohorts: GET /api/3/cohorts → {"cohorts": [...]}, in the live shape (cohorts.json):
// string ids, epoch-second times, most cohorts not computed yet (finished false, size and lastComputed null).
import type { ResolvedOptions } from './options.js';
import { Rng, hash } from './random.js';

const COUNT_GROUP = { name: 'User', is_computed: false };
const rolling = { time_type: 'rolling', offset: 0, interval: 1, exclude_current_interval: false };

const TEMPLATES: { name: string; clauses: Record<string, unknown>[] }[] = [
  {
    name: '14 day user retention',
    clauses: [{ type: 'retention', ...rolling, time_value: 45, retention_method: 'bracket', start_event: { filters: [], group_by: [], event_type: '_new' }, return_event: { filters: [], group_by: [], event_type: '_active' }, base_bracket: [14, 15], bracket_interval: 1, multi_filters: [[]], granularity: -3600000, retained: true }],
  },
  {
    name: 'Active during the last 4 consecutive weeks',
    clauses: [{ type: 'distinct_interval', ...rolling, time_value: 28, event: { filters: [], group_by: [], event_type: '_active' }, period: 7, count: 1, stickiness_operator: 'greater or equal', stickiness_type: 'STICKY_IN_ALL_PERIODS', segment_filters: [], group_by_filters: [], granularity: 1 }],
  },
  { name: 'All active users in the last 30 days', clauses: [{ type: 'event', ...rolling, time_value: 30, type_value: '_active', operator: '>=', operator_value: 1, group_by: [], metric: null }] },
  { name: 'New users in the last 30 days', clauses: [{ type: 'new_active', ...rolling, time_value: 30, type_value: 'new' }] },
  { name: 'Purchasers, last 7 days', clauses: [{ type: 'event', ...rolling, time_value: 7, type_value: 'Purchase Completed', operator: '>=', operator_value: 1, group_by: [], metric: null }] },
  { name: 'Product qualified leads', clauses: [{ type: 'event', ...rolling, time_value: 7, type_value: '_active', operator: '>=', operator_value: 3, group_by: [], metric: null }] },
];

function definition(clauses: Record<string, unknown>[]): Record<string, unknown> {
  const group = clauses.map((c) => ({ negated: false, orClauses: [c] }));
  return { version: 3, countGroup: COUNT_GROUP, cohortType: 'UNIQUES', andClauses: group, referenceFrameTimeParams: {}, orClauses: [group] };
}

export function cohorts(o: ResolvedOptions): Record<string, unknown>[] {
  const r = new Rng(hash(o.seed, 'cohorts'));
  const created = Math.floor(o.dataStartMs / 1000) - 86_400 * (10 + r.int(60));
  const list = TEMPLATES.map((t, k) => {
    const finished = k === 0 || k === 4;
    const lastComputed = finished ? created + 3600 * (1 + r.int(48)) : null;
    return cohort(o, r.alnum(8), t.name, 'redshift', definition(t.clauses), created, finished, lastComputed, finished ? r.int(5000) : null);
  });
  // The fields peers type as number-or-string (amplitude-api.md §9) carry both kinds here, and the
  // two bags their other shape, so the tap's one-type-per-column normalisation is exercised.
  Object.assign(list[0] as Record<string, unknown>, { last_viewed: created + 7200, chart_id: 48_211_907, edit_id: 'e4kq2v1', location_id: 1_102, metadata: ['csv'], per_app_metadata: { [o.appId]: { pinned: true } } });
  Object.assign(list[4] as Record<string, unknown>, { last_viewed: '2026-06-16T09:30:00Z', chart_id: 'gl9dulhv', edit_id: 913_004, location_id: 'space-7', metadata: { source: 'api' }, per_app_metadata: [{ app: o.appId }] });
  // An uploaded list: type manual_upload, computed at upload.
  const uploaded = created + 86_400;
  list.push(cohort(o, r.alnum(8), 'Beta testers (CSV upload)', 'manual_upload', definition([]), uploaded, true, uploaded, 42));
  return list;
}

function cohort(
  o: ResolvedOptions,
  id: string,
  name: string,
  type: string,
  def: Record<string, unknown>,
  createdAt: number,
  finished: boolean,
  lastComputed: number | null,
  size: number | null,
): Record<string, unknown> {
  return {
    appId: o.appId,
    archived: false,
    definition: def,
    description: type === 'manual_upload' ? 'Uploaded by the product team' : null,
    finished,
    id,
    name,
    published: true,
    type,
    lastMod: createdAt,
    createdAt,
    lastComputed,
    hidden: false,
    metadata: null,
    view_count: null,
    popularity: null,
    last_viewed: null,
    chart_id: null,
    edit_id: null,
    is_predictive: false,
    is_official_content: false,
    location_id: null,
    shortcut_ids: [],
    per_app_metadata: null,
    cohort_definition_type: null,
    cohort_output_type: 'UNIQUES',
    is_generated_content: false,
    owners: ['amp'],
    viewers: [],
    size,
  };
}

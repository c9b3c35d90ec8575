// Chart annotations: GET /api/3/annotations (v3, live shape) and GET /api/2/annotations (v2 legacy shape).
import type { ResolvedOptions } from './options.js';
import { Rng, hash } from './random.js';
import { DAY_MS, isoDate } from './time-format.js';

const LABELS = ['Release 4.2', 'Pricing page redesign', 'Black Friday campaign', 'Tracking outage', 'SDK upgrade', 'Holiday', 'A/B test "checkout, v2" started'];
const DETAILS = ['Rolled out to 100% of users', 'Events between 02:00 and 03:00 UTC are missing', null, null, 'See the launch doc'];
const UNCATEGORIZED = { id: 1, category: 'Uncategorized' };
const RELEASES = { id: 1250, category: 'Releases' };

export function annotationsV3(o: ResolvedOptions): Record<string, unknown>[] {
  const r = new Rng(hash(o.seed, 'annotations'));
  const count = 8 + r.int(4);
  const firstDay = Math.floor(o.dataStartMs / DAY_MS) - 20;
  const lastDay = Math.floor(o.dataEndMs / DAY_MS);
  let id = 939_879;
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    id += 1 + r.int(4);
    const day = firstDay + r.int(lastDay - firstDay + 1);
    const hour = r.pick(['00', '12']);
    const ranged = k % 4 === 2;
    // One category uses the documented key `name` instead of the live key `category` (quirk 23).
    const category = k === 3 ? { id: 45678, name: 'Marketing' } : r.chance(0.3) ? RELEASES : UNCATEGORIZED;
    out.push({
      id,
      start: `${isoDate(day)}T${hour}:00:00+00:00`,
      label: r.pick(LABELS),
      details: r.pick(DETAILS),
      category,
      end: ranged ? `${isoDate(day + 1 + r.int(5))}T00:00:00+00:00` : null,
      chart_id: k % 5 === 1 ? 'gl9dulhv' : null,
    });
  }
  return out;
}

/** The same annotations in the legacy v2 shape `{id, date, label, details}`. */
export function annotationsV2(o: ResolvedOptions): Record<string, unknown>[] {
  return annotationsV3(o).map((a) => ({ id: a.id, date: String(a.start).slice(0, 10), label: a.label, details: a.details }));
}

/**
 * GET /api/3/annotation-categories: every category, used or not (the live list had 12). The name is
 * under `category` as served live, except one under the documented `name` (quirk 23).
 */
export function annotationCategories(): Record<string, unknown>[] {
  return [UNCATEGORIZED, RELEASES, { id: 45678, name: 'Marketing' }, { id: 1251, category: 'Outages, "incidents" & fixes' }, { id: 1252, category: 'Unused' }];
}

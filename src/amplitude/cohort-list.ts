// The cohort list as the membership download needs it (amplitude-api.md §9): id, and the raw
// epoch-second lastMod / lastComputed that tell whether a cohort changed since the last download.
import { AmplitudeBodyError } from './errors.js';
import type { AmplitudeClient } from './client.js';

export interface ListedCohort {
  id: string;
  /** null until the cohort has been computed (nothing to download then). */
  lastComputed: number | null;
  lastMod: number | null;
}

const epoch = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function cohortList(client: AmplitudeClient): Promise<ListedCohort[]> {
  const { body } = await client.getJson('/api/3/cohorts', { endpoint: 'cohorts', cost: 1 });
  const list = typeof body === 'object' && body !== null ? (body as { cohorts?: unknown }).cohorts : undefined;
  if (!Array.isArray(list)) throw new AmplitudeBodyError('cohorts: the response has no "cohorts" list; cannot read it');
  return list.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const c = item as Record<string, unknown>;
    if (typeof c.id !== 'string' && typeof c.id !== 'number') return [];
    const finished = c.finished !== false;
    return [{ id: String(c.id), lastComputed: finished ? epoch(c.lastComputed) : null, lastMod: epoch(c.lastMod) }];
  });
}

// The cohort list as the membership download needs it (amplitude-api.md §9): id, and the raw
// epoch-second lastMod / lastComputed that tell whether a cohort changed since the last download.
import { isObject } from '../json.js';
import { AmplitudeBodyError } from './errors.js';
import type { AmplitudeClient } from './client.js';
import { isNumber } from './dashboard/body.js';

export interface ListedCohort {
  id: string;
  /** null until the cohort has been computed (nothing to download then). */
  lastComputed: number | null;
  lastMod: number | null;
}

const epoch = (v: unknown): number | null => (isNumber(v) ? v : null);

export async function cohortList(client: AmplitudeClient): Promise<ListedCohort[]> {
  const { body } = await client.getJson('/api/3/cohorts', { endpoint: 'cohorts', cost: 1 });
  const list = isObject(body) ? body.cohorts : undefined;
  if (!Array.isArray(list)) throw new AmplitudeBodyError('cohorts: the response has no "cohorts" list; cannot read it');
  return list.flatMap((item: unknown) => {
    if (!isObject(item)) return [];
    if (typeof item.id !== 'string' && typeof item.id !== 'number') return [];
    const finished = item.finished !== false;
    return [{ id: String(item.id), lastComputed: finished ? epoch(item.lastComputed) : null, lastMod: epoch(item.lastMod) }];
  });
}

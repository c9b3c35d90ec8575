// Taxonomy API reads (amplitude-api.md §13.1): GET /api/2/taxonomy/..., each answering
// {"success": true, "data": [...]}. A project whose plan lacks the API answers 404 with
// {"success": false, "errors": [{"message": "Not found"}]}; that is told apart from a failure.
import { z } from 'zod';
import type { AmplitudeClient } from './client.js';
import { AmplitudeBodyError } from './errors.js';

export type TaxonomyAnswer = { available: true; items: Record<string, unknown>[] } | { available: false };

const listBody = z.object({ success: z.literal(true), data: z.array(z.record(z.string(), z.unknown())) });

/**
 * One taxonomy list. `query` values go in the query string: the docs put `event_type` in a form body
 * on a GET, which Node clients may drop; the query string works (§13.1).
 */
export async function readTaxonomy(client: AmplitudeClient, resource: string, query: Record<string, string> = {}): Promise<TaxonomyAnswer> {
  const endpoint = `taxonomy ${resource}`;
  const answer = await client.getJson(`/api/2/taxonomy/${resource}`, { endpoint, query, pool: 'taxonomy', passStatuses: [404] });
  if (answer.status === 404) return { available: false };
  const parsed = listBody.safeParse(answer.body);
  if (!parsed.success) {
    throw new AmplitudeBodyError(`${endpoint}: Amplitude answered HTTP ${answer.status} but the body is not {"success": true, "data": [...]} as the Taxonomy API documents`);
  }
  return { available: true, items: parsed.data.data };
}

/** What a stream logs once (after its name) when the plan has no Taxonomy API. */
export function taxonomyUnavailable(stream: string): string {
  return `skipped, Amplitude answered 404 for the Taxonomy API: the project's plan does not include it (Enterprise only); deselect ${stream} to silence this warning`;
}

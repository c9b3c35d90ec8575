// Behavioral cohorts (GET /api/3/cohorts): the list only, never members (cohort downloads have a
// monthly quota). Epoch-second times become RFC 3339.
import { cohortsFrom } from '../amplitude/dashboard.js';
import { AmplitudeHttpError } from '../amplitude/errors.js';
import { StreamFailure } from '../errors.js';
import { isCredentialsRejection } from '../failures.js';
import { conformRecord } from './conform.js';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

/** A 403 that is not a rejected key most likely means the plan lacks the add-on this endpoint needs. */
function cohortsFailure(err: unknown): unknown {
  if (!(err instanceof AmplitudeHttpError) || err.status !== 403 || isCredentialsRejection(err)) return err;
  const said = [err.amplitudeMessage, err.details].filter(Boolean).join(' — ');
  return new StreamFailure(
    `Amplitude refused /api/3/cohorts (HTTP 403${said ? `: ${said}` : ''}). Likely cause: the plan lacks the Behavioral Cohorts add-on (deselect the cohorts stream); otherwise check api_key, secret_key and data_region.`,
  );
}

const SCHEMA = loadSchema('cohorts');

export const cohortsStream: StreamDefinition = {
  name: 'cohorts',
  schema: SCHEMA,
  keyProperties: ['id'],
  replicationMethod: 'FULL_TABLE',
  async *sync(ctx) {
    let body: unknown;
    try {
      ({ body } = await ctx.client.getJson('/api/3/cohorts', { endpoint: 'cohorts', cost: 1 }));
    } catch (err) {
      throw cohortsFailure(err);
    }
    const { rows, warnings } = cohortsFrom(body);
    for (const w of warnings) ctx.log.warn(w);
    // last_viewed, chart_id, edit_id, location_id come as numbers or strings: all become strings.
    for (const row of rows) yield { record: conformRecord(row, SCHEMA, `cohort ${row.id}`, (w) => ctx.log.warn(w)) };
  },
};

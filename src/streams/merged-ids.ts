// Merged Amplitude IDs from the bucket export's merged-ID files (amplitude-api.md §13.4): which
// Amplitude ID was merged into which, to stitch anonymous and identified users. Offered only with
// events_source "s3"; the reading lives in merged-ids-from-bucket.ts, loaded when the stream runs.
import { parseBookmarkHour } from '../amplitude/export-hours.js';
import { DateTime } from 'luxon';
import { loadSchema } from './schemas.js';
import type { StreamDefinition } from './types.js';

/** The bookmark's hour to resume from (the files are chosen by upload hour, merge_server_time is the replication key). */
export const MERGED_RESUME_KEY = 'upload_hour';

export const mergedIdsStream: StreamDefinition = {
  name: 'merged_ids',
  schema: loadSchema('merged_ids'),
  keyProperties: ['amplitude_id', 'merged_amplitude_id'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: 'merge_server_time',

  checkBookmark(bookmark, _config, now) {
    const value = bookmark[MERGED_RESUME_KEY];
    if (value === undefined || value === null) return undefined;
    const hour = parseBookmarkHour(value);
    if (!hour) return `${MERGED_RESUME_KEY} ${JSON.stringify(value)} is not a timestamp; expected RFC 3339 such as 2026-06-16T12:00:00Z`;
    if (hour > DateTime.fromJSDate(now, { zone: 'utc' })) return `${MERGED_RESUME_KEY} ${JSON.stringify(value)} is in the future; fix or remove the merged_ids bookmark`;
    return undefined;
  },

  async *sync(ctx) {
    const { mergedIdsFromBucket } = await import('./merged-ids-from-bucket.js');
    yield* mergedIdsFromBucket(ctx);
  },
};

// The events stream read from Amplitude's bucket export (events_source "s3", amplitude-api.md
// §13.4) instead of the Export API: the complete upload hours from the bookmark (else start_date)
// on, every line through the same transformation as the Export API path, a STATE after each hour
// that held files and after each run of empty hours. Loaded only when configured.
import { createS3Client, bucketSettingsOf } from '../amplitude/bucket/client.js';
import { folderPrefix } from '../amplitude/bucket/layout.js';
import { projectFolder } from '../amplitude/bucket/listing.js';
import { readCompleteHours } from '../amplitude/bucket/reader.js';
import { EventLineError, transformEventLine, type KeySelection } from '../amplitude/event-line.js';
import { bookmarkValue, floorHour, lastHourBefore, parseBookmarkHour } from '../amplitude/export-hours.js';
import { AbortError } from '../amplitude/errors.js';
import { StreamFailure } from '../errors.js';
import { DateTime } from 'luxon';
import type { StreamContext, StreamItem } from './types.js';

const REPLICATION_KEY = 'server_upload_time';
const HOUR_MS = 3_600_000;

export async function* eventsFromBucket(ctx: StreamContext, kept: KeySelection | null): AsyncGenerator<StreamItem> {
  const { config } = ctx;
  // The bucket reader names the stream in its own lines.
  const log = ctx.log.run;
  const b = bucketSettingsOf(config);
  const fromBookmark = ctx.bookmark ? parseBookmarkHour(ctx.bookmark[REPLICATION_KEY]) : null;
  const from = (fromBookmark ?? floorHour(config.start_date as DateTime)).toMillis();
  const until = config.end_date ? lastHourBefore(config.end_date).toMillis() + HOUR_MS : Number.POSITIVE_INFINITY;
  const s3 = await createS3Client(config, log);
  try {
    const project = await projectFolder(s3, b.bucket, b.prefix, b.projectId);
    const folder = `${folderPrefix(b.prefix)}${project}/`;
    const read = { label: 'events', folder, id: project, kind: 'events' as const, from, until };
    for await (const item of readCompleteHours({ s3, bucket: b.bucket, tempDir: ctx.tempDir, log, signal: ctx.signal, concurrency: b.concurrency }, read)) {
      if (ctx.signal.aborted) throw new AbortError();
      if ('hourDone' in item) {
        if (item.checkpoint) yield { bookmark: { [REPLICATION_KEY]: bookmarkValue(DateTime.fromMillis(item.hourDone.hour + HOUR_MS, { zone: 'utc' })) } };
        continue;
      }
      const batch = new Array<string>(item.lines.length);
      for (let i = 0; i < item.lines.length; i++) {
        try {
          batch[i] = transformEventLine(item.lines[i] as string, kept).recordJson;
        } catch (err) {
          if (err instanceof EventLineError) throw new StreamFailure(`s3://${b.bucket}/${item.file.key} line ${item.firstLine + i}: ${err.message}`);
          throw err;
        }
      }
      yield { recordsJson: batch };
    }
  } finally {
    s3.destroy();
  }
}

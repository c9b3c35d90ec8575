// The events stream read from Amplitude's bucket export (events_source "s3", amplitude-api.md
// §13.4) instead of the Export API: the complete upload hours from the bookmark (else start_date)
// on, a STATE after each hour that held files and after each run of empty hours. Each file's lines
// go through the Export API path's decoder (events-decoder.ts: worker threads, the same framing), so
// the records are byte for byte the same. Loaded only when configured.
import { createS3Client, bucketSettingsOf } from '../amplitude/bucket/client.js';
import { gzipChunks, type Downloaded } from '../amplitude/bucket/gzip-lines.js';
import { folderPrefix } from '../amplitude/bucket/layout.js';
import { projectFolder, type BucketFile } from '../amplitude/bucket/listing.js';
import { readCompleteHourPieces } from '../amplitude/bucket/reader.js';
import { EventLineError } from '../amplitude/event-line.js';
import { bookmarkValue, floorHour, lastHourBefore, parseBookmarkHour } from '../amplitude/export-hours.js';
import { AbortError } from '../amplitude/errors.js';
import { StreamFailure } from '../errors.js';
import { DateTime } from 'luxon';
import { EventTooLargeError, framedItem, type FramedBatch, type FrameSpec } from './event-frames.js';
import { EventsDecoder } from './events-decoder.js';
import type { StreamContext, StreamItem } from './types.js';

const REPLICATION_KEY = 'server_upload_time';
const HOUR_MS = 3_600_000;
const NEWLINE = 0x0a;

export async function* eventsFromBucket(ctx: StreamContext, spec: FrameSpec): AsyncGenerator<StreamItem> {
  const { config } = ctx;
  // The bucket reader names the stream in its own lines.
  const log = ctx.log.run;
  const b = bucketSettingsOf(config);
  const fromBookmark = ctx.bookmark ? parseBookmarkHour(ctx.bookmark[REPLICATION_KEY]) : null;
  const from = (fromBookmark ?? floorHour(config.start_date as DateTime)).toMillis();
  const until = config.end_date ? lastHourBefore(config.end_date).toMillis() + HOUR_MS : Number.POSITIVE_INFINITY;
  // Started now, so that the worker threads load while the AWS SDK loads and the bucket is listed.
  const decoder = EventsDecoder.start();
  try {
    const s3 = await createS3Client(config, log);
    try {
      const project = await projectFolder(s3, b.bucket, b.prefix, b.projectId);
      const folder = `${folderPrefix(b.prefix)}${project}/`;
      const read = { label: 'events', folder, id: project, kind: 'events' as const, from, until };
      const records = (data: Downloaded, skip: number, file: BucketFile) => fileRecords(decoder, spec, data, skip, `s3://${b.bucket}/${file.key}`);
      for await (const item of readCompleteHourPieces({ s3, bucket: b.bucket, tempDir: ctx.tempDir, log, signal: ctx.signal, concurrency: b.concurrency }, read, records)) {
        if (ctx.signal.aborted) throw new AbortError();
        if ('hourDone' in item) {
          if (item.checkpoint) yield { bookmark: { [REPLICATION_KEY]: bookmarkValue(DateTime.fromMillis(item.hourDone.hour + HOUR_MS, { zone: 'utc' })) } };
          continue;
        }
        yield framedItem(item.value);
      }
    } finally {
      s3.destroy();
    }
  } finally {
    await decoder.stop();
  }
}

/** One file's records as framed batches, leaving out its first `skip` records (handed out from an earlier download). */
export async function* fileRecords(decoder: EventsDecoder, spec: FrameSpec, data: Downloaded, skip: number, where: string): AsyncGenerator<{ value: FramedBatch; count: number }> {
  let left = skip;
  try {
    for await (const batch of decoder.decodeChunks((minBytes, allocate) => gzipChunks(data, minBytes, allocate), spec)) {
      if (left >= batch.count) {
        left -= batch.count;
        batch.release?.();
        continue;
      }
      const fresh: FramedBatch = left === 0 ? batch : { ...batch, bytes: afterLines(batch.bytes, left), count: batch.count - left };
      left = 0;
      yield { value: fresh, count: fresh.count };
    }
  } catch (err) {
    if (err instanceof EventLineError || err instanceof EventTooLargeError) throw new StreamFailure(`${where} line ${err.line}: ${err.message}`);
    throw err;
  }
}

/** The RECORD lines after the first `n` (a RECORD line holds no newline of its own: its text is escaped). */
function afterLines(bytes: Uint8Array, n: number): Uint8Array {
  let at = 0;
  for (let k = 0; k < n; k++) at = bytes.indexOf(NEWLINE, at) + 1;
  return bytes.subarray(at);
}

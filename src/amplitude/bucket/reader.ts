// Reads the complete hours of one export folder: each hour's files in partition order, their
// lines in batches, and a marker after each hour. A file whose gzip turns out truncated or corrupt
// is downloaded once more (pinned to the same version) and resumed after the lines already handed
// out; a second failure stops the stream before that hour is bookmarked.
import type { S3Client } from '@aws-sdk/client-s3';
import { StreamFailure } from '../../errors.js';
import { AbortError } from '../errors.js';
import type { ApiLog } from '../client-options.js';
import { discard, download, downloadInOrder, type Fetcher } from './objects.js';
import { GzipError, gzipLineBatches, type Downloaded } from './gzip-lines.js';
import { HOUR_MS, type KeyKind } from './layout.js';
import { checkpointHours, listHours, planHours, type BucketFile, type ListedHour } from './listing.js';

export type HourItem = { lines: string[]; file: BucketFile; firstLine: number } | { hourDone: ListedHour; checkpoint: boolean };

export interface ReadOptions {
  s3: S3Client;
  bucket: string;
  tempDir: string;
  log: ApiLog;
  signal: AbortSignal;
  concurrency: number;
}

export interface FolderRead {
  /** For the log: "events" or "merged_ids". */
  label: string;
  folder: string;
  id: string;
  kind: KeyKind;
  /** First hour to read and the exclusive end (end_date), epoch milliseconds. */
  from: number;
  until: number;
}

/**
 * The complete hours of a folder from `from` on, pass after pass of a bounded listing: each hour's
 * lines, then its `hourDone` (`checkpoint` after each hour with files and each run of empty hours).
 */
export async function* readCompleteHours(o: ReadOptions, r: FolderRead): AsyncGenerator<HourItem> {
  let from = r.from;
  for (;;) {
    const listing = await listHours(o.s3, o.bucket, r.folder, r.id, r.kind, from);
    const plan = planHours(listing, from, r.until);
    const files = plan.hours.reduce((n, h) => n + h.files.length, 0);
    o.log.info(`${r.label}: s3://${o.bucket}/${r.folder}: ${plan.hours.length} complete hour(s) from ${iso(from)}, ${files} file(s); stops there because ${plan.stoppedAt}`);
    yield* readHours(o, plan.hours);
    const last = plan.hours[plan.hours.length - 1];
    if (listing.newerHour === null || plan.gap || !last || last.hour + HOUR_MS >= r.until) return;
    from = last.hour + HOUR_MS;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

async function* readHours(o: ReadOptions, hours: readonly ListedHour[]): AsyncGenerator<HourItem> {
  const f: Fetcher = { s3: o.s3, bucket: o.bucket, tempDir: o.tempDir, log: o.log, signal: o.signal };
  const files = hours.flatMap((h) => h.files);
  const checkpoints = checkpointHours(hours);
  const downloads = downloadInOrder(f, files, o.concurrency);
  try {
    for (const hour of hours) {
      for (let i = 0; i < hour.files.length; i++) {
        const next = await downloads.next();
        if (next.done) throw new Error('bucket downloads ended early');
        yield* fileLines(f, next.value.file, next.value.data);
      }
      yield { hourDone: hour, checkpoint: checkpoints.has(hour.hour) };
    }
  } finally {
    await downloads.return(undefined);
  }
}

async function* fileLines(f: Fetcher, file: BucketFile, first: Downloaded): AsyncGenerator<HourItem> {
  let data = first;
  let handedOut = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      let seen = 0;
      try {
        for await (const batch of gzipLineBatches(data)) {
          if (f.signal.aborted) throw new AbortError();
          const from = seen;
          seen += batch.length;
          if (seen <= handedOut) continue;
          const fresh = from < handedOut ? batch.slice(handedOut - from) : batch;
          yield { lines: fresh, file, firstLine: Math.max(from, handedOut) + 1 };
          handedOut = seen;
        }
        return;
      } catch (err) {
        if (!(err instanceof GzipError)) throw err;
        const where = `s3://${f.bucket}/${file.key}`;
        if (attempt >= 2) {
          throw new StreamFailure(
            `${where}: ${err.message}, again after a second download: the object in the bucket is damaged; the hour was not bookmarked. Ask Amplitude to re-export (backfill) that hour`,
          );
        }
        f.log.warn(`bucket: ${file.key}: ${err.message}; downloading it again`);
        await discard(data);
        data = await download(f, file, { ...(file.etag ? { ifMatch: file.etag } : {}) });
      }
    }
  } finally {
    await discard(data);
  }
}

// Reads the complete hours of one export folder: each hour's files in partition order, their
// contents in pieces (batches of lines, or whatever the caller's FileReader makes of a file), and a
// marker after each hour. A file whose gzip turns out truncated or corrupt is downloaded once more
// (pinned to the same version) and resumed after the units (lines, records) already handed out; a
// second failure stops the stream before that hour is bookmarked.
import type { S3Client } from '@aws-sdk/client-s3';
import { StreamFailure } from '../../errors.js';
import { AbortError } from '../errors.js';
import type { ApiLog } from '../client-options.js';
import { discard, download, downloadInOrder, type Fetcher } from './objects.js';
import { GzipError, gzipLineBatches, type Downloaded } from './gzip-lines.js';
import { HOUR_MS, type KeyKind } from './layout.js';
import { checkpointHours, listHours, planHours, type BucketFile, type ListedHour } from './listing.js';

type HourDone = { hourDone: ListedHour; checkpoint: boolean };
export type HourItem = { lines: string[]; file: BucketFile; firstLine: number } | HourDone;
export type HourPiece<T> = { value: T; file: BucketFile; /** 1-based number of its first unit in the file. */ first: number } | HourDone;

/**
 * A file's contents in pieces, each with the number of units (lines, records) it holds, leaving
 * out the first `skip` units: those were handed out from an earlier download of the same file.
 */
export type FileReader<T> = (data: Downloaded, skip: number, file: BucketFile) => AsyncIterable<{ value: T; count: number }>;

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
  for await (const item of readCompleteHourPieces(o, r, lineBatches)) yield 'hourDone' in item ? item : { lines: item.value, file: item.file, firstLine: item.first };
}

/** readCompleteHours with each file read by `read`. */
export async function* readCompleteHourPieces<T>(o: ReadOptions, r: FolderRead, read: FileReader<T>): AsyncGenerator<HourPiece<T>> {
  let from = r.from;
  for (;;) {
    const listing = await listHours(o.s3, o.bucket, r.folder, r.id, r.kind, from);
    const plan = planHours(listing, from, r.until);
    const files = plan.hours.reduce((n, h) => n + h.files.length, 0);
    o.log.info(`${r.label}: s3://${o.bucket}/${r.folder}: ${plan.hours.length} complete hour(s) from ${iso(from)}, ${files} file(s); stops there because ${plan.stoppedAt}`);
    yield* readHours(o, plan.hours, read);
    const last = plan.hours[plan.hours.length - 1];
    if (listing.newerHour === null || plan.gap || !last || last.hour + HOUR_MS >= r.until) return;
    from = last.hour + HOUR_MS;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

async function* readHours<T>(o: ReadOptions, hours: readonly ListedHour[], read: FileReader<T>): AsyncGenerator<HourPiece<T>> {
  const f: Fetcher = { s3: o.s3, bucket: o.bucket, tempDir: o.tempDir, log: o.log, signal: o.signal };
  const files = hours.flatMap((h) => h.files);
  const checkpoints = checkpointHours(hours);
  const downloads = downloadInOrder(f, files, o.concurrency);
  try {
    for (const hour of hours) {
      for (let i = 0; i < hour.files.length; i++) {
        const next = await downloads.next();
        if (next.done) throw new Error('bucket downloads ended early');
        yield* filePieces(f, next.value.file, next.value.data, read);
      }
      yield { hourDone: hour, checkpoint: checkpoints.has(hour.hour) };
    }
  } finally {
    await downloads.return(undefined);
  }
}

async function* filePieces<T>(f: Fetcher, file: BucketFile, first: Downloaded, read: FileReader<T>): AsyncGenerator<HourPiece<T>> {
  let data = first;
  let handedOut = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const piece of read(data, handedOut, file)) {
          if (f.signal.aborted) throw new AbortError();
          yield { value: piece.value, file, first: handedOut + 1 };
          handedOut += piece.count;
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

/** The merged-ID files' reader: batches of non-blank lines. */
async function* lineBatches(data: Downloaded, skip: number): AsyncGenerator<{ value: string[]; count: number }> {
  let seen = 0;
  for await (const batch of gzipLineBatches(data)) {
    const from = seen;
    seen += batch.length;
    if (seen <= skip) continue;
    const fresh = from < skip ? batch.slice(skip - from) : batch;
    yield { value: fresh, count: fresh.length };
  }
}

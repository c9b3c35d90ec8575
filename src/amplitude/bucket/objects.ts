// Downloads of export files, several at once, handed over in listing order. Each file is fully
// downloaded (to memory when small, else to a temporary file) before its first line is used, so a
// connection that breaks mid-file costs a fresh download, never a partial hour.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiLog } from '../client-options.js';
import { isNoSuchKey, isTransientRead, s3Failure, VanishedError } from './errors.js';
import type { Downloaded } from './gzip-lines.js';
import type { BucketFile } from './listing.js';

/** Files up to this size stay in memory (at most `concurrency` of them at once). */
const IN_MEMORY_BYTES = 4 * 1024 * 1024;
/** Whole-download tries for a body that breaks off (each GET already has the SDK's retries). */
export const DOWNLOAD_TRIES = 3;

export interface Fetcher {
  s3: S3Client;
  bucket: string;
  tempDir: string;
  log: ApiLog;
  signal: AbortSignal;
}

let fileCounter = 0;

/** One download of `file`; `ifMatch` pins the version that was read before (a changed file fails with 412). */
export async function download(f: Fetcher, file: BucketFile, opts: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<Downloaded> {
  const where = `reading s3://${f.bucket}/${file.key}`;
  for (let attempt = 1; ; attempt++) {
    let target: string | undefined;
    try {
      const res = await f.s3.send(new GetObjectCommand({ Bucket: f.bucket, Key: file.key, IfMatch: opts.ifMatch }), { abortSignal: opts.signal ?? f.signal });
      const body = res.Body as Readable;
      const size = res.ContentLength ?? file.size;
      if (size <= IN_MEMORY_BYTES) {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        return { buffer: Buffer.concat(chunks) };
      }
      target = path.join(f.tempDir, `bucket-${process.pid}-${++fileCounter}.json.gz`);
      await pipeline(body, createWriteStream(target));
      return { path: target };
    } catch (err) {
      if (target) await rm(target, { force: true });
      if ((opts.signal ?? f.signal).aborted) throw err;
      if (isNoSuchKey(err)) {
        throw new VanishedError(
          `${where}: the file was listed but is gone now (Amplitude re-exported the hour, or a lifecycle rule removed it); the hour was not bookmarked, run the sync again`,
          { cause: err },
        );
      }
      if ((err as { name?: string }).name === 'PreconditionFailed') {
        throw new VanishedError(`${where}: the file changed while it was being read (Amplitude re-exported the hour); the hour was not bookmarked, run the sync again`, { cause: err });
      }
      if (attempt >= DOWNLOAD_TRIES || !isTransientRead(err)) throw s3Failure(err, where, f.bucket);
      f.log.warn(`bucket: ${file.key}: download broke off (${(err as Error).message}); downloading it again (try ${attempt + 1} of ${DOWNLOAD_TRIES})`);
    }
  }
}

export async function discard(d: Downloaded): Promise<void> {
  if ('path' in d) await rm(d.path, { force: true });
}

/**
 * Downloads `files` with up to `limit` in flight and yields them in order. Stopping early (an
 * error, an abort) cancels the downloads in flight and removes what they wrote.
 */
export async function* downloadInOrder(f: Fetcher, files: readonly BucketFile[], limit: number): AsyncGenerator<{ file: BucketFile; data: Downloaded }> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  f.signal.addEventListener('abort', onAbort, { once: true });
  const inFlight: Promise<Downloaded>[] = [];
  let next = 0;
  const start = (): void => {
    const file = files[next++] as BucketFile;
    const p = download(f, file, { signal: stop.signal });
    p.catch(() => undefined); // observed when its turn comes (or dropped on stop)
    inFlight.push(p);
  };
  try {
    for (let i = 0; i < files.length; i++) {
      while (next < files.length && inFlight.length < limit) start();
      const data = await (inFlight.shift() as Promise<Downloaded>);
      yield { file: files[i] as BucketFile, data };
    }
  } finally {
    f.signal.removeEventListener('abort', onAbort);
    stop.abort();
    for (const p of inFlight) await p.then(discard, () => undefined);
  }
}

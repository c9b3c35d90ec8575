// A bucket file's gzip stream read without holding the whole file: as batches of non-blank lines
// (the merged-ID files), or as chunks of whole lines for the decoding worker threads (the events).
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { nonBlankLines } from '../export-lines.js';
import { GUNZIP_CHUNK, wholeLineChunks } from '../line-chunks.js';

// 64 KiB chunks for line batches: fewer stream hops and larger batches than zlib's default 16 KiB.
const CHUNK = 1 << 16;
const NEWLINE = 0x0a;

/** The file's bytes: kept in memory when small, else in a temporary file. */
export type Downloaded = { buffer: Buffer } | { path: string };

/** gzip's own failure (truncated, corrupt or not gzip at all), as opposed to a read error. */
export class GzipError extends Error {
  override name = 'GzipError';
}

function gunzipOf(source: Downloaded, chunkSize: number): { raw: Readable; gunzip: Gunzip } {
  const raw = 'buffer' in source ? Readable.from([source.buffer]) : createReadStream(source.path, { highWaterMark: chunkSize });
  const gunzip = createGunzip({ chunkSize });
  raw.once('error', (err: Error) => gunzip.destroy(err));
  raw.pipe(gunzip);
  return { raw, gunzip };
}

function gzipFailure(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || /unexpected end of file/i.test((err as Error).message)) {
    return new GzipError(`not a complete gzip file (${(err as Error).message})`, { cause: err });
  }
  return err;
}

/** The file's whole-line chunks of at least `minBytes` (line-chunks.ts); a GzipError if the gzip is damaged. */
export async function* gzipChunks(source: Downloaded, minBytes: number, allocate: (bytes: number) => Uint8Array): AsyncGenerator<Uint8Array> {
  const { raw, gunzip } = gunzipOf(source, GUNZIP_CHUNK);
  try {
    yield* wholeLineChunks(gunzip as AsyncIterable<Buffer>, minBytes, allocate);
  } catch (err) {
    throw gzipFailure(err);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

export async function* gzipLineBatches(source: Downloaded): AsyncGenerator<string[]> {
  const { raw, gunzip } = gunzipOf(source, CHUNK);
  let pending: Buffer[] = [];
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        pending.push(chunk);
        continue;
      }
      let text: string;
      if (pending.length === 0) text = chunk.toString('utf8', 0, last);
      else {
        // Only the bytes of the line that straddles chunks are joined; cuts fall on newline bytes, so no UTF-8 sequence is split.
        pending.push(chunk.subarray(0, last));
        text = Buffer.concat(pending).toString('utf8');
      }
      pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      const batch = nonBlankLines(text);
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    throw gzipFailure(err);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
  const tail = nonBlankLines(Buffer.concat(pending).toString('utf8'));
  if (tail.length > 0) yield tail;
}

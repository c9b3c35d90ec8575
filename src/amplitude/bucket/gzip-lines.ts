// The non-blank lines of a gzip stream, in batches of one decompressed chunk, never the whole file.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { nonBlankLines } from '../export-lines.js';

// 64 KiB chunks: fewer stream hops and larger batches than zlib's default 16 KiB.
const CHUNK = 1 << 16;
const NEWLINE = 0x0a;

/** The file's bytes: kept in memory when small, else in a temporary file. */
export type Downloaded = { buffer: Buffer } | { path: string };

/** gzip's own failure (truncated, corrupt or not gzip at all), as opposed to a read error. */
export class GzipError extends Error {
  override name = 'GzipError';
}

export async function* gzipLineBatches(source: Downloaded): AsyncGenerator<string[]> {
  const raw = 'buffer' in source ? Readable.from([source.buffer]) : createReadStream(source.path, { highWaterMark: CHUNK });
  const gunzip = createGunzip({ chunkSize: CHUNK });
  raw.once('error', (err: Error) => gunzip.destroy(err));
  raw.pipe(gunzip);
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
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || /unexpected end of file/i.test((err as Error).message)) {
      throw new GzipError(`not a complete gzip file (${(err as Error).message})`, { cause: err });
    }
    throw err;
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
  const tail = nonBlankLines(Buffer.concat(pending).toString('utf8'));
  if (tail.length > 0) yield tail;
}

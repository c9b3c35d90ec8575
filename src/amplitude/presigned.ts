// GET of a pre-signed URL (the S3 link a cohort file redirects to, amplitude-api.md §13.3). It is
// not Amplitude: no Authorization header (the URL carries its own signature, and S3 refuses a
// request authenticated twice), no project limiter. The URL's query is a signature: it never
// appears in a message, only the host does.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import got, { RequestError } from 'got';
import { readBody } from './body.js';
import { AbortError } from './errors.js';

export type PresignedResult =
  | { ok: true; bytes: number }
  /** `expired`: S3 said the link is no longer valid (ask Amplitude for a fresh one). */
  | { ok: false; expired: boolean; problem: string };

export interface PresignedOptions {
  userAgent: string;
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

/** Writes the body into `dest` (truncated first); failures come back as values, never with the URL. */
export async function fetchPresigned(url: string, dest: string, opts: PresignedOptions): Promise<PresignedResult> {
  const host = new URL(url).host;
  const idle = opts.idleTimeoutMs;
  const stream = got.stream(url, {
    headers: { 'user-agent': opts.userAgent },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { lookup: idle, connect: idle, secureConnect: idle, socket: idle },
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  stream.on('error', () => undefined);
  try {
    const status = await new Promise<number>((resolve, reject) => {
      stream.once('response', (r: { statusCode: number }) => resolve(r.statusCode));
      stream.once('error', reject);
    });
    if (status >= 200 && status < 300) {
      const file = createWriteStream(dest, { flags: 'w' });
      await pipeline(stream, file);
      return { ok: true, bytes: file.bytesWritten };
    }
    const text = (await readBody(stream, 16 * 1024)).toString('utf8');
    // S3 answers an expired link with 403 AccessDenied, "Request has expired".
    const expired = (status === 403 || status === 400) && /expired/i.test(text);
    return { ok: false, expired, problem: `${host} answered HTTP ${status}${expired ? ' (the link has expired)' : ''}` };
  } catch (err) {
    if (opts.signal?.aborted === true) throw new AbortError();
    const code = (err as { code?: unknown }).code;
    // Anything else (a full disk while writing `dest`) is local, not the link's doing.
    if (!(err instanceof RequestError) && code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    return { ok: false, expired: false, problem: `the download from ${host} failed (${typeof code === 'string' ? code : 'network error'})` };
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

// The events stream's archives decoded on both cores: the main thread reads and gunzips an archive
// (zlib runs on libuv's thread pool) and cuts it into chunks of whole lines; worker threads scan,
// transform and frame the chunks as RECORD lines, round robin, while the main thread writes what
// came back before. Batches come back in archive order, a few chunks ahead at most. Without the
// compiled worker file (the TypeScript test run) the same framing runs in-thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readExportChunks } from '../amplitude/export-archive.js';
import { EventLineError } from '../amplitude/event-line.js';
import { StreamFailure } from '../errors.js';
import { eventFramer, EventTooLargeError, frameChunk, type FramedBatch, type FrameSpec } from './event-frames.js';

/** A chunk to frame; the spec is sent when it changes. */
export interface DecodeTask {
  chunk: Uint8Array;
  spec?: FrameSpec;
}

export type DecodeReply = { ok: true; bytes: Uint8Array; count: number } | { ok: false; failure: 'line' | 'too-large' | 'other'; message: string };

/** Big enough that messaging costs little (1 MB: about 600 events), small enough that memory stays flat. */
const CHUNK_BYTES = 1024 * 1024;
const AHEAD_PER_WORKER = 2;
const MAX_WORKERS = 4;
// A worker's old generation, capped so that the tap's RSS stays flat as archives grow (V8 would
// otherwise let each worker's heap grow with the data). The byte scanner holds no event on the
// heap; a line it declines is decoded as text, which takes events of up to 32 MB in this heap
// (event-frames.ts, tests/e2e/large-event.test.ts).
const WORKER_HEAP_MB = 128;

const TOO_BIG = `an exported event is too large to decode in a worker thread's ${WORKER_HEAP_MB} MB heap; please report it at tap-amplitude's issue tracker`;
const outOfMemory = (err: Error): boolean => (err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';

class DecodeWorker {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (r: DecodeReply) => void; reject: (e: Error) => void }[] = [];
  private sentSpec: FrameSpec | null = null;
  private failure: Error | null = null;

  constructor(url: URL) {
    // A small young generation: the worker's garbage is short-lived batches, and RSS stays near the main thread's.
    this.worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker.on('message', (reply: DecodeReply) => this.waiting.shift()?.resolve(reply));
    this.worker.on('error', (err) => this.fail(outOfMemory(err) ? new StreamFailure(TOO_BIG) : err));
    this.worker.on('exit', (code) => this.fail(new Error(`a decoding worker thread stopped (exit code ${code})`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  /** Replies come in the order the chunks were sent. */
  frame(chunk: Uint8Array, spec: FrameSpec): Promise<DecodeReply> {
    if (this.failure) return Promise.reject(this.failure);
    const task: DecodeTask = spec === this.sentSpec ? { chunk } : { chunk, spec };
    this.sentSpec = spec;
    const reply = new Promise<DecodeReply>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(task, [chunk.buffer as ArrayBuffer]);
    return reply;
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.worker.on('exit', () => undefined);
    await this.worker.terminate();
  }
}

export class EventsDecoder {
  private workers: DecodeWorker[] | null = null;

  private constructor(
    private readonly workerUrl: URL | null,
    private readonly size: number,
  ) {
    // Started now, so that the threads load their modules while the first archive downloads.
    if (workerUrl !== null) this.workers = Array.from({ length: size }, () => new DecodeWorker(workerUrl));
  }

  /** Worker threads (one per core, up to 4) when the compiled worker is there, else in-thread framing. */
  static start(): EventsDecoder {
    const url = new URL('./events-worker.js', import.meta.url);
    const compiled = url.protocol === 'file:' && existsSync(fileURLToPath(url));
    return new EventsDecoder(compiled ? url : null, Math.max(1, Math.min(MAX_WORKERS, availableParallelism())));
  }

  /** The archive's records as framed batches, in order. Throws ArchiveError (before any batch) for a corrupt archive. */
  async *decode(file: string, spec: FrameSpec): AsyncGenerator<FramedBatch> {
    const chunks = readExportChunks(file, CHUNK_BYTES)[Symbol.asyncIterator]();
    try {
      if (this.workerUrl === null) {
        const framer = eventFramer(spec);
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
          const batch = frameChunk(next.value, spec, framer);
          if (batch.count > 0) yield batch;
        }
        return;
      }
      const url = this.workerUrl;
      const workers = (this.workers ??= Array.from({ length: this.size }, () => new DecodeWorker(url)));
      const queue: Promise<DecodeReply>[] = [];
      let sent = 0;
      let read = false;
      for (;;) {
        while (!read && queue.length < workers.length * AHEAD_PER_WORKER) {
          const next = await chunks.next();
          if (next.done === true) {
            read = true;
            break;
          }
          const reply = (workers[sent++ % workers.length] as DecodeWorker).frame(next.value, spec);
          reply.catch(() => undefined); // awaited below, unless the reader stops first
          queue.push(reply);
        }
        const head = queue.shift();
        if (head === undefined) return;
        const reply = await head;
        if (!reply.ok) {
          if (reply.failure === 'line') throw new EventLineError(reply.message);
          throw reply.failure === 'too-large' ? new EventTooLargeError(reply.message) : new Error(reply.message);
        }
        if (reply.count > 0) yield { bytes: reply.bytes, count: reply.count };
      }
    } finally {
      await chunks.return?.();
    }
  }

  async stop(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = null;
    await Promise.all(workers.map((w) => w.stop()));
  }
}

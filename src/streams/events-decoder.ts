// The events stream's archives decoded on both cores: the main thread reads and gunzips an archive
// (zlib runs on libuv's thread pool) and cuts it into chunks of whole lines; worker threads scan,
// transform and frame the chunks as RECORD lines, round robin, while the main thread writes what
// came back before. Batches come back in archive order, a few chunks ahead at most. Without the
// compiled worker file (the TypeScript test run) the same framing runs in-thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadZipReader, readExportChunks } from '../amplitude/export-archive.js';
import { EventLineError } from '../amplitude/event-line.js';
import { StreamFailure } from '../errors.js';
import { eventFramer, EventTooLargeError, frameChunk, type FramedBatch, type FrameSpec } from './event-frames.js';

/** A chunk to frame; the spec is sent when it changes, and an output buffer already written out, when there is one. */
export interface DecodeTask {
  chunk: Uint8Array;
  spec?: FrameSpec;
  spare?: ArrayBuffer;
}

/** The framed bytes or why not (`line`: the failing line's number in the chunk), with the chunk's buffer (`input`) given back. */
export type DecodeReply =
  | { ok: true; bytes: Uint8Array; count: number; lines: number; input: ArrayBuffer }
  | { ok: false; failure: 'line' | 'too-large' | 'other'; message: string; line: number; input: ArrayBuffer };

/** Whole-line chunks of at least `minBytes`, each in a buffer from `allocate` (line-chunks.ts). */
export type ChunkSource = (minBytes: number, allocate: (bytes: number) => Uint8Array) => AsyncIterable<Uint8Array>;

/** Big enough that messaging costs little (1 MB: about 600 events), small enough that memory stays flat. */
const CHUNK_BYTES = 1024 * 1024;
const AHEAD_PER_WORKER = 2;
// Reused chunk buffers: a chunk is CHUNK_BYTES plus the rest of a gunzip chunk at most, unless a line is longer.
const INPUT_BUFFER_BYTES = CHUNK_BYTES + 512 * 1024;
const SPARE_BUFFERS = 4;
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
  frame(chunk: Uint8Array, spec: FrameSpec, spare: ArrayBuffer | undefined): Promise<DecodeReply> {
    if (this.failure) return Promise.reject(this.failure);
    const task: DecodeTask = spec === this.sentSpec ? { chunk } : { chunk, spec };
    if (spare !== undefined) task.spare = spare;
    this.sentSpec = spec;
    const reply = new Promise<DecodeReply>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(task, spare === undefined ? [chunk.buffer as ArrayBuffer] : [chunk.buffer as ArrayBuffer, spare]);
    return reply;
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.worker.on('exit', () => undefined);
    await this.worker.terminate();
  }
}

/**
 * Buffers handed back and forth between the threads instead of allocated for each chunk: at
 * hundreds of megabytes a second, allocating and freeing megabyte buffers (mmap, page faults, the
 * garbage collections external memory triggers) took much of the main thread's time.
 */
class SpareBuffers {
  private readonly spare: ArrayBuffer[] = [];

  /** `bytes` of a spare buffer (all spares have the same size, `size`), or of a new one when more are wanted. */
  view(bytes: number, size: number): Uint8Array {
    if (bytes > size) return new Uint8Array(bytes);
    const reused = this.spare.pop();
    return new Uint8Array(reused !== undefined && reused.byteLength === size ? reused : new ArrayBuffer(size), 0, bytes);
  }

  take(): ArrayBuffer | undefined {
    return this.spare.pop();
  }

  give(buffer: ArrayBuffer): void {
    if (this.spare.length < SPARE_BUFFERS && buffer.byteLength > 0) this.spare.push(buffer);
  }
}

export class EventsDecoder {
  private workers: DecodeWorker[] | null = null;
  private readonly inputs = new SpareBuffers();
  private readonly outputs = new SpareBuffers();

  private constructor(
    private readonly workerUrl: URL | null,
    private readonly size: number,
  ) {
    // Started now, so that the threads, and the zip reader here, load while the first archive downloads.
    if (workerUrl !== null) this.workers = Array.from({ length: size }, () => new DecodeWorker(workerUrl));
    loadZipReader().catch(() => undefined); // a failure to load shows where the archive is opened

  }

  /** Worker threads (one per core, up to 4) when the compiled worker is there, else in-thread framing. */
  static start(): EventsDecoder {
    const url = new URL('./events-worker.js', import.meta.url);
    const compiled = url.protocol === 'file:' && existsSync(fileURLToPath(url));
    return new EventsDecoder(compiled ? url : null, Math.max(1, Math.min(MAX_WORKERS, availableParallelism())));
  }

  /** The archive's records as framed batches, in order. Throws ArchiveError (before any batch) for a corrupt archive. */
  decode(file: string, spec: FrameSpec): AsyncGenerator<FramedBatch> {
    return this.decodeChunks((minBytes, allocate) => readExportChunks(file, minBytes, allocate), spec);
  }

  /**
   * The records of the lines `source` gives, as framed batches, in order. A line that cannot be
   * decoded throws EventLineError or EventTooLargeError with its 1-based number among the source's lines.
   */
  async *decodeChunks(source: ChunkSource, spec: FrameSpec): AsyncGenerator<FramedBatch> {
    const pooled = this.workerUrl !== null;
    const allocate = (bytes: number): Uint8Array => (pooled ? this.inputs.view(bytes, INPUT_BUFFER_BYTES) : new Uint8Array(bytes));
    const chunks = source(CHUNK_BYTES, allocate)[Symbol.asyncIterator]();
    // Lines of the chunks already framed, so that a failure names its line in the whole source.
    let linesBefore = 0;
    try {
      if (this.workerUrl === null) {
        const framer = eventFramer(spec);
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
          let batch: FramedBatch;
          try {
            batch = frameChunk(next.value, spec, framer);
          } catch (err) {
            if (err instanceof EventLineError || err instanceof EventTooLargeError) err.line = linesBefore + (err.line ?? 0);
            throw err;
          }
          linesBefore += batch.lines;
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
          const reply = (workers[sent++ % workers.length] as DecodeWorker).frame(next.value, spec, this.outputs.take());
          reply.catch(() => undefined); // awaited below, unless the reader stops first
          queue.push(reply);
        }
        const head = queue.shift();
        if (head === undefined) return;
        const reply = await head;
        this.inputs.give(reply.input);
        if (!reply.ok) {
          if (reply.failure === 'other') throw new Error(reply.message);
          const failure = reply.failure === 'line' ? new EventLineError(reply.message) : new EventTooLargeError(reply.message);
          failure.line = linesBefore + reply.line;
          throw failure;
        }
        const { bytes } = reply;
        linesBefore += reply.lines;
        if (reply.count > 0) yield { bytes, count: reply.count, lines: reply.lines, release: () => this.outputs.give(bytes.buffer as ArrayBuffer) };
        else this.outputs.give(bytes.buffer as ArrayBuffer);
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

// Writes Singer messages to stdout: one JSON object per line, batched into large writes, with
// backpressure (a slow target slows the tap instead of filling memory) and a final flush that
// completes before the process exits. A reader that goes away (EPIPE) stops the run quietly.
import type { Writable } from 'node:stream';
import { RunFailure } from '../errors.js';
import type { ActivateVersionMessage, JsonSchema, SchemaMessage, StateMessage } from './messages.js';

const FLUSH_AT = 64 * 1024;
const NEWLINE = 0x0a;

const BROKEN_PIPE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * Messages are written in ASCII, as singer-python writes them (non-ASCII escaped as \uXXXX, the same
 * JSON value): `meltano config test` decodes the tap's stdout as ASCII and fails on anything else.
 */
const NON_ASCII_ALL = /[\u0080-\uffff]/g;
const escapeUnit = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON text (one or many lines) as the ASCII the writer sends; lines framed elsewhere go through it too. */
export function asciiJson(json: string): string {
  return json.replace(NON_ASCII_ALL, escapeUnit);
}

/** The output cannot take more: its reader went away (EPIPE), or writing failed (e.g. ENOSPC). */
export class OutputClosedError extends RunFailure {
  override name = 'OutputClosedError';
  constructor(readonly code: string) {
    super(BROKEN_PIPE.has(code) ? 'the reader of stdout went away (broken pipe); stopping' : `stdout cannot be written (${code}); stopping`);
  }

  /** The reader stopped reading (`| head`, a finished consumer): an expected end, not a fault to report. */
  get brokenPipe(): boolean {
    return BROKEN_PIPE.has(this.code);
  }
}

/**
 * What comes before and after the record in a RECORD message line (without its newline); `version`
 * is the table version of a FULL_TABLE stream (see `activateVersion`).
 */
export function recordFrame(streamJson: string, timeExtractedJson: string, version?: number): [head: string, tail: string] {
  const v = version === undefined ? '' : `"version":${version},`;
  return [`{"type":"RECORD","stream":${streamJson},"record":`, `,${v}"time_extracted":${timeExtractedJson}}`];
}

/** One RECORD message line (without its newline) around a record already serialised. */
export function recordLine(streamJson: string, recordJson: string, timeExtractedJson: string, version?: number): string {
  const [head, tail] = recordFrame(streamJson, timeExtractedJson, version);
  return head + recordJson + tail;
}

export class SingerWriter {
  // Lines are UTF-8 encoded straight into a byte chunk (measured 3× faster than concatenating
  // strings and writing the joined string); a full chunk is handed to the stream and a new one taken.
  private chunk = Buffer.allocUnsafe(FLUSH_AT * 2);
  private used = 0;
  private drainWait: Promise<void> | null = null;
  private closedBy: OutputClosedError | null = null;
  /** Called once when the output closes (EPIPE from a departed reader, or any other write error). */
  onClosed: ((err: OutputClosedError) => void) | null = null;

  constructor(private readonly out: Writable = process.stdout) {
    // Handled here, so that a write error never surfaces as an uncaught exception with a stack trace.
    out.on('error', (err) => this.fail(err));
  }

  /** Every write error ends the output for good (a destroyed stream reports it only to the write callback). */
  private fail(err: NodeJS.ErrnoException | null | undefined): void {
    if (!err || this.closedBy) return;
    this.closedBy = new OutputClosedError(err.code ?? 'write error');
    this.onClosed?.(this.closedBy);
  }

  get isClosed(): boolean {
    return this.closedBy !== null;
  }

  /** True while the consumer has not taken the last flushed chunk: await `ready()` before writing more. */
  get backpressured(): boolean {
    return this.drainWait !== null;
  }

  schema(stream: string, schema: JsonSchema, keyProperties: string[], bookmarkProperties?: string[]): void {
    const msg: SchemaMessage = { type: 'SCHEMA', stream, schema, key_properties: keyProperties };
    if (bookmarkProperties && bookmarkProperties.length > 0) msg.bookmark_properties = bookmarkProperties;
    this.line(JSON.stringify(msg));
  }

  /**
   * `recordJson` is the record already serialised (streams with exact-text records pass it through);
   * `version` is the table version of a FULL_TABLE stream (see `activateVersion`).
   */
  recordJson(streamJson: string, recordJson: string, timeExtractedJson: string, version?: number): void {
    this.line(recordLine(streamJson, recordJson, timeExtractedJson, version));
  }

  /** Tells a target that `version` is now the whole content of the stream's table. */
  activateVersion(stream: string, version: number): void {
    const msg: ActivateVersionMessage = { type: 'ACTIVATE_VERSION', stream, version };
    this.line(JSON.stringify(msg));
  }

  /**
   * Whole RECORD lines already framed by `recordLine` and made ASCII by `asciiJson` (each ending in
   * a newline), e.g. by a worker thread. `written` is called once stdout is done with the bytes.
   */
  framedLines(bytes: Uint8Array, written?: () => void): void {
    if (this.closedBy) throw this.closedBy;
    this.flushBuffer();
    this.hand(bytes, written);
  }

  /** A STATE is handed over at once: a checkpoint waiting in the buffer through the next long download would be lost to a kill. */
  state(value: unknown): void {
    const msg: StateMessage = { type: 'STATE', value };
    this.line(JSON.stringify(msg));
    this.flushBuffer();
  }

  private line(json: string): void {
    if (this.closedBy) throw this.closedBy;
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    this.reserve(json.length * 3 + 1);
    const written = this.chunk.write(json, this.used);
    if (written === json.length) {
      this.used += written; // one byte per code unit: ASCII, the common case costs no scan
    } else {
      // Outside strings JSON is ASCII, so each non-ASCII code unit is inside a string and escapes alike.
      const text = asciiJson(json);
      this.reserve(text.length + 1);
      this.used += this.chunk.write(text, this.used);
    }
    this.chunk[this.used++] = NEWLINE;
    if (this.used >= FLUSH_AT) this.flushBuffer();
  }

  /** Room for `bytes` more in the chunk, flushing (or growing it for one long line) first. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.chunk.length) return;
    this.flushBuffer();
    if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(bytes);
  }

  private flushBuffer(): void {
    if (this.used === 0 || this.closedBy) return;
    const chunk = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(FLUSH_AT * 2);
    this.used = 0;
    this.hand(chunk);
  }

  private hand(chunk: Uint8Array, written?: () => void): void {
    const ok = this.out.write(chunk, (err) => {
      this.fail(err);
      written?.();
    });
    if (!ok && !this.drainWait) {
      this.drainWait = new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.drainWait = null;
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }

  /** Resolves when the consumer can take more output. */
  async ready(): Promise<void> {
    await this.drainWait; // null when not backpressured
    if (this.closedBy) throw this.closedBy;
  }

  /** Writes what is buffered and resolves once the operating system has it all. */
  async flush(): Promise<void> {
    this.flushBuffer();
    if (this.closedBy) return;
    await new Promise<void>((resolve) => {
      // The callback of an empty write runs after every earlier write has been handed over.
      this.out.write('', (err) => {
        this.fail(err);
        resolve();
      });
    });
  }
}

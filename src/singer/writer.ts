// Writes Singer messages to stdout: one JSON object per line, batched into large writes, with
// backpressure (a slow target slows the tap instead of filling memory) and a final flush that
// completes before the process exits. A reader that goes away (EPIPE) stops the run quietly.
import type { Writable } from 'node:stream';
import type { JsonSchema, SchemaMessage, StateMessage } from './messages.js';

const FLUSH_AT = 64 * 1024;

export class OutputClosedError extends Error {
  override name = 'OutputClosedError';
  constructor() {
    super('the reader of stdout went away (broken pipe); stopping');
  }
}

export class SingerWriter {
  private buffer = '';
  private drainWait: Promise<void> | null = null;
  private closed = false;
  /** Called once when the output is closed by the reader (EPIPE). */
  onClosed: (() => void) | null = null;

  constructor(private readonly out: Writable = process.stdout) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        if (!this.closed) {
          this.closed = true;
          this.onClosed?.();
        }
        return;
      }
      throw err;
    });
  }

  get isClosed(): boolean {
    return this.closed;
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

  /** `recordJson` is the record already serialised (streams with exact-text records pass it through). */
  recordJson(streamJson: string, recordJson: string, timeExtractedJson: string): void {
    this.line(`{"type":"RECORD","stream":${streamJson},"record":${recordJson},"time_extracted":${timeExtractedJson}}`);
  }

  state(value: unknown): void {
    const msg: StateMessage = { type: 'STATE', value };
    this.line(JSON.stringify(msg));
  }

  private line(text: string): void {
    if (this.closed) throw new OutputClosedError();
    this.buffer += text + '\n';
    if (this.buffer.length >= FLUSH_AT) this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.buffer.length === 0 || this.closed) return;
    const chunk = this.buffer;
    this.buffer = '';
    const ok = this.out.write(chunk);
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
    if (this.drainWait) await this.drainWait;
    if (this.closed) throw new OutputClosedError();
  }

  /** Writes what is buffered and resolves once the operating system has it all. */
  async flush(): Promise<void> {
    this.flushBuffer();
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      // The callback of an empty write runs after every earlier write has been handed over.
      this.out.write('', () => resolve());
    });
  }
}

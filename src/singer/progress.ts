// Progress on stderr: one line per checkpoint (stream, where it is, records, rate, elapsed) and,
// when stderr is a terminal, a live line rewritten every second in between.
import type { Logger } from './log.js';

export class StreamProgress {
  private readonly started = Date.now();
  private windowStarted = Date.now();
  private windowRecords = 0;
  private total = 0;
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: string,
    private readonly log: Logger,
    private readonly tty: NodeJS.WriteStream | null = process.stderr.isTTY && log.enabled('info') ? process.stderr : null,
  ) {
    if (this.tty) {
      this.ticker = setInterval(() => this.live(), 1000);
      this.ticker.unref();
    }
  }

  records(n: number): void {
    this.windowRecords += n;
    this.total += n;
  }

  get count(): number {
    return this.total;
  }

  /** A checkpoint: one line for the window that just completed. */
  checkpoint(position: string): void {
    const now = Date.now();
    const secs = (now - this.windowStarted) / 1000;
    this.clearLive();
    this.log.info(
      `progress: stream=${this.stream} window_end=${position} records=${this.windowRecords} ` +
        `records_per_s=${Math.round(this.windowRecords / Math.max(secs, 0.001))} total=${this.total} elapsed_s=${((now - this.started) / 1000).toFixed(1)}`,
    );
    this.windowStarted = now;
    this.windowRecords = 0;
  }

  done(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.clearLive();
  }

  private live(): void {
    const secs = (Date.now() - this.started) / 1000;
    this.tty?.write(`\r\x1b[K${this.stream}: ${this.total} records, ${Math.round(this.total / Math.max(secs, 0.001))} records/s, ${secs.toFixed(0)} s`);
  }

  private clearLive(): void {
    this.tty?.write('\r\x1b[K');
  }
}

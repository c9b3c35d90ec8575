// Progress on stderr: one line per checkpoint (stream, window i/N, records, MB downloaded, rate,
// elapsed, ETA) and, when stderr is a terminal, a live line rewritten every second in between that
// is cleared before any log line is written.
import type { Logger } from './log.js';

/** What a stream says about the window a checkpoint completes (all optional but the position). */
export interface CheckpointDetails {
  index?: number;
  total?: number;
  bytes?: number;
}

export class StreamProgress {
  private readonly started = Date.now();
  private windowStarted = Date.now();
  private windowRecords = 0;
  private total = 0;
  private ticker: NodeJS.Timeout | null = null;
  private drawn = false;
  private windows = '';

  constructor(
    private readonly stream: string,
    private readonly log: Logger,
    private readonly tty: NodeJS.WriteStream | null = process.stderr.isTTY && log.enabled('info') ? process.stderr : null,
  ) {
    if (this.tty) {
      this.ticker = setInterval(() => this.live(), 1000);
      this.ticker.unref();
      log.setLiveLine(() => this.clearLive());
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
  checkpoint(position: string, details: CheckpointDetails = {}): void {
    const now = Date.now();
    const secs = (now - this.windowStarted) / 1000;
    const elapsed = (now - this.started) / 1000;
    const { index, total, bytes } = details;
    const fields = [`stream=${this.stream}`];
    if (index !== undefined && total !== undefined) {
      this.windows = `window ${index}/${total}`;
      fields.push(`window=${index}/${total}`);
    }
    fields.push(`window_end=${position}`, `records=${this.windowRecords}`);
    if (bytes !== undefined) fields.push(`mb=${(bytes / 1e6).toFixed(1)}`);
    fields.push(`records_per_s=${Math.round(this.windowRecords / Math.max(secs, 0.001))}`, `total=${this.total}`, `elapsed_s=${elapsed.toFixed(1)}`);
    if (index !== undefined && total !== undefined && index > 0) fields.push(`eta_s=${Math.round((elapsed / index) * (total - index))}`);
    this.log.info(`progress: ${fields.join(' ')}`);
    this.windowStarted = now;
    this.windowRecords = 0;
  }

  done(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.tty) this.log.setLiveLine(null);
    this.clearLive();
  }

  private live(): void {
    const secs = (Date.now() - this.started) / 1000;
    const where = this.windows ? `${this.windows} done, ` : '';
    this.tty?.write(`\r\x1b[K${this.stream}: ${where}${this.total} records, ${Math.round(this.total / Math.max(secs, 0.001))} records/s, ${secs.toFixed(0)} s`);
    this.drawn = true;
  }

  private clearLive(): void {
    if (!this.drawn) return;
    this.tty?.write('\r\x1b[K');
    this.drawn = false;
  }
}

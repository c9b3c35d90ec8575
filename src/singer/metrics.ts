// Singer METRIC log lines ("INFO METRIC: {json}") on stderr: record counts per stream and HTTP
// request timings, reported at least every interval and at the end of the run.
import type { Logger } from './log.js';

export interface MetricLine {
  type: 'counter' | 'timer';
  metric: string;
  value: number;
  tags: Record<string, string | number | null>;
}

export class Metrics {
  private counts = new Map<string, number>();
  private reported = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: Logger, private readonly intervalMs = 60_000) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.report();
  }

  emit(line: MetricLine): void {
    this.log.info(`METRIC: ${JSON.stringify(line)}`);
  }

  countRecords(stream: string, n = 1): void {
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + n);
  }

  recordCount(stream: string): number {
    return this.counts.get(stream) ?? 0;
  }

  /** Counter lines carry the records since the previous report, so they add up to the total. */
  report(): void {
    for (const [stream, total] of this.counts) {
      const delta = total - (this.reported.get(stream) ?? 0);
      if (delta === 0) continue;
      this.reported.set(stream, total);
      this.emit({ type: 'counter', metric: 'record_count', value: delta, tags: { stream } });
    }
  }

  /** `succeeded` defaults to a status below 400; a caller may count an expected answer (export's "no data" 404) as one. */
  httpRequest(endpoint: string, status: number | null, durationMs: number, succeeded = status !== null && status < 400): void {
    this.emit({
      type: 'timer',
      metric: 'http_request_duration',
      value: Math.round(durationMs) / 1000,
      tags: { endpoint, http_status_code: status, status: succeeded ? 'succeeded' : 'failed' },
    });
  }
}

// What the sync loop hands a stream besides its config and client: a logger that names the stream,
// and the values the streams of one run share, each with its own type.
import type { ParsedChart } from '../amplitude/chart-csv.js';
import type { Logger } from '../singer/log.js';

/** Log lines about one stream: `stream <name>: <message>`, the name written here and nowhere else. */
export class StreamLog {
  constructor(
    readonly stream: string,
    /** The run's logger, for a line about something two streams share (a chart's body). */
    readonly run: Logger,
  ) {}

  debug(message: string): void {
    this.run.debug(this.prefixed(message));
  }

  info(message: string): void {
    this.run.info(this.prefixed(message));
  }

  warn(message: string): void {
    this.run.warn(this.prefixed(message));
  }

  error(message: string): void {
    this.run.error(this.prefixed(message));
  }

  private prefixed(message: string): string {
    return `stream ${this.stream}: ${message}`;
  }
}

/** Values the streams of one run share; one instance per run. */
export class RunShared {
  /** Each chart's CSV export, read once for its chart_<id> stream and charts_metadata. */
  readonly charts = new Map<string, Promise<ParsedChart>>();
  /** Charts whose failure their own chart_<id> stream already reported (charts_metadata does not repeat it). */
  readonly reportedCharts = new Set<string>();
}

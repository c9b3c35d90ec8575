// What a caller tells the one HTTP client (client.ts): how to build it, and what one request or
// download asks for; with the defaults the client falls back on.
import type { CostBudget } from './limiter.js';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  secretKey: string;
  userAgent: string;
  /** request_timeout_seconds × 1000: no bytes for this long fails the attempt; not a total deadline. */
  idleTimeoutMs: number;
  /** 1..5: Amplitude allows 5 concurrent requests per project across all endpoints, export included. */
  maxConcurrency: number;
  maxTries?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Dashboard cost budget (amplitude-api.md §4); null disables pacing by cost. */
  costBudget?: CostBudget | null;
  /** The Taxonomy API's own budget (default TAXONOMY_BUDGET); smaller in tests, to reach its pacing. */
  taxonomyBudget?: CostBudget;
  /**
   * Called once per attempt; status null means the attempt ended in a network error. `succeeded`
   * is false for errors and true for 2xx and for a passed status the caller calls an answer.
   */
  onResponse?: (e: { endpoint: string; status: number | null; durationMs: number; attempt: number; succeeded: boolean }) => void;
  log?: ApiLog;
  signal?: AbortSignal;
}

export interface RequestOptions {
  /** Short name for logs, metrics and errors, e.g. 'export', 'users', 'chart gl9dulhv'. */
  endpoint: string;
  query?: Record<string, string>;
  /** Dashboard cost units charged against the budget; 0 = not a dashboard query. */
  cost?: number;
  /** Statuses handed back to the caller (with the parsed error body) instead of retried or thrown. */
  passStatuses?: number[];
  /** 'taxonomy': also inside the Taxonomy API's own limits (4 at once, 7,200 per hour; amplitude-api.md §13.1). */
  pool?: 'taxonomy';
  /** false: a 3xx is not followed (pass it, and read `location`, to follow it by hand). */
  followRedirect?: false;
  /** Whether a passed status and its body are a normal answer (e.g. export's "no data" 404): not a failed request in metrics. */
  isAnswer?: (status: number, body: unknown) => boolean;
  /** Stops this request (and its retries) without stopping the run. */
  signal?: AbortSignal;
}

export interface DownloadOptions extends RequestOptions {
  dest: string;
  /** Checks the written file; throwing makes the attempt a retryable failure. */
  validate?: (file: string) => Promise<void>;
  /** Told the bytes written so far by this attempt, chunk by chunk; throwing ends the download with that error. */
  onBytes?: (bytesThisAttempt: number) => void;
}

export const DEFAULT_MAX_TRIES = 8;
export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 120_000 };
export const DEFAULT_COST_BUDGET: CostBudget = { per5Min: 1000, perHour: 108_000 };
// The Taxonomy API's per-hour cost limit; its 5-minute window never binds.
export const TAXONOMY_BUDGET: CostBudget = { per5Min: 7200, perHour: 7200 };

/**
 * What this layer logs through: the callers' logger (src/singer/log.ts fits it), named here so
 * that the API layer imports nothing from the protocol layer.
 */
export interface ApiLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

/** A logger that also keeps a credential out of every later line (the S3 keys). */
export interface SecretKeepingLog extends ApiLog {
  addSecret(value: string | undefined): void;
}

// Errors thrown by the Amplitude client, in the tap's one hierarchy (src/errors.ts). Every message
// is one line built from safe fields only (endpoint, host, status, Amplitude's own text passed
// through the secret masker): got's errors carry the request options, including the
// Authorization header, so they are never rethrown.
import { RunFailure, StreamFailure, TapFailure, type Consequence } from '../errors.js';

const MAX_QUOTED_TEXT = 300;

/** Collapses whitespace so a message stays on one line, and bounds its length. */
export function oneLine(text: string, maxLength = MAX_QUOTED_TEXT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

/** The run was stopped (SIGTERM, closed stdout) while a request was waiting or in flight. */
export class AbortError extends RunFailure {
  override name = 'AbortError';
  constructor(message = 'Amplitude request aborted') {
    super(message);
  }
}

export interface HttpFailure {
  status: number;
  endpoint: string;
  host: string;
  amplitudeMessage?: string;
  details?: string;
}

function asSentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) {
    return 'Likely causes: wrong api_key, wrong secret_key, wrong data_region (the project lives in the other region: standard = amplitude.com, eu = analytics.eu.amplitude.com), or a plan without this feature.';
  }
  if (status === 429) {
    return "Amplitude's rate limit was hit (5 concurrent requests per project, dashboard cost budget); lower max_concurrency or stop other API clients of this project.";
  }
  return '';
}

/**
 * Amplitude answered with an HTTP status the caller did not expect, or a 2xx it cannot use. What it
 * does to the run follows the status: a rejected key stops the run, 429, 5xx and unusable 2xx
 * bodies are retried, anything else fails the stream.
 */
export class AmplitudeHttpError extends TapFailure {
  override name = 'AmplitudeHttpError';
  readonly consequence: Consequence;
  readonly status: number;
  readonly endpoint: string;
  readonly host: string;
  readonly amplitudeMessage?: string;
  readonly details?: string;

  /** `problem` explains why a successful status is still a failure (e.g. a 200 that is not JSON). */
  constructor(failure: HttpFailure, problem?: string) {
    const quoted = [failure.amplitudeMessage, failure.details].filter((t) => t !== undefined && t !== '').join(' — ');
    const head = `${failure.endpoint}: ${failure.host} answered HTTP ${failure.status}`;
    const text = problem !== undefined ? `${head} but ${problem}` : quoted !== '' ? `${head}: ${quoted}` : head;
    const hint = problem === undefined ? statusHint(failure.status) : '';
    super(oneLine(`${asSentence(text)} ${hint}`, 1000));
    this.status = failure.status;
    this.endpoint = failure.endpoint;
    this.host = failure.host;
    if (failure.amplitudeMessage !== undefined) this.amplitudeMessage = failure.amplitudeMessage;
    if (failure.details !== undefined) this.details = failure.details;
    const retryable = problem !== undefined || failure.status === 429 || failure.status >= 500;
    this.consequence = this.credentialsRejected ? 'run' : retryable ? 'retry' : 'stream';
  }

  /** A 403 whose text says the API key itself was rejected (not a missing add-on or a foreign chart). */
  get credentialsRejected(): boolean {
    return this.status === 403 && /invalid api/i.test(`${this.amplitudeMessage ?? ''} ${this.details ?? ''}`);
  }
}

/** What went wrong, and what the user can do about it (when there is something). */
function describeNetworkFailure(code: string | undefined, host: string, idleTimeoutMs: number): { what: string; advice?: string } {
  switch (code) {
    case 'ETIMEDOUT':
      return {
        what: `no data from ${host} for ${idleTimeoutMs / 1000} s (idle timeout)`,
        advice: 'raise request_timeout_seconds if Amplitude is just slow',
      };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return { what: `connection to ${host} was reset` };
    case 'ERR_HTTP_CONTENT_LENGTH_MISMATCH':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return { what: `connection to ${host} closed before the response was complete` };
    case 'ECONNREFUSED':
      return { what: `connection to ${host} refused`, advice: 'check api_url and the network' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { what: `DNS lookup of ${host} failed`, advice: 'check api_url and the network' };
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return { what: `${host} is unreachable`, advice: 'check the network (proxy, firewall)' };
    default:
      return { what: `request to ${host} failed` };
  }
}

export interface NetworkFailure {
  endpoint: string;
  host: string;
  code?: string;
  idleTimeoutMs: number;
  /** The underlying library's message, already redacted. */
  cause?: string;
}

// Codes of failures that a later attempt may not hit: timeouts, resets, refusals, DNS hiccups.
const RETRYABLE_NETWORK_CODES = new Set([
  'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'ERR_HTTP_CONTENT_LENGTH_MISMATCH', 'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_READING_RESPONSE_STREAM',
]);

/** A request that got no complete answer; retried when the code says a later attempt may do better. */
export class AmplitudeNetworkError extends TapFailure {
  override name = 'AmplitudeNetworkError';
  readonly consequence: Consequence;
  readonly host: string;
  readonly code?: string;

  constructor(failure: NetworkFailure) {
    const { what, advice } = describeNetworkFailure(failure.code, failure.host, failure.idleTimeoutMs);
    // got's timeout text only repeats the threshold in ms, so it is left out.
    const why = failure.code === 'ETIMEDOUT' || failure.cause === undefined ? '' : ` (${failure.cause})`;
    super(oneLine(`${failure.endpoint}: ${what}${why}${advice === undefined ? '' : `; ${advice}`}`, 1000));
    this.host = failure.host;
    if (failure.code !== undefined) this.code = failure.code;
    this.consequence = failure.code !== undefined && RETRYABLE_NETWORK_CODES.has(failure.code) ? 'retry' : 'stream';
  }
}

/**
 * The retry loop gave up. A host that never answered stops the run (every later stream would wait
 * the same way); any other last error fails only the stream.
 */
export class RetriesExhaustedError extends TapFailure {
  override name = 'RetriesExhaustedError';
  readonly consequence: Consequence;
  readonly endpoint: string;
  readonly attempts: number;
  readonly lastError: Error;

  /** `request` describes what was asked for (method, path, query) and must hold no credential. */
  constructor(endpoint: string, request: string, attempts: number, lastError: Error) {
    const last = lastError.message.startsWith(`${endpoint}: `) ? lastError.message.slice(endpoint.length + 2) : lastError.message;
    super(oneLine(`${endpoint}: gave up on ${request} after ${attempts} tries; last error: ${last}`, 2000));
    this.endpoint = endpoint;
    this.attempts = attempts;
    this.lastError = lastError;
    this.consequence = lastError instanceof AmplitudeNetworkError ? 'run' : 'stream';
  }
}

/** A body Amplitude sent that is not in the shape its endpoint documents (not retried: it would come back the same). */
export class AmplitudeBodyError extends StreamFailure {
  override name = 'AmplitudeBodyError';
}

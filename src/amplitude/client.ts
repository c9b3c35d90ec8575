// The one HTTP client every stream uses: Basic auth, idle timeouts, the shared retry loop, and the
// per-project limiter. Errors are rebuilt from safe fields; got's own errors never leave here
// because they carry the request options (and so the Authorization header).
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got, { RequestError } from 'got';
import { messageOf, StreamFailure, TapFailure } from '../errors.js';
import { SecretMasker } from '../secrets.js';
import { parseJson, readBody } from './body.js';
import { readRejection } from './envelope.js';
import { AbortError, AmplitudeHttpError, AmplitudeNetworkError, oneLine } from './errors.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_COST_BUDGET,
  DEFAULT_MAX_TRIES,
  TAXONOMY_BUDGET,
  type ClientOptions,
  type DownloadOptions,
  type RequestOptions,
} from './client-options.js';
import { RequestLimiter, systemClock } from './limiter.js';
import { parseRetryAfterMs, runWithRetries, type AttemptResult } from './retry.js';

export type { ClientOptions, DownloadOptions, RequestOptions } from './client-options.js';
export { DEFAULT_COST_BUDGET } from './client-options.js';

/** Error bodies are small envelopes; never hold more than this of one. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** A 2xx body either became a value or is unusable (`problem` says why); the latter is retried. */
type Consumed<T> = { ok: true; value: T } | { ok: false; problem: string };

type Delivered<T> = { status: number; passed: true; body: unknown; location?: string } | { status: number; passed: false; value: T };

interface Exchange<T> {
  accept: string;
  /** Reads a 2xx body while the request holds its limiter slot. */
  consume: (body: Readable) => Promise<Consumed<T>>;
  /** Checks a consumed value after the slot is released; returns a problem or undefined. */
  verify?: (value: T) => Promise<string | undefined>;
}

export class AmplitudeClient {
  readonly baseUrl: string;
  private readonly host: string;
  private readonly headers: Record<string, string>;
  private readonly masker: SecretMasker;
  private readonly limiter: RequestLimiter;
  private readonly taxonomyLimiter: RequestLimiter;
  private readonly opts: ClientOptions;
  private readonly policy: { maxTries: number; baseMs: number; maxMs: number };

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.host = new URL(this.baseUrl).host;
    const credentials = Buffer.from(`${opts.apiKey}:${opts.secretKey}`).toString('base64');
    this.headers = { authorization: `Basic ${credentials}`, 'user-agent': opts.userAgent };
    this.masker = new SecretMasker([opts.apiKey, opts.secretKey, credentials, `${opts.apiKey}:${opts.secretKey}`]);
    this.policy = { maxTries: opts.maxTries ?? DEFAULT_MAX_TRIES, ...(opts.backoff ?? DEFAULT_BACKOFF) };
    this.limiter = new RequestLimiter({
      maxConcurrency: opts.maxConcurrency,
      costBudget: opts.costBudget === undefined ? DEFAULT_COST_BUDGET : opts.costBudget,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onBudgetWait: (waitMs, cost) =>
        opts.log?.info(`pacing: waiting ${Math.ceil(waitMs / 1000)} s for Amplitude's dashboard cost budget (next request costs ${cost})`),
    });
    const taxonomyBudget = opts.taxonomyBudget ?? TAXONOMY_BUDGET;
    this.taxonomyLimiter = new RequestLimiter({
      maxConcurrency: 4,
      costBudget: taxonomyBudget,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      onBudgetWait: (waitMs) =>
        opts.log?.info(`pacing: waiting ${Math.ceil(waitMs / 1000)} s for the Taxonomy API's ${taxonomyBudget.perHour.toLocaleString('en-US')} requests per hour`),
    });
  }

  /**
   * Foreign text (a body, a library's message) made fit for a one-line error: redacted before it is
   * shortened, so that a cut through a credential cannot leave its first characters behind.
   */
  private quote(text: string, maxLength?: number): string {
    return oneLine(this.masker.mask(text), maxLength);
  }

  /** GET a JSON endpoint: 2xx → parsed body; a passStatus → its parsed error body (or null). */
  async getJson(path: string, opts: RequestOptions): Promise<{ status: number; body: unknown; location?: string }> {
    const result = await this.execute<unknown>(path, opts, {
      accept: 'application/json',
      consume: async (body) => {
        const text = (await readBody(body)).toString('utf8');
        const parsed = parseJson(text);
        return parsed.ok
          ? parsed
          : { ok: false, problem: `the body is not JSON (starts with ${JSON.stringify(this.quote(text, 80))})` };
      },
    });
    if (!result.passed) return { status: result.status, body: result.value };
    return { status: result.status, body: result.body, ...(result.location === undefined ? {} : { location: result.location }) };
  }

  /**
   * GET a body straight into the file `dest` (truncated first, never buffered), then `validate` it.
   * For a passStatus the body is the parsed error body and `dest` holds nothing useful.
   */
  async download(path: string, opts: DownloadOptions): Promise<{ status: number; body: unknown; bytes: number; location?: string }> {
    const { dest, validate, onBytes } = opts;
    const result = await this.execute<number>(path, opts, {
      accept: '*/*',
      consume: async (body) => {
        // 'w' truncates whatever an earlier, failed attempt left behind.
        const file = createWriteStream(dest, { flags: 'w' });
        if (onBytes === undefined) {
          await pipeline(body, file);
        } else {
          let bytes = 0;
          await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              bytes += chunk.length;
              onBytes(bytes);
              yield chunk;
            }
          }, file);
        }
        return { ok: true, value: file.bytesWritten };
      },
      ...(validate === undefined
        ? {}
        : {
            verify: async () => {
              try {
                await validate(dest);
                return undefined;
              } catch (err) {
                return `the body was rejected: ${this.quote(messageOf(err))}`;
              }
            },
          }),
    });
    if (!result.passed) return { status: result.status, body: null, bytes: result.value };
    return { status: result.status, body: result.body, bytes: 0, ...(result.location === undefined ? {} : { location: result.location }) };
  }

  private async execute<T>(path: string, opts: RequestOptions, exchange: Exchange<T>): Promise<Delivered<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(opts.query ?? {})) url.searchParams.set(key, value);
    const request = this.masker.mask(`GET ${url.pathname}${url.search}`);
    const signals = [this.opts.signal, opts.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    if (signal?.aborted === true) throw new AbortError();

    return runWithRetries<Delivered<T>>(
      async (attempt) => {
        const send = (): Promise<AttemptResult<Delivered<T>>> =>
          this.limiter.run(opts.cost ?? 0, () => this.sendOnce(url, request, opts, exchange, attempt, signal), signal);
        const sent = await (opts.pool === 'taxonomy' ? this.taxonomyLimiter.run(1, send, signal) : send());
        if (!sent.ok || sent.value.passed || exchange.verify === undefined) return sent;
        const problem = await exchange.verify(sent.value.value);
        if (problem === undefined) return sent;
        return { ok: false, error: new AmplitudeHttpError({ status: sent.value.status, endpoint: opts.endpoint, host: this.host }, problem) };
      },
      {
        policy: this.policy,
        sleep: (ms) => systemClock.sleep(ms, signal),
        endpoint: opts.endpoint,
        request,
        onRetry: ({ attempt, error, delayMs }) =>
          this.opts.log?.warn(
            `${error.message} (attempt ${attempt}/${this.policy.maxTries}; retrying in ${(delayMs / 1000).toFixed(1)} s)`,
          ),
      },
    );
  }

  /** One attempt, run inside a limiter slot. */
  private async sendOnce<T>(
    url: URL,
    request: string,
    opts: RequestOptions,
    exchange: Exchange<T>,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<AttemptResult<Delivered<T>>> {
    const started = performance.now();
    const idle = this.opts.idleTimeoutMs;
    let status: number | null = null;
    let succeeded = false;
    const stream = got.stream(url, {
      headers: { ...this.headers, accept: exchange.accept },
      retry: { limit: 0 },
      throwHttpErrors: false,
      ...(opts.followRedirect === false ? { followRedirect: false } : {}),
      // `socket` is the idle timer: it fires after `idle` ms without bytes, before or during the body.
      timeout: { lookup: idle, connect: idle, secureConnect: idle, socket: idle },
      ...(signal === undefined ? {} : { signal }),
    });
    // Failures surface through the promises below; this keeps a late one from going unhandled.
    stream.on('error', () => undefined);
    try {
      const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>(
        (resolve, reject) => {
          stream.once('response', resolve);
          stream.once('error', reject);
        },
      );
      status = response.statusCode;
      const result = await this.receive(response.statusCode, response.headers, stream, opts, exchange);
      succeeded = result.ok && (!result.value.passed || opts.isAnswer?.(result.value.status, result.value.body) === true);
      return result;
    } catch (err) {
      status = null;
      if (signal?.aborted === true) throw new AbortError();
      const code = (err as { code?: unknown }).code;
      const isNetwork = err instanceof RequestError || code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (!isNetwork) {
        if (err instanceof TapFailure) throw err;
        // Local and not Amplitude's doing (e.g. a full disk while writing `dest`): not retried.
        throw new StreamFailure(
          `${opts.endpoint}: the answer could not be stored on this machine (${this.quote(messageOf(err), 200)}); check free space in the temporary directory`,
        );
      }
      const error = new AmplitudeNetworkError({
        endpoint: opts.endpoint,
        host: this.host,
        ...(typeof code === 'string' ? { code } : {}),
        idleTimeoutMs: idle,
        cause: this.quote(messageOf(err), 200),
      });
      return { ok: false, error };
    } finally {
      if (!stream.destroyed && !stream.readableEnded) stream.destroy();
      const durationMs = Math.round(performance.now() - started);
      this.opts.log?.debug(`${opts.endpoint}: ${request} → ${status ?? 'network error'} in ${durationMs} ms (attempt ${attempt})`);
      this.opts.onResponse?.({ endpoint: opts.endpoint, status, durationMs, attempt, succeeded });
    }
  }

  private async receive<T>(
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Readable,
    opts: RequestOptions,
    exchange: Exchange<T>,
  ): Promise<AttemptResult<Delivered<T>>> {
    const failure = { status, endpoint: opts.endpoint, host: this.host };
    if (status >= 200 && status < 300) {
      const consumed = await exchange.consume(body);
      if (consumed.ok) return { ok: true, value: { status, passed: false, value: consumed.value } };
      return { ok: false, error: new AmplitudeHttpError(failure, consumed.problem) };
    }

    const text = (await readBody(body, ERROR_BODY_LIMIT)).toString('utf8');
    const parsed = parseJson(text);
    if (opts.passStatuses?.includes(status) === true) {
      const location = typeof headers.location === 'string' ? headers.location : undefined;
      return { ok: true, value: { status, passed: true, body: parsed.ok ? parsed.value : null, ...(location === undefined ? {} : { location }) } };
    }

    const rejection = parsed.ok ? readRejection(parsed.value) : {};
    const isEnvelope = rejection.message !== undefined || rejection.details !== undefined;
    // Without Amplitude's envelope, the body as sent is the best explanation there is.
    const amplitudeMessage = isEnvelope ? rejection.message : text === '' ? undefined : text;
    const error = new AmplitudeHttpError({
      ...failure,
      ...(amplitudeMessage === undefined ? {} : { amplitudeMessage: this.quote(amplitudeMessage) }),
      ...(rejection.details === undefined ? {} : { details: this.quote(rejection.details) }),
    });
    const retryAfter = headers['retry-after'];
    const retryAfterMs = parseRetryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now());
    return { ok: false, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
}

// The error model (src/errors.ts, src/failures.ts, docs/architecture.md "Errors"): each kind of
// error thrown by a stream, through the sync loop, with what it does to the run (the other stream
// runs or not, the error is rethrown or reported), its exit code and the line the user reads.
// Expected lines are written out by hand.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { AmplitudeClient } from '../../src/amplitude/client.js';
import { ChartFormatError } from '../../src/amplitude/chart-csv.js';
import { DashboardBodyError } from '../../src/amplitude/dashboard.js';
import { AbortError, AmplitudeBodyError, AmplitudeHttpError, AmplitudeNetworkError, RetriesExhaustedError } from '../../src/amplitude/errors.js';
import { EventLineError } from '../../src/amplitude/event-line.js';
import { ArchiveError } from '../../src/amplitude/export-archive.js';
import { runWithRetries } from '../../src/amplitude/retry.js';
import { validateConfig } from '../../src/config.js';
import { BadInput, Retryable, RunFailure, StreamFailure, TapFailure } from '../../src/errors.js';
import { consequenceOf, debugDetail, describeError, exitCodeOf } from '../../src/failures.js';
import { SecretMasker } from '../../src/secrets.js';
import type { SelectedStream } from '../../src/singer/catalog.js';
import { Logger } from '../../src/singer/log.js';
import { Metrics } from '../../src/singer/metrics.js';
import { OutputClosedError, SingerWriter } from '../../src/singer/writer.js';
import type { StreamDefinition } from '../../src/streams/types.js';
import { runSync } from '../../src/sync.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const schema = { type: 'object', properties: { id: { type: 'integer' } } };
const select = (name: string): SelectedStream => ({ name, fields: ['id'], keyProperties: ['id'], replicationMethod: 'FULL_TABLE' });

/** `alpha` writes one record then throws `err`; `beta` writes one record. */
async function throughSync(err: unknown) {
  const alpha: StreamDefinition = {
    name: 'alpha',
    schema,
    keyProperties: ['id'],
    replicationMethod: 'FULL_TABLE',
    async *sync() {
      yield { record: { id: 1 } };
      throw err;
    },
  };
  const beta: StreamDefinition = {
    name: 'beta',
    schema,
    keyProperties: ['id'],
    replicationMethod: 'FULL_TABLE',
    async *sync() {
      yield { record: { id: 2 } };
    },
  };
  const sink = new Sink();
  const writer = new SingerWriter(sink);
  const logs: string[] = [];
  const log = new Logger('info', (line) => logs.push(line));
  let failures: string[] | undefined;
  let thrown: unknown;
  try {
    ({ failures } = await runSync({
      config: validateConfig({ api_key: 'k', secret_key: 's', start_date: '2026-01-01' }).config,
      streams: [alpha, beta],
      selection: [select('alpha'), select('beta')],
      state: undefined,
      client: {} as AmplitudeClient,
      writer,
      log,
      metrics: new Metrics(log),
      signal: new AbortController().signal,
      tempDir: '/nonexistent',
      now: () => new Date('2026-01-02T00:00:00Z'),
    }));
  } catch (e) {
    thrown = e;
  }
  await writer.flush();
  const records = sink.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; stream?: string })
    .filter((m) => m.type === 'RECORD')
    .map((m) => m.stream);
  return { failures, thrown, records, errorLines: logs.filter((l) => l.startsWith('ERROR')) };
}

const host = 'amplitude.com';
const rejectedKey = new AmplitudeHttpError({ status: 403, endpoint: 'users', host, amplitudeMessage: 'Unspecified Error', details: 'Invalid API Key' });
const badRequest = new AmplitudeHttpError({ status: 400, endpoint: 'users', host, amplitudeMessage: 'Invalid request', details: 'end before start' });
const unavailable = new AmplitudeHttpError({ status: 503, endpoint: 'users', host });
const reset = new AmplitudeNetworkError({ endpoint: 'users', host, code: 'ECONNRESET', idleTimeoutMs: 1000 });
const oddNetwork = new AmplitudeNetworkError({ endpoint: 'users', host, idleTimeoutMs: 1000, cause: 'socket hang up' });

describe('each kind of error through the sync loop', () => {
  // [what, error, consequence, user's line, exit code]
  const stopsTheRun: [string, TapFailure, string, string, number][] = [
    ['bad input', new BadInput(['state: bookmarks["alpha"]: must be an object', 'config: end_date: bad']), 'bad-input', 'state: bookmarks["alpha"]: must be an object; config: end_date: bad', 2],
    ['a run failure', new RunFailure('the run cannot go on'), 'run', 'the run cannot go on', 1],
    ['a rejected API key', rejectedKey, 'run', 'users: amplitude.com answered HTTP 403: Unspecified Error — Invalid API Key.', 1],
    ['an unreachable host', new RetriesExhaustedError('users', 'GET /api/2/users', 8, reset), 'run', 'users: gave up on GET /api/2/users after 8 tries; last error: connection to amplitude.com was reset', 1],
    ['closed stdout', new OutputClosedError('ENOSPC'), 'run', 'stdout cannot be written (ENOSPC); stopping', 1],
    ['an abort', new AbortError(), 'run', 'Amplitude request aborted', 1],
  ];

  it.each(stopsTheRun)('%s stops the run: rethrown, the next stream never starts', async (_what, err, consequence, line, exitCode) => {
    const run = await throughSync(err);
    expect(run.thrown).toBe(err);
    expect(run.records).toEqual(['alpha']);
    expect(run.errorLines).toEqual([]);
    expect([consequenceOf(err), describeError(err).startsWith(line), exitCodeOf(err)]).toEqual([consequence, true, exitCode]);
    expect(debugDetail(err)).toBeUndefined();
  });

  const failsTheStream: [string, unknown, string][] = [
    ['a stream failure', new StreamFailure('the chart is gone'), 'the chart is gone'],
    ['a retryable error that escaped the retry loop', new Retryable('try again later'), 'try again later'],
    ['an HTTP 400', badRequest, 'users: amplitude.com answered HTTP 400: Invalid request — end before start.'],
    ['an HTTP 503 outside the retry loop', unavailable, 'users: amplitude.com answered HTTP 503.'],
    ['retries exhausted on HTTP answers', new RetriesExhaustedError('users', 'GET /api/2/users', 8, unavailable), 'users: gave up on GET /api/2/users after 8 tries; last error: amplitude.com answered HTTP 503.'],
    ['a network error not worth retrying', oddNetwork, 'users: request to amplitude.com failed (socket hang up)'],
    ["a body in a shape Amplitude's docs do not have", new AmplitudeBodyError('users: the response has no data.xValues list'), 'users: the response has no data.xValues list'],
    ['a chart body without data', new ChartFormatError('chart response has no "data" field (fields: note)'), 'chart response has no "data" field (fields: note)'],
    ['a dashboard body', new DashboardBodyError('cohorts: the response has no "cohorts" list; cannot read it'), 'cohorts: the response has no "cohorts" list; cannot read it'],
    ['an unreadable archive', new ArchiveError('zip member x.json.gz fails its CRC-32 check (corrupt archive)'), 'zip member x.json.gz fails its CRC-32 check (corrupt archive)'],
    ['an unreadable event line', new EventLineError('event line is not a JSON object'), 'event line is not a JSON object'],
    ['an error that names its own stream', new StreamFailure('alpha: gave up on GET /x after 8 tries'), 'gave up on GET /x after 8 tries'],
    ['a bug of ours (outside the hierarchy)', new TypeError('x is undefined'), 'unexpected error: x is undefined'],
  ];

  it.each(failsTheStream)('%s fails that stream only; the next one runs and the line names the stream once', async (_what, err, said) => {
    const run = await throughSync(err);
    expect(run.thrown).toBeUndefined();
    expect(run.records).toEqual(['alpha', 'beta']);
    expect(run.failures).toHaveLength(1);
    expect(run.failures?.[0]?.startsWith(`stream alpha failed: ${said}`)).toBe(true);
    expect(run.errorLines).toEqual([`ERROR ${run.failures?.[0] ?? ''}\n`]);
    expect(exitCodeOf(err)).toBe(1);
  });

  it('keeps a stack trace (for debug level) only for errors outside the hierarchy', () => {
    expect(debugDetail(new TypeError('x is undefined'))).toMatch(/^TypeError: x is undefined\n\s+at /);
    expect(debugDetail(new StreamFailure('known'))).toBeUndefined();
  });

  it('tells a thrown non-Error as an unexpected error', () => {
    expect([describeError('text'), consequenceOf('text'), exitCodeOf('text')]).toEqual(['unexpected error: text', 'unexpected', 1]);
  });
});

describe('what each Amplitude answer does', () => {
  it.each([
    [429, 'Too Many Requests', 'retry'],
    [500, 'Internal', 'retry'],
    [504, 'Gateway Timeout', 'retry'],
    [400, 'Invalid request', 'stream'],
    [404, 'Not Found', 'stream'],
    [403, 'Unspecified Error', 'stream'], // a missing add-on or a foreign chart, not the key
  ] as const)('HTTP %i (%s): %s', (status, message, consequence) => {
    expect(new AmplitudeHttpError({ status, endpoint: 'users', host, amplitudeMessage: message }).consequence).toBe(consequence);
  });

  it('a 2xx that cannot be used is retried; a rejected key stops the run', () => {
    expect(new AmplitudeHttpError({ status: 200, endpoint: 'export', host }, 'the body is not a zip').consequence).toBe('retry');
    expect([rejectedKey.consequence, rejectedKey.credentialsRejected, badRequest.credentialsRejected]).toEqual(['run', true, false]);
  });

  it('network errors: a reset or timeout is retried, an unknown failure fails the stream', () => {
    expect([reset.consequence, oddNetwork.consequence]).toEqual(['retry', 'stream']);
    expect(new AmplitudeNetworkError({ endpoint: 'users', host, code: 'ETIMEDOUT', idleTimeoutMs: 1000 }).consequence).toBe('retry');
  });
});

describe('the retry loop acts on the consequence', () => {
  const ctx = { policy: { maxTries: 3, baseMs: 0, maxMs: 0 }, sleep: async () => undefined, endpoint: 'users', request: 'GET /api/2/users' };

  it('retries a Retryable until an attempt succeeds', async () => {
    const seen: number[] = [];
    const value = await runWithRetries(async (n) => {
      seen.push(n);
      return n < 3 ? { ok: false, error: new Retryable('later') } : { ok: true, value: 'done' };
    }, ctx);
    expect([value, seen]).toEqual(['done', [1, 2, 3]]);
  });

  it('gives up after maxTries retryable failures, naming the last one', async () => {
    const err = await runWithRetries(async () => ({ ok: false, error: new Retryable('later') }), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as Error).message).toBe('users: gave up on GET /api/2/users after 3 tries; last error: later');
  });

  it('throws any other failure after the first attempt', async () => {
    let attempts = 0;
    const failure = new StreamFailure('no');
    const err = await runWithRetries(async () => {
      attempts++;
      return { ok: false, error: failure };
    }, ctx).catch((e: unknown) => e);
    expect([err, attempts]).toEqual([failure, 1]);
  });
});

describe('the secret masker', () => {
  it('masks the longest secret first, and ignores values too short to be a key', () => {
    const masker = new SecretMasker(['abcd', 'abcd:wxyz', 'xyz', undefined, '']);
    expect(masker.mask('auth abcd:wxyz, key abcd, xyz stays')).toBe('auth ***, key ***, xyz stays');
  });

  it('masks a secret added later, and every occurrence of it', () => {
    const masker = new SecretMasker();
    masker.add('s3cr');
    expect(masker.mask('s3cr s3cr3t')).toBe('*** ***3t');
  });
});

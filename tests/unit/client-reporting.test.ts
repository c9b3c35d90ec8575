// What the client tells its caller about each request: onResponse, the debug and retry log lines,
// the default retry policy, redirects and Location, the download progress hook and local failures.
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { AmplitudeClient, type ClientOptions } from '../../src/amplitude/client.js';
import { systemClock } from '../../src/amplitude/limiter.js';
import { AmplitudeHttpError, RetriesExhaustedError } from '../../src/amplitude/errors.js';
import { StreamFailure } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { refusedPort, startServer, type TestServer } from './support/client-server.js';
import { caught } from '../helpers/promises.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

type Event = { endpoint: string; status: number | null; attempt: number; succeeded: boolean };

function makeClient(baseUrl: string, overrides: Partial<ClientOptions> = {}) {
  const events: Event[] = [];
  const logs: { level: string; msg: string }[] = [];
  const client = new AmplitudeClient({
    baseUrl,
    apiKey: 'key',
    secretKey: 'secret',
    userAgent: 'tap-amplitude/0.1.0 (test)',
    idleTimeoutMs: 2000,
    maxConcurrency: 5,
    maxTries: 3,
    backoff: { baseMs: 1, maxMs: 5 },
    costBudget: null,
    onResponse: ({ endpoint, status, attempt, succeeded }) => events.push({ endpoint, status, attempt, succeeded }),
    log: {
      debug: (msg) => logs.push({ level: 'debug', msg }),
      info: (msg) => logs.push({ level: 'info', msg }),
      warn: (msg) => logs.push({ level: 'warn', msg }),
    },
    signal: AbortSignal.timeout(8000),
    ...overrides,
  });
  return { client, events, logs };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}


describe('AmplitudeClient reports each attempt', () => {
  it('calls 2xx and answers the caller accepts succeeded, and errors and other passed statuses not', async () => {
    const server = await serve((req, res, i) => {
      if (req.url === '/flaky') return i === 0 ? json(res, 503, {}) : json(res, 200, { ok: true });
      json(res, 404, { error: { message: req.url === '/nodata' ? 'Raw data files were not found.' : 'No such chart' } });
    });
    const { client, events } = makeClient(server.baseUrl);
    const isAnswer = (status: number, body: unknown) => status === 404 && JSON.stringify(body).includes('Raw data');
    expect(await client.getJson('/flaky', { endpoint: 'flaky' })).toEqual({ status: 200, body: { ok: true } });
    expect((await client.getJson('/nodata', { endpoint: 'export', passStatuses: [404], isAnswer })).status).toBe(404);
    expect((await client.getJson('/chart', { endpoint: 'chart', passStatuses: [404], isAnswer })).status).toBe(404);
    expect((await client.getJson('/chart', { endpoint: 'chart', passStatuses: [404] })).status).toBe(404);
    expect(events).toEqual([
      { endpoint: 'flaky', status: 503, attempt: 1, succeeded: false },
      { endpoint: 'flaky', status: 200, attempt: 2, succeeded: true },
      { endpoint: 'export', status: 404, attempt: 1, succeeded: true },
      { endpoint: 'chart', status: 404, attempt: 1, succeeded: false },
      { endpoint: 'chart', status: 404, attempt: 1, succeeded: false },
    ]);
  });

  it('logs one debug line per attempt and one warning per retry, with the request and its outcome', async () => {
    const server = await serve((req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data": [');
        return void setTimeout(() => req.socket.destroy(), 10);
      }
      if (i === 1) return json(res, 503, { error: { message: 'Service Unavailable' } }, { 'retry-after': '0.25' });
      json(res, 200, { data: [] });
    });
    const { client, logs } = makeClient(server.baseUrl, { backoff: { baseMs: 1, maxMs: 1 } , maxTries: 5 });
    await client.getJson('/api/2/users', { endpoint: 'users', query: { m: 'active' } });
    const lines = logs.map((l) => `${l.level} ${l.msg.replace(/ in \d+ ms/, ' in N ms')}`);
    expect(lines).toEqual([
      'debug users: GET /api/2/users?m=active → network error in N ms (attempt 1)',
      expect.stringMatching(/^warn users: connection to .* (was reset|closed before the response was complete).* \(attempt 1\/5; retrying in 0\.0 s\)$/),
      'debug users: GET /api/2/users?m=active → 503 in N ms (attempt 2)',
      // Retry-After 0.25 s is honoured up to backoff.maxMs (1 ms here).
      `warn users: ${server.host} answered HTTP 503: Service Unavailable. (attempt 2/5; retrying in 0.0 s)`,
      'debug users: GET /api/2/users?m=active → 200 in N ms (attempt 3)',
    ]);
  });

  it('waits a fractional Retry-After as sent', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? json(res, 429, {}, { 'retry-after': '0.25' }) : json(res, 200, [])));
    const { client, logs } = makeClient(server.baseUrl, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await client.getJson('/api/2/events/list', { endpoint: 'events_list' });
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      expect.stringMatching(/ \(attempt 1\/3; retrying in 0\.3 s\)$/),
    ]);
  });

  it('retries 8 times by default, and honours Retry-After with the default backoff', async () => {
    const server = await serve((_req, res) => json(res, 503, {}, { 'retry-after': '0' }));
    const { client, logs } = makeClient(server.baseUrl, { maxTries: undefined, backoff: undefined });
    const err = await caught(client.getJson('/api/2/users', { endpoint: 'users' }));
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect((err as RetriesExhaustedError).attempts).toBe(8);
    expect(server.requests).toHaveLength(8);
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => l.msg);
    expect(warnings).toHaveLength(7);
    expect(warnings[6]).toMatch(/ \(attempt 7\/8; retrying in 0\.0 s\)$/);
  });
});

describe('AmplitudeClient error bodies', () => {
  it('quotes a plain-text error body, and leaves the message empty for an empty body', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/text' ? 400 : 404, { 'content-type': 'text/plain' });
      res.end(req.url === '/text' ? 'Bad   request:\n  missing e' : '');
    });
    const { client } = makeClient(server.baseUrl);
    const text = await caught(client.getJson('/text', { endpoint: 'seg' }));
    expect(text).toBeInstanceOf(AmplitudeHttpError);
    expect(text.message).toBe(`seg: ${server.host} answered HTTP 400: Bad request: missing e.`);
    expect((text as AmplitudeHttpError).amplitudeMessage).toBe('Bad request: missing e');
    const empty = (await caught(client.getJson('/empty', { endpoint: 'seg' }))) as AmplitudeHttpError;
    expect(empty.message).toBe(`seg: ${server.host} answered HTTP 404.`);
    expect(empty.amplitudeMessage).toBeUndefined();
    expect(empty.details).toBeUndefined();
  });

  it('shows the first 80 characters of a 2xx body that is not JSON', async () => {
    const body = `<html>${'x'.repeat(200)}</html>`;
    const server = await serve((_req, res) => res.end(body));
    const { client } = makeClient(server.baseUrl, { maxTries: 1 });
    const err = (await caught(client.getJson('/api/2/users', { endpoint: 'users' }))) as RetriesExhaustedError;
    expect(err.lastError.message).toBe(`users: ${server.host} answered HTTP 200 but the body is not JSON (starts with "<html>${'x'.repeat(74)}…").`);
  });
});

describe('AmplitudeClient redirects', () => {
  it('follows a redirect by default, and hands it back with its Location when asked not to', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/target' });
        return void res.end();
      }
      json(res, 200, { at: req.url });
    });
    const { client } = makeClient(server.baseUrl);
    expect(await client.getJson('/moved', { endpoint: 'moved' })).toEqual({ status: 200, body: { at: '/target' } });
    expect(await client.getJson('/moved', { endpoint: 'moved', followRedirect: false, passStatuses: [302] })).toEqual({
      status: 302,
      body: null,
      location: '/target',
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await client.download('/moved', { endpoint: 'cohort', dest, followRedirect: false, passStatuses: [302] })).toEqual({
      status: 302,
      body: null,
      bytes: 0,
      location: '/target',
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/moved', '/target', '/moved', '/moved']);
  });
});

describe('AmplitudeClient download hooks', () => {
  it('tells the bytes written so far, chunk by chunk, and writes them all', async () => {
    const pieces = ['PK\x03\x04', 'a'.repeat(100), 'b'.repeat(50)];
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      let i = 0;
      const next = () => (i < pieces.length ? res.write(pieces[i++], () => setTimeout(next, 20)) : res.end());
      next();
    });
    const dest = path.join(tempDir(), 'export.zip');
    const { client } = makeClient(server.baseUrl);
    const seen: number[] = [];
    const validated: string[] = [];
    const result = await client.download('/api/2/export', {
      endpoint: 'export',
      dest,
      onBytes: (n) => seen.push(n),
      validate: async (file) => void validated.push(file),
    });
    expect(result).toEqual({ status: 200, body: null, bytes: 154 });
    expect(await readFile(dest, 'latin1')).toBe(pieces.join(''));
    expect(validated).toEqual([dest]);
    expect(seen.at(-1)).toBe(154);
    expect(seen.every((n, i) => n > (seen[i - 1] ?? 0))).toBe(true);
  });

  it('ends the download with what onBytes throws: a tap failure as it is, anything else as a local failure', async () => {
    const server = await serve((_req, res) => res.end('PK\x03\x04data'));
    const dest = path.join(tempDir(), 'export.zip');
    const { client } = makeClient(server.baseUrl);
    const stop = new StreamFailure('export: over the size limit');
    const thrown = await caught(client.download('/a', { endpoint: 'export', dest, onBytes: () => { throw stop; } }));
    expect(thrown).toBe(stop);
    const local = await caught(client.download('/b', { endpoint: 'export', dest, onBytes: () => { throw new Error('ENOSPC: no space left on device'); } }));
    expect(local).toBeInstanceOf(StreamFailure);
    expect(local.message).toBe(
      'export: the answer could not be stored on this machine (ENOSPC: no space left on device); check free space in the temporary directory',
    );
    // Neither is retried.
    expect(server.requests).toHaveLength(2);
  });
});

describe('AmplitudeClient edge answers', () => {
  it('sends nothing and reports no attempt for a request whose signal has already aborted', async () => {
    const server = await serve((req, res) => json(res, 200, {}));
    const { client, events, logs } = makeClient(server.baseUrl);
    await expect(client.getJson('/api/2/users', { endpoint: 'users', signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(server.requests).toEqual([]);
    expect(events).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('treats a 300 as an error, not as a body to use', async () => {
    const server = await serve((_req, res) => json(res, 300, { data: ['a', 'b'] }));
    const { client } = makeClient(server.baseUrl);
    const err = await caught(client.getJson('/api/2/users', { endpoint: 'users' }));
    expect(err).toBeInstanceOf(AmplitudeHttpError);
    expect((err as AmplitudeHttpError).status).toBe(300);
  });

  it('quotes only the details of an envelope without a message', async () => {
    const server = await serve((_req, res) => json(res, 400, { error: { metadata: { details: 'Invalid event type' } } }));
    const { client } = makeClient(server.baseUrl);
    const err = (await caught(client.getJson('/api/2/events/segmentation', { endpoint: 'segmentation' }))) as AmplitudeHttpError;
    expect(err.message).toBe(`segmentation: ${server.host} answered HTTP 400: Invalid event type.`);
    expect(err.amplitudeMessage).toBeUndefined();
    expect(err.details).toBe('Invalid event type');
  });

  it('masks the key:secret pair as one secret', async () => {
    const pair = 'APIKEY0123:SECRET4567';
    const server = await serve((_req, res) => json(res, 400, { error: { message: `bad credentials ${pair} given` } }));
    const { client } = makeClient(server.baseUrl, { apiKey: 'APIKEY0123', secretKey: 'SECRET4567' });
    const err = (await caught(client.getJson('/api/2/users', { endpoint: 'users' }))) as AmplitudeHttpError;
    expect(err.amplitudeMessage).toBe('bad credentials *** given');
  });

  it('reports how long each attempt took, never more than the call itself', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const durations: number[] = [];
    const { client } = makeClient(server.baseUrl, { onResponse: (e) => durations.push(e.durationMs) });
    const before = performance.now();
    await client.getJson('/api/2/users', { endpoint: 'users' });
    const took = performance.now() - before;
    expect(durations).toHaveLength(1);
    expect(Number.isInteger(durations[0])).toBe(true);
    expect(durations[0]).toBeGreaterThanOrEqual(0);
    expect(durations[0]).toBeLessThanOrEqual(Math.ceil(took));
  });
});

describe('AmplitudeClient results and settings', () => {
  it('strips every trailing slash of the base URL', async () => {
    const server = await serve((req, res) => json(res, 200, { at: req.url }));
    const { client } = makeClient(`${server.baseUrl}/proxy//`);
    expect(await client.getJson('/api/2/users', { endpoint: 'users' })).toEqual({ status: 200, body: { at: '/proxy/api/2/users' } });
  });

  it('has no location key in results without one, and asks for any type when downloading', async () => {
    const server = await serve((req, res) => (req.url === '/gone' ? json(res, 404, { error: {} }) : json(res, 200, { ok: 1 })));
    const { client } = makeClient(server.baseUrl);
    const dest = path.join(tempDir(), 'body.bin');
    expect(await client.getJson('/ok', { endpoint: 'ok' })).toStrictEqual({ status: 200, body: { ok: 1 } });
    expect(await client.getJson('/gone', { endpoint: 'gone', passStatuses: [404] })).toStrictEqual({ status: 404, body: { error: {} } });
    expect(await client.download('/ok', { endpoint: 'ok', dest })).toStrictEqual({ status: 200, body: null, bytes: 8 });
    expect(await client.download('/gone', { endpoint: 'gone', dest, passStatuses: [404] })).toStrictEqual({
      status: 404,
      body: { error: {} },
      bytes: 0,
    });
    expect(server.requests.map((r) => r.headers.accept)).toEqual(['application/json', 'application/json', '*/*', '*/*']);
  });

  it('reports an attempt that ended in a network error as not succeeded', async () => {
    const server = await serve((req, res, i) => {
      if (i > 0) return json(res, 200, {});
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data": [');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const { client, events } = makeClient(server.baseUrl);
    await client.getJson('/api/2/users', { endpoint: 'users' });
    expect(events).toEqual([
      { endpoint: 'users', status: null, attempt: 1, succeeded: false },
      { endpoint: 'users', status: 200, attempt: 2, succeeded: true },
    ]);
  });

  it('works without a logger and without a run signal', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? json(res, 503, {}) : json(res, 200, { ok: true })));
    const bare = new AmplitudeClient({
      baseUrl: server.baseUrl,
      apiKey: 'key',
      secretKey: 'secret',
      userAgent: 'test',
      idleTimeoutMs: 2000,
      maxConcurrency: 1,
      maxTries: 2,
      backoff: { baseMs: 1, maxMs: 1 },
      costBudget: null,
    });
    expect(await bare.getJson('/a', { endpoint: 'a' })).toEqual({ status: 200, body: { ok: true } });
    const refused = new AmplitudeClient({
      baseUrl: `http://127.0.0.1:${await refusedPort()}`,
      apiKey: 'key',
      secretKey: 'secret',
      userAgent: 'test',
      idleTimeoutMs: 2000,
      maxConcurrency: 1,
      maxTries: 2,
      backoff: { baseMs: 1, maxMs: 1 },
      costBudget: null,
    });
    await expect(refused.getJson('/a', { endpoint: 'a' })).rejects.toBeInstanceOf(RetriesExhaustedError);
  });

  it('sleeps between tries on the system clock, with the request’s signal', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? json(res, 429, {}, { 'retry-after': '0.25' }) : json(res, 200, [])));
    const { client } = makeClient(server.baseUrl, { backoff: { baseMs: 1, maxMs: 60_000 } });
    const sleeps: [number, boolean][] = [];
    const realSleep = systemClock.sleep;
    systemClock.sleep = async (ms, signal) => void sleeps.push([ms, signal instanceof AbortSignal]);
    try {
      await client.getJson('/api/2/events/list', { endpoint: 'events_list' });
    } finally {
      systemClock.sleep = realSleep;
    }
    expect(sleeps).toEqual([[250, true]]);
  });

  it('never tries a request still waiting for a slot when the run aborts', async () => {
    let arrived!: () => void;
    const hanging = new Promise<void>((resolve) => (arrived = resolve));
    const server = await serve(() => arrived()); // never answered
    const run = new AbortController();
    const { client, events } = makeClient(server.baseUrl, { maxConcurrency: 1, idleTimeoutMs: 60_000, signal: run.signal });
    const inFlight = client.getJson('/hang', { endpoint: 'hang' });
    await hanging;
    const queued = client.getJson('/queued', { endpoint: 'queued' });
    run.abort();
    await expect(inFlight).rejects.toMatchObject({ name: 'AbortError' });
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(events.map((e) => e.endpoint)).toEqual(['hang']);
    expect(server.requests.map((r) => r.url)).toEqual(['/hang']);
  });
});

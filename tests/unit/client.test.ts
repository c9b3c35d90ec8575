import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { AmplitudeClient, type ClientOptions } from '../../src/amplitude/client.js';
import { AmplitudeHttpError, AmplitudeNetworkError, RetriesExhaustedError } from '../../src/amplitude/errors.js';
import { REGION_BASE_URLS, resolveBaseUrl } from '../../src/amplitude/regions.js';
import { backoffDelayMs, parseRetryAfterMs } from '../../src/amplitude/retry.js';
import { fixture } from '../helpers/paths.js';
import { refusedPort, startServer, type TestServer } from './support/client-server.js';
import { caught } from '../helpers/promises.js';

const API_KEY = 'MARKERapikey0123456789abcdef';
const SECRET_KEY = 'MARKERsecretfedcba9876543210';
const BASIC = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64');

const servers: TestServer[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

async function tempFile(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'client-test-'));
  tempDirs.push(dir);
  return path.join(dir, name);
}

interface Attempt {
  status: number | null;
  attempt: number;
}

function makeClient(baseUrl: string, overrides: Partial<ClientOptions> = {}) {
  const attempts: Attempt[] = [];
  const logs: string[] = [];
  const client = new AmplitudeClient({
    baseUrl,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    userAgent: 'tap-amplitude/0.1.0 (test)',
    idleTimeoutMs: 2000,
    maxConcurrency: 5,
    maxTries: 4,
    backoff: { baseMs: 1, maxMs: 5 },
    costBudget: null,
    onResponse: (e) => attempts.push({ status: e.status, attempt: e.attempt }),
    log: { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    // A broken retry or timeout would otherwise hang the suite; this turns it into a failure.
    signal: AbortSignal.timeout(8000),
    ...overrides,
  });
  return { client, attempts, logs };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

function envelope(status: number, message: string, details: string) {
  return { error: { http_code: status, type: 'unspecified', message, metadata: { details } } };
}


describe('resolveBaseUrl', () => {
  it('maps both data regions to their hosts', () => {
    expect(resolveBaseUrl('standard')).toBe('https://amplitude.com');
    expect(resolveBaseUrl('eu')).toBe('https://analytics.eu.amplitude.com');
    expect(REGION_BASE_URLS).toEqual({ standard: 'https://amplitude.com', eu: 'https://analytics.eu.amplitude.com' });
  });

  it('lets api_url win and strips trailing slashes', () => {
    expect(resolveBaseUrl('eu', 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(resolveBaseUrl('standard', 'https://proxy.example/amp//')).toBe('https://proxy.example/amp');
    expect(resolveBaseUrl('eu', '')).toBe('https://analytics.eu.amplitude.com');
  });
});

describe('retry policy', () => {
  const policy = { maxTries: 8, baseMs: 1000, maxMs: 120_000 };

  it('draws the n-th backoff uniformly below min(maxMs, baseMs·2^(n−1))', () => {
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(500);
    expect(backoffDelayMs(4, policy, () => 0.5)).toBe(4000);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(60_000);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2015, 9, 21, 7, 27, 30);
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('AmplitudeClient requests', () => {
  it('sends Basic auth, the User-Agent, Accept and the query under the base path', async () => {
    const server = await serve((_req, res) => json(res, 200, { data: { series: [[1, 2]] } }));
    const { client } = makeClient(`${server.baseUrl}/proxy/`);
    const result = await client.getJson('/api/2/users', { endpoint: 'users', query: { start: '20260101', end: '20260131', m: 'active' } });
    expect(result).toEqual({ status: 200, body: { data: { series: [[1, 2]] } } });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.url).toBe('/proxy/api/2/users?start=20260101&end=20260131&m=active');
    expect(request!.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(request!.headers['user-agent']).toBe('tap-amplitude/0.1.0 (test)');
    expect(request!.headers.accept).toBe('application/json');
  });

  it('retries 429, 500, 502, 503 and 504, then returns the success', async () => {
    const statuses = [429, 500, 502, 503, 504];
    const server = await serve((_req, res, i) =>
      i < statuses.length ? json(res, statuses[i]!, envelope(statuses[i]!, 'busy', 'try later')) : json(res, 200, { ok: i }),
    );
    const { client, attempts } = makeClient(server.baseUrl, { maxTries: 8 });
    expect(await client.getJson('/api/3/cohorts', { endpoint: 'cohorts' })).toEqual({ status: 200, body: { ok: 5 } });
    expect(attempts).toEqual([
      { status: 429, attempt: 1 },
      { status: 500, attempt: 2 },
      { status: 502, attempt: 3 },
      { status: 503, attempt: 4 },
      { status: 504, attempt: 5 },
      { status: 200, attempt: 6 },
    ]);
  });

  it('waits what Retry-After says instead of the backoff', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 200, [])));
    // Without Retry-After the retry would sleep up to a minute (and the 8 s abort would fail the test).
    const { client, logs } = makeClient(server.baseUrl, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    expect(await client.getJson('/api/2/events/list', { endpoint: 'events_list' })).toEqual({ status: 200, body: [] });
    expect(logs.filter((l) => l.includes('retrying'))).toEqual([
      expect.stringContaining('(attempt 1/4; retrying in 0.0 s)'),
    ]);
  });

  it('caps Retry-After at backoff.maxMs', async () => {
    const server = await serve((_req, res, i) => (i === 0 ? json(res, 503, {}, { 'retry-after': '3600' }) : json(res, 200, [])));
    const { client } = makeClient(server.baseUrl, { backoff: { baseMs: 1, maxMs: 20 } });
    expect(await client.getJson('/api/2/events/list', { endpoint: 'events_list' })).toEqual({ status: 200, body: [] });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxTries with a one-line RetriesExhaustedError naming the request', async () => {
    const server = await serve((_req, res) => json(res, 503, envelope(503, 'Service Unavailable', 'try later')));
    const { client, attempts } = makeClient(server.baseUrl, { maxTries: 3 });
    const err = await caught(client.getJson('/api/2/users', { endpoint: 'users', query: { start: '20260101', end: '20260131' } }));
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    const exhausted = err as RetriesExhaustedError;
    expect(exhausted.message).toBe(
      `users: gave up on GET /api/2/users?start=20260101&end=20260131 after 3 tries; last error: ${server.host} answered HTTP 503: Service Unavailable — try later.`,
    );
    expect(exhausted.attempts).toBe(3);
    expect(exhausted.endpoint).toBe('users');
    expect(exhausted.lastError).toBeInstanceOf(AmplitudeHttpError);
    expect((exhausted.lastError as AmplitudeHttpError).status).toBe(503);
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503]);
  });

  it('does not retry a 403 and names the likely causes with Amplitude’s message', async () => {
    const server = await serve((_req, res) => json(res, 403, envelope(403, 'Forbidden', 'Invalid API Key')));
    const { client } = makeClient(server.baseUrl);
    const err = await caught(client.getJson('/api/3/cohorts', { endpoint: 'cohorts' }));
    expect(err).toBeInstanceOf(AmplitudeHttpError);
    expect(err).toMatchObject({ status: 403, endpoint: 'cohorts', host: server.host, amplitudeMessage: 'Forbidden', details: 'Invalid API Key' });
    expect(err.message).toBe(
      `cohorts: ${server.host} answered HTTP 403: Forbidden — Invalid API Key. Likely causes: wrong api_key, wrong secret_key, wrong data_region (the project lives in the other region: standard = amplitude.com, eu = analytics.eu.amplitude.com), or a plan without this feature.`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry other 4xx and shows Amplitude’s message and details', async () => {
    const body = await readFile(fixture('users-400-invalid-country.json'), 'utf8');
    const server = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(body);
    });
    const { client } = makeClient(server.baseUrl);
    const err = await caught(client.getJson('/api/2/users', { endpoint: 'users', query: { g: 'country' } }));
    expect(err.message).toBe(`users: ${server.host} answered HTTP 400: Invalid chart definition — Invalid user property country.`);
    expect(server.requests).toHaveLength(1);
  });

  it('returns passStatuses with the parsed error envelope, or null for a non-JSON body', async () => {
    const body = await readFile(fixture('export-404.json'), 'utf8');
    const server = await serve((req, res) => {
      if (req.url === '/api/3/annotations') {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html>Not Found</html>');
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
    });
    const { client } = makeClient(server.baseUrl);
    expect(await client.getJson('/api/2/export', { endpoint: 'export', passStatuses: [404] })).toEqual({
      status: 404,
      body: envelope(404, 'Unspecified Error', 'Raw data files were not found.'),
    });
    expect(await client.getJson('/api/3/annotations', { endpoint: 'annotations', passStatuses: [404] })).toEqual({
      status: 404,
      body: null,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 2xx whose body is not JSON', async () => {
    const server = await serve((_req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>rate limited</html>');
      } else {
        json(res, 200, { data: [] });
      }
    });
    const { client, attempts } = makeClient(server.baseUrl);
    expect(await client.getJson('/api/2/sessions/average', { endpoint: 'sessions' })).toEqual({ status: 200, body: { data: [] } });
    expect(attempts.map((a) => a.status)).toEqual([200, 200]);
  });

  it('explains a non-JSON 2xx when retries run out', async () => {
    const server = await serve((_req, res) => res.end('<html>rate limited</html>'));
    const { client } = makeClient(server.baseUrl, { maxTries: 1 });
    const err = (await caught(client.getJson('/api/2/sessions/average', { endpoint: 'sessions' }))) as RetriesExhaustedError;
    expect(err.lastError.message).toBe(`sessions: ${server.host} answered HTTP 200 but the body is not JSON (starts with "<html>rate limited</html>").`);
  });

  it('retries a connection reset in the middle of the body', async () => {
    const server = await serve((req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data": [1, 2');
        setTimeout(() => req.socket.destroy(), 10);
      } else {
        json(res, 200, { data: [1, 2, 3] });
      }
    });
    const { client, attempts } = makeClient(server.baseUrl);
    expect(await client.getJson('/api/2/users', { endpoint: 'users' })).toEqual({ status: 200, body: { data: [1, 2, 3] } });
    expect(attempts).toEqual([
      { status: null, attempt: 1 },
      { status: 200, attempt: 2 },
    ]);
  });

  it('reports a refused connection as a network error once retries run out', async () => {
    const port = await refusedPort();
    const { client, attempts } = makeClient(`http://127.0.0.1:${port}`, { maxTries: 2 });
    const err = (await caught(client.getJson('/api/3/cohorts', { endpoint: 'cohorts' }))) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.lastError).toBeInstanceOf(AmplitudeNetworkError);
    expect(err.lastError).toMatchObject({ code: 'ECONNREFUSED', host: `127.0.0.1:${port}` });
    expect(err.message).toBe(
      `cohorts: gave up on GET /api/3/cohorts after 2 tries; last error: connection to 127.0.0.1:${port} refused (connect ECONNREFUSED 127.0.0.1:${port}); check api_url and the network`,
    );
    expect(attempts).toEqual([
      { status: null, attempt: 1 },
      { status: null, attempt: 2 },
    ]);
  });
});

describe('AmplitudeClient idle timeout', () => {
  it('fails an attempt that stalls before the headers, and retries it', async () => {
    const server = await serve((_req, res, i) => {
      if (i > 0) json(res, 200, { ok: true });
    });
    const { client, attempts } = makeClient(server.baseUrl, { idleTimeoutMs: 150 });
    expect(await client.getJson('/api/2/users', { endpoint: 'users' })).toEqual({ status: 200, body: { ok: true } });
    expect(attempts.map((a) => a.status)).toEqual([null, 200]);
  });

  it('fails an attempt that stalls in the middle of the body, and names the timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data": ');
    });
    const { client } = makeClient(server.baseUrl, { idleTimeoutMs: 150, maxTries: 2 });
    const err = (await caught(client.getJson('/api/2/users', { endpoint: 'users' }))) as RetriesExhaustedError;
    expect(err.lastError).toBeInstanceOf(AmplitudeNetworkError);
    expect(err.lastError).toMatchObject({ code: 'ETIMEDOUT' });
    expect(err.lastError.message).toBe(
      `users: no data from ${server.host} for 0.15 s (idle timeout); raise request_timeout_seconds if Amplitude is just slow`,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('is not a total deadline: a slow body that keeps sending bytes succeeds', async () => {
    const pieces = ['{"data": [', '1', ',2', ',3', ',4', ',5', ',6', ']}'];
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(pieces[sent++]);
        if (sent === pieces.length) {
          clearInterval(timer);
          res.end();
        }
      }, 40);
    });
    // 8 pieces 40 ms apart take longer than the 250 ms idle timeout in total.
    const { client, attempts } = makeClient(server.baseUrl, { idleTimeoutMs: 250 });
    expect(await client.getJson('/api/2/users', { endpoint: 'users' })).toEqual({ status: 200, body: { data: [1, 2, 3, 4, 5, 6] } });
    expect(attempts).toEqual([{ status: 200, attempt: 1 }]);
  });
});

describe('AmplitudeClient download', () => {
  const isZip = async (file: string) => {
    const head = (await readFile(file)).subarray(0, 4);
    if (!head.equals(Buffer.from('PK\x03\x04', 'latin1'))) throw new Error('not a zip archive');
  };

  it('streams the body to the file and validates it', async () => {
    const zip = await readFile(fixture('export-hour.zip'));
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.length) });
      res.end(zip);
    });
    const dest = await tempFile('export.zip');
    const { client } = makeClient(server.baseUrl);
    const result = await client.download('/api/2/export', {
      endpoint: 'export',
      query: { start: '20260616T11', end: '20260616T11' },
      dest,
      validate: isZip,
    });
    expect(result).toEqual({ status: 200, body: null, bytes: zip.length });
    expect((await readFile(dest)).equals(zip)).toBe(true);
    expect(server.requests[0]!.url).toBe('/api/2/export?start=20260616T11&end=20260616T11');
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${BASIC}`);
  });

  it('retries when validate rejects the body, and truncates the file between attempts', async () => {
    const bad = 'Too many requests, please slow down and try again later';
    const good = 'PK\x03\x04tiny';
    const server = await serve((_req, res, i) => res.end(i === 0 ? bad : good));
    const dest = await tempFile('export.zip');
    const { client, attempts } = makeClient(server.baseUrl);
    const result = await client.download('/api/2/export', { endpoint: 'export', dest, validate: isZip });
    expect(result).toEqual({ status: 200, body: null, bytes: good.length });
    expect(await readFile(dest, 'latin1')).toBe(good);
    expect(attempts.map((a) => a.status)).toEqual([200, 200]);
  });

  it('reports a validate failure when retries run out', async () => {
    const server = await serve((_req, res) => res.end('<html>edge error</html>'));
    const dest = await tempFile('export.zip');
    const { client } = makeClient(server.baseUrl, { maxTries: 2 });
    const err = (await caught(client.download('/api/2/export', { endpoint: 'export', dest, validate: isZip }))) as RetriesExhaustedError;
    expect(err.message).toBe(
      `export: gave up on GET /api/2/export after 2 tries; last error: ${server.host} answered HTTP 200 but the body was rejected: not a zip archive.`,
    );
  });

  it('retries a reset in the middle of the body and keeps only the complete body', async () => {
    const full = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(5000, 7)]);
    const server = await serve((req, res, i) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(full.length + (i === 0 ? 9999 : 0)) });
      if (i === 0) {
        res.write(Buffer.concat([full, Buffer.alloc(2000, 1)]));
        setTimeout(() => req.socket.destroy(), 10);
      } else {
        res.end(full);
      }
    });
    const dest = await tempFile('export.zip');
    const { client, attempts } = makeClient(server.baseUrl);
    const result = await client.download('/api/2/export', { endpoint: 'export', dest, validate: isZip });
    expect(result.bytes).toBe(full.length);
    expect((await readFile(dest)).equals(full)).toBe(true);
    expect(attempts.map((a) => a.status)).toEqual([null, 200]);
  });

  it('returns passStatuses with the parsed envelope and zero bytes', async () => {
    const server = await serve((_req, res) => json(res, 504, envelope(504, 'Gateway Timeout', 'export too large')));
    const dest = await tempFile('export.zip');
    const { client } = makeClient(server.baseUrl);
    expect(await client.download('/api/2/export', { endpoint: 'export', dest, passStatuses: [400, 404, 504] })).toEqual({
      status: 504,
      body: envelope(504, 'Gateway Timeout', 'export too large'),
      bytes: 0,
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('AmplitudeClient concurrency and abort', () => {
  it('never has more than maxConcurrency requests in flight across getJson and download', async () => {
    const server = await serve((req, res) => setTimeout(() => json(res, 200, { url: req.url }), 15));
    const { client } = makeClient(server.baseUrl, { maxConcurrency: 3 });
    const dir = path.dirname(await tempFile('x'));
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? client.getJson(`/api/3/chart/c${i}/csv`, { endpoint: `chart c${i}` }).then((r) => r.body)
        : client.download(`/api/2/export`, { endpoint: 'export', query: { n: String(i) }, dest: path.join(dir, `${i}.bin`) }).then((r) => r.bytes),
    );
    const results = await Promise.all(calls);
    expect(results).toEqual(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0 ? { url: `/api/3/chart/c${i}/csv` } : JSON.stringify({ url: `/api/2/export?n=${i}` }).length,
      ),
    );
    expect(server.maxInFlight).toBe(3);
  });

  it('cancels an in-flight request, a backoff sleep and a queued request on abort', async () => {
    let firstArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const server = await serve((req, res) => {
      if (req.url === '/hang') firstArrived(); // never answered
      else json(res, 503, {});
    });
    const controller = new AbortController();
    let retrying!: () => void;
    const sleeping = new Promise<void>((resolve) => (retrying = resolve));
    const { client } = makeClient(server.baseUrl, {
      maxConcurrency: 2,
      idleTimeoutMs: 60_000,
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      signal: controller.signal,
      log: { debug: () => undefined, info: () => undefined, warn: () => retrying() },
    });
    const inFlight = client.getJson('/hang', { endpoint: 'hang' });
    const backingOff = client.getJson('/busy', { endpoint: 'busy' });
    await Promise.all([arrived, sleeping]);
    const queued = client.getJson('/queued', { endpoint: 'queued' }); // both slots: one hangs, one free
    const another = client.getJson('/hang', { endpoint: 'hang' });
    controller.abort();
    for (const call of [inFlight, backingOff, queued, another]) {
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    }
    await expect(client.getJson('/later', { endpoint: 'later' })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('AmplitudeClient never leaks credentials', () => {
  it('keeps the keys and the Basic token out of every error and log line', async () => {
    const server = await serve((req, res) => {
      const echo = `key ${API_KEY} secret ${SECRET_KEY} header ${req.headers.authorization ?? ''}`;
      switch (req.url?.split('?')[0]) {
        case '/403':
          return json(res, 403, envelope(403, `Invalid API Key ${API_KEY}`, echo));
        case '/404':
          return json(res, 404, envelope(404, echo, echo));
        case '/500':
          return json(res, 500, { error: echo });
        case '/reset':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`{"echo": "${echo}`);
          return void setTimeout(() => req.socket.destroy(), 10);
        case '/stall':
          return; // never answered: idle timeout
        case '/not-json':
          return void res.end(`<html>${echo}</html>`);
      }
    });
    const port = await refusedPort();
    const { client, logs } = makeClient(server.baseUrl, { maxTries: 2, idleTimeoutMs: 100 });
    const { client: refusedClient, logs: refusedLogs } = makeClient(`http://127.0.0.1:${port}`, { maxTries: 2 });
    const dest = await tempFile('leak.bin');

    const errors = await Promise.all([
      caught(client.getJson('/403', { endpoint: 'forbidden' })),
      caught(client.getJson('/404', { endpoint: 'missing' })),
      caught(client.getJson('/500', { endpoint: 'server' })),
      caught(client.getJson('/reset', { endpoint: 'reset' })),
      caught(client.getJson('/stall', { endpoint: 'stall' })),
      caught(client.getJson('/not-json', { endpoint: 'not json' })),
      caught(client.download('/not-json', { endpoint: 'not zip', dest, validate: () => Promise.reject(new Error(`bad body`)) })),
      caught(refusedClient.getJson('/any', { endpoint: 'refused' })),
    ]);
    expect(errors.map((e) => e.name)).toEqual([
      'AmplitudeHttpError',
      'AmplitudeHttpError',
      'RetriesExhaustedError',
      'RetriesExhaustedError',
      'RetriesExhaustedError',
      'RetriesExhaustedError',
      'RetriesExhaustedError',
      'RetriesExhaustedError',
    ]);
    expect(errors.map((e) => (e instanceof RetriesExhaustedError ? e.lastError.name : e.name))).toEqual([
      'AmplitudeHttpError',
      'AmplitudeHttpError',
      'AmplitudeHttpError',
      'AmplitudeNetworkError',
      'AmplitudeNetworkError',
      'AmplitudeHttpError',
      'AmplitudeHttpError',
      'AmplitudeNetworkError',
    ]);

    const renderings = errors.flatMap((e) => [String(e), e.stack ?? '', JSON.stringify(e), util.inspect(e, { depth: 10 })]);
    const everything = [...renderings, ...logs, ...refusedLogs].join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [API_KEY, SECRET_KEY, BASIC]) expect(everything).not.toContain(secret);
    // The echoed secrets were there to leak, and were replaced.
    expect(errors[0]!.message).toContain('Invalid API Key ***');
    for (const e of errors) expect(e.message).not.toContain('\n');
  });
});

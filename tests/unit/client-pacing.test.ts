// The client's pacing: the dashboard cost budget (its default, null to switch it off, the log line
// while waiting), and the Taxonomy pool: its own 4-at-once limit inside the project's 5 and its hourly budget.
import { afterEach, describe, expect, it } from '@jest/globals';
import type http from 'node:http';
import { AmplitudeClient, type ClientOptions } from '../../src/amplitude/client.js';
import { startServer, type TestServer } from './support/client-server.js';

const servers: TestServer[] = [];
// The run's own signal, aborted after each test; a request's own signal must work beside it.
let run = new AbortController();
afterEach(async () => {
  run.abort();
  run = new AbortController();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"data": []}');
};

/** A client whose info lines are collected; `onInfo` is told each one as it comes. */
function makeClient(baseUrl: string, overrides: Partial<ClientOptions>, onInfo: (msg: string) => void = () => undefined) {
  const infos: string[] = [];
  const client = new AmplitudeClient({
    baseUrl,
    apiKey: 'key',
    secretKey: 'secret',
    userAgent: 'tap-amplitude/0.1.0 (test)',
    idleTimeoutMs: 2000,
    maxConcurrency: 5,
    maxTries: 2,
    backoff: { baseMs: 1, maxMs: 5 },
    log: {
      debug: () => undefined,
      info: (msg) => {
        infos.push(msg);
        onInfo(msg);
      },
      warn: () => undefined,
    },
    signal: run.signal,
    ...overrides,
  });
  return { client, infos };
}

/** Starts a request that must wait for the budget, and aborts it once the client says it waits. */
async function pacedThenAborted(client: AmplitudeClient, cost: number, waiting: Promise<void>) {
  const mine = new AbortController();
  const paced = client.getJson('/api/2/events/segmentation', { endpoint: 'segmentation', cost, signal: mine.signal });
  await waiting;
  mine.abort();
  await expect(paced).rejects.toMatchObject({ name: 'AbortError' });
}

function whenTold(): { promise: Promise<void>; tell: () => void } {
  let tell!: () => void;
  const promise = new Promise<void>((resolve) => (tell = resolve));
  return { promise, tell };
}

describe('AmplitudeClient dashboard cost budget', () => {
  it('paces by Amplitude’s 1,000 per 5 minutes when no budget is given, and says so', async () => {
    const server = await serve(ok);
    const told = whenTold();
    const { client, infos } = makeClient(server.baseUrl, {}, told.tell);
    await client.getJson('/api/2/users', { endpoint: 'users', cost: 1000 });
    expect(infos).toEqual([]);
    await pacedThenAborted(client, 1, told.promise);
    // The 1,000 leave the window 5 minutes after they started (less the moment since).
    expect(infos).toEqual([expect.stringMatching(/^pacing: waiting (29\d|300) s for Amplitude's dashboard cost budget \(next request costs 1\)$/)]);
    expect(server.requests).toHaveLength(1);
  });

  it('paces by the budget it is given', async () => {
    const server = await serve(ok);
    const told = whenTold();
    const { client, infos } = makeClient(server.baseUrl, { costBudget: { per5Min: 10, perHour: 100 } }, told.tell);
    await client.getJson('/api/2/users', { endpoint: 'users', cost: 8 });
    await pacedThenAborted(client, 5, told.promise);
    expect(infos).toEqual([expect.stringMatching(/^pacing: waiting (29\d|300) s for Amplitude's dashboard cost budget \(next request costs 5\)$/)]);
  });

  it('waits for the budget without a logger too', async () => {
    const server = await serve(ok);
    const { client } = makeClient(server.baseUrl, { costBudget: { per5Min: 10, perHour: 100 }, log: undefined });
    await client.getJson('/api/2/users', { endpoint: 'users', cost: 10 });
    const mine = new AbortController();
    const paced = client.getJson('/api/2/users', { endpoint: 'users', cost: 5, signal: mine.signal });
    await new Promise((resolve) => setImmediate(resolve));
    mine.abort();
    await expect(paced).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not pace with a null budget', async () => {
    const server = await serve(ok);
    const { client, infos } = makeClient(server.baseUrl, { costBudget: null });
    for (let i = 0; i < 3; i++) await client.getJson('/api/2/users', { endpoint: 'users', cost: 5000 });
    expect(server.requests).toHaveLength(3);
    expect(infos).toEqual([]);
  });
});

describe('AmplitudeClient taxonomy pool', () => {
  /** Starts a Taxonomy request that must wait for its budget, and aborts it once it is held back. */
  async function taxonomyHeldThenAborted(client: AmplitudeClient, waiting: Promise<void>) {
    const mine = new AbortController();
    const paced = client.getJson('/api/2/taxonomy/event', { endpoint: 'taxonomy', pool: 'taxonomy', signal: mine.signal });
    await waiting;
    mine.abort();
    await expect(paced).rejects.toMatchObject({ name: 'AbortError' });
  }

  it('paces Taxonomy requests by their own hourly budget, apart from the dashboard cost, and says so', async () => {
    const server = await serve(ok);
    const told = whenTold();
    const { client, infos } = makeClient(server.baseUrl, { taxonomyBudget: { per5Min: 3, perHour: 3 }, costBudget: { per5Min: 1, perHour: 1 } }, told.tell);
    for (let i = 0; i < 3; i++) await client.getJson('/api/2/taxonomy/event', { endpoint: 'taxonomy', pool: 'taxonomy' });
    // The dashboard budget is a different account: a dashboard query still goes out at once.
    await client.getJson('/api/2/users', { endpoint: 'users', cost: 1 });
    expect(infos).toEqual([]);
    await taxonomyHeldThenAborted(client, told.promise);
    // The first of the three leaves the hour's window an hour after it started (less the moment since).
    expect(infos).toEqual([expect.stringMatching(/^pacing: waiting (359\d|3600) s for the Taxonomy API's 3 requests per hour$/)]);
    expect(server.requests).toHaveLength(4);
  });

  it('waits for the Taxonomy budget without a logger too', async () => {
    const server = await serve(ok);
    const { client } = makeClient(server.baseUrl, { taxonomyBudget: { per5Min: 1, perHour: 1 }, log: undefined });
    await client.getJson('/api/2/taxonomy/event', { endpoint: 'taxonomy', pool: 'taxonomy' });
    await taxonomyHeldThenAborted(client, new Promise((resolve) => setImmediate(resolve)));
    expect(server.requests).toHaveLength(1);
  });

  it('has at most 4 Taxonomy requests in flight, leaving the fifth project slot to other requests', async () => {
    const held: http.ServerResponse[] = [];
    const fourArrived = whenTold();
    const otherArrived = whenTold();
    const server = await serve((req, res) => {
      if (req.url === '/api/2/users') {
        otherArrived.tell();
        return ok(req, res);
      }
      held.push(res);
      if (held.length === 4) fourArrived.tell();
    });
    const { client } = makeClient(server.baseUrl, { maxConcurrency: 5 });
    const taxonomy = Array.from({ length: 5 }, (_, i) =>
      client.getJson(`/api/2/taxonomy/event?n=${i}`, { endpoint: 'taxonomy', pool: 'taxonomy' }),
    );
    await fourArrived.promise;
    // Four Taxonomy requests hold four of the five project slots; the fifth waits in its own pool.
    await client.getJson('/api/2/users', { endpoint: 'users' });
    await otherArrived.promise;
    const urls = server.requests.map((r) => r.url);
    expect(urls.slice(0, 4).sort()).toEqual([0, 1, 2, 3].map((i) => `/api/2/taxonomy/event?n=${i}`));
    expect(urls.slice(4)).toEqual(['/api/2/users']);
    // Answering the four frees a Taxonomy slot: only now does the fifth go out.
    for (const res of held.splice(0)) ok({} as http.IncomingMessage, res);
    await new Promise<void>((resolve) => {
      const poll = () => (held.length > 0 ? resolve() : setImmediate(poll));
      poll();
    });
    ok({} as http.IncomingMessage, held.pop()!);
    expect((await Promise.all(taxonomy)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.requests.at(-1)!.url).toBe('/api/2/taxonomy/event?n=4');
  });
});

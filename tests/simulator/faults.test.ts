import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { createSimulator, type Simulator } from './server.js';

const AUTH = `Basic ${Buffer.from('demo-api-key:demo-secret-key').toString('base64')}`;
let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator({ seed: 4, dataStart: '2026-06-10T00:00:00Z', dataEnd: '2026-06-20T12:30:00Z', now: () => new Date('2026-06-20T12:30:00Z') });
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.faults.clear();
  sim.setConcurrencyCap(undefined);
});

interface Outcome {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body: Buffer;
  chunks: number;
  ending: 'end' | 'error' | 'timeout';
}

/** A plain http client that reports exactly what arrived and how the exchange ended. */
function fetchRaw(s: Simulator, path: string, options: { timeoutMs?: number; method?: string; body?: string } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    const outcome: Outcome = { body: Buffer.alloc(0), chunks: 0, ending: 'end' };
    let settled = false;
    const settle = (ending: Outcome['ending']): void => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, body: Buffer.concat(parts), ending });
    };
    const req = http.request(`${s.url}${path}`, { method: options.method ?? 'GET', headers: { authorization: AUTH } }, (res) => {
      outcome.status = res.statusCode;
      outcome.headers = res.headers;
      res.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        outcome.chunks++;
      });
      res.on('end', () => settle(res.complete ? 'end' : 'error'));
      res.on('aborted', () => settle('error'));
      res.on('error', () => settle('error'));
    });
    req.on('error', () => settle('error'));
    if (options.timeoutMs) {
      req.setTimeout(options.timeoutMs, () => {
        settle('timeout');
        req.destroy();
      });
    }
    req.end(options.body);
  });
}

const EXPORT = '/api/2/export?start=20260612T00&end=20260612T23';

describe('status faults', () => {
  it('answer the chosen status with the envelope, with or without Retry-After, on the chosen requests only', async () => {
    const before = sim.requests.filter((r) => r.path === '/api/3/cohorts').length;
    sim.faults.add({ path: '/api/3/cohorts', requests: [before + 1], kind: 'status', status: 429, retryAfterSeconds: 7 });
    sim.faults.add({ path: '/api/3/cohorts', requests: [before + 2], kind: 'status', status: 429 });
    sim.faults.add({ path: '/api/3/cohorts', requests: [before + 3], kind: 'status', status: 503 });
    const first = await fetchRaw(sim, '/api/3/cohorts');
    expect([first.status, first.headers?.['retry-after']]).toEqual([429, '7']);
    expect(JSON.parse(first.body.toString()).error.http_code).toBe(429);
    const second = await fetchRaw(sim, '/api/3/cohorts');
    expect([second.status, second.headers?.['retry-after']]).toEqual([429, undefined]);
    expect((await fetchRaw(sim, '/api/3/cohorts')).status).toBe(503);
    expect((await fetchRaw(sim, '/api/3/cohorts')).status).toBe(200);
    expect(sim.requests.slice(-4).map((r) => [r.status, r.fault])).toEqual([[429, 'status'], [429, 'status'], [503, 'status'], [200, undefined]]);
  });

  it('match paths by RegExp and apply to every request when no numbers are given', async () => {
    for (const status of [500, 502, 504]) {
      sim.faults.clear();
      sim.faults.add({ path: /^\/api\/3\/chart\//, kind: 'status', status });
      expect((await fetchRaw(sim, '/api/3/chart/ts1/csv')).status).toBe(status);
      expect((await fetchRaw(sim, '/api/3/chart/wk2/csv')).status).toBe(status);
    }
    expect((await fetchRaw(sim, '/api/3/cohorts')).status).toBe(200);
  });
});

describe('transport faults', () => {
  it('reset: headers and the first bytes of the real answer, then the connection drops', async () => {
    const normal = await fetchRaw(sim, EXPORT);
    expect(normal.ending).toBe('end');
    sim.faults.add({ path: '/api/2/export', kind: 'reset', afterBytes: 100 });
    const cut = await fetchRaw(sim, EXPORT);
    expect([cut.status, cut.ending, cut.body.length]).toEqual([200, 'error', 100]);
    expect(cut.body.equals(normal.body.subarray(0, 100))).toBe(true);
    sim.faults.clear();
    sim.faults.add({ path: '/api/2/export', kind: 'reset', afterBytes: 0 });
    const empty = await fetchRaw(sim, EXPORT);
    expect([empty.status, empty.ending, empty.body.length]).toEqual([200, 'error', 0]);
  });

  it('stall: no byte at all (client times out), or silence after some bytes', async () => {
    sim.faults.add({ path: '/api/2/export', requests: undefined, kind: 'stall', afterBytes: 0 });
    const silent = await fetchRaw(sim, EXPORT, { timeoutMs: 1500 });
    expect([silent.ending, silent.status, silent.body.length]).toEqual(['timeout', undefined, 0]);
    sim.faults.clear();
    sim.faults.add({ path: '/api/2/export', kind: 'stall', afterBytes: 50 });
    const partial = await fetchRaw(sim, EXPORT, { timeoutMs: 1500 });
    expect([partial.ending, partial.status, partial.body.length]).toEqual(['timeout', 200, 50]);
    expect(partial.body.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  });

  it('slow: the real body, complete, in many small pieces', async () => {
    const normal = await fetchRaw(sim, '/api/3/chart/gl9dulhv/csv');
    sim.faults.add({ path: '/api/3/chart/gl9dulhv/csv', kind: 'slow', bytesPerSecond: 4000 });
    const slow = await fetchRaw(sim, '/api/3/chart/gl9dulhv/csv');
    expect([slow.status, slow.ending]).toEqual([200, 'end']);
    expect(slow.body.equals(normal.body)).toBe(true);
    expect(slow.chunks).toBeGreaterThanOrEqual(Math.ceil(normal.body.length / 200));
  });

  it('html: a 200 text/html page instead of the zip', async () => {
    sim.faults.add({ path: '/api/2/export', requests: [sim.requests.filter((r) => r.path === '/api/2/export').length + 1], kind: 'html' });
    const page = await fetchRaw(sim, EXPORT);
    expect(page.status).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.toString()).toMatch(/^<!DOCTYPE html>/);
    expect(sim.requests.at(-1)).toMatchObject({ status: 200, fault: 'html' });
    const next = await fetchRaw(sim, EXPORT);
    expect([next.headers?.['content-type'], next.body.subarray(0, 2).toString()]).toEqual(['application/zip', 'PK']);
  });

  it('body: a 200 with the given JSON instead of the real body, only for the requests named', async () => {
    const chart = '/api/3/chart/gl9dulhv/csv';
    const n = sim.requests.filter((r) => r.path === chart).length + 1;
    sim.faults.add({ path: chart, requests: [n], kind: 'body', body: { note: 'no data here' } });
    const odd = await fetchRaw(sim, chart);
    expect([odd.status, odd.body.toString()]).toEqual([200, '{"note":"no data here"}']);
    expect(sim.requests.at(-1)).toMatchObject({ status: 200, fault: 'body' });
    const next = await fetchRaw(sim, chart);
    expect(Object.keys(JSON.parse(next.body.toString()) as object)).toEqual(['data']);
  });

  it('body: a Buffer is sent as it is, as an archive', async () => {
    const bytes = Buffer.from([0x50, 0x4b, 0x05, 0x06, 0x00, 0xff]);
    const n = sim.requests.filter((r) => r.path === EXPORT.split('?')[0]).length + 1;
    sim.faults.add({ path: EXPORT.split('?')[0] as string, requests: [n], kind: 'body', body: bytes });
    const odd = await fetchRaw(sim, EXPORT);
    expect([odd.status, odd.headers?.['content-type'], odd.headers?.['content-length'], [...odd.body]]).toEqual([200, 'application/zip', '6', [0x50, 0x4b, 0x05, 0x06, 0x00, 0xff]]);
  });

  it("refuses a 'body' fault without a body", () => {
    expect(() => sim.faults.add({ path: '/api/3/cohorts', kind: 'body' })).toThrow("a 'body' fault needs a body");
  });
});

describe('concurrency and the request log', () => {
  it('logs every request with its concurrency, and answers 429 above the cap', async () => {
    const s = await createSimulator({ seed: 4 });
    try {
      s.faults.add({ path: '/api/3/cohorts', kind: 'stall', afterBytes: 0 });
      const held = [fetchRaw(s, '/api/3/cohorts?x=1', { timeoutMs: 2000 }), fetchRaw(s, '/api/3/cohorts?x=2', { timeoutMs: 2000 })];
      while (s.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
      s.setConcurrencyCap(2);
      const refused = await fetchRaw(s, '/api/2/events/list');
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.body.toString()).error.http_code).toBe(429);
      s.setConcurrencyCap(undefined);
      expect((await fetchRaw(s, '/api/2/events/list')).status).toBe(200);
      expect(s.maxConcurrencySeen()).toBe(3);
      expect(s.requests.map((r) => [r.method, r.path, r.query, r.concurrency, r.fault])).toEqual([
        ['GET', '/api/3/cohorts', { x: '1' }, 1, 'stall'],
        ['GET', '/api/3/cohorts', { x: '2' }, 2, 'stall'],
        ['GET', '/api/2/events/list', {}, 3, 'concurrency-cap'],
        ['GET', '/api/2/events/list', {}, 3, undefined],
      ]);
      expect(s.requests.map((r) => r.status)).toEqual([200, 200, 429, 200]);
      expect(s.requests.every((r) => typeof r.at === 'number' && r.at > 0)).toBe(true);
      // stop() ends the stalled exchanges too.
      await s.stop();
      expect((await Promise.all(held)).map((o) => o.ending)).toEqual(['error', 'error']);
    } finally {
      await s.stop();
    }
  });
});

describe('admin endpoints', () => {
  it('add and clear faults, set the cap, and expose the log and state out of process', async () => {
    const s = await createSimulator({ seed: 4 });
    try {
      const post = await fetchRaw(s, '/__sim/faults', { method: 'POST', body: JSON.stringify([{ pathPattern: '^/api/3/', kind: 'status', status: 502 }]) });
      expect(post.status).toBe(200);
      expect((await fetchRaw(s, '/api/3/cohorts')).status).toBe(502);
      expect((await fetchRaw(s, '/__sim/faults', { method: 'DELETE' })).status).toBe(200);
      expect((await fetchRaw(s, '/api/3/cohorts')).status).toBe(200);
      expect((await fetchRaw(s, '/__sim/concurrency-cap', { method: 'PUT', body: '{"cap":0}' })).status).toBe(200);
      expect((await fetchRaw(s, '/api/3/cohorts')).status).toBe(429);
      await fetchRaw(s, '/__sim/concurrency-cap', { method: 'PUT', body: '{"cap":null}' });
      const log = JSON.parse((await fetchRaw(s, '/__sim/requests')).body.toString());
      expect(log.requests.map((r: { status: number }) => r.status)).toEqual([502, 200, 429]);
      const state = JSON.parse((await fetchRaw(s, '/__sim/state')).body.toString());
      expect(state).toMatchObject({ url: s.url, options: { seed: 4, apiKey: 'demo-api-key', appId: 829528 } });
      expect(state.lastExportableHour).toBe(s.truth.lastExportableHour());
      expect((await fetchRaw(s, '/__sim/requests', { method: 'DELETE' })).status).toBe(200);
      expect(s.requests).toEqual([]);
      expect((await fetchRaw(s, '/__sim/faults', { method: 'POST', body: '{"path":"/x","kind":"slow"}' })).status).toBe(400);
      expect((await fetchRaw(s, '/__sim/faults', { method: 'POST', body: '{not json' })).status).toBe(400);
    } finally {
      await s.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import got from 'got';
import { fixture } from '../helpers/paths.js';
import { createSimulator, type Simulator } from './server.js';

const base = { seed: 2, dataStart: '2026-06-10T00:00:00Z', dataEnd: '2026-06-20T12:30:00Z', now: () => new Date('2026-06-20T12:30:00Z') };
let sim: Simulator;
beforeAll(async () => {
  sim = await createSimulator(base);
});
afterAll(() => sim.stop());

async function get(s: Simulator, path: string, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; type: string | undefined; json: any }> {
  const res = await got(`${s.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('demo-api-key:demo-secret-key').toString('base64')}` },
    throwHttpErrors: false,
    retry: { limit: 0 },
  });
  return { status: res.statusCode, type: res.headers['content-type'], json: JSON.parse(res.body) };
}

const real = (name: string): any => JSON.parse(fs.readFileSync(fixture(name), 'utf8'));
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

describe('annotations', () => {
  it('v3 has the live item shape, including one category with the documented `name` key', async () => {
    const res = await get(sim, '/api/3/annotations');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=UTF-8');
    expect(Object.keys(res.json)).toEqual(['data']);
    // Written out here, not taken from the generator: the labels the simulator may use.
    const labels = ['Release 4.2', 'Pricing page redesign', 'Black Friday campaign', 'Tracking outage', 'SDK upgrade', 'Holiday', 'A/B test "checkout, v2" started'];
    const liveKeys = Object.keys(real('annotations-v3.json').data[0]);
    const items: any[] = res.json.data;
    expect(items.length).toBeGreaterThanOrEqual(8);
    for (const a of items) {
      expect(Object.keys(a)).toEqual(liveKeys);
      expect(Number.isInteger(a.id)).toBe(true);
      expect(a.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\+00:00$/);
      expect(a.end === null || /^\d{4}-\d{2}-\d{2}T00:00:00\+00:00$/.test(a.end)).toBe(true);
      expect(['null', 'string']).toContain(typeOf(a.details));
      expect(['null', 'string']).toContain(typeOf(a.chart_id));
      expect(labels).toContain(a.label);
      // From 20 days before the data to its last day (2026-05-21 .. 2026-06-20).
      expect(a.start >= '2026-05-21' && a.start < '2026-06-21').toBe(true);
    }
    const ids = items.map((a) => a.id as number);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    // The same project answers the same body every time.
    expect((await get(sim, '/api/3/annotations')).json).toEqual(res.json);
    expect(new Set(items.map((a) => Object.keys(a.category).join()))).toEqual(new Set(['id,category', 'id,name']));
    expect(items.some((a) => a.end !== null)).toBe(true);
    expect(items.some((a) => a.chart_id !== null)).toBe(true);
  });

  it('v2 has the legacy shape for the same annotations', async () => {
    const res = await get(sim, '/api/2/annotations');
    expect(res.status).toBe(200);
    const items: any[] = res.json.data;
    for (const a of items) expect(Object.keys(a)).toEqual(Object.keys(real('annotations-v2.json').data[0]));
    const v3 = sim.truth.annotationsV3();
    expect(items).toEqual(v3.map((a) => ({ id: a.id, date: (a.start as string).slice(0, 10), label: a.label, details: a.details })));
  });

  it('v3 answers 404 when the project has no v3 API, v2 still serves', async () => {
    const old = await createSimulator({ ...base, annotationsV3: false });
    try {
      const res = await get(old, '/api/3/annotations');
      expect(res.status).toBe(404);
      expect(res.json.error.http_code).toBe(404);
      expect((await get(old, '/api/2/annotations')).status).toBe(200);
    } finally {
      await old.stop();
    }
  });
});

describe('GET /api/3/cohorts', () => {
  it('lists cohorts under `cohorts` in the live shape, computed and not', async () => {
    const res = await get(sim, '/api/3/cohorts');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=UTF-8');
    expect(Object.keys(res.json)).toEqual(['cohorts']);
    expect(res.json.cohorts.map((c: any) => c.name)).toEqual([
      '14 day user retention',
      'Active during the last 4 consecutive weeks',
      'All active users in the last 30 days',
      'New users in the last 30 days',
      'Purchasers, last 7 days',
      'Product qualified leads',
      'Beta testers (CSV upload)',
    ]);
    const live: any[] = real('cohorts.json').cohorts;
    // Null in the recorded body; peers type them number-or-string (bags: list or object), and the
    // simulator gives two cohorts both kinds so the tap's one-type normalisation is exercised.
    const mixed = new Set(['last_viewed', 'chart_id', 'edit_id', 'location_id', 'metadata', 'per_app_metadata']);
    const computed = live.find((c) => c.finished);
    const pending = live.find((c) => !c.finished);
    for (const c of res.json.cohorts) {
      const like = c.finished ? computed : pending;
      expect(Object.keys(c)).toEqual(Object.keys(like));
      expect(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeOf(v)]))).toEqual(
        Object.fromEntries(Object.entries(like).map(([k, v]) => [k, k === 'description' || mixed.has(k) ? typeOf(c[k]) : typeOf(v)])),
      );
      expect(Object.keys(c.definition)).toEqual(Object.keys(like.definition));
      expect(c.id).toMatch(/^[a-z0-9]{8}$/);
      expect(c.createdAt).toBeLessThan(2e9);
    }
    for (const c of res.json.cohorts) expect([c.name, c.size === null, c.lastComputed === null]).toEqual([c.name, !c.finished, !c.finished]);
    expect(res.json.cohorts.filter((c: any) => !c.finished).length).toBeGreaterThanOrEqual(3);
    expect(res.json.cohorts.some((c: any) => c.type === 'manual_upload')).toBe(true);
    for (const k of ['last_viewed', 'chart_id', 'edit_id', 'location_id']) {
      expect([k, new Set(res.json.cohorts.map((c: any) => typeOf(c[k])))]).toEqual([k, new Set(['number', 'string', 'null'])]);
    }
  });
});

describe('GET /api/2/events/list', () => {
  it('lists visible event types with the documented fields first, then the live extras', async () => {
    const res = await get(sim, '/api/2/events/list');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=UTF-8');
    const documented = Object.keys(real('events-list.json').data[0]);
    const extras = ['id', 'name', 'autohidden', 'clusters_hidden', 'in_waitroom', 'waitroom_approved', 'timeline_hidden', 'totals_delta'];
    for (const e of res.json.data) {
      expect(Object.keys(e)).toEqual([...documented, ...extras]);
      expect(Number.isInteger(e.totals)).toBe(true);
      expect(e.hidden).toBe(false);
    }
    expect(res.json.data.map((e: any) => typeof e.timeline_hidden)).toEqual(expect.arrayContaining(['number', 'boolean']));
    // A hidden type is exported but not listed.
    const exported = new Set(sim.truth.events('20260611T00', '20260613T23').map((e) => e.event_type));
    const listed = new Set(res.json.data.map((e: any) => e.value));
    expect(exported.has('Debug Ping')).toBe(true);
    expect(listed.has('Debug Ping')).toBe(false);
    // Exactly the exported types but the hidden one.
    expect([...listed].sort()).toEqual([...exported].filter((t) => t !== 'Debug Ping').sort());
  });
});

describe('routing', () => {
  it('answers 404 with the envelope for unknown paths and methods', async () => {
    for (const [path, method] of [['/api/2/nothing', 'GET'], ['/api/3/cohorts', 'POST'], ['/', 'GET']] as const) {
      const res = await get(sim, path, method);
      expect([path, res.status, res.json.error.http_code]).toEqual([path, 404, 404]);
    }
  });
});

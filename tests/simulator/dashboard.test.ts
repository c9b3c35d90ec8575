import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import got from 'got';
import { fixture } from '../helpers/paths.js';
import { COUNTRY_LABELS } from './dashboard.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './server.js';

// now = 2026-06-20 12:30 UTC; data from 2026-06-10.
let nowMs = Date.parse('2026-06-20T12:30:00Z');
const base: SimulatorOptions = { seed: 11, dataStart: '2026-06-10T00:00:00Z', dataEnd: '2026-06-20T12:30:00Z', now: () => new Date(nowMs) };
const started: Simulator[] = [];
let sim: Simulator;
beforeAll(async () => {
  sim = await start(base);
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function start(opts: SimulatorOptions): Promise<Simulator> {
  const s = await createSimulator(opts);
  started.push(s);
  return s;
}

async function get(s: Simulator, pathAndQuery: string): Promise<{ status: number; type: string | undefined; text: string; json: any }> {
  const res = await got(`${s.url}${pathAndQuery}`, {
    headers: { authorization: `Basic ${Buffer.from('demo-api-key:demo-secret-key').toString('base64')}` },
    throwHttpErrors: false,
    retry: { limit: 0 },
  });
  return { status: res.statusCode, type: res.headers['content-type'], text: res.body, json: JSON.parse(res.body) };
}

const realUsers = JSON.parse(fs.readFileSync(fixture('users.json'), 'utf8'));
const realSessions = JSON.parse(fs.readFileSync(fixture('sessions-average.json'), 'utf8'));
const keysDeep = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keysDeep(x)])) : typeof v;

describe('GET /api/2/users', () => {
  it('has the live shape without a group-by: five data keys, one series labelled 0', async () => {
    const res = await get(sim, '/api/2/users?start=20260608&end=20260622&m=active&i=1');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=UTF-8');
    expect(Object.keys(res.json.data)).toEqual(Object.keys(realUsers.data));
    expect(res.json.data.xValues).toEqual(Array.from({ length: 15 }, (_, k) => `2026-06-${String(8 + k).padStart(2, '0')}`));
    expect(res.json.data.seriesLabels).toEqual([0]);
    expect(res.json.data.seriesMeta).toEqual([{ segmentIndex: 0 }]);
    expect(res.json.data.seriesCollapsed).toHaveLength(1);
    const values: number[] = res.json.data.series[0];
    expect(values).toEqual(sim.truth.activeUsers('20260608', '20260622').map((r) => r.statistics['0']));
    // Before the data span and in the future: 0; days with data: more.
    expect([values[0], values[1], values[13], values[14]]).toEqual([0, 0, 0, 0]);
    expect(values.slice(2, 13).every((v) => v > 0)).toBe(true);
    expect(Object.keys(res.json)).toEqual(expect.arrayContaining(['data', 'timeComputed', 'wasCached', 'novaCost']));
  });

  it('splits users by country with labels in seriesLabels and seriesMeta, "(none)" included', async () => {
    const plain = await get(sim, '/api/2/users?start=20260611&end=20260620&m=active&i=1');
    const res = await get(sim, '/api/2/users?start=20260611&end=20260620&m=active&i=1&g=country');
    expect(res.status).toBe(200);
    const data = res.json.data;
    expect(data.seriesLabels).toEqual(COUNTRY_LABELS);
    expect(data.seriesLabels).toContain('(none)');
    expect(data.seriesMeta).toEqual(data.seriesLabels);
    expect(data.series).toHaveLength(data.seriesLabels.length);
    // Each day's groups add up to the ungrouped count.
    const totals = data.xValues.map((_: string, d: number) => data.series.reduce((sum: number, s: number[]) => sum + (s[d] as number), 0));
    expect(totals).toEqual(plain.json.data.series[0]);
    const truth = sim.truth.activeUsers('20260611', '20260620', { groupByCountry: true });
    expect(truth.map((r) => r.date)).toEqual(data.xValues);
    expect(truth.map((r) => r.statistics)).toEqual(
      data.xValues.map((_: string, d: number) => Object.fromEntries(data.seriesLabels.map((l: string, k: number) => [l, data.series[k][d]]))),
    );
  });

  it('answers the real 400 body for g=country when the project lacks the property', async () => {
    const noCountry = await start({ ...base, countryProperty: false });
    const res = await get(noCountry, '/api/2/users?start=20260611&end=20260620&m=active&i=1&g=country');
    expect(res.status).toBe(400);
    expect(res.text).toBe(fs.readFileSync(fixture('users-400-invalid-country.json'), 'utf8').trim());
    expect((await get(noCountry, '/api/2/users?start=20260611&end=20260620&m=active&i=1')).status).toBe(200);
  });

  it('can serve empty series while xValues are not, or series one shorter than xValues', async () => {
    const empty = await get(await start({ ...base, dashboardSeries: 'empty' }), '/api/2/users?start=20260611&end=20260613&m=active&i=1');
    expect(empty.json.data).toEqual({ ...realUsers.data, xValues: ['2026-06-11', '2026-06-12', '2026-06-13'] });
    const short = await start({ ...base, dashboardSeries: 'short' });
    const users = await get(short, '/api/2/users?start=20260611&end=20260613&m=active&i=1&g=country');
    expect(users.json.data.series.map((s: number[]) => s.length)).toEqual(COUNTRY_LABELS.map(() => 2));
    const sessions = await get(short, '/api/2/sessions/average?start=20260611&end=20260613');
    expect([sessions.json.data.xValues.length, sessions.json.data.series[0].length]).toEqual([3, 2]);
  });

  it('answers 400 with the envelope for missing or bad parameters', async () => {
    for (const q of ['', '?start=20260611', '?start=2026-06-11&end=20260612', '?start=20260612&end=20260611', '?start=20260230&end=20260301', '?start=20260611&end=20260612&i=7', '?start=20260611&end=20260612&m=weird', '?start=20000101&end=20260101']) {
      const res = await get(sim, `/api/2/users${q}`);
      expect([q, res.status, res.json.error?.http_code]).toEqual([q, 400, 400]);
    }
    expect((await get(sim, '/api/2/users?start=20260611&end=20260612&m=new')).status).toBe(200);
  });
});

describe('GET /api/2/sessions/average', () => {
  it('has the live shape: T00:00:00 xValues, one float series, the diagnostic keys with Long.MAX written in full', async () => {
    const res = await get(sim, '/api/2/sessions/average?start=20260617&end=20260624');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=UTF-8');
    expect(Object.keys(res.json)).toEqual(Object.keys(realSessions));
    expect(keysDeep(res.json.data.seriesMeta[0])).toEqual(keysDeep(realSessions.data.seriesMeta[0]));
    expect(keysDeep(res.json.perQueryMetadata[0])).toEqual(keysDeep(realSessions.perQueryMetadata[0]));
    expect(keysDeep(res.json.realtimeProcessLag)).toEqual(keysDeep(realSessions.realtimeProcessLag));
    expect(Object.keys(res.json.data)).toEqual(Object.keys(realSessions.data));
    expect(res.json.data.xValues).toEqual(['17', '18', '19', '20', '21', '22', '23', '24'].map((d) => `2026-06-${d}T00:00:00`));
    const lengths: number[] = res.json.data.series[0];
    expect(lengths).toEqual(sim.truth.averageSessionLength('20260617', '20260624').map((r) => r.length));
    expect(lengths.slice(0, 4).every((l) => l > 0 && !Number.isInteger(l))).toBe(true);
    expect(lengths.slice(4)).toEqual([0, 0, 0, 0]);
    expect(res.json.data.seriesCollapsed[0][0]).toEqual({ setId: '', value: expect.any(Number) });
    expect(res.text).toMatch(/"earliestServerReceivedTime":9223372036854775807[,}]/);
  });

  it('answers 400 for bad dates', async () => {
    expect((await get(sim, '/api/2/sessions/average?start=20260617')).status).toBe(400);
    expect((await get(sim, '/api/2/sessions/average?start=20260617&end=2026061')).status).toBe(400);
  });
});

describe('the dashboard cost budget', () => {
  it('answers 429 once a sliding window would overflow, and recovers as the window moves', async () => {
    const limited = await start({ ...base, costBudget: { per5Min: 40, perHour: 100 } });
    const users = '/api/2/users?start=20260601&end=20260630&m=active&i=1'; // 30 days → cost 30
    expect((await get(limited, users)).status).toBe(200);
    const over = await get(limited, users);
    expect(over.status).toBe(429);
    expect(over.json.error.http_code).toBe(429);
    expect(over.json.error.metadata.details).toContain('40 per 5 minutes');
    expect(limited.requests.map((r) => [r.status, r.fault])).toEqual([[200, undefined], [429, 'cost-budget']]);
    // sessions cost 4 per day: 15 days = 60 > 40 on its own.
    expect((await get(limited, '/api/2/sessions/average?start=20260601&end=20260615')).status).toBe(429);
    nowMs += 5 * 60_000 + 1;
    expect((await get(limited, users)).status).toBe(200);
    nowMs += 5 * 60_000 + 1;
    expect((await get(limited, users)).status).toBe(200);
    nowMs += 5 * 60_000 + 1;
    const hourly = await get(limited, users);
    expect(hourly.status).toBe(429);
    expect(hourly.json.error.metadata.details).toContain('100 per hour');
    nowMs = Date.parse('2026-06-20T12:30:00Z');
  });
});

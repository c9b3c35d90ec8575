// Dashboard REST: GET /api/2/users (active users per day, optionally per country) and
// GET /api/2/sessions/average. Days are UTC days (the simulated project's time zone is UTC).
import type { CostBudget } from './cost-budget.js';
import type { ResolvedOptions } from './options.js';
import { PLACES } from './profiles.js';
import { Rng, hash } from './random.js';
import { badRequest, jsonText, type Reply } from './replies.js';
import { DAY_MS, isoDate, parseDayKey } from './time-format.js';

/** The real 400 for g=country on a project without that property (users-400-invalid-country.json). */
export const USERS_400_COUNTRY_TEXT =
  '{"error": {"http_code": 400, "type": "invalid", "message": "Invalid chart definition", "metadata": {"details": "Invalid user property country"}}}';

/** Long.MAX as live bodies write it; JSON.stringify cannot produce it from a JS number. */
const LONG_MAX = '9223372036854775807';
const LONG_MAX_PLACEHOLDER = '__LONG_MAX__';
const MAX_RANGE_DAYS = 5 * 366;

export const COUNTRY_LABELS: readonly string[] = [...new Set(PLACES.map((p) => p.country)), '(none)'];

export interface DailySeries {
  days: number[];
  /** Series labels: `[0]` without a group-by, the country names and '(none)' with g=country. */
  labels: (string | number)[];
  /** series[k][d]: value of label k on days[d]. */
  series: number[][];
}

/** Share of the UTC day that lies inside the data span and before now: 0 for future days, partial for today. */
function coverage(o: ResolvedOptions, day: number): number {
  const start = day * DAY_MS;
  const from = Math.max(start, o.dataStartMs);
  const to = Math.min(start + DAY_MS, o.dataEndMs, o.now().getTime());
  return to > from ? (to - from) / DAY_MS : 0;
}

export function activeUsersSeries(o: ResolvedOptions, first: number, last: number, byCountry: boolean, newUsers = false): DailySeries {
  const days: number[] = [];
  for (let d = first; d <= last; d++) days.push(d);
  const base = Math.max(3, Math.round((o.eventsPerHour * 24) / (newUsers ? 40 : 8)));
  const totals = days.map((d) => {
    const r = new Rng(hash(o.seed, newUsers ? 'new-users' : 'active-users', d));
    return Math.round(base * (0.75 + 0.5 * r.float()) * coverage(o, d));
  });
  if (!byCountry) return { days, labels: [0], series: [totals] };
  const weights = COUNTRY_LABELS.map((_, k) => 1 + (hash(o.seed, 'country-weight', k) % 9));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const series = COUNTRY_LABELS.map(() => days.map(() => 0));
  totals.forEach((total, d) => {
    let left = total;
    weights.forEach((w, k) => {
      const share = k === weights.length - 1 ? left : Math.floor((total * w) / weightSum);
      (series[k] as number[])[d] = share;
      left -= share;
    });
  });
  return { days, labels: [...COUNTRY_LABELS], series };
}

export function sessionLengthSeries(o: ResolvedOptions, first: number, last: number): { days: number[]; lengths: number[] } {
  const days: number[] = [];
  for (let d = first; d <= last; d++) days.push(d);
  const lengths = days.map((d) =>
    coverage(o, d) > 0 ? 120 + 900 * new Rng(hash(o.seed, 'session-length', d)).float() : 0,
  );
  return { days, lengths };
}

function parseRange(query: URLSearchParams): { first: number; last: number } | Reply {
  const start = query.get('start');
  const end = query.get('end');
  if (start === null || end === null) return badRequest('Missing required parameters: start and end (YYYYMMDD)');
  const first = parseDayKey(start);
  const last = parseDayKey(end);
  if (first === null) return badRequest(`Invalid start date: ${start}`);
  if (last === null) return badRequest(`Invalid end date: ${end}`);
  if (last < first) return badRequest('end must not be before start');
  if (last - first + 1 > MAX_RANGE_DAYS) return badRequest(`The date range exceeds ${MAX_RANGE_DAYS} days`);
  return { first, last };
}

/** Applies the dashboardSeries mode: 'empty' (quirk 16: no series at all) or 'short' (each series one shorter). */
function shaped<T>(o: ResolvedOptions, series: T[][]): T[][] {
  if (o.dashboardSeries === 'empty') return [];
  if (o.dashboardSeries === 'short') return series.map((s) => s.slice(0, -1));
  return series;
}

function withLongMax(body: Record<string, unknown>): string {
  return JSON.stringify(body).replace(`"earliestServerReceivedTime":"${LONG_MAX_PLACEHOLDER}"`, `"earliestServerReceivedTime":${LONG_MAX}`);
}

export function handleUsers(o: ResolvedOptions, query: URLSearchParams, budget: CostBudget): Reply {
  const range = parseRange(query);
  if ('status' in range) return range;
  const m = query.get('m') ?? 'active';
  if (m !== 'active' && m !== 'new') return badRequest(`Invalid metric m=${m} (active or new)`);
  const i = query.get('i') ?? '1';
  if (i !== '1') return badRequest(`Interval i=${i} is not simulated (only daily, i=1)`);
  const g = query.get('g');
  if (g !== null && g !== 'country') return badRequest(`Group-by g=${g} is not simulated (only country)`);
  if (g === 'country' && !o.countryProperty) return jsonText(400, USERS_400_COUNTRY_TEXT);
  const days = range.last - range.first + 1;
  const cost = days * (g ? 4 : 1);
  const nowMs = o.now().getTime();
  const over = budget.charge(cost, nowMs);
  if (over) return over;
  const model = activeUsersSeries(o, range.first, range.last, g === 'country', m === 'new');
  const series = shaped(o, model.series);
  const labels = series.length === 0 ? [] : model.labels;
  const data = {
    xValues: model.days.map(isoDate),
    series,
    seriesCollapsed: series.map((s) => [Math.round(Math.max(0, ...s) * 1.4)]),
    // With g=country both arrays carry the label strings, in series order (live bodies put them in
    // seriesLabels, the docs example in seriesMeta); without a group-by: [0] and [{segmentIndex: 0}].
    seriesLabels: labels,
    seriesMeta: g ? labels : labels.map(() => ({ segmentIndex: 0 })),
  };
  return jsonText(
    200,
    withLongMax({
      data,
      timeComputed: nowMs,
      wasCached: false,
      cacheFreshness: 'FRESH',
      novaCost: cost,
      backend: 'novaV2',
      earliestServerReceivedTime: LONG_MAX_PLACEHOLDER,
    }),
  );
}

export function handleSessionsAverage(o: ResolvedOptions, query: URLSearchParams, budget: CostBudget): Reply {
  const range = parseRange(query);
  if ('status' in range) return range;
  const cost = (range.last - range.first + 1) * 4;
  const nowMs = o.now().getTime();
  const over = budget.charge(cost, nowMs);
  if (over) return over;
  const model = sessionLengthSeries(o, range.first, range.last);
  const series = shaped(o, [model.lengths]);
  const active = model.lengths.filter((l) => l > 0);
  const mean = active.length ? active.reduce((a, b) => a + b, 0) / active.length : 0;
  const data = {
    series,
    seriesCollapsed: series.map(() => [{ setId: '', value: mean }]),
    seriesMeta: series.map(() => ({ segmentIndex: 0, sessionIndex: 0 })),
    xValues: model.days.map((d) => `${isoDate(d)}T00:00:00`),
  };
  return jsonText(200, withLongMax({ data, ...sessionDiagnostics(o.seed, nowMs, cost, model.days.length) }));
}

/** The top-level diagnostic keys of a live /sessions/average body (sessions-average.json), in its order. */
function sessionDiagnostics(seed: number, nowMs: number, cost: number, days: number): Record<string, unknown> {
  const r = new Rng(hash(seed, 'diagnostics', nowMs));
  const queryId = r.alnum(10);
  const runtime = 10 + r.int(50);
  const duration = runtime + r.int(60);
  const cpuTime = 100_000 + r.int(900_000);
  const lag = 300_000 + r.int(50_000);
  const qts = { qtsRate: 1, numUsers: 0 };
  return {
    timeComputed: nowMs,
    wasCached: false,
    cacheFreshness: 'FRESH',
    allQueriesCached: false,
    novaRuntime: runtime,
    novaRequestDuration: duration,
    wasDatasetCacheHit: false,
    novaCost: cost,
    throttleTime: 0,
    minSampleRate: 1,
    transformationIds: [],
    backend: 'novaV2',
    realtimeDataMissing: false,
    timedOutRealtimeData: false,
    missedCacheAndNotComputed: false,
    realtimeProcessLag: { min: lag, max: lag + 6096, p50: lag + 1245.741470256, p75: lag + 1542.0505087629, p95: lag + 2013.7728654599, count: 600 },
    partialMergedAndNewUserInformation: false,
    prunedResult: false,
    hitChunkGroupByLimit: false,
    subcluster: 9,
    millisSinceComputed: 0,
    earliestServerReceivedTime: LONG_MAX_PLACEHOLDER,
    queryIds: [queryId],
    numQueries: 1,
    numDistinctQueries: 1,
    novaRequestStartAndEndTimes: [[nowMs - duration, nowMs]],
    perQueryMetadata: [
      {
        queryId,
        queryType: 'QUERY_GRAPH',
        cached: false,
        cacheFreshness: 'FRESH',
        throttleTime: 0,
        novaCost: cost,
        minSampleRate: 1,
        realtimeDataMissing: false,
        externalDataMissing: false,
        timedOutRealtime: false,
        missedCacheAndNotComputed: false,
        prunedResult: false,
        hitChunkGroupByLimit: false,
        novaRequestDuration: duration,
        novaRuntime: runtime,
        costMetadata: { eventsInTimeRange: days, cpuTime },
        requestFreshness: 'FRESH',
        qtsMetadata: qts,
      },
    ],
    prunedAmpIds: [],
    prunedApps: [],
    costMetadata: { cpuTime, eventsInTimeRange: days },
    potentialCacheMissAnomaly: false,
    dacResolutionStartAndEndTimes: [],
    dacResolutionDuration: 0,
    crossCacheMetadata: { crossCache: false, offset: 0, cdcRunTime: 0 },
    potentialCDCHit: false,
    qtsMetadata: qts,
    longTimeRangeQuery: false,
    timeRangeSplitCount: 0,
    isPeriodOverPeriod: false,
    wasStreamed: false,
    datasetPhaseTimings: { 'single time range': { max_time: duration, min_time: duration, all_timings: [duration] } },
    containsCohorts: false,
  };
}

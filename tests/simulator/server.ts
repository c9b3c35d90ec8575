// The Amplitude API simulator: an HTTP server on 127.0.0.1 serving the endpoints the tap reads,
// with Basic auth, a request log, concurrency tracking, injectable faults and a ground truth.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin.js';
import { annotationCategories, annotationsV2, annotationsV3 } from './annotations.js';
import { ChartUnavailable, chartModel } from './charts.js';
import { CohortDownloads } from './cohort-download.js';
import { CostBudget } from './cost-budget.js';
import { handleSessionsAverage, handleUsers } from './dashboard.js';
import { eventsList } from './events-list.js';
import { Exporter } from './export.js';
import { bodyFaultReply, FaultSet, htmlFaultReply, Link, statusFaultReply, writeReply, type FaultRule } from './faults.js';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { badRequest, errorReply, json, notFound, type Reply } from './replies.js';
import { handleTaxonomy } from './taxonomy.js';
import { createTruth, type GroundTruth } from './truth.js';

export type { SimulatorOptions, ResolvedOptions } from './options.js';
export type { FaultRule } from './faults.js';
export type { GroundTruth } from './truth.js';
export type { ChartModel } from './charts.js';
export type { ChartTable } from './chart-csv.js';
export { writeExportArchive } from './export.js';
export type { CohortDownloads, CohortMember } from './cohort-download.js';

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered (for a stall before any byte: the status that would have been sent). */
  status: number;
  /** Requests in flight when this one arrived, itself included. */
  concurrency: number;
  /** The fault kind applied, or 'concurrency-cap' / 'cost-budget' for a simulated limit. */
  fault?: string;
  /** Wall-clock arrival time, epoch ms. */
  at: number;
}

export interface Simulator {
  url: string;
  options: ResolvedOptions;
  requests: RequestLogEntry[];
  maxConcurrencySeen(): number;
  faults: { add(rule: FaultRule): void; clear(): void };
  setConcurrencyCap(n: number | undefined): void;
  truth: GroundTruth;
  /** Cohort download jobs and the S3 stand-in (its request log, expired links, transport faults, recomputation). */
  cohortDownloads: CohortDownloads;
  /** Serves the export window start..end ('YYYYMMDDTHH') from a file writeExportArchive wrote, instead of generating it. */
  serveArchiveFile(startHour: string, endHour: string, filePath: string): void;
  stop(): Promise<void>;
}

const CHART_PATH = /^\/api\/3\/chart\/([^/]+)\/csv$/;

export async function createSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const o = resolveOptions(opts);
  const exporter = new Exporter(o);
  const cohortDownloads = new CohortDownloads(o);
  await cohortDownloads.start();
  const budget = new CostBudget(o.costBudget);
  const faults = new FaultSet();
  const requests: RequestLogEntry[] = [];
  const perPath = new Map<string, number>();
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxSeen = 0;
  let cap: number | undefined;
  const link = o.bandwidthBytesPerSecond !== undefined ? new Link(o.bandwidthBytesPerSecond) : undefined;

  const expected = `Basic ${Buffer.from(`${o.apiKey}:${o.secretKey}`).toString('base64')}`;

  async function route(req: IncomingMessage, url: URL): Promise<Reply> {
    // Wrong key, wrong secret or no credentials: 403, never 401 (quirk 22).
    if (req.headers.authorization !== expected) {
      return errorReply(403, 'unspecified', 'Unspecified Error', 'Invalid API Key');
    }
    if (req.method !== 'GET') return notFound(`No route for ${req.method} ${url.pathname}`);
    const q = url.searchParams;
    switch (url.pathname) {
      case '/api/2/export':
        return exporter.handle(q);
      case '/api/2/users':
        return handleUsers(o, q, budget);
      case '/api/2/sessions/average':
        return handleSessionsAverage(o, q, budget);
      case '/api/3/annotations':
        return o.annotationsV3 ? json(200, { data: annotationsV3(o) }) : notFound('Not Found');
      case '/api/3/annotation-categories':
        return json(200, { data: annotationCategories() });
      case '/api/2/annotations':
        return json(200, { data: annotationsV2(o) });
      case '/api/3/cohorts':
        return json(200, { cohorts: cohortDownloads.list() });
      case '/api/2/events/list':
        return json(200, { data: eventsList(o) });
    }
    const cohortFile = cohortDownloads.handle(url.pathname, q);
    if (cohortFile) return cohortFile;
    const taxonomy = handleTaxonomy(o, url.pathname, q);
    if (taxonomy) return taxonomy;
    const chart = CHART_PATH.exec(url.pathname);
    if (chart) return chartReply(decodeURIComponent(chart[1] as string));
    return notFound(`No route for ${url.pathname}`);
  }

  function chartReply(id: string): Reply {
    try {
      const model = chartModel(o, id);
      // A chart call runs the chart's own query; charged one unit per value cell.
      const cost = model.tables.reduce((sum, t) => sum + t.rows.length * (t.header.length - t.labelColumns), 0);
      return budget.charge(cost, o.now().getTime()) ?? json(200, { data: model.csv });
    } catch (error) {
      if (!(error instanceof ChartUnavailable)) throw error;
      return error.status === 404
        ? notFound(`Chart ${id} not found`)
        : errorReply(403, 'unspecified', 'Unspecified Error', `User does not have permission to view chart ${id}`);
    }
  }

  async function handle(req: IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname.startsWith('/__sim/')) {
      const reply = await handleAdmin(sim, req, url.pathname).catch((error: unknown) =>
        badRequest(`Bad admin request: ${error instanceof Error ? error.message : String(error)}`),
      );
      await writeReply(res, reply);
      return;
    }
    inFlight++;
    maxSeen = Math.max(maxSeen, inFlight);
    res.once('close', () => inFlight--);
    const n = (perPath.get(url.pathname) ?? 0) + 1;
    perPath.set(url.pathname, n);
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      concurrency: inFlight,
      at: Date.now(),
    };
    requests.push(entry);

    let reply: Reply;
    let fault: FaultRule | undefined;
    if (cap !== undefined && inFlight > cap) {
      entry.fault = 'concurrency-cap';
      reply = errorReply(429, 'too_many_requests', 'Too Many Requests', `Exceeded concurrent limit of ${cap} requests for this project`);
    } else {
      fault = faults.match(url.pathname, n, url.searchParams);
      if (fault) entry.fault = fault.kind;
      if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault?.delayMs ?? 0));
      if (fault?.kind === 'status') reply = statusFaultReply(fault);
      else if (fault?.kind === 'html') reply = htmlFaultReply();
      else if (fault?.kind === 'body') reply = bodyFaultReply(fault);
      else {
        try {
          reply = await route(req, url);
        } catch (error) {
          reply = errorReply(500, 'internal', 'Internal Server Error', `Simulator error: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (reply.status === 429 && !fault) entry.fault = 'cost-budget';
      }
    }
    entry.status = reply.status;
    const transportFault = fault?.kind === 'reset' || fault?.kind === 'stall' || fault?.kind === 'slow';
    await writeReply(res, reply, transportFault ? fault : undefined, link);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;

  const sim: Simulator = {
    url: `http://${o.host}:${port}`,
    options: { ...o, port },
    requests,
    maxConcurrencySeen: () => maxSeen,
    faults,
    setConcurrencyCap: (n) => {
      cap = n;
    },
    truth: createTruth(o, exporter, cohortDownloads),
    cohortDownloads,
    serveArchiveFile: (startHour, endHour, filePath) => exporter.serveArchiveFile(startHour, endHour, filePath),
    stop: () => {
      stopped ??= Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          for (const socket of sockets) socket.destroy();
        }),
        cohortDownloads.stop(),
      ]).then(() => undefined);
      return stopped;
    },
  };
  return sim;
}

// Cohort membership download (amplitude-api.md §13.3): request → 202 {request_id, cohort_id};
// status → 202 "JOB INPROGRESS" for a few polls, then 200 "JOB COMPLETED"; file → a small cohort
// in the body (gzip, Content-Encoding: gzip), a larger one as a 302 to a second local server
// standing in for S3 (pre-signed link valid one minute, refuses an Authorization header, serves
// raw gzip). Members are a pure function of (seed, cohort, recomputation), generated as streamed,
// so a million-member file never sits in memory.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { cohorts } from './cohorts.js';
import { writeReply, type FaultRule } from './faults.js';
import type { ResolvedOptions } from './options.js';
import { hash } from './random.js';
import { badRequest, errorReply, json, notFound, type Reply } from './replies.js';

export interface CohortMember {
  amplitude_id: number;
  user_id: string | null;
  properties: Record<string, string | null>;
}

/** Properties served when props=1 comes without propKeys. */
const ALL_PROPERTIES = ['country', 'gp:plan'];
const COUNTRIES = ['United States', 'Korea, Republic of', "Côte d'Ivoire", 'The "Netherlands"', ''];

interface Job {
  cohortId: string;
  properties: string[];
  pollsLeft: number;
}

export interface S3Request {
  path: string;
  /** Whether an Authorization header came along (a real S3 refuses the request then). */
  authorization: boolean;
  status: number;
}

function propertyValue(name: string, k: number): string {
  if (name === 'country') return COUNTRIES[k % COUNTRIES.length] as string;
  return k % 4 === 0 ? '' : `${name} value ${k}, "quoted"`;
}

const quote = (v: string): string => `"${v.replace(/"/g, '""')}"`;

export class CohortDownloads {
  readonly s3Requests: S3Request[] = [];
  /** The next N pre-signed GETs answer "Request has expired", however fresh the link. */
  expireNextLinks = 0;
  /** A transport fault ('slow', 'reset', 'stall') applied to every S3 body. */
  s3Fault: FaultRule | undefined;
  private readonly jobs = new Map<string, Job>();
  private readonly recomputes = new Map<string, number>();
  private s3: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private s3Url = '';
  private requestCount = 0;

  constructor(private readonly o: ResolvedOptions) {}

  /** The cohort list as /api/3/cohorts serves it now (sizes from options, recomputations applied). */
  list(): Record<string, unknown>[] {
    return cohorts(this.o).map((c, index) => {
      const size = this.o.cohortSizes[index];
      const times = this.recomputes.get(String(c.id)) ?? 0;
      const out: Record<string, unknown> = { ...c, ...(size !== undefined && c.finished === true ? { size } : {}) };
      if (times > 0 && typeof c.lastComputed === 'number') out.lastComputed = c.lastComputed + 3600 * times;
      return out;
    });
  }

  /** Recomputes a cohort: a later lastComputed, the `times` oldest members left and as many new ones joined. */
  recompute(cohortId: string): void {
    this.recomputes.set(cohortId, (this.recomputes.get(cohortId) ?? 0) + 1);
  }

  /** The members of a computed cohort as its file lists them now (ground truth). */
  *members(cohortId: string, properties: readonly string[] = []): Generator<CohortMember> {
    const cohort = this.list().find((c) => c.id === cohortId);
    if (cohort === undefined || cohort.finished !== true) return;
    const size = Number(cohort.size ?? 0);
    const first = this.recomputes.get(cohortId) ?? 0;
    const base = 300_000_000_000 + (hash(this.o.seed, 'cohort-members', cohortId) % 1000) * 10_000_000;
    for (let k = first; k < first + size; k++) {
      const userId = k % 7 === 3 ? null : k % 11 === 5 ? `user "${k}", ltd` : `user-${k}@example.com`;
      const props: Record<string, string | null> = {};
      for (const p of properties) props[p] = propertyValue(p, k) === '' ? null : propertyValue(p, k);
      yield { amplitude_id: base + k, user_id: userId, properties: props };
    }
  }

  /** The CSV, every value quoted, in 64 kB chunks. */
  private *csv(job: Job): Generator<Buffer> {
    let text = ['amplitude_id', 'user_id', ...job.properties].map(quote).join(',') + '\n';
    for (const m of this.members(job.cohortId, job.properties)) {
      text += [String(m.amplitude_id), m.user_id ?? '', ...job.properties.map((p) => m.properties[p] ?? '')].map(quote).join(',') + '\n';
      if (text.length >= 65_536) {
        yield Buffer.from(text, 'utf8');
        text = '';
      }
    }
    yield Buffer.from(text, 'utf8');
  }

  private gzipped(job: Job): () => AsyncIterable<Buffer> {
    return () => Readable.from(this.csv(job)).pipe(createGzip());
  }

  /** Answers /api/5/cohorts/... paths; undefined for any other path. */
  handle(path: string, q: URLSearchParams): Reply | undefined {
    let m = /^\/api\/5\/cohorts\/request\/([^/]+)$/.exec(path);
    if (m) {
      const cohortId = decodeURIComponent(m[1] as string);
      const cohort = this.list().find((c) => c.id === cohortId);
      if (cohort === undefined) return badRequest(`Cohort ${cohortId} does not exist`);
      const requestId = `req-${++this.requestCount}-${cohortId}`;
      const keys = q.getAll('propKeys');
      const properties = q.get('props') === '1' ? (keys.length > 0 ? keys : ALL_PROPERTIES) : [];
      this.jobs.set(requestId, { cohortId, properties, pollsLeft: this.o.cohortPolls });
      return json(202, { request_id: requestId, cohort_id: cohortId });
    }
    m = /^\/api\/5\/cohorts\/request-status\/([^/]+)$/.exec(path);
    if (m) {
      const requestId = decodeURIComponent(m[1] as string);
      const job = this.jobs.get(requestId);
      if (job === undefined) return notFound(`No request ${requestId}`);
      const done = job.pollsLeft <= 0;
      job.pollsLeft--;
      return json(done ? 200 : 202, { request_id: requestId, cohort_id: job.cohortId, async_status: done ? 'JOB COMPLETED' : 'JOB INPROGRESS' });
    }
    m = /^\/api\/5\/cohorts\/request\/([^/]+)\/file$/.exec(path);
    if (m) {
      const requestId = decodeURIComponent(m[1] as string);
      const job = this.jobs.get(requestId);
      if (job === undefined) return notFound(`No request ${requestId}`);
      if (job.pollsLeft >= 0) return errorReply(400, 'invalid', 'Invalid request', `Request ${requestId} is not complete`);
      const size = Number(this.list().find((c) => c.id === job.cohortId)?.size ?? 0);
      if (size <= this.o.cohortInlineMax) {
        return { status: 200, headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, body: this.gzipped(job) };
      }
      const signature = hash(this.o.seed, requestId, Date.now()).toString(16).padStart(8, '0').repeat(8);
      const location = `${this.s3Url}/amplitude-cohorts/${encodeURIComponent(requestId)}.csv.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${Date.now()}&X-Amz-Expires=60&X-Amz-Signature=${signature}`;
      return { status: 302, headers: { location, 'content-length': '0' }, body: Buffer.alloc(0) };
    }
    return undefined;
  }

  private s3Reply(req: http.IncomingMessage, url: URL): Reply {
    const xml = (status: number, code: string, message: string): Reply => {
      const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
      return { status, headers: { 'content-type': 'application/xml', 'content-length': String(body.length) }, body };
    };
    if (req.headers.authorization !== undefined) {
      return xml(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
    }
    const requestId = decodeURIComponent(/^\/amplitude-cohorts\/([^/]+)\.csv\.gz$/.exec(url.pathname)?.[1] ?? '');
    const job = this.jobs.get(requestId);
    if (job === undefined || url.searchParams.get('X-Amz-Signature') === null) return xml(403, 'AccessDenied', 'Access Denied');
    const issued = Number(url.searchParams.get('X-Amz-Date'));
    if (this.expireNextLinks > 0 || Date.now() - issued > 60_000) {
      this.expireNextLinks = Math.max(0, this.expireNextLinks - 1);
      return xml(403, 'AccessDenied', 'Request has expired');
    }
    return { status: 200, headers: { 'content-type': 'application/x-gzip' }, body: this.gzipped(job) };
  }

  async start(): Promise<void> {
    this.s3 = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://s3');
      const reply = this.s3Reply(req, url);
      this.s3Requests.push({ path: url.pathname, authorization: req.headers.authorization !== undefined, status: reply.status });
      const fault = reply.status === 200 ? this.s3Fault : undefined;
      writeReply(res, reply, fault).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
    });
    this.s3.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.s3?.once('error', reject);
      this.s3?.listen(0, this.o.host, () => resolve());
    });
    this.s3Url = `http://${this.o.host}:${(this.s3.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.s3 === undefined) return resolve();
      this.s3.close((error) => (error ? reject(error) : resolve()));
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

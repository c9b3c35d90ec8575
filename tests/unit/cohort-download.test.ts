// Cohort membership download (amplitude-api.md §13.3) through the real client against a local
// server: the request's query, status polling with growing waits on a fake clock, the file in the
// body or through a Location fetched by hand (fresh links when one expired), and the cohort list.
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { AmplitudeClient } from '../../src/amplitude/client.js';
import { cohortList } from '../../src/amplitude/cohort-list.js';
import { DEFAULT_POLL, fetchCohortFile, requestCohortFile, waitForCohortFile, type CohortDownload, type PollPolicy } from '../../src/amplitude/cohort-download.js';
import { AmplitudeBodyError } from '../../src/amplitude/errors.js';
import { StreamFailure } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { startServer, type TestServer } from './support/client-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

interface Setup {
  d: CohortDownload;
  server: TestServer;
  sleeps: number[];
  sleepSignals: (AbortSignal | undefined)[];
  warnings: string[];
  paths: () => string[];
}

async function setup(handler: Handler, poll: PollPolicy = DEFAULT_POLL, startAt = 1_000_000): Promise<Setup> {
  const server = await startServer(handler);
  servers.push(server);
  const client = new AmplitudeClient({ baseUrl: server.baseUrl, apiKey: 'k', secretKey: 's', userAgent: 'test', idleTimeoutMs: 5000, maxConcurrency: 1, maxTries: 1, costBudget: null });
  let now = startAt;
  const sleeps: number[] = [];
  const sleepSignals: (AbortSignal | undefined)[] = [];
  const warnings: string[] = [];
  const signal = new AbortController().signal;
  const d: CohortDownload = {
    client,
    clock: {
      now: () => now,
      sleep: async (ms, s) => {
        sleeps.push(ms);
        sleepSignals.push(s);
        now += ms;
      },
    },
    poll,
    presigned: { userAgent: 'test', idleTimeoutMs: 5000 },
    log: { info: () => undefined, warn: (m) => warnings.push(m) },
    signal,
  };
  return { d, server, sleeps, sleepSignals, warnings, paths: () => server.requests.map((r) => r.url) };
}

describe('step 1: requestCohortFile', () => {
  it('without properties asks props=0; with properties props=1 and one propKeys each; the id is path-encoded', async () => {
    const s = await setup((_req, res) => json(res, 202, { request_id: 'req-1', cohort_id: 'c/1' }));
    expect(await requestCohortFile(s.d, 'c/1', [])).toBe('req-1');
    expect(await requestCohortFile(s.d, 'abc', ['country', 'gp:plan'])).toBe('req-1');
    expect(s.paths()).toEqual(['/api/5/cohorts/request/c%2F1?props=0', '/api/5/cohorts/request/abc?props=1&propKeys=country&propKeys=gp%3Aplan']);
  });

  it('an answer without a request id is a body error naming the status and the cohort', async () => {
    const bodies = [{ cohort_id: 'abc' }, { request_id: '' }, { request_id: 5 }];
    const s = await setup((_req, res, i) => json(res, i === 0 ? 202 : 200, bodies[i]));
    for (const status of [202, 200, 200]) {
      const err = await requestCohortFile(s.d, 'abc', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AmplitudeBodyError);
      expect((err as Error).message).toBe(`cohort request: Amplitude answered HTTP ${status} for cohort abc without a request_id`);
    }
  });
});

describe('step 2: waitForCohortFile', () => {
  const inProgress = { request_id: 'r/1', cohort_id: 'abc', async_status: 'JOB INPROGRESS' };
  const completed = { request_id: 'r/1', cohort_id: 'abc', async_status: 'JOB COMPLETED' };

  it('polls until "JOB COMPLETED": 5 s, then 1.5 times longer (rounded), never over 60 s', async () => {
    const s = await setup((_req, res, i) => (i < 10 ? json(res, 202, inProgress) : json(res, 200, completed)));
    await waitForCohortFile(s.d, 'abc', 'r/1');
    // By hand: 5000, 7500, 11250, 16875, 25312.5→25313, 37969.5→37970, 56955, then 60000 (85432.5 capped).
    expect(s.sleeps).toEqual([5000, 7500, 11250, 16875, 25313, 37970, 56955, 60000, 60000, 60000]);
    expect(s.sleepSignals.every((sig) => sig === s.d.signal)).toBe(true);
    expect(s.paths()).toEqual(Array.from({ length: 11 }, () => '/api/5/cohorts/request-status/r%2F1'));
  });

  it('an answer done at once returns without a wait', async () => {
    const s = await setup((_req, res) => json(res, 200, completed));
    await waitForCohortFile(s.d, 'abc', 'r1');
    expect(s.sleeps).toEqual([]);
  });

  it('any other status, or none, ends the download', async () => {
    const bodies = [{ async_status: 'JOB FAILED' }, { request_id: 'r1' }, { async_status: 'job completed' }];
    const s = await setup((_req, res, i) => json(res, 200, bodies[i]));
    const messages: string[] = [];
    for (let k = 0; k < bodies.length; k++) {
      const err = await waitForCohortFile(s.d, 'abc', 'r1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamFailure);
      messages.push((err as Error).message);
    }
    const tail = ' instead of "JOB COMPLETED"; it is requested again on the next run';
    expect(messages).toEqual([
      `cohort status: the download of cohort abc ended as "JOB FAILED"${tail}`,
      `cohort status: the download of cohort abc ended as null${tail}`,
      `cohort status: the download of cohort abc ended as "job completed"${tail}`,
    ]);
    expect(s.sleeps).toEqual([]);
  });

  it('gives up when the next wait would pass the timeout; a wait that ends exactly at it is still taken', async () => {
    // Waits 10000, 15000, 22500, 30000, 30000 end at 10000, 25000, 47500, 77500, 107500 after the
    // start; the sixth would end at 137500, past 107500.
    const poll = { firstMs: 10_000, maxMs: 30_000, timeoutMs: 107_500 };
    const s = await setup((_req, res) => json(res, 202, inProgress), poll);
    const err = await waitForCohortFile(s.d, 'abc', 'r1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamFailure);
    // 107500 ms = 1.79 minutes, rounded to 2.
    expect((err as Error).message).toBe('cohort status: cohort abc was still being prepared after 2 minutes (6 polls); it is requested again on the next run');
    expect(s.sleeps).toEqual([10_000, 15_000, 22_500, 30_000, 30_000]);
  });

  it('the timeout counts from the first poll, not from the clock\'s zero', async () => {
    const poll = { firstMs: 1000, maxMs: 1000, timeoutMs: 2500 };
    const s = await setup((_req, res) => json(res, 202, inProgress), poll, 50_000);
    const err = await waitForCohortFile(s.d, 'abc', 'r1').catch((e: unknown) => e);
    // Waits end at 1000 and 2000; the third would end at 3000 > 2500. 2500 ms rounds to 0 minutes.
    expect((err as Error).message).toBe('cohort status: cohort abc was still being prepared after 0 minutes (3 polls); it is requested again on the next run');
    expect(s.sleeps).toEqual([1000, 1000]);
  });
});

describe('step 3: fetchCohortFile', () => {
  const FILE = '"amplitude_id","user_id"\n"356896327775",""\n';
  const dest = (): string => path.join(tempDir(), 'cohort.csv');

  it('a small cohort comes in the body of /file', async () => {
    const s = await setup((_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(FILE));
    const file = dest();
    await fetchCohortFile(s.d, 'abc', 'r/1', file);
    expect(readFileSync(file, 'utf8')).toBe(FILE);
    expect(s.paths()).toEqual(['/api/5/cohorts/request/r%2F1/file']);
    expect(s.warnings).toEqual([]);
  });

  it.each([301, 302, 303, 307])('a %i is followed by hand, relative to the API host, without the credentials', async (status) => {
    const s = await setup((req, res) => {
      if (req.url?.startsWith('/s3/') === true) res.writeHead(200).end(FILE);
      else res.writeHead(status, { location: '/s3/cohort.csv?X-Amz-Signature=abc' }).end();
    });
    const file = dest();
    await fetchCohortFile(s.d, 'abc', 'r1', file);
    expect(readFileSync(file, 'utf8')).toBe(FILE);
    expect(s.paths()).toEqual(['/api/5/cohorts/request/r1/file', '/s3/cohort.csv?X-Amz-Signature=abc']);
    expect(s.server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('k:s').toString('base64')}`);
    expect(s.server.requests[1]?.headers.authorization).toBeUndefined();
    expect(s.sleeps).toEqual([]);
  });

  it('a redirect without a Location is a failure naming the status', async () => {
    const s = await setup((_req, res) => res.writeHead(302).end());
    const err = await fetchCohortFile(s.d, 'abc', 'r1', dest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamFailure);
    expect((err as Error).message).toBe('cohort file: Amplitude answered HTTP 302 for cohort abc without a Location to follow');
  });

  it('an expired link asks at once for a fresh one; another failure waits first', async () => {
    let s3 = 0;
    const s = await setup((req, res) => {
      if (req.url?.startsWith('/s3/') !== true) return void res.writeHead(302, { location: `/s3/${s3}` }).end();
      s3++;
      if (s3 === 1) res.writeHead(403).end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      else if (s3 === 2) res.writeHead(500).end('oops');
      else res.writeHead(200).end(FILE);
    });
    const file = dest();
    await fetchCohortFile(s.d, 'abc', 'r1', file);
    expect(readFileSync(file, 'utf8')).toBe(FILE);
    expect(s.warnings).toEqual([
      `cohort abc: ${s.server.host} answered HTTP 403 (the link has expired); asking Amplitude for a fresh link (1/5)`,
      `cohort abc: ${s.server.host} answered HTTP 500; asking Amplitude for a fresh link (2/5)`,
    ]);
    // Only the 500 waits, for the first poll wait.
    expect(s.sleeps).toEqual([DEFAULT_POLL.firstMs]);
    expect(s.sleepSignals).toEqual([s.d.signal]);
    expect(s.paths()).toEqual(['/api/5/cohorts/request/r1/file', '/s3/0', '/api/5/cohorts/request/r1/file', '/s3/1', '/api/5/cohorts/request/r1/file', '/s3/2']);
  });

  it('gives up after five links, quoting the last problem', async () => {
    let s3 = 0;
    const s = await setup((req, res) => {
      if (req.url?.startsWith('/s3/') !== true) return void res.writeHead(302, { location: `${s.server.baseUrl}/s3/x` }).end();
      s3++;
      res.writeHead(403).end(s3 < 5 ? 'AccessDenied: Request has expired' : 'AccessDenied');
    });
    const err = await fetchCohortFile(s.d, 'abc', 'r1', dest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamFailure);
    expect((err as Error).message).toBe(`cohort file: could not download cohort abc after 5 links; last: ${s.server.host} answered HTTP 403`);
    expect(s3).toBe(5);
    expect(s.warnings.map((w) => w.slice(-5))).toEqual(['(1/5)', '(2/5)', '(3/5)', '(4/5)', '(5/5)']);
    expect(s.sleeps).toEqual([DEFAULT_POLL.firstMs]);
  });
});

describe('cohortList', () => {
  it('reads id, lastComputed and lastMod as the membership download needs them', async () => {
    const body = {
      cohorts: [
        { id: '9apg8e8f', finished: true, lastComputed: 1781610980, lastMod: 1781554538, name: 'computed' },
        { id: 'u9gtvp8t', finished: false, lastComputed: 1781610980, lastMod: 1781554538 },
        { id: 42, lastComputed: 1.5, lastMod: 'yesterday' },
        { id: 'inf', lastComputed: null, lastMod: null },
        { id: null, lastComputed: 1 },
        { name: 'no id' },
        null,
        'text',
        [1],
      ],
    };
    const s = await setup((_req, res) => json(res, 200, body));
    expect(await cohortList(s.d.client)).toEqual([
      { id: '9apg8e8f', lastComputed: 1781610980, lastMod: 1781554538 },
      // Not finished: its lastComputed is not a download to compare with.
      { id: 'u9gtvp8t', lastComputed: null, lastMod: 1781554538 },
      { id: '42', lastComputed: 1.5, lastMod: null },
      { id: 'inf', lastComputed: null, lastMod: null },
    ]);
    expect(s.paths()).toEqual(['/api/3/cohorts']);
  });

  it('a body without a cohorts list is a body error', async () => {
    const bodies: unknown[] = [{ data: [] }, null, [{ id: 'x' }], { cohorts: { id: 'x' } }];
    const s = await setup((_req, res, i) => json(res, 200, bodies[i]));
    for (let k = 0; k < bodies.length; k++) {
      const err = await cohortList(s.d.client).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AmplitudeBodyError);
      expect((err as Error).message).toBe('cohorts: the response has no "cohorts" list; cannot read it');
    }
  });
});

describe('a failed request names its step', () => {
  it('cohorts, cohort request, cohort status and cohort file', async () => {
    const s = await setup((_req, res) => json(res, 500, { error: 'down' }));
    const failure = async (p: Promise<unknown>): Promise<string> => ((await p.catch((e: unknown) => e)) as Error).message;
    const tail = `after 1 tries; last error: ${s.server.host} answered HTTP 500: {"error":"down"}.`;
    expect(await failure(cohortList(s.d.client))).toBe(`cohorts: gave up on GET /api/3/cohorts ${tail}`);
    expect(await failure(requestCohortFile(s.d, 'abc', []))).toBe(`cohort request: gave up on GET /api/5/cohorts/request/abc?props=0 ${tail}`);
    expect(await failure(waitForCohortFile(s.d, 'abc', 'r1'))).toBe(`cohort status: gave up on GET /api/5/cohorts/request-status/r1 ${tail}`);
    expect(await failure(fetchCohortFile(s.d, 'abc', 'r1', path.join(tempDir(), 'f.csv')))).toBe(`cohort file: gave up on GET /api/5/cohorts/request/r1/file ${tail}`);
  });
});

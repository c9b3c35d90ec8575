// No credential in any output, whatever fails: the built CLI with marker credentials through every
// fault kind, rejected credentials, an unreachable or unknown host, retries running out, a server
// that echoes the credentials back in every error it gives, and config files that break next to
// the secrets; each at LOG_LEVEL info and debug. stdout and stderr must hold neither key, nor
// `key:secret`, nor its base64 (the Basic token), nor even the start of any of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMessages, recordsOf, runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { createSimulator, type FaultRule, type Simulator } from '../simulator/server.js';
import { closedPort, requireBuild, stderrLines } from './support/e2e.js';

const HOUR_MS = 3_600_000;
const API_KEY = 'K3yM4rk3r-api-7f0c2e9b5d1a4c68';
const SECRET_KEY = 'S3cr3tM4rk-sec-91b7d04e6f2a3c55';
const WRONG_SECRET = 'Wr0ngS3cr3t-e5d2a8c1f7b3094d';
const TOKEN = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64');
const WRONG_TOKEN = Buffer.from(`${API_KEY}:${WRONG_SECRET}`).toString('base64');
/** Whole credentials and their first characters: a message cut inside a secret must not keep its start. */
const FORBIDDEN = [API_KEY, SECRET_KEY, WRONG_SECRET, `${API_KEY}:${SECRET_KEY}`, TOKEN, WRONG_TOKEN].flatMap((s) => [s, s.slice(0, 10)]);

const NOW = new Date();
const END_MS = Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
const START_MS = END_MS - 4 * HOUR_MS;
const CHART = 'ts7d0a1b';
const PATHS = ['/api/2/export', '/api/2/users', '/api/2/sessions/average', '/api/3/annotations', '/api/3/cohorts', '/api/2/events/list', `/api/3/chart/${CHART}/csv`];
const LEVELS = ['info', 'debug'] as const;

const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];

async function simulator(): Promise<Simulator> {
  const sim = await createSimulator({
    now: () => NOW,
    dataStart: new Date(START_MS).toISOString(),
    dataEnd: new Date(END_MS).toISOString(),
    eventsPerHour: 10,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
  });
  stops.push(() => sim.stop());
  return sim;
}

/**
 * An "Amplitude" that puts the credentials it received into every answer: in error envelopes, in
 * a plain-text 500, in a 200 that is not JSON, and where a shortened message would cut through them.
 */
async function echoingServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
    const echoed = `auth=${auth} decoded=${decoded} key=${API_KEY} secret=${SECRET_KEY}`;
    const envelope = (status: number, message: string, details: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { http_code: status, message, metadata: { details } } }));
    };
    // Quoted text is shortened to 300 (Amplitude's message) and 80 (a body that is not JSON)
    // characters; these put a credential across the cut.
    const across = (cut: number, secret: string): string => `${'x'.repeat(cut - 10)}${secret}`;
    const path = (req.url ?? '').split('?')[0];
    switch (path) {
      case '/api/2/export':
        return envelope(500, across(300, SECRET_KEY), echoed);
      case '/api/2/users':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(across(80, API_KEY));
      case '/api/2/sessions/average':
        return envelope(400, `Invalid chart definition for ${decoded}`, echoed);
      case '/api/3/annotations':
        return envelope(404, `Not found for ${auth}`, echoed);
      case '/api/2/annotations':
        return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error; request had ${echoed}`);
      case '/api/3/cohorts':
        return envelope(403, 'No permission', across(300, TOKEN));
      case '/api/2/events/list':
        return envelope(503, `Unavailable for ${echoed}`, across(300, `${API_KEY}:${SECRET_KEY}`));
      default:
        return envelope(404, `Chart not found; ${echoed}`, echoed);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Case {
  name: string;
  level: (typeof LEVELS)[number];
  result: CliResult;
}

async function runWith(config: Record<string, unknown> | string, extraArgs: string[], level: string): Promise<CliResult> {
  const dir = tempDir();
  dirs.push(dir);
  return runCli(['--config', writeJson(dir, 'config.json', config), ...extraArgs], { env: { LOG_LEVEL: level }, timeoutMs: 30_000 });
}

const baseConfig = (apiUrl: string, secret = SECRET_KEY): Record<string, unknown> => ({
  api_key: API_KEY,
  secret_key: secret,
  api_url: apiUrl,
  start_date: new Date(START_MS).toISOString(),
  end_date: new Date(END_MS).toISOString(),
  chart_ids: [CHART],
});

/** Config files that cannot be used, each with the credentials right next to the problem. */
const BAD_CONFIGS: Record<string, string> = {
  'missing comma after the secret': `{"api_key": "${API_KEY}", "secret_key": "${SECRET_KEY}" "start_date": "2026-01-01"}`,
  'text after the object': `{"api_key": "${API_KEY}", "secret_key": "${SECRET_KEY}"} ${SECRET_KEY}`,
  'unquoted secret': `{"api_key": "${API_KEY}", "secret_key": ${SECRET_KEY}}`,
  'cut in the middle of the key': `{"secret_key": "${SECRET_KEY}", "api_key": "${API_KEY.slice(0, 14)}`,
  'secret of the wrong type': JSON.stringify({ api_key: [API_KEY], secret_key: { value: SECRET_KEY }, start_date: '2026-01-01' }),
  'bad setting beside the secrets': JSON.stringify({ api_key: API_KEY, secret_key: SECRET_KEY, start_date: '2026-01-01', max_concurrency: SECRET_KEY }),
};

const cases: Case[] = [];
const runs = new Map<string, CliResult>();
const run = (name: string, level: string): CliResult => runs.get(`${name} @ ${level}`) as CliResult;

beforeAll(async () => {
  requireBuild();
  // Every fault kind in turn on every endpoint (the 8th try succeeds): 429 with Retry-After, 500,
  // 502, 503, 504 (the export splits its window), a reset mid-body and an HTML page.
  const sequence: Omit<FaultRule, 'path' | 'requests'>[] = [
    { kind: 'status', status: 429, retryAfterSeconds: 1 },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 502 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 504 },
    { kind: 'reset', afterBytes: 30 },
    { kind: 'html' },
  ];
  /** A simulator of its own per run: faults are counted per request number over its life. */
  const faulty = async (add: (sim: Simulator, path: string) => void): Promise<string> => {
    const sim = await simulator();
    for (const path of PATHS) add(sim, path);
    return sim.url;
  };
  const closed = `http://127.0.0.1:${await closedPort()}`;
  const echoing = await echoingServer();

  const scenarios: Record<string, (level: string) => Promise<CliResult>> = {
    'every fault kind in turn': async (level) =>
      runWith(baseConfig(await faulty((sim, path) => sequence.forEach((f, i) => sim.faults.add({ ...f, path, requests: [i + 1] })))), [], level),
    'wrong secret (403)': async (level) => runWith(baseConfig((await simulator()).url, WRONG_SECRET), [], level),
    'wrong secret (403), --test': async (level) => runWith(baseConfig((await simulator()).url, WRONG_SECRET), ['--test=connection'], level),
    'unreachable host': (level) => runWith(baseConfig(closed), [], level),
    'unknown host': (level) => runWith(baseConfig('http://amplitude-host.invalid'), [], level),
    'retries exhausted': async (level) => runWith(baseConfig(await faulty((sim, path) => sim.faults.add({ path, kind: 'status', status: 503 }))), [], level),
    'credentials echoed by the server': (level) => runWith(baseConfig(echoing), [], level),
    ...Object.fromEntries(Object.entries(BAD_CONFIGS).map(([name, text]) => [`config: ${name}`, (level: string) => runWith(text, [], level)])),
  };
  const tasks = Object.entries(scenarios).flatMap(([name, start]) => LEVELS.map((level) => ({ name, level, start })));
  // A few processes at a time (CI has two cores).
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++] as (typeof tasks)[number];
        const result = await task.start(task.level);
        cases.push({ name: task.name, level: task.level, result });
        runs.set(`${task.name} @ ${task.level}`, result);
      }
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('credentials never reach stdout or stderr', () => {
  it('in none of the runs, at either log level', () => {
    expect(cases).toHaveLength((7 + Object.keys(BAD_CONFIGS).length) * LEVELS.length);
    const leaks = cases.flatMap((c) =>
      FORBIDDEN.filter((f) => (c.result.stdout + c.result.stderr).includes(f)).map((f) => `${c.name} @ ${c.level}: ${f}`),
    );
    expect(leaks).toEqual([]);
  });

  it('while the runs really went through the failures they were meant to', () => {
    for (const level of LEVELS) {
      const faults = run('every fault kind in turn', level);
      expect(faults.code).toBe(0);
      const messages = parseMessages(faults.stdout);
      for (const stream of ['events', 'active_users', 'annotations', 'cohorts', 'events_list', `chart_${CHART}`]) {
        expect([stream, recordsOf(messages, stream).length > 0]).toEqual([stream, true]);
      }
      expect(stderrLines(faults).filter((l) => l.startsWith('WARNING ')).length).toBeGreaterThanOrEqual(7 * PATHS.length - 2);

      expect(stderrLines(run('wrong secret (403)', level))).toContainEqual(
        expect.stringMatching(/^CRITICAL export: 127\.0\.0\.1:\d+ answered HTTP 403: .*Invalid API Key\. Likely causes: wrong api_key, wrong secret_key, wrong data_region/),
      );
      expect(stderrLines(run('wrong secret (403), --test', level))).toContainEqual(expect.stringMatching(/^CRITICAL events list: .* HTTP 403: .*Likely causes: wrong api_key, wrong secret_key/));
      expect(run('unreachable host', level).stderr).toMatch(/^CRITICAL export: gave up on GET \/api\/2\/export\?.* after 8 tries; last error: connection to 127\.0\.0\.1:\d+ refused/m);
      expect(run('unknown host', level).stderr).toMatch(/^CRITICAL export: gave up on .*; last error: DNS lookup of amplitude-host\.invalid failed/m);
      expect(run('retries exhausted', level).stderr).toMatch(/^ERROR stream cohorts failed: gave up on GET \/api\/3\/cohorts after 8 tries; last error: .*HTTP 503/m);
      const echoed = run('credentials echoed by the server', level);
      expect(echoed.code).toBe(1);
      for (const stream of ['events', 'active_users', 'average_session_length', 'annotations', 'cohorts', 'events_list', `chart_${CHART}`]) {
        expect(stderrLines(echoed)).toContainEqual(expect.stringContaining(`ERROR stream ${stream} failed: `));
      }
      for (const name of Object.keys(BAD_CONFIGS)) {
        const r = run(`config: ${name}`, level);
        expect([name, r.code, r.stdout, r.stderr.includes('    at ')]).toEqual([name, 2, '', false]);
      }
    }
  });

  it('and LOG_LEVEL=debug shows each request without its Authorization', () => {
    const debug = stderrLines(run('every fault kind in turn', 'debug')).filter((l) => l.startsWith('DEBUG '));
    expect(debug).toContainEqual(expect.stringMatching(/^DEBUG export: GET \/api\/2\/export\?start=\d{8}T\d{2}&end=\d{8}T\d{2} → 429 in \d+ ms \(attempt 1\)$/));
    expect(debug.filter((l) => /authorization|basic /i.test(l))).toEqual([]);
  });
});

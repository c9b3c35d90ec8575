// Kill and resume: the built CLI syncs twelve export windows from the simulator, five downloading
// at once (each export answered after a delay), and is killed (SIGKILL) after the 1st, 3rd, 5th
// and 9th STATE and in the middle of the 3rd and 8th windows; a second run from the last STATE the
// first one printed must deliver the rest, so that together they hold every event of the ground
// truth, the only duplicates being the start of the one window being written. SIGTERM during a
// download, a retry wait and a window's records stops the tap at once: exit 143, a STATE last, no
// temporary directory left.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMessages, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { createSimulator, type FaultRule, type Simulator } from '../simulator/server.js';
import { requireBuild } from './support/e2e.js';
import { eventRecord, hourBookmark, hourKey, isoOf } from '../helpers/expected.js';

const HOUR_MS = 3_600_000;
const WINDOW_HOURS = 2;
const WINDOWS = 12;
const MAX_CONCURRENCY = 5;
// Long enough that the tap keeps five export requests waiting at once.
const EXPORT_DELAY_MS = 300;
// 24 upload hours ending six hours ago (all exportable), ~500 events (~700 kB of output) per
// window: far more than a pipe holds, so a reader that stops reading stops the tap mid-window.
const NOW = new Date();
const END_MS = Math.floor(NOW.getTime() / HOUR_MS) * HOUR_MS - 6 * HOUR_MS;
const START_MS = END_MS - WINDOWS * WINDOW_HOURS * HOUR_MS;
const windowEnd = (n: number): number => START_MS + n * WINDOW_HOURS * HOUR_MS;


const uploadedMs = (record: Record<string, unknown>): number => Date.parse(String(record.server_upload_time));

const sims: Simulator[] = [];
const dirs: string[] = [];

async function simulator(faults: FaultRule[] = []): Promise<Simulator> {
  const sim = await createSimulator({ now: () => NOW, dataStart: isoOf(START_MS), dataEnd: isoOf(END_MS), eventsPerHour: 300 });
  for (const f of faults) sim.faults.add(f);
  sim.faults.add({ path: '/api/2/export', kind: 'delay', delayMs: EXPORT_DELAY_MS });
  sims.push(sim);
  return sim;
}

function tapArgs(sim: Simulator, opts: { state?: unknown; config?: Record<string, unknown> } = {}): string[] {
  const dir = tempDir();
  dirs.push(dir);
  const config = {
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    start_date: isoOf(START_MS),
    end_date: isoOf(END_MS),
    events_window_hours: WINDOW_HOURS,
    max_concurrency: MAX_CONCURRENCY,
    ...opts.config,
  };
  const catalog = { streams: [{ tap_stream_id: 'events', metadata: [{ breadcrumb: [], metadata: { selected: true } }] }] };
  const args = ['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)];
  if (opts.state !== undefined) args.push('--state', writeJson(dir, 'state.json', opts.state));
  return args;
}

interface Finished {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The complete stdout lines, as a target would have read them (a cut last line is dropped). */
  messages: SingerMessage[];
  stderr: string;
}

interface Control {
  signal(name: NodeJS.Signals): void;
  /** Stops / restarts reading stdout: with the pipe full, the tap waits (backpressure). */
  pause(): void;
  resume(): void;
}

interface WatchOptions {
  env?: NodeJS.ProcessEnv;
  /** Called once the tap is started, with its control (to signal it on something else than its output). */
  started?: (control: Control) => void;
}

/**
 * Runs the tap and hands every complete stdout line to `watch` as it arrives, until `watch` returns
 * true; the rest of the output is still read to the end.
 */
function watchTap(args: string[], watch: (message: SingerMessage, control: Control) => boolean, opts: WatchOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, TAP_AMPLITUDE_BACKOFF_MS: '5,50', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const control: Control = { signal: (name) => child.kill(name), pause: () => child.stdout.pause(), resume: () => child.stdout.resume() };
    opts.started?.(control);
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let watching = true;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (watching) watching = !watch(JSON.parse(line) as SingerMessage, control);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Only a tap that does not stop at all gets here; the assertions on its exit then fail.
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ pid: child.pid as number, code, signal, messages: parseMessages(lines.join('\n')), stderr });
    });
  });
}

const stateCount = (n: number) => {
  let seen = 0;
  return (m: SingerMessage): boolean => m.type === 'STATE' && ++seen === n;
};
/** True at the first RECORD after the n-th STATE. */
const firstRecordAfterState = (n: number) => {
  const nth = stateCount(n);
  let after = false;
  return (m: SingerMessage): boolean => {
    if (after) return m.type === 'RECORD';
    after = nth(m);
    return false;
  };
};

const records = (messages: SingerMessage[]): Record<string, unknown>[] =>
  messages.filter((m) => m.type === 'RECORD').map((m) => m.record as Record<string, unknown>);
const lastStateIndex = (messages: SingerMessage[]): number => messages.map((m) => m.type).lastIndexOf('STATE');
const tempDirsOf = (pid: number): string[] => readdirSync(os.tmpdir()).filter((n) => n.startsWith(`tap-amplitude-${pid}-`));

beforeAll(() => requireBuild());
afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('SIGKILL with five windows in flight, then a rerun from the last STATE seen', () => {
  const KILLS: [string, () => (m: SingerMessage) => boolean][] = [
    ['after the 1st STATE', () => stateCount(1)],
    ['after the 3rd STATE', () => stateCount(3)],
    ['after the 5th STATE', () => stateCount(5)],
    ['after the 9th STATE', () => stateCount(9)],
    ['in the middle of the 3rd window', () => firstRecordAfterState(2)],
    ['in the middle of the 8th window', () => firstRecordAfterState(7)],
  ];
  const outcomes = new Map<string, { sim: Simulator; first: Finished; second: Finished; requestsBefore: number }>();

  beforeAll(async () => {
    await Promise.all(
      KILLS.map(async ([name, makeWhen]) => {
        const sim = await simulator();
        const when = makeWhen();
        const first = await watchTap(tapArgs(sim), (m, control) => {
          if (!when(m)) return false;
          control.signal('SIGKILL');
          return true;
        });
        // A killed process cannot clean up after itself.
        for (const d of tempDirsOf(first.pid)) rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
        const requestsBefore = sim.requests.length;
        const state = first.messages.filter((m) => m.type === 'STATE').pop()?.value;
        const second = await watchTap(tapArgs(sim, { state }), () => false);
        outcomes.set(name, { sim, first, second, requestsBefore });
      }),
    );
  }, 300_000); // twelve taps on a shared machine

  it.each(KILLS.map(([name]) => name))('killed %s: no event lost, duplicates only from the window being written', (name) => {
    const { sim, first, second, requestsBefore } = outcomes.get(name) as { sim: Simulator; first: Finished; second: Finished; requestsBefore: number };
    expect(first.signal).toBe('SIGKILL');
    expect([second.code, second.stderr.includes('    at ')]).toEqual([0, false]);

    // Run 1 had five export requests waiting at once, never more.
    const run1 = sim.requests.slice(0, requestsBefore);
    expect(Math.max(...run1.map((r) => r.concurrency))).toBe(MAX_CONCURRENCY);
    expect(sim.maxConcurrencySeen()).toBeLessThanOrEqual(MAX_CONCURRENCY);

    const truth = sim.truth.events(hourKey(START_MS), hourKey(END_MS - HOUR_MS)).map(eventRecord);
    expect(truth.length).toBeGreaterThan(WINDOWS * 400);
    const cutAt = lastStateIndex(first.messages);
    const state = first.messages[cutAt]?.value as { bookmarks: { events: { server_upload_time: string } } };
    const resumeMs = Date.parse(state.bookmarks.events.server_upload_time);
    const committed = records(first.messages.slice(0, cutAt));
    const inFlight = records(first.messages.slice(cutAt));

    // The bookmark is a window boundary at or after the kill point.
    const windowsDone = (resumeMs - START_MS) / (WINDOW_HOURS * HOUR_MS);
    expect(Number.isInteger(windowsDone) && windowsDone >= 1 && windowsDone < WINDOWS).toBe(true);
    const n = Number(/\d+/.exec(name)?.[0]);
    if (name.startsWith('after')) expect(windowsDone).toBeGreaterThanOrEqual(n);
    else expect([windowsDone, inFlight.length > 0]).toEqual([n - 1, true]); // killed with records of window n out

    // Run 1 up to its last STATE, then run 2: exactly the truth, in order — no gap, nothing twice.
    expect(committed).toEqual(truth.filter((e) => uploadedMs(e) < resumeMs));
    expect(records(second.messages)).toEqual(truth.filter((e) => uploadedMs(e) >= resumeMs));
    // What run 1 wrote after its last STATE is the start of the one window being written, written again by run 2.
    expect(inFlight).toEqual(records(second.messages).slice(0, inFlight.length));
    for (const e of inFlight) expect(uploadedMs(e) >= resumeMs && uploadedMs(e) < resumeMs + WINDOW_HOURS * HOUR_MS).toBe(true);

    // Run 2 asks once for each window that is left (in whatever order they went out), and ends on the end of the range.
    const asked = sim.requests.slice(requestsBefore).map((r) => r.query.start).sort();
    const left = Array.from({ length: WINDOWS - windowsDone }, (_, i) => hourKey(resumeMs + i * WINDOW_HOURS * HOUR_MS));
    expect(asked).toEqual(left);
    expect(second.messages[second.messages.length - 1]?.value).toEqual({ bookmarks: { events: { server_upload_time: hourBookmark(END_MS) } }, currently_syncing: null });
  });
});

describe('SIGTERM stops at once: ended by the signal (a shell shows 143), a STATE last, temporary files removed', () => {
  interface Stopped {
    sim: Simulator;
    run: Finished;
  }
  const stopped = new Map<string, Stopped>();
  const window3 = { start: hourKey(windowEnd(2)) };

  /**
   * Runs the tap and sends it SIGTERM 200 ms after both the 2nd STATE is on stdout and the simulator
   * has logged a request for window 3 (the windows after it download at the same time).
   */
  async function termInWindow3(sim: Simulator, opts: { config?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): Promise<Stopped> {
    let poll: NodeJS.Timeout | undefined;
    const afterWindow2 = stateCount(2);
    let windowsWritten = false;
    const run = await watchTap(tapArgs(sim, { config: opts.config ?? {} }), (m) => (windowsWritten ||= afterWindow2(m)), {
      ...(opts.env ? { env: opts.env } : {}),
      started: (control) => {
        poll = setInterval(() => {
          if (!windowsWritten || !sim.requests.some((r) => r.path === '/api/2/export' && r.query.start === window3.start)) return;
          clearInterval(poll);
          setTimeout(() => control.signal('SIGTERM'), 200);
        }, 5);
      },
    });
    clearInterval(poll);
    return { sim, run };
  }

  beforeAll(async () => {
    const [downloading, waiting, writing] = await Promise.all([
      // The 3rd window's archive stops after 2 kB; the idle timeout is far away.
      (async () =>
        termInWindow3(await simulator([{ path: '/api/2/export', query: window3, kind: 'stall', afterBytes: 2000 }]), {
          config: { request_timeout_seconds: 60 },
        }))(),
      // The 3rd window is answered 503 with Retry-After: 30, and the backoff ceiling lets the tap wait that long.
      (async () =>
        termInWindow3(await simulator([{ path: '/api/2/export', query: window3, kind: 'status', status: 503, retryAfterSeconds: 30 }]), {
          env: { TAP_AMPLITUDE_BACKOFF_MS: '5,60000' },
        }))(),
      // Records of window 3 are flowing: the reader pauses, SIGTERM arrives, the reader goes on.
      (async () => {
        const sim = await simulator();
        const when = firstRecordAfterState(2);
        const run = await watchTap(tapArgs(sim), (m, control) => {
          if (!when(m)) return false;
          control.pause();
          control.signal('SIGTERM');
          setTimeout(() => control.resume(), 200);
          return true;
        });
        return { sim, run };
      })(),
    ]);
    stopped.set('in the middle of a download', downloading);
    stopped.set('while waiting to retry (Retry-After: 30)', waiting);
    stopped.set("while a window's records are written", writing);
  }, 300_000);

  it.each(['in the middle of a download', 'while waiting to retry (Retry-After: 30)', "while a window's records are written"])('%s', (name) => {
    const { sim, run } = stopped.get(name) as Stopped;
    expect({ code: run.code, signal: run.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(run.stderr).toContain('WARNING received SIGTERM; stopping');
    expect(run.stderr).not.toContain('    at ');
    expect(tempDirsOf(run.pid)).toEqual([]);
    // The last line is a STATE at the end of window 2: the next run redoes window 3, nothing else.
    const last = run.messages[run.messages.length - 1];
    expect(last).toEqual({ type: 'STATE', value: { bookmarks: { events: { server_upload_time: hourBookmark(windowEnd(2)) } }, currently_syncing: 'events' } });
    const window3Records = sim.truth.events(hourKey(windowEnd(2)), hourKey(windowEnd(3) - HOUR_MS)).map(eventRecord);
    const written = records(run.messages.slice(lastStateIndex(run.messages.slice(0, -1))));
    // Stopped inside window 3: whatever of it was written is its beginning, and not all of it.
    expect(written.length).toBeLessThan(window3Records.length);
    expect(written).toEqual(window3Records.slice(0, written.length));
    // Later windows downloaded ahead, each once at most; none was written.
    const asked = sim.requests.filter((r) => r.path === '/api/2/export' && r.query.start !== window3.start).map((r) => r.query.start);
    expect(new Set(asked).size).toBe(asked.length);
  });
});

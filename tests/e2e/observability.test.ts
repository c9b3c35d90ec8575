// What a user watching stderr sees: Singer METRIC lines whose record counts add up to the RECORDs
// written, HTTP timings tagged with endpoint and status, and one progress line per checkpoint.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseMessages, runCli, tempDir, writeJson, type SingerMessage } from '../helpers/cli.js';
import { createSimulator, type Simulator } from '../simulator/server.js';

const HOUR = 3_600_000;
let sim: Simulator;
let messages: SingerMessage[];
let stderr: string;
let code: number | null;
// Data that ended two days ago: every hour of it is past the export lag by the tap's real clock.
const dataEnd = new Date(Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR);
const dataStart = new Date(dataEnd.getTime() - 12 * HOUR);

beforeAll(async () => {
  sim = await createSimulator({ seed: 11, dataStart: dataStart.toISOString(), dataEnd: dataEnd.toISOString(), eventsPerHour: 20 });
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', {
    api_key: 'demo-api-key',
    secret_key: 'demo-secret-key',
    api_url: sim.url,
    start_date: dataStart.toISOString(),
    end_date: dataEnd.toISOString(),
    events_window_hours: 4,
    chart_ids: ['ts01abcd'],
  });
  const run = await runCli(['--config', config]);
  ({ stderr, code } = run);
  messages = parseMessages(run.stdout);
});

afterAll(async () => {
  await sim.stop();
});

const metricLines = (): { type: string; metric: string; value: number; tags: Record<string, unknown> }[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('INFO METRIC: '))
    .map((l) => JSON.parse(l.slice('INFO METRIC: '.length)));

describe('metrics and progress on stderr', () => {
  it('ends successfully with only level-prefixed lines on stderr', () => {
    expect(code).toBe(0);
    for (const line of stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^(DEBUG|INFO|WARNING|ERROR|CRITICAL) /);
  });

  it('reports record_count counters that add up to the RECORDs of each stream', () => {
    const written = new Map<string, number>();
    for (const m of messages) if (m.type === 'RECORD') written.set(m.stream as string, (written.get(m.stream as string) ?? 0) + 1);
    const counted = new Map<string, number>();
    for (const m of metricLines().filter((l) => l.metric === 'record_count')) {
      expect(m.type).toBe('counter');
      counted.set(m.tags.stream as string, (counted.get(m.tags.stream as string) ?? 0) + m.value);
    }
    expect(written.get('events')).toBeGreaterThan(0);
    expect(counted).toEqual(written);
  });

  it('times every HTTP request with its endpoint and status', () => {
    const timers = metricLines().filter((l) => l.metric === 'http_request_duration');
    const served = sim.requests.filter((r) => r.path.startsWith('/api/'));
    expect(timers).toHaveLength(served.length);
    for (const t of timers) {
      expect(t.type).toBe('timer');
      expect(typeof t.value).toBe('number');
      expect(t.tags).toEqual(expect.objectContaining({ endpoint: expect.any(String), http_status_code: expect.any(Number) }));
    }
    expect(timers.filter((t) => t.tags.endpoint === 'export')).toHaveLength(served.filter((r) => r.path === '/api/2/export').length);
  });

  it('writes one progress line per events window with that window’s records', () => {
    const progress = stderr
      .split('\n')
      .filter((l) => l.startsWith('INFO progress: stream=events '))
      .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));
    const states = messages.filter((m) => m.type === 'STATE').map((m) => (m.value as { bookmarks: { events?: { server_upload_time: string } } }).bookmarks.events?.server_upload_time);
    const windowEnds = [...new Set(states.filter(Boolean))];
    expect(progress.map((p) => p.window_end)).toEqual(windowEnds);
    // Records between consecutive events checkpoints, counted from stdout.
    const perWindow: number[] = [];
    let n = 0;
    for (const m of messages) {
      if (m.type === 'RECORD' && m.stream === 'events') n++;
      if (m.type === 'STATE' && progress.length > perWindow.length && (m.value as { bookmarks: { events?: { server_upload_time: string } } }).bookmarks.events?.server_upload_time === progress[perWindow.length]?.window_end) {
        perWindow.push(n);
        n = 0;
      }
    }
    expect(progress.map((p) => Number(p.records))).toEqual(perWindow);
    for (const p of progress) expect(Number(p.records_per_s)).toBeGreaterThanOrEqual(0);
  });

  it('numbers the events windows i/N with an ETA, and names the last day read for a dashboard window', () => {
    const fields = (stream: string) =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith(`INFO progress: stream=${stream} `))
        .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])));
    // 12 hours in windows of 4: three windows.
    expect(fields('events').map((p) => p.window)).toEqual(['1/3', '2/3', '3/3']);
    expect(fields('events').map((p) => p.eta_s)).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/), '0']);
    // One window of days, the last of them the day before end_date (not the restart date of the bookmark).
    const lastDay = new Date(dataEnd.getTime() - 1).toISOString().slice(0, 10);
    expect(fields('active_users').map((p) => [p.window, p.window_end])).toEqual([['1/1', lastDay]]);
  });

  it('counts no request as failed when the simulator answered every one', () => {
    const failed = metricLines().filter((l) => l.metric === 'http_request_duration' && l.tags.status !== 'succeeded');
    expect(failed).toEqual([]);
  });
});

// stdout as a pipe (OUT-1, OUT-6): output complete through a slow reader, a reader that leaves
// early (`| head -1`) ends the writer quietly, and SIGTERM stops the CLI promptly, ending on a STATE
// and removing its temporary files. No stream has data yet, so record volume comes from a
// test-only harness driving SingerWriter (support/writer-harness.ts, bundled as the CLI is).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bundle } from '../helpers/bundle.js';
import { parseMessages, tempDir, writeJson } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { requireBuild, runBash, stderrLines } from './support/e2e.js';

const SLOW_READER = 'tests/e2e/support/slow-reader.mjs';
let dir: string;
let HARNESS: string;
let removeBundle = (): void => undefined;

beforeAll(async () => {
  requireBuild();
  dir = tempDir();
  const built = bundle('writer-harness', ['tests/e2e/support/writer-harness.ts']);
  removeBundle = built.remove;
  HARNESS = path.join(built.dir, 'writer-harness.js');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeBundle();
});

describe('a slow reader gets every line (backpressure and flush)', () => {
  it('delivers 200,000 records intact and in order, then the STATE, through a real pipe', async () => {
    // The last 20,000 records (~1.3 MB, far more than a pipe holds) are written without waiting:
    // they arrive only because the exit waits for the flush.
    const r = await runBash(`node ${HARNESS} 200000 20000 | node ${SLOW_READER}; echo "harness-exit=\${PIPESTATUS[0]}" >&2`);
    expect(JSON.parse(r.stdout)).toEqual({
      lines: 200_002,
      records: 200_000,
      badLines: 0,
      outOfOrder: 0,
      badTimeExtracted: 0,
      types: ['SCHEMA', 'RECORD', 'STATE'],
    });
    const lines = stderrLines(r);
    expect(lines[lines.length - 1]).toBe('harness-exit=0');
    // The writer really was held back by the reader.
    const waits = Number(/^INFO waited for the reader (\d+) times$/.exec(lines[0] ?? '')?.[1]);
    expect(waits).toBeGreaterThan(0);
  });

  it('delivers a 1 MB catalog whole to a reader that starts late', async () => {
    const config = writeJson(dir, 'many-charts.json', { chart_ids: Array.from({ length: 300 }, (_, i) => `chart${i}`) });
    const r = await runBash(`node ${cliPath} --config ${config} --discover | (sleep 0.5; cat); echo "tap-exit=\${PIPESTATUS[0]}" >&2`);
    expect(r.stdout.length).toBeGreaterThan(1_000_000);
    const catalog = JSON.parse(r.stdout) as { streams: Array<{ tap_stream_id: string }> };
    expect(catalog.streams.length).toBe(13 + 300 + 1);
    expect(catalog.streams[313]?.tap_stream_id).toBe('charts_metadata');
    expect(stderrLines(r)).toEqual(['tap-exit=0']);
  });
});

describe('a reader that leaves early (EPIPE)', () => {
  it('ends the writer quietly with exit 1 after `| head -1`', async () => {
    const r = await runBash(`node ${HARNESS} 200000 | head -1; echo "harness-exit=\${PIPESTATUS[0]}" >&2`);
    expect(parseMessages(r.stdout).map((m) => [m.type, m.stream])).toEqual([['SCHEMA', 'items']]);
    const lines = stderrLines(r);
    expect(lines[0]).toBe('INFO stdout was closed by its reader; stopping');
    expect(lines[lines.length - 1]).toBe('harness-exit=1');
    expect(r.stderr).not.toContain('    at ');
  });

  it('ends the CLI quietly with exit 1 when a large catalog is cut', async () => {
    const config = writeJson(dir, 'many-charts-2.json', { chart_ids: Array.from({ length: 300 }, (_, i) => `c${i}`) });
    const r = await runBash(`node ${cliPath} --config ${config} --discover | head -1; echo "tap-exit=\${PIPESTATUS[0]}" >&2`);
    expect(r.stdout).toBe('{\n');
    expect(stderrLines(r)).toEqual(['INFO stdout was closed by its reader; stopping', 'tap-exit=1']);
  });
});

describe('a reader of stderr that leaves', () => {
  it('does not turn bad input into a crash: still exit 2', async () => {
    const fifo = path.join(dir, 'stderr.fifo');
    // The reader opens the FIFO and closes it at once; the CLI's first log line then meets EPIPE.
    const r = await runBash(`mkfifo ${fifo}; (exec 3<${fifo}; exec 3<&-) & node ${cliPath} --bogus 2>${fifo}; echo "tap-exit=$?"; wait`);
    expect(r.stdout).toBe('tap-exit=2\n');
  });
});

/** A loopback server that accepts connections and never answers: the CLI hangs in a request. */
async function silentServer(): Promise<{ port: number; connected: Promise<void>; close: () => void }> {
  const sockets = new Set<net.Socket>();
  let onConnect: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnect = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.resume();
    onConnect();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connected,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

/** Starts the CLI, sends SIGTERM once it is waiting on the server, and collects the outcome. */
async function terminateMidRequest(args: string[]) {
  const server = await silentServer();
  const config = writeJson(dir, `term-${args.join('')}.json`, {
    api_key: 'key-for-sigterm',
    secret_key: 'secret-for-sigterm',
    start_date: '2026-01-01',
    api_url: `http://127.0.0.1:${server.port}`,
  });
  const child = spawn(process.execPath, [cliPath, '--config', config, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const first = await Promise.race([server.connected.then(() => 'request' as const), exited.then(() => 'exit' as const)]);
  const tempDirs = (): string[] => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`tap-amplitude-${child.pid}-`));
  const tempBefore = tempDirs();
  if (first === 'request') child.kill('SIGTERM');
  const outcome = await exited;
  clearTimeout(guard);
  server.close();
  return { first, ...outcome, stdout, stderr, tempBefore, tempAfter: tempDirs() };
}

describe('SIGTERM (the real CLI)', () => {
  // Ended by the signal itself once cleaned up (a shell shows 143): `meltano config test` accepts only that.
  it('stops --test=connection in the middle of a request, killed by SIGTERM, with one warning', async () => {
    const r = await terminateMidRequest(['--test=connection']);
    expect({ first: r.first, code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ first: 'request', code: null, signal: 'SIGTERM', stdout: '' });
    expect(stderrLines(r)).toContain('WARNING received SIGTERM; stopping');
    expect(r.stderr).not.toContain('    at ');
  });

  it('stops a sync in the middle of a request, ends stdout on a STATE and leaves no temp files', async () => {
    const r = await terminateMidRequest([]);
    expect({ first: r.first, code: r.code, signal: r.signal }).toEqual({ first: 'request', code: null, signal: 'SIGTERM' });
    const messages = parseMessages(r.stdout);
    expect(messages[0]?.type).toBe('SCHEMA');
    expect(messages[messages.length - 1]?.type).toBe('STATE');
    expect(stderrLines(r)).toContain('WARNING received SIGTERM; stopping');
    expect(r.stderr).not.toContain('    at ');
    expect([r.tempBefore.length, r.tempAfter]).toEqual([1, []]);
  });
});

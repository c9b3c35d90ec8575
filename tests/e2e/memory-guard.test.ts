// Memory stays flat whatever the archive size: the built CLI, with its JavaScript heap capped at
// 64 MB, syncs an Export API archive of about 70 MB uncompressed (served over HTTP by the simulator)
// and writes exactly as many event records as the simulator put in it. A tap that kept the records
// (or the lines, or the archive) in memory dies here with "heap out of memory": checked by hand with
// a build whose sync loop kept every record text.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir, writeJson } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { createSimulator, writeExportArchive, type Simulator, type SimulatorOptions } from '../simulator/server.js';
import { requireBuild } from './support/e2e.js';

const HEAP_MB = 64;
const START = '20260210T00';
const END = '20260210T11';
const options: SimulatorOptions = {
  seed: 5,
  dataStart: '2026-02-10T00:00:00Z',
  dataEnd: '2026-02-10T12:00:00Z',
  eventsPerHour: 4000,
  maxMembersPerHour: 4,
  now: () => new Date('2026-03-01T00:00:00Z'),
};

const dir = tempDir('tap-amplitude-memory-');
let sim: Simulator;
let written: { events: number; uncompressedBytes: number };

beforeAll(async () => {
  requireBuild();
  const archive = path.join(dir, 'export.zip');
  written = await writeExportArchive(options, START, END, archive);
  sim = await createSimulator(options);
  sim.serveArchiveFile(START, END, archive);
});
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  records: number;
  lastState: string | undefined;
  stderrTail: string;
}

/** Runs the CLI under a capped heap, counting RECORD lines as they stream by instead of keeping stdout. */
function runCapped(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let records = 0;
    let lastState: string | undefined;
    let stderr = '';
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      if (line.startsWith('{"type":"RECORD","stream":"events",')) records++;
      else if (line.startsWith('{"type":"STATE"')) lastState = line;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, records, lastState, stderrTail: stderr });
    });
  });
}

it(`syncs an archive larger than its ${HEAP_MB} MB heap and writes every event once`, async () => {
  expect(written.uncompressedBytes).toBeGreaterThan(HEAP_MB * 1024 * 1024);
  const catalog = {
    streams: [
      {
        tap_stream_id: 'events',
        stream: 'events',
        schema: {},
        key_properties: ['uuid'],
        metadata: [{ breadcrumb: [], metadata: { selected: true } }],
      },
    ],
  };
  const config = {
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    start_date: '2026-02-10T00:00:00Z',
    end_date: '2026-02-10T12:00:00Z',
    events_window_hours: 12,
  };
  const run = await runCapped(['--config', writeJson(dir, 'config.json', config), '--catalog', writeJson(dir, 'catalog.json', catalog)]);
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderrTail }).toEqual({ code: 0, stderr: '' });
  expect(run.records).toBe(written.events);
  expect(JSON.parse(run.lastState ?? 'null')).toEqual({
    type: 'STATE',
    value: { bookmarks: { events: { server_upload_time: '2026-02-10T12:00:00Z' } }, currently_syncing: null },
  });
}, 45_000);

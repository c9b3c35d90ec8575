// --test as Singer SDK taps take it, against the simulator: `--test` / `--test=all` syncs at most one
// record per selected stream (every configured chart included), writes no STATE and fails naming
// the streams that failed; `--test=schema` writes only SCHEMA messages and asks Amplitude nothing;
// `--test=connection` needs only the credentials. And Meltano's `meltano config test`, which runs
// a plain sync and stops it with SIGTERM at the first RECORD, reading stdout as ASCII.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { parseMessages, runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { expectBadInput, requireBuild, stderrLines } from './support/e2e.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CHARTS = ['gl9dulhv', 'ts7d0a1b'];
const STREAMS = [
  'events', 'active_users', 'average_session_length', 'annotations', 'annotation_categories', 'cohorts', 'cohort_members', 'events_list',
  'event_types', 'event_categories', 'event_properties', 'user_properties', 'group_properties', 'chart_gl9dulhv', 'chart_ts7d0a1b', 'charts_metadata',
];
// cohort_members downloads nothing without cohort_ids (and nothing in a test run at all).
const WITH_RECORDS = STREAMS.filter((s) => s !== 'cohort_members');

let sim: Simulator;
let dir: string;
let n = 0;
const configWith = (extra: Record<string, unknown>): string =>
  writeJson(dir, `config-${++n}.json`, {
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    start_date: new Date(Date.now() - 2 * DAY_MS).toISOString().slice(0, 10),
    chart_ids: CHARTS,
    ...extra,
  });
const types = (r: CliResult): string[] => parseMessages(r.stdout).map((m) => m.type);
const recordStreams = (r: CliResult): string[] => parseMessages(r.stdout).filter((m) => m.type === 'RECORD').map((m) => m.stream as string);
const schemaStreams = (r: CliResult): string[] => parseMessages(r.stdout).filter((m) => m.type === 'SCHEMA').map((m) => m.stream as string);

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator({ dataStart: new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * DAY_MS).toISOString() });
  dir = tempDir();
});

afterAll(async () => {
  await sim?.stop();
});

describe('--test and --test=all', () => {
  let all: CliResult;
  let bare: CliResult;
  beforeAll(async () => {
    [all, bare] = await Promise.all([runCli(['--config', configWith({}), '--test=all']), runCli(['--config', configWith({}), '--test'])]);
  });

  it('writes one SCHEMA and exactly one RECORD per stream, charts included, no STATE, and exits 0', () => {
    expect(all.code).toBe(0);
    expect(schemaStreams(all)).toEqual(STREAMS);
    expect(recordStreams(all)).toEqual(WITH_RECORDS);
    expect(types(all).filter((t) => t === 'STATE')).toEqual([]);
    expect(stderrLines(all)).toContain(`INFO test: every selected stream works: ${STREAMS.map((s) => (s === 'cohort_members' ? `${s} none to read` : `${s} 1 record`)).join(', ')}`);
  });

  it('is what --test without a value does', () => {
    expect([bare.code, schemaStreams(bare), recordStreams(bare)]).toEqual([0, STREAMS, WITH_RECORDS]);
  });

  it('exits 1 naming a chart that does not exist; the other streams still give their record', async () => {
    const r = await runCli(['--config', configWith({ chart_ids: ['gl9dulhv', 'missing1x'] }), '--test']);
    expect(r.code).toBe(1);
    expect(stderrLines(r)).toContain('CRITICAL test: 1 of 16 streams failed: chart_missing1x (see the ERROR lines above)');
    expect(stderrLines(r).filter((l) => l.startsWith('ERROR'))).toEqual([expect.stringMatching(/^ERROR stream chart_missing1x failed: chart missing1x: Amplitude has no chart with this ID \(404\)/)]);
    expect(recordStreams(r)).toEqual(WITH_RECORDS.filter((s) => s !== 'chart_ts7d0a1b'));
  });

  it('passes a stream that legitimately has nothing to read (events with start_date at the current hour)', async () => {
    const hour = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS).toISOString().replace('.000Z', 'Z');
    const r = await runCli(['--config', configWith({ start_date: hour, chart_ids: [] }), '--test']);
    expect(r.code).toBe(0);
    expect(recordStreams(r)).not.toContain('events');
    expect(stderrLines(r).find((l) => l.startsWith('INFO test:'))).toMatch(/^INFO test: every selected stream works: events none to read, /);
  });
});

describe('--test=schema', () => {
  it('prints only the SCHEMA lines of the catalog\'s streams, without credentials and without a request', async () => {
    const before = sim.requests.length;
    const config = writeJson(dir, 'charts-only.json', { chart_ids: CHARTS });
    const discovered = JSON.parse((await runCli(['--config', config, '--discover'])).stdout) as { streams: Array<Record<string, unknown>> };
    const catalog = writeJson(dir, 'schema-catalog.json', { streams: discovered.streams.filter((s) => ['cohorts', 'chart_ts7d0a1b'].includes(s.tap_stream_id as string)) });
    const [everything, selected] = await Promise.all([runCli(['--config', config, '--test=schema']), runCli(['--config', config, '--catalog', catalog, '--test=schema'])]);
    expect([everything.code, everything.stderr, types(everything).every((t) => t === 'SCHEMA'), schemaStreams(everything)]).toEqual([0, '', true, STREAMS]);
    expect([selected.code, stderrLines(selected), schemaStreams(selected)]).toEqual([
      0,
      ['WARNING chart_ids lists chart gl9dulhv, but the catalog has no stream "chart_gl9dulhv", so it is not synced; run --discover again and select it'],
      ['cohorts', 'chart_ts7d0a1b'],
    ]);
    expect(sim.requests.length).toBe(before);
  });
});

describe('--test=connection', () => {
  it('needs only the credentials: no start_date, one request', async () => {
    const before = sim.requests.length;
    const r = await runCli(['--config', writeJson(dir, 'creds.json', { api_key: sim.options.apiKey, secret_key: sim.options.secretKey, api_url: sim.url }), '--test=connection']);
    expect([r.code, r.stderr, r.stdout.startsWith(`ok: ${sim.url} accepted the credentials`)]).toEqual([0, '', true]);
    expect(sim.requests.slice(before).map((q) => q.path)).toEqual(['/api/2/events/list']);
  });

  it('rejects a mode that does not exist (exit 2)', async () => {
    const r = await runCli(['--config', configWith({}), '--test=1']);
    expectBadInput(r, ['CRITICAL --test takes no value or one of all, schema, connection (got "1"); e.g. --test=connection checks only the credentials']);
  });
});

describe('meltano config test', () => {
  // Meltano's ExtractorTestService: a plain sync, stdout read line by line and decoded as ASCII,
  // stderr discarded; at the first RECORD it sends SIGTERM and passes only if the return code is
  // -15 (killed by SIGTERM).
  function meltanoConfigTest(config: string): Promise<{ sawRecord: boolean; nonAscii: number; code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, '--config', config], { stdio: ['ignore', 'pipe', 'ignore'] });
      let buffered = Buffer.alloc(0);
      let sawRecord = false;
      let nonAscii = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        if (sawRecord) return;
        buffered = Buffer.concat([buffered, chunk]);
        let nl: number;
        while (!sawRecord && (nl = buffered.indexOf(0x0a)) >= 0) {
          const line = buffered.subarray(0, nl);
          buffered = buffered.subarray(nl + 1);
          if (line.some((b) => b > 0x7f)) nonAscii++; // Python's decode("ascii") would raise here
          if ((JSON.parse(line.toString('latin1')) as { type: string }).type === 'RECORD') {
            sawRecord = true;
            child.kill('SIGTERM');
          }
        }
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(guard);
        resolve({ sawRecord, nonAscii, code, signal });
      });
    });
  }

  it('passes: a RECORD arrives, every line before it is ASCII, and the tap ends killed by SIGTERM', async () => {
    const outcome = await meltanoConfigTest(configWith({}));
    expect(outcome).toEqual({ sawRecord: true, nonAscii: 0, code: null, signal: 'SIGTERM' });
  });
});

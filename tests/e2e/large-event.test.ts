// Events far larger than Amplitude's own limits, through the built CLI's decoding worker threads,
// whose heaps are capped (src/streams/events-decoder.ts) so that RSS stays flat as archives grow.
// The export answer is a hand-made archive: the three recorded events of export-hour.jsonl, the
// first with a blob of event properties added. A 24 MB event (above the 20 MB Amplitude's batch
// upload takes in one request) syncs whole, and so does a 48 MB one, which the byte scanner copies
// without holding it as a string or an object. A 48 MB event only the exact path can copy (it
// holds an integer beyond 2^53) is more than that path takes in a worker's capped heap and fails
// the events stream in one line; one of 24 MB goes through it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parseMessages, recordsOf, runCli, tempDir, writeJson, type CliResult } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import { zipStream } from '../simulator/zip-writer.js';
import { discoverSelecting, requireBuild, stderrLines } from './support/e2e.js';

const MIB = 1024 * 1024;
const recorded = readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n').filter(Boolean);

/** An export archive of the recorded events, the first given `blobMib` MiB of event properties (and an integer beyond 2^53, if `bigInteger`). */
async function archiveWithBigEvent(blobMib: number, bigInteger = false): Promise<Buffer> {
  const first = JSON.parse(recorded[0] as string) as Record<string, unknown>;
  first.event_properties = { blob: 'x'.repeat(blobMib * MIB), note: 'grande événement', ref: 0 };
  const firstLine = JSON.stringify(first).replace('"ref":0', bigInteger ? '"ref":9007199254740993' : '"ref":7');
  const text = `${[firstLine, ...recorded.slice(1)].join('\n')}\n`;
  const gz = gzipSync(Buffer.from(text, 'utf8'));
  const parts: Buffer[] = [];
  const entry = { name: '829528/829528_2026-06-16_11#0.json.gz', method: 0 as const, data: (async function* () { yield gz; })() };
  for await (const part of zipStream([entry], new Date('2026-06-16T13:00:00Z'))) parts.push(part);
  return Buffer.concat(parts);
}

let sim: Simulator;

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator({ dataStart: '2026-06-16T00:00:00Z', dataEnd: '2026-06-17T00:00:00Z' });
});

afterAll(async () => {
  await sim.stop();
});

/** An events-only sync of the hour 11:00 of 2026-06-16, answered with `archive`. */
async function syncHour(archive: Buffer): Promise<CliResult> {
  sim.faults.clear();
  sim.faults.add({ path: '/api/2/export', kind: 'body', body: archive });
  const dir = tempDir();
  const settings = {
    api_key: sim.options.apiKey,
    secret_key: sim.options.secretKey,
    api_url: sim.url,
    start_date: '2026-06-16T11:00:00Z',
    end_date: '2026-06-16T12:00:00Z',
  };
  const catalog = await discoverSelecting(settings, (stream) => stream === 'events');
  return runCli(['--config', writeJson(dir, 'config.json', settings), '--catalog', writeJson(dir, 'catalog.json', catalog)], { timeoutMs: 60_000 });
}

describe('an exported event larger than Amplitude accepts', () => {
  it.each([24, 48])('of %i MB syncs whole through a decoding thread, with the events around it', async (mib) => {
    const run = await syncHour(await archiveWithBigEvent(mib));
    expect(stderrLines(run).filter((l) => !l.startsWith('INFO'))).toEqual([]);
    expect(run.code).toBe(0);
    const records = recordsOf(parseMessages(run.stdout), 'events');
    expect(records.map((r) => r.uuid)).toEqual(['dce23c5f-7e0e-47df-b6ea-632fdb1084c2', 'f1d98900-cd4c-45dd-8953-26aa648520d6', 'a8145426-b1af-4767-a0e0-ad22b166a73b']);
    const props = records[0]?.event_properties as { blob: string; note: string; ref: number };
    expect(props.blob.length).toBe(mib * MIB);
    expect(props.blob).toMatch(/^x+$/);
    expect(props.note).toBe('grande événement');
    expect(props.ref).toBe(7);
    expect(records[0]?.server_upload_time).toBe('2026-06-16T11:57:13.417000Z');
  });

  it('of 24 MB that only the exact path can copy syncs whole, its big integer as written', async () => {
    const run = await syncHour(await archiveWithBigEvent(24, true));
    expect(run.code).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.includes('"type":"RECORD"') && l.includes('dce23c5f'));
    expect(line).toContain('"ref":9007199254740993}');
    expect(line).toContain('"server_upload_time":"2026-06-16T11:57:13.417000Z"');
  });

  it('of 48 MB that only the exact path can copy fails the events stream in one line saying so, exit 1', async () => {
    const run = await syncHour(await archiveWithBigEvent(48, true));
    const failure =
      "stream events failed: an exported event of 48 MB needs exact decoding (it holds a number beyond 2^53, a repeated key or invalid JSON), which takes events of up to 32 MB; please report it at tap-amplitude's issue tracker";
    expect(stderrLines(run).filter((l) => l.startsWith('ERROR') || l.startsWith('CRITICAL'))).toEqual([
      `ERROR ${failure}`,
      `CRITICAL 1 stream failed; the state written covers everything extracted. First failure: ${failure}`,
    ]);
    expect(run.code).toBe(1);
    expect(recordsOf(parseMessages(run.stdout), 'events')).toEqual([]);
  });
});

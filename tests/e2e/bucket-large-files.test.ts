// Bucket files larger than the decoder's chunks (1 MB of lines each), read by the built CLI's worker
// threads: the records of one file span several chunks and threads and come out in file order; a
// file whose gzip arrives cut short after several chunks were written is downloaded again and
// resumes after the records already written; a damaged line is named by its line number in the
// file, counting blank lines, however many chunks come before it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gunzipSync, gzipSync, constants as zlibConstants } from 'node:zlib';
import { hourBookmark, hourKey, isoOf } from '../helpers/expected.js';
import { bucketObjects, type BucketObject } from '../simulator/bucket.js';
import type { BucketServer } from '../simulator/bucket-server.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../simulator/server.js';
import { requireBuild } from './support/e2e.js';
import { bucketConfig, bucketServer, expectedRecordText, HOUR_MS, lastBookmark, PREFIX, runTap, stopBucketServers } from './support/bucket.js';

const START = Date.parse('2026-06-20T00:00:00Z');
// One file an hour, several megabytes each; hours 00 and 01 are complete once 02 is in the bucket.
const BIG: SimulatorOptions = { seed: 23, dataStart: '2026-06-20T00:00:00Z', dataEnd: '2026-06-20T03:00:00Z', eventsPerHour: 8000, maxMembersPerHour: 1 };
const MB = 1024 * 1024;

let sim: Simulator;
let objects: BucketObject[];
const keyOf = (hour: number): string => {
  const iso = isoOf(hour);
  return `${PREFIX}829528/829528_${iso.slice(0, 10)}_${Number(iso.slice(11, 13))}#1.json.gz`;
};
const bodyOf = (key: string): Buffer => objects.find((o) => o.key === key)?.body as Buffer;
const expectedHours = (first: number, count: number): string[] => sim.truth.rawEventLines(hourKey(first), hourKey(first + (count - 1) * HOUR_MS)).map(expectedRecordText);
const gets = (server: BucketServer, key: string): number => server.requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.path.split('?')[0] as string) === `/${server.bucket}/${key}`).length;

async function filled(replace: BucketObject[] = []): Promise<BucketServer> {
  const server = await bucketServer();
  await server.put([...objects.filter((o) => !replace.some((r) => r.key === o.key)), ...replace]);
  return server;
}

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator(BIG);
  objects = [...bucketObjects(BIG, hourKey(START), hourKey(START + 2 * HOUR_MS), { prefix: PREFIX })];
  // The premise: each hour's file holds several chunks' worth of lines.
  expect(gunzipSync(bodyOf(keyOf(START))).length).toBeGreaterThan(6 * MB);
}, 60_000);
afterAll(async () => {
  await sim.stop();
  await stopBucketServers();
});

describe('bucket files of several megabytes', () => {
  it('give exactly the events of their hours, in file order', async () => {
    const server = await filled();
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(0);
    expect(run.texts).toEqual(expectedHours(START, 2));
    expect(lastBookmark(run)).toEqual({ server_upload_time: hourBookmark(START + 2 * HOUR_MS) });
  }, 60_000);

  it('a file whose gzip arrives cut short after several chunks were written is read again from where it stopped', async () => {
    const server = await filled();
    const key = keyOf(START);
    // 90% of the gzip bytes: more lines than the chunks the decoder holds in flight before writing.
    server.faults.push({ kind: 'truncate', match: new RegExp(`^/${server.bucket}/${key.replaceAll('.', '\\.')}(\\?|$)`), times: 1, keep: 0.9 });
    const readable = gunzipSync(bodyOf(key).subarray(0, Math.floor(bodyOf(key).length * 0.9)), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
    expect(readable).toBeGreaterThan(5 * MB);
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`WARNING bucket: ${key}: not a complete gzip file \\(unexpected end of file\\); downloading it again`));
    expect(gets(server, key)).toBe(2);
    expect(run.texts).toEqual(expectedHours(START, 2));
  }, 60_000);

  it('a line that is not JSON fails the stream naming the file and its line number, blank lines counted', async () => {
    const key = keyOf(START);
    const lines = gunzipSync(bodyOf(key)).toString('utf8').split('\n');
    // Blank lines near the start, then a broken line far past the first chunk.
    const edited = [lines[0], '', '   ', ...lines.slice(1, 4000), '{"event_type": "cut off', ...lines.slice(4000)];
    const brokenAt = 3 + 3999 + 1; // 1-based: line 1, two blank lines, 3,999 lines, then the broken one
    expect(edited[brokenAt - 1]).toBe('{"event_type": "cut off');
    expect(Buffer.byteLength(edited.slice(0, brokenAt).join('\n'))).toBeGreaterThan(3 * MB);
    const server = await filled([{ key, body: gzipSync(edited.join('\n')) }]);
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`s3://${server.bucket}/${key} line ${brokenAt}: event line is not valid JSON`));
    // Nothing of the hour was bookmarked.
    expect(run.states.filter((s) => s.events !== undefined)).toEqual([]);
  }, 60_000);
});

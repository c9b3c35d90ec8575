// Failures of the bucket export path (events_source "s3") against a real local S3 API: each is one
// clear line, retried where a retry can help, and never a skipped hour (no STATE past it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hourBookmark, hourKey, isoOf } from '../helpers/expected.js';
import { bucketObjects } from '../simulator/bucket.js';
import { createSimulator, type Simulator } from '../simulator/server.js';
import type { BucketServer } from '../simulator/bucket-server.js';
import { requireBuild } from './support/e2e.js';
import { bucketConfig, bucketServer, DATA, expectedRecordText, HOUR_MS, lastBookmark, PREFIX, runTap, stopBucketServers } from './support/bucket.js';

const START = Date.parse('2026-06-20T00:00:00Z');
const HOURS = 6; // files for 00..06 (02 and 04 hold no events); 00..05 are complete
const fileOf = (hour: number, partition = 1): string => {
  const iso = isoOf(hour);
  return `${PREFIX}829528/829528_${iso.slice(0, 10)}_${Number(iso.slice(11, 13))}#${partition}.json.gz`;
};
const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => /^(ERROR|CRITICAL)/.test(l));

let sim: Simulator;
const expectedUpTo = (endExclusive: number): string[] => sim.truth.rawEventLines(hourKey(START), hourKey(endExclusive - HOUR_MS)).map(expectedRecordText);

async function filled(): Promise<BucketServer> {
  const server = await bucketServer();
  await server.put(bucketObjects(DATA, hourKey(START), hourKey(START + HOURS * HOUR_MS), { prefix: PREFIX }));
  return server;
}

const gets = (server: BucketServer, key: string): number =>
  server.requests.filter((r) => r.method === 'GET' && decodeURIComponent(r.path.split('?')[0] as string) === `/${server.bucket}/${key}`).length;
/** Matches the object's path (its reads carry ?x-id=GetObject). */
const objectPath = (server: BucketServer, key: string): RegExp => new RegExp(`^/${server.bucket}/${key.replaceAll('.', '\\.')}(\\?|$)`);

beforeAll(async () => {
  requireBuild();
  sim = await createSimulator(DATA);
});
afterAll(async () => {
  await sim.stop();
  await stopBucketServers();
});

describe('bucket faults', () => {
  it('a missing bucket, a wrong prefix and refused access each fail the stream with one line that says what to fix', async () => {
    const server = await filled();
    const missing = await runTap(bucketConfig(server, { start_date: isoOf(START), s3_bucket: 'no-such-bucket' }));
    expect(missing.code).toBe(1);
    expect(errorLines(missing.stderr).join('\n')).toMatch(/the bucket "no-such-bucket" does not exist; check s3_bucket/);

    const wrongPrefix = await runTap(bucketConfig(server, { start_date: isoOf(START), s3_prefix: 'amplitude/elsewhere' }));
    expect(wrongPrefix.code).toBe(1);
    expect(errorLines(wrongPrefix.stderr).join('\n')).toMatch(/s3:\/\/amplitude-export\/amplitude\/elsewhere\/: no Amplitude project folder .*check s3_prefix/);

    server.faults.push({ kind: 'deny', match: /./ });
    const denied = await runTap(bucketConfig(server, { start_date: isoOf(START), aws_secret_access_key: 'not-the-secret-4321' }));
    expect(denied.code).toBe(1);
    expect(errorLines(denied.stderr).join('\n')).toMatch(/access denied \(HTTP 403 AccessDenied\); the credentials need s3:ListBucket on the bucket and s3:GetObject/);
    expect(denied.stderr + denied.messages.map((m) => JSON.stringify(m)).join('')).not.toContain('not-the-secret-4321');
    for (const run of [missing, wrongPrefix, denied]) expect(lastBookmark(run)).toBeUndefined();
  });

  it('wrong credentials are named as such, the secret never printed', async () => {
    const server = await filled();
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START), aws_access_key_id: 'AKIAEXAMPLEWRONG', aws_secret_access_key: 'wrong-secret-9876' }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr).join('\n')).toMatch(/rejected the credentials \(InvalidAccessKeyId\); check aws_access_key_id/);
    expect(run.stderr).not.toContain('wrong-secret-9876');
  });

  it('throttling (503 SlowDown) is retried by the SDK with a line per throttled try, and the records are complete', async () => {
    const server = await filled();
    server.faults.push({ kind: 'slowdown', match: /list-type=2/, times: 2 }, { kind: 'slowdown', match: objectPath(server, fileOf(START + 3 * HOUR_MS)), times: 2 });
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(0);
    expect(run.stderr.match(/^WARNING bucket: \w+ was throttled \(HTTP 503\); the AWS SDK retries it with backoff$/gm)?.length).toBe(4);
    expect(run.texts).toEqual(expectedUpTo(START + HOURS * HOUR_MS));
  });

  it('throttling that never ends fails the stream with advice, before the hour is bookmarked', async () => {
    const server = await filled();
    server.faults.push({ kind: 'slowdown', match: objectPath(server, fileOf(START + 3 * HOUR_MS)), times: 1000 });
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr).join('\n')).toMatch(/kept throttling \(HTTP 503 SlowDown\) through \d+ tries with backoff; lower s3_max_concurrency/);
    expect(run.texts).toEqual(expectedUpTo(START + 3 * HOUR_MS));
    // Hours 00..02 are done (02 is empty); 03 is not.
    expect(lastBookmark(run)).toEqual({ server_upload_time: hourBookmark(START + 3 * HOUR_MS) });
  });

  it('a download cut off mid-body is downloaded again, and nothing is lost or repeated', async () => {
    const server = await filled();
    const key = fileOf(START + HOUR_MS);
    server.faults.push({ kind: 'cut', match: objectPath(server, key), times: 1 });
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`WARNING bucket: ${key}: download broke off .*downloading it again`));
    expect(gets(server, key)).toBe(2);
    expect(run.texts).toEqual(expectedUpTo(START + HOURS * HOUR_MS));
  });

  it('a truncated gzip file is downloaded again, then fails its hour with a clear line; earlier hours are kept and bookmarked', async () => {
    const server = await filled();
    const key = fileOf(START + 3 * HOUR_MS);
    const whole = [...bucketObjects(DATA, hourKey(START + 3 * HOUR_MS), hourKey(START + 3 * HOUR_MS), { prefix: PREFIX })].find((o) => o.key === key);
    expect(whole).toBeDefined();
    await server.put([{ key, body: (whole?.body as Buffer).subarray(0, Math.floor((whole?.body as Buffer).length * 0.6)) }]);
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/WARNING bucket: .*: not a complete gzip file \(unexpected end of file\); downloading it again/);
    expect(errorLines(run.stderr).join('\n')).toMatch(new RegExp(`s3://amplitude-export/${key}: not a complete gzip file .*again after a second download: the object in the bucket is damaged; the hour was not bookmarked`));
    expect(gets(server, key)).toBe(2);
    expect(lastBookmark(run)).toEqual({ server_upload_time: hourBookmark(START + 3 * HOUR_MS) });
    // Every record before the damaged hour, and none repeated from the damaged file's readable part.
    const before = expectedUpTo(START + 3 * HOUR_MS);
    expect(run.texts.slice(0, before.length)).toEqual(before);
    expect(new Set(run.texts).size).toBe(run.texts.length);
  });

  it('a file that disappears between listing and reading fails its hour with a clear line, never skipping it', async () => {
    const server = await filled();
    const key = fileOf(START + 5 * HOUR_MS, 2);
    server.faults.push({ kind: 'vanish', match: objectPath(server, key) });
    const run = await runTap(bucketConfig(server, { start_date: isoOf(START) }));
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr).join('\n')).toMatch(new RegExp(`reading s3://amplitude-export/${key}: the file was listed but is gone now .*the hour was not bookmarked, run the sync again`));
    expect(lastBookmark(run)).toEqual({ server_upload_time: hourBookmark(START + 5 * HOUR_MS) });
    expect(run.texts.slice(0, expectedUpTo(START + 5 * HOUR_MS).length)).toEqual(expectedUpTo(START + 5 * HOUR_MS));
  });
});

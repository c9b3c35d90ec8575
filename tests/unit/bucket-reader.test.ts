// Reading the complete hours of a bucket export folder (amplitude-api.md §13.4) from a real S3 API
// (s3rver) through the real AWS SDK: lines in order with their line numbers, a marker after each
// hour, listing passes, and the failures a bucket shows (a body cut off, a truncated or changed
// file, a file gone, throttling). Listing passes are kept to 2 keys here (TAP_AMPLITUDE_S3_LIST_KEYS).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { validateConfig, type Config } from '../../src/config.js';
import { tempDir } from '../helpers/cli.js';
import { BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, startBucketServer, type BucketServer } from '../simulator/bucket-server.js';
import { startS3Front, type S3Front } from './support/s3-front.js';

process.env.TAP_AMPLITUDE_S3_LIST_KEYS = '2';
const { createS3Client } = await import('../../src/amplitude/bucket/client.js');
const { readCompleteHours } = await import('../../src/amplitude/bucket/reader.js');
const { downloadInOrder } = await import('../../src/amplitude/bucket/objects.js');
type HourItem = import('../../src/amplitude/bucket/reader.js').HourItem;

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const linesOf = (name: string, n: number): string[] => Array.from({ length: n }, (_, i) => `{"file":"${name}","i":${i + 1}}`);
const gz = (lines: string[]): Buffer => gzipSync(lines.map((l) => `${l}\n`).join(''));

// 3,000 lines of about 100 bytes: several 64 KiB chunks, so half of the gzip body gives lines before it ends.
const bigLines = Array.from({ length: 3000 }, (_, i) => `{"i":${i + 1},"pad":"${createHash('sha256').update(String(i)).digest('hex')}"}`);
// About 5 MiB of gzip (incompressible text): downloaded to a temporary file, not kept in memory.
const hugeLines = Array.from({ length: 66_000 }, (_, i) => createHash('sha512').update(`huge${i}`).digest('base64'));

// 2,049 lines of 64 bytes, gzip without compression: the first half of the file decodes to exactly
// 1,024 lines (one full 64 KiB chunk), so a download cut there stops on a batch boundary.
const edgeLines = Array.from({ length: 2049 }, (_, i) => `{"i":${i},"p":"`.padEnd(61, 'x') + '"}');
const EDGE = 'bd/829528/829528_2026-07-01_0#1.json.gz';

const OBJECTS: Record<string, Buffer> = {
  [EDGE]: gzipSync(edgeLines.map((l) => `${l}\n`).join(''), { level: 0 }),
  'bd/829528/829528_2026-07-01_1#1.json.gz': gz(linesOf('e2', 1)),
  'rd/829528/829528_2026-02-01_0#1.json.gz': gz(linesOf('a', 3)),
  'rd/829528/829528_2026-02-01_0#2.json.gz': gz(linesOf('b', 2)),
  'rd/829528/829528_2026-02-01_3#1.json.gz': gz(linesOf('c', 1)),
  'rd/829528/829528_2026-02-01_4#1.json.gz': gz(linesOf('d', 1)),
  'mp/829528/829528_2026-03-01_22#1.json.gz': gz(linesOf('l1', 1)),
  'mp/829528/829528_2026-03-01_23#1.json.gz': gz(linesOf('l2', 1)),
  'mp/829528/829528_2026-03-02_0#1.json.gz': gz(linesOf('l3', 1)),
  'mp/829528/829528_2026-03-02_1#1.json.gz': gz(linesOf('l4', 1)),
  'mp/829528/829528_2026-03-03_0#1.json.gz': gz(linesOf('l5', 1)),
  'gp/829528/829528_2026-04-01_0#1.json.gz': gz(linesOf('g0', 1)),
  'gp/829528/829528_2026-04-01_0_complete': Buffer.alloc(0),
  'gp/829528/829528_2026-04-01_2#1.json.gz': gz(linesOf('g2', 1)),
  'gp/829528/829528_2026-04-01_2_complete': Buffer.alloc(0),
  'gp/829528/829528_2026-04-02_0#1.json.gz': gz(linesOf('g3', 1)),
  'ft/829528/829528_2026-05-01_0#1.json.gz': gz(bigLines),
  'ft/829528/829528_2026-05-01_0#2.json.gz': gz(linesOf('f2', 2)),
  'ft/829528/829528_2026-05-01_1#1.json.gz': gz(linesOf('f3', 1)),
  'hg/829528/829528_2026-06-01_0#1.json.gz': gz(hugeLines),
  'hg/829528/829528_2026-06-01_0#2.json.gz': gz(linesOf('h2', 1)),
  'hg/829528/829528_2026-06-01_1#1.json.gz': gz(linesOf('h3', 1)),
};
const BIG = 'ft/829528/829528_2026-05-01_0#1.json.gz';

let server: BucketServer;
let front: S3Front;
let clientConfig: Config;
const logged: string[] = [];

beforeAll(async () => {
  server = await startBucketServer({ directory: tempDir('tap-amplitude-s3-') });
  await server.put(Object.entries(OBJECTS).map(([key, body]) => ({ key, body })));
  front = await startS3Front(server.url, server.bucket);
  clientConfig = validateConfig({
    events_source: 's3',
    s3_bucket: server.bucket,
    s3_endpoint_url: front.url,
    aws_access_key_id: BUCKET_ACCESS_KEY,
    aws_secret_access_key: BUCKET_SECRET_KEY,
  }).config;
});

afterAll(async () => {
  await front?.stop();
  await server?.stop();
});

interface Run {
  items: string[];
  lines: string[];
  log: string[];
  error: Error | null;
}

/** Reads a folder to its end (or failure) and writes each item as a short text. */
async function read(folder: string, from: string, until = Infinity, opts: { dir?: string; concurrency?: number; signal?: AbortSignal; onLines?: () => void } = {}): Promise<Run> {
  logged.length = 0;
  front.requests.length = 0;
  front.maxGetsInFlight = 0;
  // A client per read: the SDK's throttling lines are told to the same log.
  const s3 = await createS3Client(clientConfig, { debug() {}, info: (m) => logged.push(`INFO ${m}`), warn: (m) => logged.push(`WARN ${m}`), addSecret() {} });
  const run: Run = { items: [], lines: [], log: logged, error: null };
  const o = { s3, bucket: server.bucket, tempDir: opts.dir ?? tempDir(), log: { debug() {}, info: (m: string) => logged.push(`INFO ${m}`), warn: (m: string) => logged.push(`WARN ${m}`) }, signal: opts.signal ?? new AbortController().signal, concurrency: opts.concurrency ?? 2 };
  try {
    for await (const item of readCompleteHours(o, { label: 'events', folder, id: '829528', kind: 'events', from: at(from), until })) run.items.push(describeItem(item, run));
  } catch (err) {
    run.error = err as Error;
  } finally {
    s3.destroy();
  }
  return run;

  function describeItem(item: HourItem, r: Run): string {
    if ('hourDone' in item) return `done ${new Date(item.hourDone.hour).toISOString().slice(5, 13)}${item.checkpoint ? ' ✓' : ''}`;
    opts.onLines?.();
    // Numbered from 1 in its file: one after the lines of that file handed out before.
    expect(item.firstLine).toBe(r.lines.length - countBefore(r, item.file.key) + 1);
    r.lines.push(...item.lines.map((l) => `${item.file.key.split('/').pop()} ${l}`));
    return `${item.file.key.split('_').slice(1).join('_')} from line ${item.firstLine}: ${item.lines.length}`;
  }
}

/** Lines handed out so far that came from other files than `key`. */
const countBefore = (r: Run, key: string): number => r.lines.filter((l) => !l.startsWith(`${key.split('/').pop()} `)).length;

const tagged = (key: string, lines: string[]): string[] => lines.map((l) => `${key.split('/').pop()} ${l}`);

describe('reading complete hours', () => {
  it('hands out each file of each complete hour in order with its line numbers, then the hour, checkpointing after hours with files and after runs of empty hours', async () => {
    const run = await read('rd/829528/', '2026-02-01T00:00:00Z');
    expect(run.error).toBeNull();
    expect(run.items).toEqual([
      '2026-02-01_0#1.json.gz from line 1: 3',
      '2026-02-01_0#2.json.gz from line 1: 2',
      'done 02-01T00 ✓',
      'done 02-01T01',
      'done 02-01T02 ✓',
      '2026-02-01_3#1.json.gz from line 1: 1',
      'done 02-01T03 ✓',
    ]);
    expect(run.lines).toEqual([
      ...tagged('829528_2026-02-01_0#1.json.gz', linesOf('a', 3)),
      ...tagged('829528_2026-02-01_0#2.json.gz', linesOf('b', 2)),
      ...tagged('829528_2026-02-01_3#1.json.gz', linesOf('c', 1)),
    ]);
    expect(run.log).toEqual([
      'INFO events: s3://amplitude-export/rd/829528/: 4 complete hour(s) from 2026-02-01T00:00:00Z, 3 file(s); stops there because the newest hour present (2026-02-01T04:00Z) may still be arriving',
    ]);
  });

  it('stops at end_date', async () => {
    const run = await read('rd/829528/', '2026-02-01T01:00:00Z', at('2026-02-01T03:00:00Z'));
    expect(run.items).toEqual(['done 02-01T01', 'done 02-01T02 ✓']);
    expect(run.log).toEqual(['INFO events: s3://amplitude-export/rd/829528/: 2 complete hour(s) from 2026-02-01T01:00:00Z, 0 file(s); stops there because end_date']);
  });

  it('lists pass after pass, each up to a day boundary, until the newest hour', async () => {
    const run = await read('mp/829528/', '2026-03-01T22:00:00Z');
    const emptyHours = Array.from({ length: 22 }, (_, i) => `done 03-02T${String(i + 2).padStart(2, '0')}${i === 21 ? ' ✓' : ''}`);
    expect(run.items).toEqual([
      '2026-03-01_22#1.json.gz from line 1: 1',
      'done 03-01T22 ✓',
      '2026-03-01_23#1.json.gz from line 1: 1',
      'done 03-01T23 ✓',
      '2026-03-02_0#1.json.gz from line 1: 1',
      'done 03-02T00 ✓',
      '2026-03-02_1#1.json.gz from line 1: 1',
      'done 03-02T01 ✓',
      ...emptyHours,
    ]);
    expect(run.log).toEqual([
      'INFO events: s3://amplitude-export/mp/829528/: 2 complete hour(s) from 2026-03-01T22:00:00Z, 2 file(s); stops there because the listing continues in the next pass',
      'INFO events: s3://amplitude-export/mp/829528/: 24 complete hour(s) from 2026-03-02T00:00:00Z, 2 file(s); stops there because the listing continues in the next pass',
      'INFO events: s3://amplitude-export/mp/829528/: 0 complete hour(s) from 2026-03-03T00:00:00Z, 0 file(s); stops there because the newest hour present (2026-03-03T00:00Z) may still be arriving',
    ]);
  });

  it('lists no further pass once end_date is reached', async () => {
    const run = await read('mp/829528/', '2026-03-01T22:00:00Z', at('2026-03-02T00:00:00Z'));
    expect(run.items).toEqual(['2026-03-01_22#1.json.gz from line 1: 1', 'done 03-01T22 ✓', '2026-03-01_23#1.json.gz from line 1: 1', 'done 03-01T23 ✓']);
    expect(run.log).toHaveLength(1);
  });

  it('stops for good at an hour whose export has not happened (markers in use), listing no further pass', async () => {
    const run = await read('gp/829528/', '2026-04-01T00:00:00Z');
    expect(run.items).toEqual(['2026-04-01_0#1.json.gz from line 1: 1', 'done 04-01T00 ✓']);
    expect(run.log).toEqual([
      'INFO events: s3://amplitude-export/gp/829528/: 1 complete hour(s) from 2026-04-01T00:00:00Z, 1 file(s); stops there because hour 2026-04-01T01:00Z has neither files nor a complete marker while later hours do: its export has not happened yet, so reading stops before it',
    ]);
    // Starting at the gap itself: nothing to read, and no second pass either.
    const atGap = await read('gp/829528/', '2026-04-01T01:00:00Z');
    expect(atGap.items).toEqual([]);
    expect(atGap.error).toBeNull();
    expect(atGap.log).toHaveLength(1);
  });
});

describe('reading a file that fails', () => {
  const GET = (key: string) => front.requests.filter((r) => r.method === 'GET' && r.path === `/${server.bucket}/${key}`);

  it('downloads a truncated gzip file again, pinned to the version listed, and hands out only the lines not yet handed out', async () => {
    front.faults.push({ kind: 'half', key: BIG, times: 1 });
    const run = await read('ft/829528/', '2026-05-01T00:00:00Z');
    expect(run.error).toBeNull();
    expect(run.lines).toEqual([...tagged(BIG, bigLines), ...tagged('829528_2026-05-01_0#2.json.gz', linesOf('f2', 2))]);
    expect(run.items.filter((i) => i.includes('0#1')).length).toBeGreaterThan(2); // some lines came from the first download
    expect(run.items.filter((i) => i.endsWith(': 0'))).toEqual([]); // and no empty batch where the second download catches up
    expect(run.items.slice(-2)).toEqual(['2026-05-01_0#2.json.gz from line 1: 2', 'done 05-01T00 ✓']);
    expect(run.log.filter((l) => l.startsWith('WARN'))).toEqual([`WARN bucket: ${BIG}: not a complete gzip file (unexpected end of file); downloading it again`]);
    const gets = GET(BIG);
    expect(gets).toHaveLength(2);
    expect(gets[0]?.headers['if-match']).toBeUndefined();
    // Integrity comes from gzip: no checksum asked of the store.
    expect(gets.map((g) => g.headers['x-amz-checksum-mode'])).toEqual([undefined, undefined]);
    expect(gets[1]?.headers['if-match']).toBe(`"${createHash('md5').update(OBJECTS[BIG] as Buffer).digest('hex')}"`);
  });

  it('a truncated first download that ends exactly on a batch: the second hands out the rest, with no empty batch', async () => {
    const half = (OBJECTS[EDGE] as Buffer).subarray(0, Math.floor((OBJECTS[EDGE] as Buffer).length / 2));
    // The premise: the cut half decodes to exactly 1,024 whole lines (and part of the next), all in the first 64 KiB.
    const decoded = gunzipSync(half, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
    expect(decoded.startsWith(edgeLines.slice(0, 1024).map((l) => `${l}\n`).join(''))).toBe(true);
    expect(decoded.split('\n')).toHaveLength(1025);
    front.faults.push({ kind: 'half', key: EDGE, times: 1 });
    const run = await read('bd/829528/', '2026-07-01T00:00:00Z');
    expect(run.error).toBeNull();
    // Hour 1 is the newest, so not known complete: only hour 0 is read.
    expect(run.lines).toEqual(tagged(EDGE, edgeLines));
    expect(run.items.slice(0, 3)).toEqual(['2026-07-01_0#1.json.gz from line 1: 1024', '2026-07-01_0#1.json.gz from line 1025: 1024', '2026-07-01_0#1.json.gz from line 2049: 1']);
    expect(run.items.filter((i) => i.endsWith(': 0'))).toEqual([]);
  });

  it('fails the hour when the second download is truncated too, before its marker', async () => {
    front.faults.push({ kind: 'half', key: BIG, times: 2 });
    const run = await read('ft/829528/', '2026-05-01T00:00:00Z');
    expect(run.error?.name).toBe('StreamFailure');
    expect(run.error?.message).toBe(
      `s3://amplitude-export/${BIG}: not a complete gzip file (unexpected end of file), again after a second download: the object in the bucket is damaged; the hour was not bookmarked. Ask Amplitude to re-export (backfill) that hour`,
    );
    expect(run.items.some((i) => i.startsWith('done'))).toBe(false);
    expect(run.log.filter((l) => l.startsWith('WARN'))).toHaveLength(1);
  });

  it('fails the hour when the file changed between the two downloads', async () => {
    const replaced = gz(linesOf('changed', 1));
    front.faults.push({ kind: 'half', key: BIG, times: 1, meanwhile: () => server.put([{ key: BIG, body: replaced }]) });
    try {
      const run = await read('ft/829528/', '2026-05-01T00:00:00Z');
      expect(run.error?.name).toBe('VanishedError');
      expect(run.error?.message).toBe(
        `reading s3://amplitude-export/${BIG}: the file changed while it was being read (Amplitude re-exported the hour); the hour was not bookmarked, run the sync again`,
      );
      expect(run.error?.cause).toMatchObject({ name: 'PreconditionFailed' });
      expect(run.lines).not.toContain(tagged(BIG, linesOf('changed', 1))[0]);
    } finally {
      await server.put([{ key: BIG, body: OBJECTS[BIG] as Buffer }]);
    }
  });

  it('downloads a body that broke off again, and fails after the third try with what happened', async () => {
    server.faults.push({ kind: 'cut', match: /_2026-05-01_0#2/, times: 1 });
    const run = await read('ft/829528/', '2026-05-01T00:00:00Z');
    expect(run.error).toBeNull();
    expect(run.lines.slice(-2)).toEqual(tagged('829528_2026-05-01_0#2.json.gz', linesOf('f2', 2)));
    const warns = run.log.filter((l) => l.startsWith('WARN'));
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatch(/^WARN bucket: ft\/829528\/829528_2026-05-01_0#2\.json\.gz: download broke off \(.+\); downloading it again \(try 2 of 3\)$/);

    server.faults.splice(0, server.faults.length, { kind: 'cut', match: /_2026-05-01_0#2/, times: 3 });
    const failed = await read('ft/829528/', '2026-05-01T00:00:00Z');
    server.faults.length = 0;
    expect(failed.log.filter((l) => l.startsWith('WARN')).map((l) => l.replace(/\(.*\); /, '(…); '))).toEqual([
      'WARN bucket: ft/829528/829528_2026-05-01_0#2.json.gz: download broke off (…); downloading it again (try 2 of 3)',
      'WARN bucket: ft/829528/829528_2026-05-01_0#2.json.gz: download broke off (…); downloading it again (try 3 of 3)',
    ]);
    expect(failed.error?.name).toBe('StreamFailure');
    expect(failed.error?.message).toMatch(/^reading s3:\/\/amplitude-export\/ft\/829528\/829528_2026-05-01_0#2\.json\.gz: /);
    expect(GET('ft/829528/829528_2026-05-01_0#2.json.gz')).toHaveLength(3);
  });

  it('fails the hour when a listed file is gone when read', async () => {
    const key = 'ft/829528/829528_2026-05-01_0#2.json.gz';
    server.faults.push({ kind: 'vanish', match: /_2026-05-01_0#2/ });
    try {
      const run = await read('ft/829528/', '2026-05-01T00:00:00Z');
      expect(run.error?.name).toBe('VanishedError');
      expect(run.error?.message).toBe(
        `reading s3://amplitude-export/${key}: the file was listed but is gone now (Amplitude re-exported the hour, or a lifecycle rule removed it); the hour was not bookmarked, run the sync again`,
      );
      expect(run.error?.cause).toMatchObject({ name: 'NoSuchKey' });
      expect(GET(key)).toHaveLength(1);
    } finally {
      server.faults.length = 0;
      await server.put([{ key, body: OBJECTS[key] as Buffer }]);
    }
  });
});

describe('large files, stopping and throttling', () => {
  it('keeps a large file in a temporary file while its lines are read, and removes it after', async () => {
    const dir = tempDir();
    const seen: string[][] = [];
    // The first download breaks off: what it wrote is removed before the second.
    server.faults.push({ kind: 'cut', match: /_2026-06-01_0#1/, times: 1 });
    const run = await read('hg/829528/', '2026-06-01T00:00:00Z', Infinity, { dir, onLines: () => seen.push(readdirSync(dir)) });
    server.faults.length = 0;
    expect(run.error).toBeNull();
    expect(run.log.filter((l) => l.startsWith('WARN'))).toHaveLength(1);
    expect(run.lines).toEqual([...tagged('829528_2026-06-01_0#1.json.gz', hugeLines), ...tagged('829528_2026-06-01_0#2.json.gz', linesOf('h2', 1))]);
    expect((OBJECTS['hg/829528/829528_2026-06-01_0#1.json.gz'] as Buffer).length).toBeGreaterThan(4 * 1024 * 1024);
    expect(seen[0]).toEqual([expect.stringMatching(/^bucket-\d+-\d+\.json\.gz$/)]);
    // The small file next to it stays in memory.
    expect(seen[seen.length - 1]).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops when the run is aborted, leaving no temporary file', async () => {
    const dir = tempDir();
    const abort = new AbortController();
    const run = await read('hg/829528/', '2026-06-01T00:00:00Z', Infinity, { dir, signal: abort.signal, onLines: () => abort.abort() });
    expect(run.error?.name).toBe('AbortError');
    expect(run.log.filter((l) => l.startsWith('WARN'))).toEqual([]); // not taken for a broken file
    expect(run.lines.length).toBeLessThan(hugeLines.length);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('logs each throttled try (503 SlowDown, 429) that the SDK retries', async () => {
    server.faults.push({ kind: 'slowdown', match: /list-type=2/, times: 2 });
    front.faults.push({ kind: 'status', match: /_2026-02-01_3#1/, status: 429, code: 'TooManyRequests', times: 1 });
    try {
      const run = await read('rd/829528/', '2026-02-01T00:00:00Z');
      expect(run.error).toBeNull();
      expect(run.lines).toHaveLength(6);
      expect(run.log.filter((l) => l.startsWith('WARN'))).toEqual([
        'WARN bucket: ListObjectsV2Command was throttled (HTTP 503); the AWS SDK retries it with backoff',
        'WARN bucket: ListObjectsV2Command was throttled (HTTP 503); the AWS SDK retries it with backoff',
        'WARN bucket: GetObjectCommand was throttled (HTTP 429); the AWS SDK retries it with backoff',
      ]);
    } finally {
      server.faults.length = 0;
      front.faults.length = 0;
    }
  });

  it('downloads at most `concurrency` files at once and hands each over once, in order', async () => {
    for (const limit of [1, 2]) {
      const run = await read('rd/829528/', '2026-02-01T00:00:00Z', Infinity, { concurrency: limit });
      expect(run.lines).toHaveLength(6);
      expect(front.maxGetsInFlight).toBe(limit);
    }
    const s3 = await createS3Client(clientConfig, { debug() {}, info() {}, warn() {}, addSecret() {} });
    try {
      const f = { s3, bucket: server.bucket, tempDir: tempDir(), log: { debug() {}, info() {}, warn() {} }, signal: new AbortController().signal };
      const files = ['0#2', '0#1', '3#1'].map((p) => ({ key: `rd/829528/829528_2026-02-01_${p}.json.gz`, size: 0, etag: undefined, partition: 1 }));
      const got: string[] = [];
      for await (const { file, data } of downloadInOrder(f, files, 2)) got.push(`${file.key.split('_').pop()} ${'buffer' in data ? data.buffer.length : 'file'}`);
      expect(got).toEqual(['0#2.json.gz ' + OBJECTS[files[0]!.key]!.length, '0#1.json.gz ' + OBJECTS[files[1]!.key]!.length, '3#1.json.gz ' + OBJECTS[files[2]!.key]!.length]);
    } finally {
      s3.destroy();
    }
  });
});

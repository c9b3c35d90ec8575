// A reader of the bucket export that stops early without an abort (the consumer had enough, or
// failed on an earlier line): a large file still downloading behind it must not be left in the
// temporary directory. A real S3 API (s3rver) through the real AWS SDK.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { validateConfig, type Config } from '../../src/config.js';
import { tempDir } from '../helpers/cli.js';
import { BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, startBucketServer, type BucketServer } from '../simulator/bucket-server.js';

const { createS3Client } = await import('../../src/amplitude/bucket/client.js');
const { readCompleteHours } = await import('../../src/amplitude/bucket/reader.js');
const { discard, download, downloadInOrder } = await import('../../src/amplitude/bucket/objects.js');

const gz = (lines: string[]): Buffer => gzipSync(lines.map((l) => `${l}\n`).join(''));
// About 5 MiB of gzip (incompressible text): over the 4 MiB kept in memory, so it goes to a temporary file.
const huge = gz(Array.from({ length: 66_000 }, (_, i) => createHash('sha512').update(`early${i}`).digest('base64')));
const SMALL = 'se/829528/829528_2026-06-01_0#1.json.gz';
const HUGE = 'se/829528/829528_2026-06-01_0#2.json.gz';
const OBJECTS: Record<string, Buffer> = {
  [SMALL]: gz(['{"i":1}', '{"i":2}']),
  [HUGE]: huge,
  'se/829528/829528_2026-06-01_1#1.json.gz': gz(['{"i":3}']),
};
const quiet = { debug() {}, info() {}, warn() {} };

let server: BucketServer;
let config: Config;

beforeAll(async () => {
  server = await startBucketServer({ directory: tempDir('tap-amplitude-s3-') });
  await server.put(Object.entries(OBJECTS).map(([key, body]) => ({ key, body })));
  config = validateConfig({ events_source: 's3', s3_bucket: server.bucket, s3_endpoint_url: server.url, aws_access_key_id: BUCKET_ACCESS_KEY, aws_secret_access_key: BUCKET_SECRET_KEY }).config;
});

afterAll(async () => {
  await server?.stop();
});

/** The directory's files, watched for a while: a download left running would write its file within it. */
async function leftIn(dir: string): Promise<string[]> {
  for (let i = 0; i < 20; i++) {
    const files = readdirSync(dir);
    if (files.length > 0) return files;
    await new Promise((r) => setTimeout(r, 50));
  }
  return readdirSync(dir);
}

describe('stopping a bucket reader early', () => {
  it('downloadInOrder: the large file downloading behind the first is cancelled and removed', async () => {
    expect(huge.length).toBeGreaterThan(4 * 1024 * 1024);
    const s3 = await createS3Client(config, { ...quiet, addSecret() {} });
    const dir = tempDir();
    try {
      const f = { s3, bucket: server.bucket, tempDir: dir, log: quiet, signal: new AbortController().signal };
      const files = [SMALL, HUGE].map((key) => ({ key, size: OBJECTS[key]!.length, etag: undefined, partition: 1 }));
      const got: string[] = [];
      for await (const { file } of downloadInOrder(f, files, 2)) {
        got.push(file.key);
        break;
      }
      expect(got).toEqual([SMALL]);
      expect(await leftIn(dir)).toEqual([]);
    } finally {
      s3.destroy();
    }
  });

  it('readCompleteHours: stopping after the first lines leaves no temporary file behind', async () => {
    const s3 = await createS3Client(config, { ...quiet, addSecret() {} });
    const dir = tempDir();
    try {
      const o = { s3, bucket: server.bucket, tempDir: dir, log: quiet, signal: new AbortController().signal, concurrency: 2 };
      const first: string[] = [];
      for await (const item of readCompleteHours(o, { label: 'events', folder: 'se/829528/', id: '829528', kind: 'events', from: Date.parse('2026-06-01T00:00:00Z'), until: Infinity })) {
        if ('lines' in item) first.push(...item.lines);
        break;
      }
      expect(first).toEqual(['{"i":1}', '{"i":2}']);
      expect(await leftIn(dir)).toEqual([]);
    } finally {
      s3.destroy();
    }
  });

  it('download: an abort while the GET is in flight ends it with the abort itself, not a failure of the bucket, and leaves no file', async () => {
    const s3 = await createS3Client(config, { ...quiet, addSecret() {} });
    const dir = tempDir();
    const warnings: string[] = [];
    try {
      const abort = new AbortController();
      const f = { s3, bucket: server.bucket, tempDir: dir, log: { ...quiet, warn: (m: string) => warnings.push(m) }, signal: new AbortController().signal };
      const pending = download(f, { key: HUGE, size: huge.length, etag: undefined, partition: 2 }, { signal: abort.signal });
      setImmediate(() => abort.abort());
      const error = await pending.then(
        () => null,
        (err: Error) => err,
      );
      expect(error?.name).toBe('AbortError');
      expect(warnings).toEqual([]);
      expect(await leftIn(dir)).toEqual([]);
    } finally {
      s3.destroy();
    }
  });

  it('discard: a file already removed is no error (the reader discards a file again after a failed second download)', async () => {
    const file = path.join(tempDir(), 'bucket-1-1.json.gz');
    writeFileSync(file, huge.subarray(0, 100));
    await discard({ path: file });
    expect(readdirSync(path.dirname(file))).toEqual([]);
    await expect(discard({ path: file })).resolves.toBeUndefined();
    await expect(discard({ buffer: huge })).resolves.toBeUndefined();
  });
});

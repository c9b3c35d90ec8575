// Listing Amplitude's bucket export (amplitude-api.md §13.4) on a real S3 API (s3rver, as the e2e
// suites use it) through the real AWS SDK: the folders under the prefix, the project folder to
// read, and an export folder's objects grouped by upload hour, in bounded passes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createS3Client } from '../../src/amplitude/bucket/client.js';
import { exportFolders, listHours, projectFolder, type ListedHour } from '../../src/amplitude/bucket/listing.js';
import { validateConfig } from '../../src/config.js';
import { tempDir } from '../helpers/cli.js';
import { BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, startBucketServer, type BucketServer } from '../simulator/bucket-server.js';
import { startS3Front } from './support/s3-front.js';

const at = (iso: string): number => Date.parse(iso);
const body = (key: string): Buffer => Buffer.from(`body of ${key}`); // a different size and ETag per key
const etagOf = (key: string): string => `"${createHash('md5').update(body(key)).digest('hex')}"`;

const F = 'exp/829528/';
const KEYS = [
  `${F}829528_2025-12-31_23#1.json.gz`, // the day before: not listed from 2026-01-01 on
  `${F}829528_2026-01-01_0#1.json.gz`,
  `${F}829528_2026-01-01_0#10.json.gz`,
  `${F}829528_2026-01-01_0#2.json.gz`,
  `${F}829528_2026-01-01_0_complete`,
  `${F}829528_2026-01-01_3.json.gz`, // merged IDs of a legacy organisation, in the project folder
  `${F}829528_2026-01-01_5#1.json.gz`,
  `${F}829528_2026-01-01_05#1.json.gz`, // the same hour and partition written with a leading zero
  `${F}829528_2026-01-01_7_complete`,
  `${F}829528_2026-01-02_10#1.json.gz`, // "10" sorts before "2"
  `${F}829528_2026-01-02_2#1.json.gz`,
  `${F}notes.txt`,
  'exp/-189524/-189524_2026-01-01_0.json.gz',
  'exp/829528x/829528x_2026-01-01_0#1.json.gz',
  'exp/v829528/readme',
  'exp/-1895x/readme',
  'exp/a-189524/readme',
  'exp/other/readme',
  'exp/README.txt',
  'multi/1/1_2026-01-01_0#1.json.gz',
  'multi/2/2_2026-01-01_0#1.json.gz',
  'epoch/829528/829528_1970-01-02_0#1.json.gz',
  'epoch/829528/829528_1970-01-02_1#1.json.gz',
];

let server: BucketServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startBucketServer({ directory: tempDir('tap-amplitude-s3-') });
  await server.put(KEYS.map((key) => ({ key, body: body(key) })));
  const { config } = validateConfig({
    events_source: 's3',
    s3_bucket: server.bucket,
    s3_endpoint_url: server.url,
    aws_access_key_id: BUCKET_ACCESS_KEY,
    aws_secret_access_key: BUCKET_SECRET_KEY,
  });
  s3 = await createS3Client(config, { debug() {}, info() {}, warn() {}, addSecret() {} });
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
});

const file = (key: string, partition: number) => ({ key, size: body(key).length, etag: etagOf(key), partition });
const hourOf = (iso: string, marker: boolean, ...files: ReturnType<typeof file>[]): [number, ListedHour] => [at(iso), { hour: at(iso), files, marker }];

describe('export folders', () => {
  it('finds the project folders (digits) and merged-ID folders (a hyphen and digits) directly under the prefix, and nothing else', async () => {
    expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: ['-189524'] });
    expect(await exportFolders(s3, server.bucket, '/multi/')).toEqual({ projects: ['1', '2'], orgs: [] });
  });

  it('reads the only project folder, or the one configured', async () => {
    expect(await projectFolder(s3, server.bucket, 'exp/', undefined)).toBe('829528');
    expect(await projectFolder(s3, server.bucket, 'multi', '2')).toBe('2');
  });

  it('says what to set when the project folder is missing, absent or ambiguous', async () => {
    const failure = (prefix: string, id?: string): Promise<string> =>
      projectFolder(s3, server.bucket, prefix, id).then(
        (got) => `resolved ${got}`,
        (err: Error) => `${err.name}: ${err.message}`,
      );
    expect(await failure('exp', '42')).toBe(
      'StreamFailure: s3://amplitude-export/exp/: there is no folder 42/ for s3_project_id 42 (found: 829528); check s3_prefix and s3_project_id',
    );
    expect(await failure('multi', '42')).toBe(
      'StreamFailure: s3://amplitude-export/multi/: there is no folder 42/ for s3_project_id 42 (found: 1, 2); check s3_prefix and s3_project_id',
    );
    expect(await failure('nothing/here', '42')).toBe(
      'StreamFailure: s3://amplitude-export/nothing/here/: there is no folder 42/ for s3_project_id 42 (found: none); check s3_prefix and s3_project_id',
    );
    expect(await failure('nothing')).toBe(
      "StreamFailure: s3://amplitude-export/nothing/: no Amplitude project folder ({appId}/) there; check s3_prefix (the folder set in Amplitude's export, empty for the bucket root)",
    );
    expect(await failure('multi/')).toBe('StreamFailure: s3://amplitude-export/multi/: several project folders (1, 2); set s3_project_id to the one to read');
  });

  it('names the listing that failed', async () => {
    await expect(exportFolders(s3, 'no-such-bucket', 'exp')).rejects.toThrow(
      'listing s3://no-such-bucket/exp/: the bucket "no-such-bucket" does not exist; check s3_bucket (and s3_endpoint_url, s3_region)',
    );
  });
});

describe('listing hours', () => {
  // The hours of the project folder from 2026-01-01 on, as listHours should group them.
  const fromNewYear = () => [
    hourOf('2026-01-01T00:00:00Z', true, file(`${F}829528_2026-01-01_0#1.json.gz`, 1), file(`${F}829528_2026-01-01_0#2.json.gz`, 2), file(`${F}829528_2026-01-01_0#10.json.gz`, 10)),
    hourOf('2026-01-01T05:00:00Z', false, file(`${F}829528_2026-01-01_05#1.json.gz`, 1), file(`${F}829528_2026-01-01_5#1.json.gz`, 1)),
    hourOf('2026-01-01T07:00:00Z', true),
    hourOf('2026-01-02T10:00:00Z', false, file(`${F}829528_2026-01-02_10#1.json.gz`, 1)),
    hourOf('2026-01-02T02:00:00Z', false, file(`${F}829528_2026-01-02_2#1.json.gz`, 1)),
  ];

  it('groups the event files and markers by hour from the day asked for on, partitions in number order', async () => {
    const listing = await listHours(s3, server.bucket, F, '829528', 'events', at('2026-01-01T05:00:00Z'));
    expect(listing.newerHour).toBeNull();
    expect([...listing.hours.entries()]).toEqual(fromNewYear());
  });

  it('reads a listing S3 hands out in pages, following each continuation token to the last page', async () => {
    const front = await startS3Front(server.url, server.bucket);
    front.faults.push({ kind: 'pages', size: 3 });
    const { config } = validateConfig({ events_source: 's3', s3_bucket: server.bucket, s3_endpoint_url: front.url, aws_access_key_id: BUCKET_ACCESS_KEY, aws_secret_access_key: BUCKET_SECRET_KEY });
    const paged = await createS3Client(config, { debug() {}, info() {}, warn() {}, addSecret() {} });
    try {
      const listing = await listHours(paged, server.bucket, F, '829528', 'events', at('2026-01-01T05:00:00Z'));
      expect(listing.newerHour).toBeNull();
      expect([...listing.hours.entries()]).toEqual(fromNewYear());
      // From 2026-01-01 on, 10 keys start with the project's name: pages of 3, 3, 3 and 1.
      const lists = front.requests.filter((r) => r.query.includes('list-type=2'));
      expect(lists.map((r) => /continuation-token=([^&]*)/.exec(r.query)?.[1] ?? null)).toEqual([null, 'front-3', 'front-6', 'front-9']);
      // The starting key goes with the first request only; the token carries the place after that.
      expect(lists.map((r) => r.query.includes('start-after='))).toEqual([true, false, false, false]);
    } finally {
      paged.destroy();
      await front.stop();
    }
  });

  it('takes the merged-ID files instead for merged IDs', async () => {
    const listing = await listHours(s3, server.bucket, F, '829528', 'merged', at('2026-01-01T00:00:00Z'));
    expect([...listing.hours.values()].map((h) => [new Date(h.hour).toISOString(), h.files.map((f) => f.key), h.marker])).toEqual([
      ['2026-01-01T00:00:00.000Z', [], true],
      ['2026-01-01T03:00:00.000Z', [`${F}829528_2026-01-01_3.json.gz`], false],
      ['2026-01-01T07:00:00.000Z', [], true],
    ]);
  });

  it('stops a pass at the first day boundary once the budget of keys is reached, naming the first hour not listed', async () => {
    // 2026-01-01 holds 7 keys of ours: a budget of 7 (or less) ends the pass at 2026-01-02's first key, hour 10.
    for (const budget of [7, 3]) {
      const listing = await listHours(s3, server.bucket, F, '829528', 'events', at('2026-01-01T00:00:00Z'), budget);
      expect(listing.newerHour).toBe(at('2026-01-02T10:00:00Z'));
      expect([...listing.hours.keys()].map((h) => new Date(h).toISOString())).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T05:00:00.000Z', '2026-01-01T07:00:00.000Z']);
    }
    const all = await listHours(s3, server.bucket, F, '829528', 'events', at('2026-01-01T00:00:00Z'), 8);
    expect(all.newerHour).toBeNull();
    expect(all.hours.size).toBe(5);
    // A budget of nothing stops at the very first key, even one of the second day of 1970.
    const none = await listHours(s3, server.bucket, 'epoch/829528/', '829528', 'events', 0, 0);
    expect(none).toEqual({ hours: new Map(), newerHour: at('1970-01-02T00:00:00Z') });
  });
});

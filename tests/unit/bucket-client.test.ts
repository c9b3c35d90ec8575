// The S3 client of the bucket export, configured from the settings and used against a real S3 API
// (s3rver behind a pass-through hop): region, credentials, retries, timeouts, a bucket in another region.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { bucketSettingsOf, createS3Client } from '../../src/amplitude/bucket/client.js';
import { exportFolders } from '../../src/amplitude/bucket/listing.js';
import { validateConfig } from '../../src/config.js';
import { tempDir } from '../helpers/cli.js';
import { BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, startBucketServer, type BucketServer } from '../simulator/bucket-server.js';
import { startS3Front, type S3Front } from './support/s3-front.js';

const ENV = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let server: BucketServer;
let front: S3Front;

beforeAll(async () => {
  server = await startBucketServer({ directory: tempDir('tap-amplitude-s3-') });
  await server.put([{ key: 'exp/829528/829528_2026-01-01_0#1.json.gz', body: Buffer.from('x') }]);
  front = await startS3Front(server.url, server.bucket);
});

afterEach(() => {
  for (const k of ENV) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
  front.faults.length = 0;
  front.requests.length = 0;
});

afterAll(async () => {
  await front?.stop();
  await server?.stop();
});

const secrets: (string | undefined)[] = [];
const log = { debug() {}, info() {}, warn() {}, addSecret: (s: string | undefined) => secrets.push(s) };
const clientWith = (extra: Record<string, unknown>) => {
  const { config } = validateConfig({ events_source: 's3', s3_bucket: server.bucket, s3_endpoint_url: front.url, aws_access_key_id: BUCKET_ACCESS_KEY, aws_secret_access_key: BUCKET_SECRET_KEY, ...extra });
  return createS3Client(config, log);
};

describe('bucket settings', () => {
  it('reads merged IDs from the events prefix unless s3_merged_ids_prefix says otherwise', () => {
    const base = { events_source: 's3', s3_bucket: 'exports', s3_prefix: 'amp/', s3_project_id: '829528', s3_max_concurrency: 7 };
    expect(bucketSettingsOf(validateConfig(base).config)).toEqual({ bucket: 'exports', prefix: 'amp/', mergedPrefix: 'amp/', projectId: '829528', concurrency: 7 });
    expect(bucketSettingsOf(validateConfig({ ...base, s3_merged_ids_prefix: 'merged/' }).config).mergedPrefix).toBe('merged/');
  });
});

describe('the S3 client', () => {
  it('takes the region from s3_region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1', async () => {
    process.env.AWS_REGION = 'ap-south-1';
    process.env.AWS_DEFAULT_REGION = 'sa-east-1';
    const regions: string[] = [];
    for (const step of ['setting', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'none']) {
      const s3 = await clientWith(step === 'setting' ? { s3_region: 'eu-west-3' } : {});
      regions.push(await s3.config.region());
      s3.destroy();
      if (step === 'AWS_REGION') delete process.env.AWS_REGION;
      if (step === 'AWS_DEFAULT_REGION') delete process.env.AWS_DEFAULT_REGION;
    }
    expect(regions).toEqual(['eu-west-3', 'ap-south-1', 'sa-east-1', 'us-east-1']);
  });

  it('signs with the keys of the settings (before those of the environment), the session token included, and keeps them out of the log', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAWRONGWRONGWRONG1';
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong-secret';
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    secrets.length = 0;
    const s3 = await clientWith({ aws_session_token: 'session-token-1' });
    try {
      expect(secrets).toEqual([BUCKET_ACCESS_KEY, BUCKET_SECRET_KEY, 'session-token-1']);
      // The SDK's multi-line notice about the Node version is switched off.
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
      expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: [] });
      expect(front.requests).toHaveLength(1);
      expect(front.requests[0]?.headers['x-amz-security-token']).toBe('session-token-1');
      expect(front.requests[0]?.headers.authorization).toContain(`Credential=${BUCKET_ACCESS_KEY}/`);
      // Path-style requests on the endpoint: the bucket is the first part of the path.
      expect(front.requests[0]?.path).toBe(`/${server.bucket}/`);
      // Integrity comes from gzip: no checksum asked of the store.
      expect(front.requests[0]?.headers['x-amz-checksum-mode']).toBeUndefined();
    } finally {
      s3.destroy();
    }
    const plain = await clientWith({});
    try {
      await exportFolders(plain, server.bucket, 'exp');
      expect(front.requests[1]?.headers['x-amz-security-token']).toBeUndefined();
    } finally {
      plain.destroy();
    }
  });

  it('without keys in the settings, takes them from the AWS credential chain (here the environment)', async () => {
    process.env.AWS_ACCESS_KEY_ID = BUCKET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = BUCKET_SECRET_KEY;
    const { config } = validateConfig({ events_source: 's3', s3_bucket: server.bucket, s3_endpoint_url: front.url });
    const s3 = await createS3Client(config, log);
    try {
      expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: [] });
    } finally {
      s3.destroy();
    }
  });

  it('sends path-style requests to an endpoint named by host name', async () => {
    const s3 = await clientWith({ s3_endpoint_url: front.url.replace('127.0.0.1', 'localhost') });
    try {
      expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: [] });
      expect(front.requests.map((r) => [r.headers.host, r.path])).toEqual([[new URL(front.url.replace('127.0.0.1', 'localhost')).host, `/${server.bucket}/`]]);
    } finally {
      s3.destroy();
    }
  });

  it('follows a bucket that lives in another region', async () => {
    front.faults.push({ kind: 'region', region: 'eu-west-1' });
    const s3 = await clientWith({});
    try {
      expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: [] });
      expect(front.requests.map((r) => r.status)).toEqual([301, 200]);
    } finally {
      s3.destroy();
    }
  });

  it('waits request_timeout_seconds for each silence in an answer, not for the whole answer', async () => {
    // Three silences of 0.6 s: 1.8 s in all, each well under the 1 s allowed.
    front.faults.push({ kind: 'slow', match: /^\/amplitude-export\/$/, gapMs: 600, times: 1 });
    const s3 = await clientWith({ request_timeout_seconds: 1 });
    try {
      expect(await exportFolders(s3, server.bucket, 'exp')).toEqual({ projects: ['829528'], orgs: [] });
      expect(front.requests.map((r) => r.status)).toEqual([200]);
    } finally {
      s3.destroy();
    }
  });

  it('gives up on an answer that never comes after request_timeout_seconds, 6 times in all', async () => {
    front.faults.push({ kind: 'stall', match: /^\/amplitude-export\/$/, times: 6 });
    const s3 = await clientWith({ request_timeout_seconds: 1 });
    try {
      await expect(exportFolders(s3, server.bucket, 'exp')).rejects.toThrow(/^listing s3:\/\/amplitude-export\/exp\/: .*timed out after 1000 ms/);
      expect(front.requests).toHaveLength(6);
    } finally {
      s3.destroy();
    }
  }, 30_000);

  it('tries a failing request 6 times in all', async () => {
    front.faults.push({ kind: 'status', match: /^\/amplitude-export\/$/, status: 500, code: 'InternalError', times: 10 });
    const s3 = await clientWith({});
    try {
      await expect(exportFolders(s3, server.bucket, 'exp')).rejects.toThrow('listing s3://amplitude-export/exp/: HTTP 500 InternalError: InternalError');
      expect(front.requests).toHaveLength(6);
    } finally {
      s3.destroy();
    }
  });
});

// A real S3 API on 127.0.0.1 for tests and benchmarks: s3rver (an S3-compatible server from npm,
// path-style requests, signature V4 checked against its S3RVER/S3RVER keys) behind a small front
// that can inject the failures a bucket shows: 503 SlowDown, 403 AccessDenied, a body cut off
// mid-way, a whole answer whose gzip is cut short, and a file removed between listing and reading.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { BucketObject } from './bucket.js';

export const BUCKET_ACCESS_KEY = 'S3RVER';
export const BUCKET_SECRET_KEY = 'S3RVER';

export type BucketFault =
  /** The next `times` requests whose path matches answer 503 SlowDown. */
  | { kind: 'slowdown'; match: RegExp; times: number }
  /** Requests whose path matches answer 403 AccessDenied. */
  | { kind: 'deny'; match: RegExp }
  /** The next `times` GETs of matching objects send half the body, then the connection is dropped. */
  | { kind: 'cut'; match: RegExp; times: number }
  /** The next `times` GETs of matching objects answer in full, but with only the first `keep` (0..1) of the object's bytes. */
  | { kind: 'truncate'; match: RegExp; times: number; keep: number }
  /** The first GET of a matching object deletes it first: listed, then gone when read. */
  | { kind: 'vanish'; match: RegExp };

export interface BucketRequest {
  method: string;
  path: string;
  status: number;
}

export interface BucketServer {
  url: string;
  bucket: string;
  faults: BucketFault[];
  requests: BucketRequest[];
  client: S3Client;
  put(objects: Iterable<BucketObject>): Promise<number>;
  remove(key: string): Promise<void>;
  stop(): Promise<void>;
}

const errorXml = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>sim</RequestId></Error>`;

export async function startBucketServer(opts: { directory: string; bucket?: string }): Promise<BucketServer> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const bucket = opts.bucket ?? 'amplitude-export';
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: opts.directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const inner = await s3rver.run();
  const handle = s3rver.callback() as (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const faults: BucketFault[] = [];
  const requests: BucketRequest[] = [];
  const direct = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${inner.port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: BUCKET_ACCESS_KEY, secretAccessKey: BUCKET_SECRET_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const keyOf = (path: string): string => decodeURIComponent((path.split('?')[0] ?? '').slice(bucket.length + 2));

  const front = http.createServer((req, res) => {
    const path = req.url ?? '/';
    res.on('close', () => requests.push({ method: req.method ?? '', path, status: res.statusCode }));
    // The SDK adds ?x-id=GetObject to object reads; a listing is /bucket/?list-type=2...
    const [pathname = '', query = ''] = path.split('?');
    const isGetObject = req.method === 'GET' && pathname.startsWith(`/${bucket}/`) && pathname.length > bucket.length + 2 && !query.includes('list-type');
    // s3rver does not check credentials: an unknown access key is refused here, as S3 does.
    const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (keyId !== undefined && keyId !== BUCKET_ACCESS_KEY) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end(errorXml('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'));
      return;
    }
    for (const [i, f] of faults.entries()) {
      if (!f.match.test(decodeURIComponent(path))) continue;
      if (f.kind === 'slowdown' && f.times > 0) {
        f.times--;
        res.writeHead(503, { 'content-type': 'application/xml' }).end(errorXml('SlowDown', 'Please reduce your request rate.'));
        return;
      }
      if (f.kind === 'deny') {
        res.writeHead(403, { 'content-type': 'application/xml' }).end(errorXml('AccessDenied', 'Access Denied'));
        return;
      }
      if (f.kind === 'vanish' && isGetObject) {
        faults.splice(i, 1);
        direct.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(path) })).then(() => handle(req, res), (err: Error) => res.destroy(err));
        return;
      }
      if (f.kind === 'cut' && isGetObject && f.times > 0) {
        f.times--;
        sendHalf(direct, bucket, keyOf(path), res).catch((err: Error) => res.destroy(err));
        return;
      }
      if (f.kind === 'truncate' && isGetObject && f.times > 0) {
        f.times--;
        sendPart(direct, bucket, keyOf(path), f.keep, res).catch((err: Error) => res.destroy(err));
        return;
      }
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  return {
    url,
    bucket,
    faults,
    requests,
    client: direct,
    async put(objects) {
      let n = 0;
      const pending = new Set<Promise<unknown>>();
      for (const o of objects) {
        const p = direct.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body })).finally(() => pending.delete(p));
        pending.add(p);
        n++;
        if (pending.size >= 8) await Promise.race(pending);
      }
      await Promise.all(pending);
      return n;
    },
    async remove(key) {
      await direct.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async stop() {
      direct.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3rver.close();
    },
  };
}

/** The object's headers and the first half of its body, then the connection is dropped. */
async function sendHalf(direct: S3Client, bucket: string, key: string, res: http.ServerResponse): Promise<void> {
  const object = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), etag: object.ETag ?? '' });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

async function sendPart(direct: S3Client, bucket: string, key: string, keep: number, res: http.ServerResponse): Promise<void> {
  const object = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  const part = body.subarray(0, Math.floor(body.length * keep));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(part.length), etag: object.ETag ?? '' }).end(part);
}

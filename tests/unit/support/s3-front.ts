// A pass-through HTTP hop in front of the local S3 server (tests/simulator/bucket-server.ts) for
// what that server cannot show: a complete answer whose gzip body is cut short, S3's If-Match rule
// (s3rver ignores it: a changed object answers 412 PreconditionFailed), an answer with any status,
// a bucket that lives in another region (301 with x-amz-bucket-region), answers that stall or
// trickle, and listings paged the way S3 pages them. Requests go through
// byte for byte (the Host header too, so s3rver's signature check still holds).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FrontFault =
  /** The next `times` GETs of the object at `key` answer 200 with only the first half of its body (after `meanwhile`, if given, has run). */
  | { kind: 'half'; key: string; times: number; meanwhile?: () => Promise<unknown> }
  /** The next `times` requests whose path matches answer `status` with an S3 error `code`. */
  | { kind: 'status'; match: RegExp; status: number; code: string; times: number }
  /** Requests not signed for `region` answer 301 PermanentRedirect naming that region. */
  | { kind: 'region'; region: string }
  /** The next `times` requests whose path matches get no answer at all (until the front stops). */
  | { kind: 'stall'; match: RegExp; times: number }
  /** The next `times` requests whose path matches get their answer slowly: a pause of `gapMs` before the head and between three slices of the body. */
  | { kind: 'slow'; match: RegExp; gapMs: number; times: number }
  /**
   * Listings (ListObjectsV2) come in pages of `size` keys, the way S3 pages past 1,000 keys: the
   * front lists everything upstream once and hands out the rest for its own continuation tokens
   * (s3rver cannot read its own tokens on Node 20).
   */
  | { kind: 'pages'; size: number };

export interface FrontRequest {
  method: string;
  /** The path without the query, decoded. */
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  /** Set once the answer is sent. */
  status: number;
}

export interface S3Front {
  url: string;
  faults: FrontFault[];
  requests: FrontRequest[];
  /** The most object GETs that were open at once. */
  maxGetsInFlight: number;
  stop(): Promise<void>;
}

const CONTENTS = /<Contents>[\s\S]*?<\/Contents>/g;
const PREFIXES = /<CommonPrefixes>[\s\S]*?<\/CommonPrefixes>/g;

/** Keys [from, from + size) of a complete listing, marked truncated with a token for the rest (folders on the first page). */
function listingPage(full: string, from: number, size: number): string {
  const keys = full.match(CONTENTS) ?? [];
  const page = keys.slice(from, from + size);
  const more = from + size < keys.length;
  const folders = from === 0 ? (full.match(PREFIXES) ?? []) : [];
  return full
    .replace(CONTENTS, '')
    .replace(PREFIXES, '')
    .replace(/<IsTruncated>\w+<\/IsTruncated>/, `<IsTruncated>${more}</IsTruncated>${more ? `<NextContinuationToken>front-${from + size}</NextContinuationToken>` : ''}`)
    .replace(/<KeyCount>\d+<\/KeyCount>/, `<KeyCount>${page.length + folders.length}</KeyCount>`)
    .replace('</ListBucketResult>', `${page.join('')}${folders.join('')}</ListBucketResult>`);
}

const errorXml = (code: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message><RequestId>front</RequestId></Error>`;

export async function startS3Front(target: string, bucket: string): Promise<S3Front> {
  const faults: FrontFault[] = [];
  const requests: FrontRequest[] = [];
  const to = new URL(target);
  const state = { maxGetsInFlight: 0 };
  let getsInFlight = 0;
  let lastListing = '';
  const server = http.createServer((req, res) => {
    const [rawPath = '', query = ''] = (req.url ?? '/').split('?');
    const path = decodeURIComponent(rawPath);
    const seen: FrontRequest = { method: req.method ?? '', path, query, headers: req.headers, status: 0 };
    requests.push(seen);
    if (req.method === 'GET' && !query.includes('list-type')) {
      state.maxGetsInFlight = Math.max(state.maxGetsInFlight, ++getsInFlight);
      res.on('close', () => getsInFlight--);
    }
    res.on('close', () => (seen.status = res.statusCode));
    const fail = (status: number, code: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/xml', ...headers }).end(errorXml(code));
    };
    for (const f of faults) {
      if (f.kind === 'status' && f.times > 0 && f.match.test(path)) {
        f.times--;
        return fail(f.status, f.code);
      }
      if (f.kind === 'region' && !String(req.headers.authorization ?? '').includes(`/${f.region}/s3/`)) {
        return fail(301, 'PermanentRedirect', { 'x-amz-bucket-region': f.region });
      }
    }
    const matching = <K extends 'stall' | 'slow'>(kind: K) =>
      faults.find((f): f is Extract<FrontFault, { kind: K }> => f.kind === kind && f.times > 0 && f.match.test(path));
    const stall = matching('stall');
    if (stall) {
      stall.times--;
      return;
    }
    const slow = matching('slow');
    if (slow) slow.times--;
    const pages = faults.find((f): f is Extract<FrontFault, { kind: 'pages' }> => f.kind === 'pages');
    const listing = pages !== undefined && req.method === 'GET' && query.includes('list-type=2');
    const token = /(?:^|&)continuation-token=front-(\d+)/.exec(query);
    if (listing && token) {
      // The rest of the listing the first page came from; never sent upstream.
      const body = listingPage(lastListing, Number(token[1]), pages.size);
      return res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    }
    const half = faults.find((f): f is Extract<FrontFault, { kind: 'half' }> => f.kind === 'half' && f.times > 0 && req.method === 'GET' && path === `/${bucket}/${f.key}`);
    if (half) half.times--;
    const ifMatch = req.headers['if-match'];
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const etag = String(up.headers.etag ?? '');
      if (ifMatch !== undefined && (up.statusCode ?? 0) < 300 && etag !== ifMatch) {
        up.resume();
        return fail(412, 'PreconditionFailed');
      }
      // A body cut off upstream is cut off here too.
      up.on('close', () => {
        if (!up.complete) res.destroy();
      });
      if (listing && up.statusCode === 200) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          lastListing = Buffer.concat(chunks).toString('utf8');
          const body = listingPage(lastListing, 0, pages.size);
          res.writeHead(200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }).end(body);
        });
        return;
      }
      if (slow) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', async () => {
          const body = Buffer.concat(chunks);
          const pause = () => new Promise((resolve) => setTimeout(resolve, slow.gapMs));
          await pause();
          res.writeHead(up.statusCode ?? 502, up.headers);
          for (let k = 0; k < 3; k++) {
            res.write(body.subarray(Math.floor((k * body.length) / 3), Math.floor(((k + 1) * body.length) / 3)));
            if (k < 2) await pause();
          }
          res.end();
        });
        return;
      }
      if (!half || up.statusCode !== 200) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', async () => {
        await half.meanwhile?.();
        const body = Buffer.concat(chunks);
        const cut = body.subarray(0, Math.floor(body.length / 2));
        res.writeHead(200, { ...up.headers, 'content-length': String(cut.length) }).end(cut);
      });
    });
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    requests,
    get maxGetsInFlight() {
      return state.maxGetsInFlight;
    },
    set maxGetsInFlight(n: number) {
      state.maxGetsInFlight = n;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

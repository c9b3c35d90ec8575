// fetchPresigned (the S3 link a cohort file redirects to) against a real local HTTP server.
import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchPresigned } from '../../src/amplitude/presigned.js';
import { tempDir } from '../helpers/cli.js';
import { refusedPort, startServer, type TestServer } from './support/client-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

const SIGNED = '/cohort.csv?X-Amz-Signature=SIGNATUREabc123&X-Amz-Credential=CREDxyz';
const opts = { userAgent: 'tap-amplitude/0.1.0 (test)', idleTimeoutMs: 2000 };

/** An S3-style XML error body. */
function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

describe('fetchPresigned', () => {
  it('writes a 2xx body into dest, replacing what was there, and sends only the User-Agent', async () => {
    const body = 'amplitude_id,user_id\n1,alice\n2,bob\n';
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(body);
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    await writeFile(dest, 'x'.repeat(500)); // longer than the body: must be truncated
    expect(await fetchPresigned(server.baseUrl + SIGNED, dest, opts)).toEqual({ ok: true, bytes: body.length });
    expect(await readFile(dest, 'utf8')).toBe(body);
    const [request] = server.requests;
    expect(request!.url).toBe(SIGNED);
    expect(request!.headers['user-agent']).toBe('tap-amplitude/0.1.0 (test)');
    expect(request!.headers.authorization).toBeUndefined();
  });

  it('says a 403 or 400 "Request has expired" is an expired link, naming only the host', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url!.startsWith('/400') ? 400 : 403, { 'content-type': 'application/xml' });
      res.end(s3Error('AccessDenied', 'Request has expired'));
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(`${server.baseUrl}/403${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: true,
      problem: `${server.host} answered HTTP 403 (the link has expired)`,
    });
    expect(await fetchPresigned(`${server.baseUrl}/400${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: true,
      problem: `${server.host} answered HTTP 400 (the link has expired)`,
    });
  });

  it('does not call other refusals expired', async () => {
    const server = await serve((req, res) => {
      const [status, text] = req.url!.startsWith('/denied')
        ? [403, s3Error('AccessDenied', 'Access Denied')]
        : req.url!.startsWith('/gone')
          ? [404, s3Error('NoSuchKey', 'The key has expired or never existed')]
          : [500, s3Error('InternalError', 'We encountered an internal error. Please try again.')];
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(text);
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(`${server.baseUrl}/denied${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `${server.host} answered HTTP 403`,
    });
    // "expired" in the text of a status other than 400/403 is not S3's expired-link answer.
    expect(await fetchPresigned(`${server.baseUrl}/gone${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `${server.host} answered HTTP 404`,
    });
    expect(await fetchPresigned(`${server.baseUrl}/busy${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `${server.host} answered HTTP 500`,
    });
    // Not retried here: the caller decides.
    expect(server.requests).toHaveLength(3);
  });

  it('reads the error body past its first chunk to find "expired"', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.write('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>', () =>
        setTimeout(() => res.end('<Message>Request has expired</Message></Error>'), 20),
      );
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(server.baseUrl + SIGNED, dest, opts)).toMatchObject({ ok: false, expired: true });
  });

  it('does not take a 300 answer for the file', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(300, { 'content-type': 'text/csv' });
      res.end('amplitude_id\n1\n');
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(server.baseUrl + SIGNED, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `${server.host} answered HTTP 300`,
    });
  });

  it('does not follow a redirect and does not count 3xx as success', async () => {
    const server = await serve((req, res) => {
      if (req.url!.startsWith('/moved')) {
        res.writeHead(302, { location: '/elsewhere.csv' });
        res.end();
      } else {
        res.end('followed');
      }
    });
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(`${server.baseUrl}/moved${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `${server.host} answered HTTP 302`,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection with its code, and a reset mid-body, without the signed URL', async () => {
    const port = await refusedPort();
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(`http://127.0.0.1:${port}${SIGNED}`, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `the download from 127.0.0.1:${port} failed (ECONNREFUSED)`,
    });

    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('amplitude_id\n1\n');
      setTimeout(() => req.socket.destroy(), 10);
    });
    expect(await fetchPresigned(server.baseUrl + SIGNED, dest, opts)).toEqual({
      ok: false,
      expired: false,
      problem: `the download from ${server.host} failed (ECONNRESET)`,
    });
  });

  it('fails a stalled answer with ETIMEDOUT after the idle timeout', async () => {
    const server = await serve(() => undefined); // never answers
    const dest = path.join(tempDir(), 'cohort.csv');
    expect(await fetchPresigned(server.baseUrl + SIGNED, dest, { ...opts, idleTimeoutMs: 100 })).toEqual({
      ok: false,
      expired: false,
      problem: `the download from ${server.host} failed (ETIMEDOUT)`,
    });
  });

  it('throws a local failure to store the body as it is', async () => {
    const server = await serve((_req, res) => res.end('amplitude_id\n1\n'));
    const dest = path.join(tempDir(), 'no-such-dir', 'cohort.csv');
    await expect(fetchPresigned(server.baseUrl + SIGNED, dest, opts)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ends with an AbortError when its signal aborts', async () => {
    let arrived!: () => void;
    const hanging = new Promise<void>((resolve) => (arrived = resolve));
    const server = await serve(() => arrived());
    const controller = new AbortController();
    const dest = path.join(tempDir(), 'cohort.csv');
    const fetching = fetchPresigned(server.baseUrl + SIGNED, dest, { ...opts, idleTimeoutMs: 60_000, signal: controller.signal });
    await hanging;
    controller.abort();
    await expect(fetching).rejects.toMatchObject({ name: 'AbortError' });
  });
});

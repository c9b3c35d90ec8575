// The client's taxonomy pool: Taxonomy API requests stay within their own limit of 4 at a time
// (amplitude-api.md §13.1) while other requests keep the project's limit (max_concurrency).
import { afterEach, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AmplitudeClient } from '../../src/amplitude/client.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Answers every request after 30 ms; a request stops counting as in flight just before its last byte leaves. */
async function countingServer(): Promise<{ url: string; max: { taxonomy: number; all: number } }> {
  const max = { taxonomy: 0, all: 0 };
  let taxonomy = 0;
  let all = 0;
  const server = http.createServer((req, res) => {
    const isTaxonomy = (req.url ?? '').startsWith('/api/2/taxonomy/');
    all++;
    if (isTaxonomy) taxonomy++;
    max.all = Math.max(max.all, all);
    max.taxonomy = Math.max(max.taxonomy, taxonomy);
    setTimeout(() => {
      all--;
      if (isTaxonomy) taxonomy--;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success": true, "data": []}');
    }, 30);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, max };
}

it('runs at most 4 taxonomy requests at once, and at most max_concurrency requests in all', async () => {
  const server = await countingServer();
  const client = new AmplitudeClient({ baseUrl: server.url, apiKey: 'k', secretKey: 's', userAgent: 'test', idleTimeoutMs: 5000, maxConcurrency: 5 });
  const taxonomy = Array.from({ length: 12 }, () => client.getJson('/api/2/taxonomy/event', { endpoint: 'taxonomy event', pool: 'taxonomy' }));
  await Promise.all(taxonomy);
  expect(server.max).toEqual({ taxonomy: 4, all: 4 });

  const mixed = [
    ...Array.from({ length: 8 }, () => client.getJson('/api/2/taxonomy/event', { endpoint: 'taxonomy event', pool: 'taxonomy' })),
    ...Array.from({ length: 8 }, () => client.getJson('/api/2/events/list', { endpoint: 'events/list' })),
  ];
  await Promise.all(mixed);
  expect(server.max).toEqual({ taxonomy: 4, all: 5 });
});

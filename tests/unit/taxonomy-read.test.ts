// Taxonomy API reads (amplitude-api.md §13.1) through the real client against a local server: the
// list, the plan-lacks-it 404 told apart from a failure, the query string, and the 4-at-once pool.
import { afterEach, describe, expect, it } from '@jest/globals';
import { AmplitudeClient } from '../../src/amplitude/client.js';
import { AmplitudeBodyError } from '../../src/amplitude/errors.js';
import { readTaxonomy, taxonomyUnavailable } from '../../src/amplitude/taxonomy.js';
import { startServer, type TestServer } from './support/client-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(answers: [number, string][], delayMs = 0): Promise<{ server: TestServer; client: AmplitudeClient }> {
  const server = await startServer((_req, res, i) => {
    const [status, body] = answers[Math.min(i, answers.length - 1)] as [number, string];
    setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
  });
  servers.push(server);
  const client = new AmplitudeClient({ baseUrl: server.baseUrl, apiKey: 'k', secretKey: 's', userAgent: 'test', idleTimeoutMs: 5000, maxConcurrency: 5, maxTries: 1 });
  return { server, client };
}

describe('readTaxonomy', () => {
  it('a success gives its items; the query goes in the query string', async () => {
    const { server, client } = await serve([[200, '{"success": true, "data": [{"id": 1934763, "name": "TestCategoryNango2026"}]}']]);
    expect(await readTaxonomy(client, 'category')).toEqual({ available: true, items: [{ id: 1934763, name: 'TestCategoryNango2026' }] });
    expect(await readTaxonomy(client, 'event-property', { event_type: 'Play Song' })).toEqual({
      available: true,
      items: [{ id: 1934763, name: 'TestCategoryNango2026' }],
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/api/2/taxonomy/category', '/api/2/taxonomy/event-property?event_type=Play+Song']);
  });

  it('a 404 (the plan has no Taxonomy API) is an answer, not a failure', async () => {
    const { client } = await serve([[404, '{"success": false, "errors": [{"message": "Not found"}]}']]);
    expect(await readTaxonomy(client, 'user-property')).toEqual({ available: false });
  });

  it('a body not in the documented shape is a body error naming the resource and the status', async () => {
    const bodies = ['{"success": false, "data": []}', '{"success": true}', '{"success": true, "data": [1]}', '{"success": true, "data": {}}'];
    const { client } = await serve(bodies.map((b) => [200, b]));
    for (let k = 0; k < bodies.length; k++) {
      const err = await readTaxonomy(client, 'event').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AmplitudeBodyError);
      expect((err as Error).message).toBe(
        'taxonomy event: Amplitude answered HTTP 200 but the body is not {"success": true, "data": [...]} as the Taxonomy API documents',
      );
    }
  });

  it('an error status other than 404 fails, named after the resource', async () => {
    const { client } = await serve([[403, '{"error": "forbidden"}']]);
    await expect(readTaxonomy(client, 'group-property')).rejects.toThrow(/^taxonomy group-property/);
  });

  it('goes through the taxonomy pool: at most 4 at once even when the project allows 5', async () => {
    const { server, client } = await serve([[200, '{"success": true, "data": []}']], 30);
    await Promise.all(Array.from({ length: 8 }, () => readTaxonomy(client, 'event')));
    expect(server.maxInFlight).toBe(4);
  });
});

it('taxonomyUnavailable names the plan and the stream to deselect', () => {
  expect(taxonomyUnavailable('event_types')).toBe(
    "skipped, Amplitude answered 404 for the Taxonomy API: the project's plan does not include it (Enterprise only); deselect event_types to silence this warning",
  );
});
